r"""The registry of claims. One job: :data:`REGISTRY`, every registered claim in the order of
registration, and :func:`register`, which checks a claim before it enters. The paper's claims register
themselves when :mod:`rnntheory.claims` is imported (which looks them up by name:
``rnntheory.claims.get``, ``rnntheory.claims.names``); a claim defined anywhere else registers the same
way (:mod:`rnntheory.checking.plugins` imports such modules for the command line).
"""

from __future__ import annotations

import warnings

from .. import _validation as V
from .claim import Claim
from .controls import CONTROL_KINDS

__all__ = ["REGISTRY", "register"]

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
    ...     _ = register(c)
    >>> str(w[0].message)
    "registry.register: a claim named 'backward_coupling' was already registered; this definition replaces it"
    """
    fn = V.caller(register)
    if not isinstance(claim, Claim):
        raise TypeError(f"{fn}: {claim!r} must be a Claim")
    for required in ("default", "large"):
        if required not in claim.grids:
            raise ValueError(f"{fn}: {claim.name} has no {required!r} grid")
    kinds = sorted(c.kind for c in claim.controls)
    if kinds != sorted(CONTROL_KINDS):
        raise ValueError(f"{fn}: {claim.name} has controls {kinds}; expected one of each of {CONTROL_KINDS}")
    for gname, g in claim.grids.items():
        clash = set(g.fixed) & set(claim.judging)
        if clash:
            raise ValueError(
                f"{fn}: {claim.name}: grid {gname!r} puts judging settings {sorted(clash)} among its measuring settings"
            )
        extra = set(g.judging) - set(claim.judging)
        if extra:
            raise ValueError(f"{fn}: {claim.name}: grid {gname!r} overrides unknown judging settings {sorted(extra)}")
    if claim.name in REGISTRY:
        warnings.warn(
            f"{fn}: a claim named {claim.name!r} was already registered; this definition replaces it",
            UserWarning,
            stacklevel=2,
        )
    REGISTRY[claim.name] = claim
    return claim
