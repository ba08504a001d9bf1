r"""Claims from outside the package. One job: importing the code that registers them, from a module
named by the user (``rnntheory report --import MODULE``, :func:`import_claims`) or from installed
packages that declare an entry point in the group ``rnntheory.claims`` (:func:`load_entry_points`),
as pytest finds its plugins.

A package declares its claims in its ``pyproject.toml``::

    [project.entry-points."rnntheory.claims"]
    my_claims = "my_package.claims"          # a module whose import registers its claims

The entry point names a module (importing it calls :func:`rnntheory.checking.register`), a
:class:`~rnntheory.checking.Claim`, or a function that returns claims. ``rnntheory report`` and
``rnntheory claims`` load every such entry point unless the environment sets
``RNNTHEORY_DISABLE_PLUGIN_AUTOLOAD``. docs/new_claim.md walks through an example.
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import os
import sys
import warnings
from pathlib import Path
from typing import Any

from .. import _validation as V
from .claim import Claim
from .registry import REGISTRY, register

__all__ = ["ENTRY_POINT_GROUP", "DISABLE_AUTOLOAD", "import_claims", "load_entry_points"]

ENTRY_POINT_GROUP = "rnntheory.claims"
"""The entry-point group whose entries ``rnntheory report`` loads."""

DISABLE_AUTOLOAD = "RNNTHEORY_DISABLE_PLUGIN_AUTOLOAD"
"""An environment variable: when set (to anything but an empty string), the command line loads no
entry points."""


def _added(before: dict[str, Claim]) -> list[str]:
    return [n for n, c in REGISTRY.items() if before.get(n) is not c]


def import_claims(module: str) -> list[str]:
    r"""Import ``module`` (a module name such as ``"my_claims"``, or the path of a ``.py`` file) so
    that the claims it defines are registered, and return their names (new or replaced).

    A file's folder is put at the front of ``sys.path`` and the file imported under its stem, so that
    worker processes (``--jobs``) import its measuring functions by the same name. A module imported
    before is reloaded, so that an edited module registers its claims again (replacing them, with a
    warning).

    >>> from rnntheory.checking import import_claims
    >>> import_claims("docs/examples/width_claim.py")   # doctest: +SKIP
    ['hidden_norm_width']

    Raises:
        TypeError: ``module`` is not a string.
        ValueError: an empty name, no such module or file, or the module raised while it was imported (the message
            names the error).
    """
    fn = V.caller(import_claims)
    what = f"{fn}: module={module!r} must be a module name or the path of a .py file"
    if not isinstance(module, str):
        raise TypeError(what)
    if not module.strip():
        raise ValueError(what)
    before = dict(REGISTRY)
    name = module
    if module.endswith(".py") or os.sep in module or "/" in module:
        path = Path(module).resolve()
        if not path.exists():
            near = path.parent if path.parent.is_dir() else None
            hint = "" if near is None else f" (the folder {near} holds {_py_files(near)})"
            raise ValueError(f"{fn}: the file {module!r} does not exist{hint}")
        if not path.is_file() or path.suffix != ".py":
            raise ValueError(f"{fn}: {module!r} is not a .py file")
        folder = str(path.parent)
        if folder not in sys.path:
            sys.path.insert(0, folder)
        name = path.stem
    try:
        if name in sys.modules:  # imported before (a notebook cell run again): its current text registers again
            importlib.reload(sys.modules[name])
        else:
            importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            raise ValueError(
                f"{fn}: no module named {name!r} (install it, put its folder on "
                "PYTHONPATH, or give the path of its .py file)"
            ) from None
        raise ValueError(f"{fn}: importing {name!r} failed: {type(exc).__name__}: {exc}") from exc
    except Exception as exc:
        raise ValueError(f"{fn}: importing {name!r} failed: {type(exc).__name__}: {exc}") from exc
    return _added(before)


def _py_files(folder: Path, limit: int = 5) -> str:
    r"""The .py files of ``folder`` in words, the first ``limit`` of them."""
    names = sorted(p.name for p in folder.glob("*.py"))
    if not names:
        return "no .py file"
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _register_all(obj: Any, where: str) -> None:
    if isinstance(obj, Claim):
        register(obj)
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            _register_all(o, where)
    elif obj is not None and not isinstance(obj, type(sys)):
        raise TypeError(f"{where} gave {obj!r}; expected a module, a Claim or a list of claims")


def load_entry_points() -> list[str]:
    r"""Load every entry point of the group ``rnntheory.claims`` and return the names of the claims
    they registered (new or replaced). An entry point that fails to load is skipped with a warning
    that names it and its error, so that one broken package does not stop a report."""
    before = dict(REGISTRY)
    for ep in md.entry_points(group=ENTRY_POINT_GROUP):
        where = f"the entry point {ep.name} = {ep.value} (group {ENTRY_POINT_GROUP})"
        try:
            obj = ep.load()
            if callable(obj) and not isinstance(obj, (Claim, type(sys))):
                obj = obj()
            _register_all(obj, where)
        except Exception as exc:  # one broken package must not stop a report
            warnings.warn(
                f"rnntheory: {where} failed to load and is skipped: {type(exc).__name__}: {exc}",
                UserWarning,
                stacklevel=2,
            )
    return _added(before)
