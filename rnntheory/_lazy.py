r"""Lazy package faces and the old module names: the one mechanism by which ``rnntheory`` and its
sub-packages hand names on without importing anything until a name is used (PEP 562).

A face (``rnntheory/run/__init__.py``, ...) lists its submodules and the public names they hold;
``import rnntheory.run`` then loads nothing, and ``rnntheory.run.Task`` imports the one submodule
that defines it. This keeps ``rnntheory --help`` free of torch, pandas and sympy.

:data:`MOVED` maps the flat module names of rnntheory 0.1's first layout (``rnntheory.sweep``,
``rnntheory.concepts``, ...), and two earlier private names of public claim helpers, to where they
live now. ``rt.concepts`` and
``from rnntheory.concepts import Concept`` keep working: :class:`OldNames` answers an import of an
old name with the module itself (one object under two names, so ``isinstance`` and pickling see
one class).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from typing import Any, Callable, Mapping, Sequence

__all__ = ["MOVED", "OldNames", "face"]

# old name (below rnntheory) -> the module or package face that holds its public names now
MOVED = {
    # the network and its quantities
    "model": "network.model", "inputs": "network.inputs", "backward": "network.backward",
    "batched": "network.batched", "perturbation": "network.perturbation", "pseudo": "network.pseudo",
    "decoupling": "network.decoupling", "kernel": "network.kernel", "infinite": "network.infinite",
    # the target class's complexity (private helpers beside it)
    "_series": "complexity._series", "_smooth": "complexity._smooth", "_summation": "complexity._summation",
    "_truncation": "complexity._truncation", "_named": "complexity._named",
    # learning
    "concepts": "learning.concepts", "training": "learning.training", "along": "learning.along",
    "batched_sgd": "learning.batched_sgd",
    # statistics and verdicts
    "verdicts": "stats.verdicts", "_lsq": "stats._lsq",
    # running cells
    "sweep": "run", "cost": "run.cost", "budget": "run.budget", "bench": "run.bench", "_cores": "run._cores",
    # the report
    "plotting": "report.figures", "compare": "report.comparison", "grids": "report.grids",
    "_published": "report._published",
    # property-test strategies
    "strategies": "testing",
    # earlier private names of the public claim helpers
    "claims._common": "claims.cells", "claims._findings": "claims.findings",
}


def face(package: str, modules: Sequence[str], names: Mapping[str, str],
         aliases: Mapping[str, str] | None = None) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    r"""``__getattr__`` and ``__dir__`` for the package ``package``: ``modules`` are its submodules
    (loaded on first use), ``names`` maps each re-exported name to the submodule that defines it, and
    ``aliases`` maps further attribute names to the module (below ``package``) they stand for."""
    aliases = dict(aliases or {})

    def __getattr__(name: str) -> Any:
        if name in names:
            return getattr(importlib.import_module(f"{package}.{names[name]}"), name)
        if name in modules or name in aliases:
            return importlib.import_module(f"{package}.{aliases.get(name, name)}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        public = {name for name in aliases if not name.startswith("_") and "." not in name}
        return sorted(set(vars(sys.modules[package])) | set(modules) | set(names) | public)

    return __getattr__, __dir__


class OldNames(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    r"""Answers ``import rnntheory.<old>`` for every name of :data:`MOVED` with the module that holds
    it now (registered in ``sys.modules`` under both names)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._specs: dict[str, Any] = {}  # a module's own spec, by its real name

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        head, _, rest = fullname.partition(".")
        if head != self.root or rest not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: Any) -> Any:
        module = importlib.import_module(f"{self.root}.{MOVED[spec.name.partition('.')[2]]}")
        self._specs.setdefault(module.__name__, module.__spec__)
        return module

    def exec_module(self, module: Any) -> None:
        # the module ran under its own name; the import system has just set its __spec__ to the old
        # name's spec, which would change its __package__: give it its own back
        module.__spec__ = self._specs[module.__name__]
