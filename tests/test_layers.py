"""The package's layers are one-way: every import inside rnntheory points down the list of packages
below, and there is no import cycle between modules (also inside a package). Imports inside functions
and under TYPE_CHECKING count: they are dependencies too. docs/architecture.md explains the plan."""

import ast
import pathlib

import rnntheory

ROOT = pathlib.Path(rnntheory.__file__).parent

# the floor plan, lowest first: a module may import modules of its own package (without a cycle) and
# of the packages on earlier layers, never one of a later layer.
LAYERS = [
    ["_validation", "_lazy", "seeds"],  # argument checks; the lazy package faces; random streams of a cell
    ["stats"],  # fits and verdicts: plain numerics
    ["network"],  # the RNN and the quantities its lemmas bound
    ["complexity"],  # the target class's complexity
    ["learning"],  # concepts, SGD, quantities along a trajectory
    ["run"],  # tasks, records, the cell cache, executors, cost previews
    ["checking"],  # the claim-checking framework: grids, claims, findings, budget, registry
    ["claims"],  # the paper's claims
    ["testing", "report"],  # property-test strategies; the report
    ["bench"],  # the speed benchmarks
    ["cli"],  # the command line
]
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def _module_name(path: pathlib.Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts)


def _imports(path: pathlib.Path) -> set[str]:
    """Package-relative names of the rnntheory modules that ``path`` imports."""
    mod = _module_name(path)
    package = mod.split(".")[:-1] if path.name != "__init__.py" else mod.split(".")
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if node.module and node.module.split(".")[0] == "rnntheory":
                    base = node.module.split(".")[1:]
                else:
                    continue
            else:
                base = (package[: len(package) - node.level + 1] if node.level > 1 else package) + (
                    node.module.split(".") if node.module else []
                )
            for alias in node.names:
                cand = ".".join(base + [alias.name])
                out.add(
                    cand
                    if (ROOT / (cand.replace(".", "/") + ".py")).exists() or (ROOT / cand.replace(".", "/")).is_dir()
                    else ".".join(base)
                )
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "rnntheory":
                    out.add(".".join(alias.name.split(".")[1:]))
    out.discard("")
    out.discard(mod)
    return out


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in ROOT.rglob("*.py") if p.name != "__init__.py" or p.parent != ROOT}


def test_every_module_has_a_layer():
    top = {m.split(".")[0] for m in _graph()}
    assert top - set(RANK) == set(), "add new modules to LAYERS"


def test_no_import_runs_back_up():
    bad = []
    for mod, targets in _graph().items():
        for t in targets:
            a, b = mod.split(".")[0], t.split(".")[0]
            if a != b and RANK[b] >= RANK[a]:
                bad.append(f"{mod} -> {t}")
    assert bad == []


def test_no_import_cycle():
    g = _graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node, stack):
        state[node] = 1
        for t in g.get(node, ()):
            if state.get(t) == 1:
                cycles.append(" -> ".join(stack[stack.index(t) :] + [t]))
            elif t in g and state.get(t) is None:
                visit(t, stack + [t])
        state[node] = 2

    for node in g:
        if state.get(node) is None:
            visit(node, [node])
    assert cycles == []


def _imported_packages(package: str) -> set[str]:
    return {t.split(".")[0] for m, ts in _graph().items() if m.split(".")[0] == package for t in ts}


def test_the_execution_layer_knows_nothing_of_what_it_runs():
    """run/ runs picklable tasks: no network, learning, claim framework, claims, report or command line."""
    assert (
        _imported_packages("run")
        & {"network", "complexity", "learning", "checking", "claims", "report", "bench", "cli"}
        == set()
    )


def test_the_claim_framework_knows_nothing_of_rnns():
    """checking/ turns any claim into cells, findings and a verdict: no network, learning, complexity or the
    paper's claims (the layer order alone would allow the first three)."""
    assert _imported_packages("checking") & {"network", "complexity", "learning", "claims"} == set()


def test_every_package_is_a_layer():
    packages = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in ROOT.glob("*.py") if p.name != "__init__.py"}
    assert packages | modules == set(RANK)
