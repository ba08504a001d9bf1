r"""Lazy package faces: the one mechanism by which ``rnntheory`` and its sub-packages hand names on
without importing anything until a name is used (PEP 562).

A face (``rnntheory/run/__init__.py``, ...) lists its submodules and the public names they hold;
``import rnntheory.run`` then loads nothing, and ``rnntheory.run.Task`` imports the one submodule
that defines it. This keeps ``rnntheory --help`` free of torch, pandas and sympy.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Callable, Mapping, Sequence

__all__ = ["face"]


def face(
    package: str, modules: Sequence[str], names: Mapping[str, str], aliases: Mapping[str, str] | None = None
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    r"""``__getattr__`` and ``__dir__`` for the package ``package``: ``modules`` are its submodules
    (loaded on first use), ``names`` maps each re-exported name to the submodule that defines it, and
    ``aliases`` maps further attribute names to the module (below ``package``) they stand for (the
    top-level shortcuts, ``rnntheory.SHORTCUTS``)."""
    aliases = dict(aliases or {})

    def __getattr__(name: str) -> Any:
        if name in names:
            return getattr(importlib.import_module(f"{package}.{names[name]}"), name)
        if name in modules or name in aliases:
            return importlib.import_module(f"{package}.{aliases.get(name, name)}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(modules) | set(names) | set(aliases))

    return __getattr__, __dir__
