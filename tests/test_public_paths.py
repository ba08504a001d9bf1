"""One public path per object (docs/architecture.md, "One public path per name").

(a) A function or class defined in rnntheory is listed in the ``__all__`` of its defining module and
    of the faces of the packages that contain that module (below the top level: ``rnntheory.network``
    may hand on ``rnntheory.network.model.RNN``), and of no other public module (a module whose dotted
    name has no part starting with "_"); a module is listed only by its parent package. The top-level
    face lists its sub-packages, ``__version__`` and the declared ``rnntheory.SHORTCUTS``, nothing else.
    Across packages, code imports a name from a module that exports it (its ``__all__``) or imports a
    submodule; inside a package anything goes.
(b) No module of rnntheory/, tests/, proofs_checks/, docs/examples/ or tools/ imports a private module
    (a dotted part starting with "_") of a package that does not contain it. A test under
    ``tests/<package>/`` belongs to ``rnntheory.<package>``, a test at the top of tests/ to ``rnntheory``
    (tests/test_validation.py tests ``rnntheory._validation``); proofs_checks/ belongs to itself.
(c) Nothing imports a module of an old layout, nor a top-level shortcut in place of its home
    (``from rnntheory import backward``: code imports ``from rnntheory.network import backward``), and
    no text of the repository (code, docstrings, docs, the notebook) names an old module. The
    committed reports (docs/report*/) are records of their runs and are left as written.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest

import rnntheory

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "rnntheory"

# the modules of earlier layouts: the flat names of the first (below rnntheory), then the framework's
# and the families' names inside claims/ and the modules that left run/ and report/
OLD_FLAT = (
    "model",
    "inputs",
    "batched",
    "decoupling",
    "kernel",
    "infinite",
    "_series",
    "_smooth",
    "_summation",
    "_truncation",
    "_named",
    "concepts",
    "training",
    "along",
    "batched_sgd",
    "verdicts",
    "_lsq",
    "sweep",
    "cost",
    "budget",
    "_cores",
    "plotting",
    "compare",
    "grids",
    "_published",
    "strategies",
)
OLD_NESTED = (
    "claims._common",
    "claims._findings",
    "claims._grid",
    "claims._results",
    "claims._settings",
    "claims._claim",
    "claims._registry",
    "claims._plugins",
    "claims._text",
    "claims.findings",
    "claims.perturbation",
    "claims.complexity",
    "claims.learning",
    "claims.along",
    "run.budget",
    "run.bench",
    "run._cores",
    "report._published",
)
OLD = {f"rnntheory.{name}" for name in (*OLD_FLAT, *OLD_NESTED)}
# shortcuts are attributes of the face, not module paths: importable from their homes only
SHORTCUT_MODULES = {f"rnntheory.{name}" for name, (module, attr) in rnntheory.SHORTCUTS.items() if module != name}
OLD_TEXT = re.compile(
    r"\b(?:rnntheory|rt)\.(?:" + "|".join(re.escape(n) for n in (*OLD_FLAT, *OLD_NESTED)) + r")(?![\w])"
)


# ---------------------------------------------------------------------- the modules
def _public_modules() -> list[ModuleType]:
    names = ["rnntheory"] + [m.name for m in pkgutil.walk_packages(rnntheory.__path__, "rnntheory.")]
    return [importlib.import_module(n) for n in names if not any(p.startswith("_") for p in n.split(".")[1:])]


def _is_package(name: str) -> bool:
    return (ROOT / Path(*name.split(".")) / "__init__.py").is_file()


def _is_module(name: str) -> bool:
    return _is_package(name) or (ROOT / Path(*name.split("."))).with_suffix(".py").is_file()


def _containing_packages(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:k]) for k in range(2, len(parts)) if _is_package(".".join(parts[:k]))]


# ---------------------------------------------------------------------- (a) one path per object
def test_every_module_of_rnntheory_declares_its_public_names():
    assert [m.__name__ for m in _public_modules() if not hasattr(m, "__all__")] == []


def test_each_object_is_exported_by_its_module_and_the_faces_above_it_only():
    offences = []
    for module in _public_modules():
        where = module.__name__
        for name in module.__all__:
            obj = getattr(module, name)
            if where == "rnntheory" and name in rnntheory.SHORTCUTS:
                continue
            if isinstance(obj, ModuleType):
                if obj.__name__.rpartition(".")[0] != where:
                    offences.append(f"{where}.{name} is the module {obj.__name__}, listed outside its package")
                continue
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) or not obj.__module__.startswith("rnntheory"):
                continue
            home = obj.__module__
            if where != home and where not in _containing_packages(home):
                offences.append(f"{where}.{name} is {home}.{obj.__qualname__}: a second public path")
    assert offences == []


def test_the_top_level_face_is_its_sub_packages_and_the_shortcuts():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file() and not p.name.startswith("_")}
    assert set(rnntheory.__all__) - set(rnntheory.SHORTCUTS) - packages == {"__version__"}
    for name, (module, attribute) in rnntheory.SHORTCUTS.items():
        home = importlib.import_module(f"rnntheory.{module}")
        assert getattr(rnntheory, name) is (home if attribute is None else getattr(home, attribute)), name


# ---------------------------------------------------------------------- the imports of the repository
def _sources() -> list[Path]:
    return sorted(
        {
            *PACKAGE.rglob("*.py"),
            *(ROOT / "tests").rglob("*.py"),
            *(ROOT / "proofs_checks").rglob("*.py"),
            *(ROOT / "docs" / "examples").rglob("*.py"),
            *(ROOT / "tools").rglob("*.py"),
        }
    )


def _owner(path: Path) -> str:
    r"""The dotted name a file counts as: its module name inside rnntheory and proofs_checks; a test under
    tests/<package>/ as a module of rnntheory.<package>, one at the top of tests/ as a module of
    rnntheory; anything else (docs/examples, tools) belongs to no package of the repository."""
    rel = path.relative_to(ROOT).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    if parts[0] in ("rnntheory", "proofs_checks"):
        return ".".join(parts)
    if parts[0] == "tests":
        return ".".join(["rnntheory", *parts[1:-1], "<test>"])
    return "<outside>"


def _package_of(owner: str, path: Path) -> str:
    return owner if path.name == "__init__.py" else owner.rpartition(".")[0]


def _imports(path: Path, tree: ast.AST | None = None):
    r"""``(line, module, name)`` for every import of an rnntheory or proofs_checks module in ``path``:
    ``name`` is the imported name of ``from module import name``, None for ``import module``."""
    owner = _owner(path) if tree is None else "<outside>"
    tree = tree or ast.parse(path.read_text(), str(path))
    package = _package_of(owner, path) if tree is not None else ""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ("rnntheory", "proofs_checks"):
                    yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] in ("rnntheory", "proofs_checks"):
                for alias in node.names:
                    yield node.lineno, module, alias.name


def _docs_code() -> list[tuple[str, ast.AST]]:
    r"""The Python of the docs: every ```python block of README.md, CONTRIBUTING.md and docs/*.md, and
    every code cell of the notebook."""
    out = []
    for md in [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for i, block in enumerate(re.findall(r"```python\n(.*?)```", md.read_text(), re.S)):
            out.append((f"{md.relative_to(ROOT)} block {i}", ast.parse(block)))
    nb = json.loads((ROOT / "docs" / "walkthrough.ipynb").read_text())
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            out.append((f"docs/walkthrough.ipynb cell {i}", ast.parse("".join(cell["source"]))))
    return out


def _every_import():
    for path in _sources():
        owner = _owner(path)
        for line, module, name in _imports(path):
            yield f"{path.relative_to(ROOT)}:{line}", owner, _package_of(owner, path), module, name
    for where, tree in _docs_code():
        for line, module, name in _imports(Path("doc"), tree):
            yield f"{where}:{line}", "<outside>", "<outside>", module, name


def test_names_are_imported_from_a_module_that_exports_them():
    offences = []
    for where, _, package, module, name in _every_import():
        if name is None or name == "*" or not module.startswith("rnntheory") or _is_module(f"{module}.{name}"):
            continue
        home = module if _is_package(module) else module.rpartition(".")[0]
        if package == home or package.startswith(home + "."):
            continue  # inside the package: its own modules' names
        if name not in getattr(importlib.import_module(module), "__all__", ()):
            offences.append(f"{where} imports {name} from {module}, which does not export it")
    assert offences == []


def test_no_private_module_of_another_package_is_imported():
    offences = []
    for where, owner, _, module, name in _every_import():
        full = f"{module}.{name}" if name and _is_module(f"{module}.{name}") else module
        parts = full.split(".")
        for k, part in enumerate(parts):
            if part.startswith("_") and not part.startswith("__"):
                container = ".".join(parts[:k])
                if owner != container and not owner.startswith(container + "."):
                    offences.append(f"{where} imports {full}, a private module of {container}")
                break
    assert offences == []


# ---------------------------------------------------------------------- (c) no old layout
def test_nothing_imports_an_old_module_or_a_shortcut_in_place_of_its_home():
    offences = []
    for where, _, _, module, name in _every_import():
        full = f"{module}.{name}" if name else module
        for old in (module, full):
            if old in OLD or old in SHORTCUT_MODULES or any(old.startswith(o + ".") for o in OLD):
                offences.append(f"{where} imports {full}")
                break
        else:
            if module == "rnntheory" and name in rnntheory.SHORTCUTS and not _is_module(f"rnntheory.{name}"):
                offences.append(
                    f"{where} imports the shortcut rnntheory.{name}; import it from its home, "
                    f"rnntheory.{rnntheory.SHORTCUTS[name][0]}"
                )
    assert offences == []


def _texts():
    files = [
        *_sources(),
        ROOT / "README.md",
        ROOT / "CONTRIBUTING.md",
        *sorted((ROOT / "docs").glob("*.md")),
        ROOT / "docs" / "walkthrough.ipynb",
        ROOT / "pyproject.toml",
    ]
    return [f for f in files if f != Path(__file__).resolve()]


@pytest.mark.parametrize("path", _texts(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_text_names_an_old_module(path):
    found = sorted({m.group(0) for m in OLD_TEXT.finditer(path.read_text())})
    assert found == [], f"{path.relative_to(ROOT)} names {found}"
