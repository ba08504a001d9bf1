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
HEAVY = [
    "scipy",
    "pandas",
    "sympy",
    "mpmath",
    "matplotlib",
    "rnntheory.claims",
    "rnntheory.checking.claim",
    "rnntheory.stats",
]


def fresh(code: str) -> object:
    """Run ``code`` in a new interpreter at the repository root; it prints one JSON value."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_loads_no_heavy_module():
    loaded = fresh(f"import json, sys, rnntheory\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    assert loaded == []


def test_lazy_submodules_load_on_access():
    got = fresh(
        "import json, sys, rnntheory as rt\n"
        "lazy = [n for n in ('claims', 'stats', 'backward', 'checking') if n in rt.__all__]\n"
        "listed = all(n in dir(rt) for n in lazy)\n"
        "before = 'rnntheory.claims' in sys.modules or 'rnntheory.checking.claim' in sys.modules\n"
        "names = rt.claims.names()\n"
        "from rnntheory import claims\n"
        "import rnntheory.network.backward\n"
        "same = claims is rt.claims is sys.modules['rnntheory.claims'] and rt.backward is rnntheory.network.backward\n"
        "try:\n"
        "    rt.no_such_name\n"
        "    missing = False\n"
        "except AttributeError as exc:\n"
        "    missing = 'no_such_name' in str(exc)\n"
        "print(json.dumps([lazy, listed, before, bool(names), rt.claims.get(names[0]).name == names[0], "
        "same, missing]))"
    )
    lazy, listed, before, has_names, get_works, same, missing = got
    assert lazy == ["claims", "stats", "backward", "checking"]
    assert listed and not before and has_names and get_works and same and missing


def test_the_top_level_face_is_the_sub_packages_and_the_shortcuts():
    """Besides its sub-packages, ``rnntheory`` hands on exactly the documented SHORTCUTS, each the object
    of its home; they are attributes, not module paths."""
    got = fresh(
        "import importlib, json, rnntheory as rt\n"
        "bad = []\n"
        "for name, (module, attribute) in rt.SHORTCUTS.items():\n"
        "    home = importlib.import_module('rnntheory.' + module)\n"
        "    if getattr(rt, name) is not (home if attribute is None else getattr(home, attribute)):\n"
        "        bad.append(name)\n"
        "refused = []\n"
        "for name in ('backward', 'pseudo', 'perturbation', 'sweep', 'concepts', 'verdicts'):\n"
        "    try:\n"
        "        importlib.import_module('rnntheory.' + name)\n"
        "    except ImportError:\n"
        "        refused.append(name)\n"
        "print(json.dumps([bad, refused, sorted(set(rt.__all__) - set(rt.SHORTCUTS))]))"
    )
    bad, refused, rest = got
    assert bad == [] and refused == ["backward", "pseudo", "perturbation", "sweep", "concepts", "verdicts"]
    assert rest == ["__version__", "checking", "learning", "network", "report", "run"]


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
    """``from .x import _name`` is refused across the package; private modules (``from . import _validation``) are
    fine."""
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


FACES = [
    "rnntheory.network",
    "rnntheory.learning",
    "rnntheory.stats",
    "rnntheory.run",
    "rnntheory.checking",
    "rnntheory.report",
]


@pytest.mark.parametrize("package", FACES)
def test_each_face_hands_on_every_public_name_of_its_modules(package):
    """A package's __init__ lists its modules and the public names they hold (a name may come from a
    private module of the package: ``stats.InsufficientData``); a name two modules define differently
    (``kernel.ntk`` and ``infinite.ntk``), or that is also a module's name (``decoupling.decoupling``), is
    reached through its module only."""
    import importlib

    face = importlib.import_module(package)
    modules = {name: importlib.import_module(f"{package}.{name}") for name in face.MODULES}
    assert set(face.__all__) == set(face.MODULES) | set(face.NAMES)
    assert {m for m in face.NAMES.values() if not m.startswith("_")} <= set(modules)
    for name, module in modules.items():
        for public in module.__all__:
            owners = {id(getattr(m, public)) for m in modules.values() if public in getattr(m, "__all__", ())}
            if len(owners) > 1 or public in modules:  # or named as a module: decoupling.decoupling
                assert public not in face.NAMES, f"{package}.{public} is ambiguous ({name} and another module)"
                continue
            assert public in face.NAMES, f"{package} does not hand on {name}.{public}"
            assert getattr(face, public) is getattr(module, public)
