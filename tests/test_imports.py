"""``import rnntheory`` stays light: the heavy submodules load on first attribute access (PEP 562).

Each check runs in a fresh interpreter, since this test session has imported everything already.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "rnntheory"
HEAVY = ["scipy", "pandas", "sympy", "mpmath", "matplotlib", "rnntheory.claims", "rnntheory.stats"]


def fresh(code: str) -> object:
    """Run ``code`` in a new interpreter at the repository root; it prints one JSON value."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_loads_no_heavy_module():
    loaded = fresh(
        "import json, sys, rnntheory\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    assert loaded == []


def test_lazy_submodules_load_on_access():
    got = fresh(
        "import json, sys, rnntheory as rt\n"
        "lazy = [n for n in ('claims', 'stats', 'kernel', 'decoupling') if n in rt.__all__]\n"
        "listed = all(n in dir(rt) for n in lazy)\n"
        "before = 'rnntheory.claims' in sys.modules\n"
        "names = rt.claims.names()\n"
        "from rnntheory import claims\n"
        "import rnntheory.network.kernel\n"
        "same = claims is rt.claims is sys.modules['rnntheory.claims'] and rt.kernel is rnntheory.network.kernel\n"
        "try:\n"
        "    rt.no_such_name\n"
        "    missing = False\n"
        "except AttributeError as exc:\n"
        "    missing = 'no_such_name' in str(exc)\n"
        "print(json.dumps([lazy, listed, before, bool(names), rt.claims.get(names[0]).name == names[0], same, missing]))"
    )
    lazy, listed, before, has_names, get_works, same, missing = got
    assert lazy == ["claims", "stats", "kernel", "decoupling"]
    assert listed and not before and has_names and get_works and same and missing


def test_every_public_name_resolves():
    got = fresh(
        "import json, rnntheory as rt\n"
        "bad = [n for n in rt.__all__ if getattr(rt, n, None) is None]\n"
        "ns = {}\n"
        "exec('from rnntheory import *', ns)\n"
        "print(json.dumps([bad, sorted(set(rt.__all__) - set(ns)), sorted(set(rt.__all__) - set(dir(rt)))]))"
    )
    assert got == [[], [], []]


def test_no_module_imports_a_private_name_from_another():
    """``from .x import _name`` is refused across the package; private modules (``from . import _validation``) are fine."""
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.ImportFrom) or not (node.level or (node.module or "").startswith("rnntheory")):
                continue
            base = path.parent
            for _ in range(node.level - 1):
                base = base.parent
            if node.level == 0:
                base = ROOT
            where = base.joinpath(*(node.module or "").split(".")) if node.module else base
            for alias in node.names:
                name = alias.name
                is_module = (where / f"{name}.py").exists() or (where / name / "__init__.py").exists()
                if name.startswith("_") and not name.startswith("__") and not is_module:
                    offences.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert offences == []


def test_the_flat_names_of_the_first_layout_still_resolve():
    """Every module that moved into a sub-package answers under its old name, as an attribute and as
    an import, and it is the same module object (one class, one registry)."""
    got = fresh(
        "import importlib, json, sys, rnntheory as rt\n"
        "from rnntheory import _lazy\n"
        "bad = []\n"
        "for old, new in _lazy.MOVED.items():\n"
        "    real = importlib.import_module('rnntheory.' + new)\n"
        "    attribute = getattr(rt, old) if '.' not in old else real\n"
        "    if attribute is not real or importlib.import_module('rnntheory.' + old) is not real:\n"
        "        bad.append(old)\n"
        "    if real.__spec__.name != 'rnntheory.' + new:\n"
        "        bad.append(old + ' changed the spec of ' + new)\n"
        "from rnntheory.concepts import Concept\n"
        "from rnntheory.sweep import run_tasks, CellCache\n"
        "from rnntheory import backward, verdicts\n"
        "same = Concept is rt.learning.concepts.Concept and run_tasks is rt.run.run_tasks\n"
        "print(json.dumps([bad, same, backward is rt.network.backward, verdicts.Verdict is rt.stats.Verdict]))"
    )
    assert got == [[], True, True, True]


FACES = ["rnntheory.network", "rnntheory.learning", "rnntheory.stats", "rnntheory.run", "rnntheory.report"]


@pytest.mark.parametrize("package", FACES)
def test_each_face_hands_on_every_public_name_of_its_modules(package):
    """A package's __init__ lists its modules and the public names they hold; a name two modules
    define differently (``kernel.ntk`` and ``infinite.ntk``), or that is also a module's name
    (``decoupling.decoupling``), is reached through its module only."""
    import importlib

    face = importlib.import_module(package)
    modules = {name: importlib.import_module(f"{package}.{name}") for name in face.MODULES}
    assert set(face.__all__) == set(face.MODULES) | set(face.NAMES)
    assert set(face.NAMES.values()) <= set(modules)
    for name, module in modules.items():
        for public in module.__all__:
            owners = {id(getattr(m, public)) for m in modules.values() if public in getattr(m, "__all__", ())}
            if len(owners) > 1 or public in modules:  # or named as a module: decoupling.decoupling
                assert public not in face.NAMES, f"{package}.{public} is ambiguous ({name} and another module)"
                continue
            assert public in face.NAMES, f"{package} does not hand on {name}.{public}"
            assert getattr(face, public) is getattr(module, public)
