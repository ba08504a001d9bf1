r"""The working precision of the complexity computations: one place for the infinity of mpmath, the
digits a caller asks for by default, the guard digits computed beyond them, and the two ways they are
used (a working-precision block, and a sympy number evaluated above the current precision).

Every module of :mod:`rnntheory.complexity` imports these from here; none spells ``dps + 10``.
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy

__all__ = ["INF", "DEFAULT_DPS", "GUARD_DIGITS", "working_precision", "numeric"]

INF = mpmath.inf
"""The radius of convergence of an entire function, and a tail bound that is not finite."""

DEFAULT_DPS = 30
"""Decimal digits of the mpmath working precision a caller asks for (:data:`GUARD_DIGITS` more are
computed)."""

GUARD_DIGITS = 10
"""Decimal digits computed beyond those asked: a computation asked for ``dps`` digits works at
``dps + GUARD_DIGITS`` (:func:`working_precision`), and a sympy number is evaluated with
``GUARD_DIGITS`` more than the current working precision before it is rounded to it (:func:`numeric`)."""


def working_precision(dps: int = DEFAULT_DPS) -> Any:
    r"""The mpmath block (``with working_precision(dps): ...``) that computes a result asked for
    ``dps`` digits: ``mpmath.workdps(dps + GUARD_DIGITS)``."""
    return mpmath.workdps(dps + GUARD_DIGITS)


def numeric(e: Any) -> sympy.Expr:
    r"""A sympy number evaluated to :data:`GUARD_DIGITS` digits beyond the current working precision
    (``sympy.N``); ``mpmath.mpf(numeric(e))`` rounds it to the working precision."""
    return sympy.N(e, mpmath.mp.dps + GUARD_DIGITS)
