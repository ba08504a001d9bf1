r"""The registry of the paper's claims. One job: :data:`REGISTRY`, the claims in the paper's order,
and :func:`register`, :func:`get` and :func:`names`; proofs_checks/, ``rnntheory check`` and the report
read it.

It is also the one import of a module that defines claims: it re-exports the types such a module
builds (:class:`~rnntheory.claims.Claim` from ``_claim``, :class:`~rnntheory.claims.Grid` from
``_grid``, the result types from ``_results``, the settings checks from ``_settings``), so that
``from ._registry import Claim, Finding, Grid, register`` keeps working for every claim module.
"""

from __future__ import annotations

import warnings

from ._claim import Claim, describe_failures
from ._grid import SEEDS_KEY, Grid, dtype_name, torch_dtype
from ._results import (ANALYSIS_ERRORS, CONTROL_KINDS, LEVEL, ClaimResult, Control, ControlOutcome, Finding, Judging,
                       Series)
from ._settings import check_judging

__all__ = ["Grid", "Claim", "Finding", "Series", "ClaimResult", "Control", "ControlOutcome", "REGISTRY", "register",
           "get", "names", "dtype_name", "torch_dtype", "ANALYSIS_ERRORS", "CONTROL_KINDS", "LEVEL", "SEEDS_KEY",
           "Judging", "check_judging", "describe_failures"]

REGISTRY: dict[str, Claim] = {}
"""Every registered claim by name, in the order of registration (the paper's order for the package's own)."""


def register(claim: Claim) -> Claim:
    r"""Add ``claim`` to :data:`REGISTRY` after checking it (a default and a large grid, one control of
    each kind, judging settings kept out of the grids), and return it. A claim whose name is already
    registered replaces the old one with a ``UserWarning`` (a notebook cell run again, or a module
    outside the package that redefines a claim); the registry keeps its place in the order.

    >>> from rnntheory import claims
    >>> c = claims.get("backward_coupling")
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     _ = claims.register(c)
    >>> str(w[0].message)
    "claims.register: a claim named 'backward_coupling' was already registered; this definition replaces it"
    """
    if not isinstance(claim, Claim):
        raise TypeError(f"claims.register: {claim!r} must be a Claim")
    for required in ("default", "large"):
        if required not in claim.grids:
            raise ValueError(f"claims.register: {claim.name} has no {required!r} grid")
    kinds = sorted(c.kind for c in claim.controls)
    if kinds != sorted(CONTROL_KINDS):
        raise ValueError(f"claims.register: {claim.name} has controls {kinds}; expected one of each of {CONTROL_KINDS}")
    for gname, g in claim.grids.items():
        clash = set(g.fixed) & set(claim.judging)
        if clash:
            raise ValueError(f"claims.register: {claim.name}: grid {gname!r} puts judging settings {sorted(clash)} "
                             "among its measuring settings")
        extra = set(g.judging) - set(claim.judging)
        if extra:
            raise ValueError(f"claims.register: {claim.name}: grid {gname!r} overrides unknown judging settings {sorted(extra)}")
    if claim.name in REGISTRY:
        warnings.warn(f"claims.register: a claim named {claim.name!r} was already registered; this definition "
                      "replaces it", UserWarning, stacklevel=2)
    REGISTRY[claim.name] = claim
    return claim


def get(name: str) -> Claim:
    r"""The registered claim ``name`` (ValueError, naming the registered ones, for any other name)."""
    if name not in REGISTRY:
        raise ValueError(f"claims.get: name={name!r} is not a registered claim; expected one of {sorted(REGISTRY)}")
    return REGISTRY[name]


def names() -> list[str]:
    r"""The names of the registered claims, in the registry's order."""
    return list(REGISTRY)
