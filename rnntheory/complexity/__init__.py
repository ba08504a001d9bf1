r"""Complexity of smooth functions (theory.md section 5; Allen-Zhu, Li and Liang 2019).

One job: this package owns the complexity measures of the concept class, :math:`C_\varepsilon` and
:math:`C_s` of a smooth function and a concept's maximum, with everything they stand on: the smooth
functions and their Taylor series, the rigorous summation of a series with its neglected tail, and the
truncation remedy for series that diverge. It imports nothing of rnntheory but
:mod:`rnntheory._validation` (its argument checks), and only sympy and mpmath beside it (torch to
evaluate a function on a tensor). This module is its public face: it computes the measures from
checked arguments and returns them as :class:`Complexity` records, and re-exports the public names of
the private modules below it.

For :math:`\Phi(z) = \sum_{i \ge 0} c_i z^i`, a constant :math:`C^*` and :math:`R > 0`:

.. math::
    C_\varepsilon(\Phi, R) = |c_0| + \sum_{i \ge 1} \Big( (C^* R)^i
        + \big(\sqrt{\log(1/\varepsilon)/i}\; C^* R\big)^i \Big) |c_i|,
    \qquad
    C_s(\Phi, R) = C^* \sum_{i \ge 0} (i+1)^{1.75} R^i |c_i|,

with the natural logarithm. Values are computed in arbitrary precision (mpmath; they overflow
float64 for realistic :math:`C^*`) as a partial sum plus a rigorous bound on the neglected tail,
from a coefficient bound :math:`|c_i| \le M q^{-i} / \Gamma(s i + t)` (known for the named functions;
a Cauchy estimate on a circle inside the radius of convergence for generic expressions) and the
fact that the ratio of consecutive majorant terms is non-increasing in ``i`` (the summation engine,
:mod:`rnntheory.complexity._summation`).

A series with finite radius of convergence :math:`\rho` diverges in :math:`C_\varepsilon` when
:math:`C^* R \ge \rho` and in :math:`C_s` when :math:`R \ge \rho`; the result then says
``divergent=True`` with the radius instead of a number. Equality is decided with a relative
tolerance of ``RADIUS_RTOL`` (a float such as ``math.pi / 2`` is "at" the radius). The paper's remedy,
truncating the series at a degree :math:`k` (about :math:`\log(1/\varepsilon)`), is :func:`truncate`,
the ``degree=`` argument, and :func:`choose_truncation`.

The private modules, lowest first: :mod:`~rnntheory.complexity._precision` (the working precision:
``INF``, the default and guard digits), :mod:`~rnntheory.complexity._named` (the named functions) and
:mod:`~rnntheory.complexity._series` (generic expressions as power series), under
:mod:`~rnntheory.complexity._smooth` (:class:`SmoothFunction`, :func:`smooth`); the summation engine
:mod:`~rnntheory.complexity._summation`; the truncation remedy :mod:`~rnntheory.complexity._truncation`.

>>> import sympy
>>> from rnntheory.complexity import c_eps, c_s
>>> z = sympy.Symbol("z")
>>> print(c_eps(sympy.sin(z), R=1, eps=1e-3, C_star=10))   # doctest: +SKIP
C_eps(sin(z); R=1, eps=0.001, C*=10) = 16446.0 (log10 4.2161; 64 terms, tail <= 9.31e-26)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Literal

import mpmath
import sympy

from .. import _validation as V
from ._named import NAMED
from ._precision import DEFAULT_DPS, GUARD_DIGITS, working_precision
from ._smooth import PhiLike, SmoothFunction, smooth
from ._summation import (
    GENERIC_MAX_TERMS,  # noqa: F401  (documented there; kept importable from here)
    RADIUS_RTOL,
    at_or_beyond,
    tail_eps,
    tail_pow,
    weighted_sum,
)
from ._truncation import Truncation, choose_truncation, truncate, truncation_error

__all__ = [
    "DEFAULT_C_STAR",
    "RADIUS_RTOL",
    "Complexity",
    "Truncation",
    "SmoothFunction",
    "PhiLike",
    "smooth",
    "taylor_coefficients",
    "radius_of_convergence",
    "c_eps",
    "c_s",
    "truncate",
    "truncation_error",
    "choose_truncation",
    "max_complexity",
    "NAMED_FUNCTIONS",
]

DEFAULT_C_STAR = 1e4
r"""Default :math:`C^*`: the value the paper suggests (theory.md section 5). The issue's examples pass
``C_star=10``; growth experiments use 10 (docs/complexity.md)."""

NAMED_FUNCTIONS = tuple(NAMED)
"""Names accepted as ``phi``: exp, sin, cos, sinh, cosh, log1p, tanh, sigmoid, erf."""


# ---------------------------------------------------------------------- results
@dataclass(frozen=True)
class Complexity:
    r"""The value of :math:`C_\varepsilon(\Phi, R)` or :math:`C_s(\Phi, R)` (theory.md section 5).

    Attributes:
        measure: ``"C_eps"`` or ``"C_s"``.
        function: the function's printable name.
        R, eps, C_star: the arguments (``eps`` is ``None`` for ``C_s``).
        value: the partial sum (mpmath ``mpf``; ``inf`` when divergent). The true value lies in
            ``[value, value + tail_bound]`` (up to rounding at the working precision).
        log10: ``log10(value)`` as a float (``inf`` when divergent, ``-inf`` for the zero function).
        terms: number of summands :math:`i = 0..terms-1` added.
        tail_bound: rigorous upper bound on the neglected summands (0 for polynomials).
        divergent: the series diverges (``C* R`` or ``R`` at or beyond the radius).
        radius: radius of convergence of the (untruncated) series (``mpmath.inf`` if entire).
        degree: polynomial or truncation degree, ``None`` for an infinite series.
        converged: the tail bound met the requested relative tolerance (False when ``max_terms``
            was reached first; the interval ``[value, value + tail_bound]`` is still rigorous).
    """

    measure: str
    function: str
    R: float
    eps: float | None
    C_star: float
    value: Any
    log10: float
    terms: int
    tail_bound: Any
    divergent: bool
    radius: Any
    degree: int | None
    converged: bool

    @property
    def upper(self) -> Any:
        """Rigorous upper bound ``value + tail_bound``."""
        return self.value + self.tail_bound

    @property
    def relative_tail(self) -> float:
        """``tail_bound / value`` as a float."""
        if self.divergent or self.value == 0:
            return math.inf if self.tail_bound else 0.0
        return float(self.tail_bound / self.value)

    def __float__(self) -> float:
        return math.inf if self.divergent or self.log10 > 308 else float(self.value)

    def __str__(self) -> str:
        args = f"R={self.R:g}" + ("" if self.eps is None else f", eps={self.eps:g}") + f", C*={self.C_star:g}"
        deg = "" if self.degree is None else f", degree {self.degree}"
        head = f"{self.measure}({self.function}{deg}; {args})"
        if self.divergent:
            return f"{head} = divergent (radius of convergence {mpmath.nstr(self.radius, 10)})"
        return (
            f"{head} = {mpmath.nstr(self.value, 6)} (log10 {self.log10:.4f}; {self.terms} terms, "
            f"tail <= {mpmath.nstr(self.tail_bound, 3)})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-float summary (for tidy tables)."""
        return dict(
            measure=self.measure,
            function=self.function,
            R=self.R,
            eps=self.eps,
            C_star=self.C_star,
            log10=self.log10,
            terms=self.terms,
            relative_tail=self.relative_tail,
            divergent=self.divergent,
            radius=float(self.radius),
            degree=self.degree,
            converged=self.converged,
        )


# ---------------------------------------------------------------------- public helpers
def taylor_coefficients(phi: PhiLike, n: int, *, exact: bool = True) -> list:
    r"""The first ``n`` Taylor coefficients :math:`c_0, \dots, c_{n-1}` of :math:`\Phi` at 0.

    Paper: section 5, :math:`\Phi(z) = \sum_i c_i z^i`.

    Args:
        phi: a smooth function (see :func:`rnntheory.complexity.smooth`).
        n: how many coefficients (>= 1).
        exact: sympy numbers (exact rationals where sympy gives them; slow for generic expressions
            and large n) instead of mpmath floats at the working precision.

    Returns:
        A list of length ``n``.

    Raises:
        ValueError, TypeError: bad ``phi`` or ``n``.
    """
    fn = "taylor_coefficients"
    f = smooth(phi, fn=fn)
    n = V.positive_int(fn, "n", n)
    if exact:
        return f.exact_coefficients(n)
    with working_precision():
        return f.coefficients(n)


def radius_of_convergence(phi: PhiLike) -> Any:
    r"""Radius of convergence of the Taylor series of :math:`\Phi` at 0 (``mpmath.inf`` if entire).

    Known for the named functions (tanh: pi/2, sigmoid: pi, log1p: 1, the others entire) and scaled
    by ``1/|b|`` for ``f(b z)``; for generic expressions the modulus of the nearest zero of a
    denominator, logarithm argument or fractional-power base (``sympy.solve`` / polynomial roots), or a
    root-test estimate when solving fails (``SmoothFunction.radius_method`` says which).

    Raises:
        ValueError, TypeError: bad ``phi``.
    """
    return smooth(phi, fn="radius_of_convergence").radius


# ---------------------------------------------------------------------- results from sums
def _result(
    measure: str,
    f: SmoothFunction,
    R: float,
    eps: float | None,
    C_star: float,
    S: Any,
    N: int,
    tail: Any,
    converged: bool,
    radius: Any,
) -> Complexity:
    lg = float(mpmath.log10(S)) if S > 0 else -math.inf
    return Complexity(measure, f.name, R, eps, C_star, +S, lg, N, +tail, False, radius, f.degree, converged)


def _divergent(measure: str, f: SmoothFunction, R: float, eps: float | None, C_star: float) -> Complexity:
    return Complexity(
        measure, f.name, R, eps, C_star, mpmath.inf, math.inf, 0, mpmath.inf, True, f.radius, f.degree, False
    )


# ---------------------------------------------------------------------- C_eps and C_s
def c_eps(
    phi: PhiLike,
    R: float,
    eps: float,
    C_star: float = DEFAULT_C_STAR,
    *,
    degree: int | None = None,
    dps: int = DEFAULT_DPS,
    rel_tol: float = 1e-20,
    max_terms: int = 200_000,
) -> Complexity:
    r"""The complexity :math:`C_\varepsilon(\Phi, R)` of theory.md section 5.

    .. math::
        C_\varepsilon(\Phi, R) = |c_0|
        + \sum_{i\ge1}\Big((C^*R)^i + \big(\sqrt{\log(1/\varepsilon)/i}\,C^*R\big)^i\Big)|c_i|.

    Args:
        phi: a smooth function: sympy expression in one symbol, name, coefficient list or
            :class:`SmoothFunction` (see :func:`smooth`).
        R: radius of the argument, > 0.
        eps: target accuracy in (0, 1); natural logarithm.
        C_star: the constant :math:`C^*` > 0 (default :data:`DEFAULT_C_STAR` = 1e4).
        degree: truncate the series at this degree first (the paper's remedy for divergent series).
        dps: decimal digits of the working precision.
        rel_tol: stop when the tail bound is at most ``rel_tol`` times the partial sum.
        max_terms: stop after this many terms (``converged=False``; the tail bound is still reported).

    Returns:
        :class:`Complexity` (``divergent=True`` with the radius when :math:`C^* R \ge \rho`).

    Raises:
        TypeError: an argument of the wrong type (a string or bool for a number, a float for a degree
            or count; rnntheory._validation states the policy).
        ValueError: bad ``phi``, ``R <= 0``, ``eps`` outside (0, 1), ``C_star <= 0``, a negative
            degree, non-finite arguments.
    """
    fn = "c_eps"
    f = f0 = smooth(phi, fn=fn)
    R = V.positive_real(fn, "R", R)
    eps = V.real_in(fn, "eps", eps, low=0, high=1, low_open=True, high_open=True)
    C_star = V.positive_real(fn, "C_star", C_star)
    degree = V.non_negative_int(fn, "degree", degree, none=True)
    dps = V.positive_int(fn, "dps", dps, minimum=15)
    max_terms = V.positive_int(fn, "max_terms", max_terms, minimum=2)
    with working_precision(dps):
        if degree is not None:
            f = f.truncate(degree)
        A = mpmath.mpf(C_star) * mpmath.mpf(R)
        if f.degree is None and at_or_beyond(A, f.radius):
            return _divergent("C_eps", f, R, eps, C_star)
        ell = mpmath.log(1 / mpmath.mpf(eps))

        floor = -(dps + 2 * GUARD_DIGITS) * mpmath.log(10)  # GUARD_DIGITS below the working precision

        def weight(i: int) -> Any:
            if i == 0:
                return mpmath.mpf(1)
            second = i / 2 * mpmath.log(ell / i)  # log of (sqrt(ell/i))^i relative to A^i
            if second < floor:  # below the working precision of the first term
                return A**i
            return A**i * (1 + mpmath.exp(second))

        S, N, tail, ok = weighted_sum(f, weight, lambda m, N: tail_eps(m, N, A, ell), A, 0, rel_tol, max_terms)
        return _result("C_eps", f, R, eps, C_star, S, N, tail, ok, f0.radius)


def c_s(
    phi: PhiLike,
    R: float,
    C_star: float = DEFAULT_C_STAR,
    *,
    degree: int | None = None,
    dps: int = DEFAULT_DPS,
    rel_tol: float = 1e-20,
    max_terms: int = 200_000,
) -> Complexity:
    r"""The complexity :math:`C_s(\Phi, R) = C^* \sum_{i\ge0} (i+1)^{1.75} R^i |c_i|` of theory.md section 5.

    Arguments, return value and errors as in :func:`c_eps` (no ``eps``); divergent when
    :math:`R \ge \rho` (:math:`C^*` is only a factor here).
    """
    fn = "c_s"
    f = f0 = smooth(phi, fn=fn)
    R = V.positive_real(fn, "R", R)
    C_star = V.positive_real(fn, "C_star", C_star)
    degree = V.non_negative_int(fn, "degree", degree, none=True)
    dps = V.positive_int(fn, "dps", dps, minimum=15)
    max_terms = V.positive_int(fn, "max_terms", max_terms, minimum=2)
    with working_precision(dps):
        if degree is not None:
            f = f.truncate(degree)
        x = mpmath.mpf(R)
        if f.degree is None and at_or_beyond(x, f.radius):
            return _divergent("C_s", f, R, None, C_star)
        K = mpmath.mpf(C_star)
        alpha = mpmath.mpf("1.75")
        S, N, tail, ok = weighted_sum(
            f, lambda i: K * (i + 1) ** alpha * x**i, lambda m, N: tail_pow(m, N, x, alpha, K), x, 0, rel_tol, max_terms
        )
        return _result("C_s", f, R, None, C_star, S, N, tail, ok, f0.radius)


# ---------------------------------------------------------------------- concepts
def max_complexity(
    phis: Iterable[PhiLike],
    R: float = 1.0,
    eps: float | None = None,
    C_star: float = DEFAULT_C_STAR,
    *,
    measure: Literal["C_eps", "C_s"] = "C_eps",
    degree: int | None = None,
) -> Complexity:
    r"""The complexity of a concept: the maximum of :math:`C_\varepsilon(\Phi, R)` (or :math:`C_s`) over
    its component functions (theory.md section 5, "the concept's complexity C").

    Args:
        phis: the component functions (duplicates are computed once).
        R: radius of the argument (1 for unit data vectors and unit directions :math:`w^*`).
        eps: target accuracy in (0, 1) (required for ``C_eps``).
        C_star: the constant :math:`C^*`.
        measure: ``"C_eps"`` or ``"C_s"``.
        degree: truncate every series at this degree first.

    Returns:
        The :class:`Complexity` of the maximising component (a divergent one if any diverges).

    Raises:
        TypeError: an argument of the wrong type (as :func:`c_eps`).
        ValueError: no functions, bad arguments, ``eps`` missing for ``C_eps``.
    """
    fn = "max_complexity"
    if measure not in ("C_eps", "C_s"):
        raise ValueError(f"{fn}: measure={measure!r} must be 'C_eps' or 'C_s'")
    if measure == "C_eps" and eps is None:
        raise ValueError(f"{fn}: eps=None; C_eps needs eps in (0, 1)")
    seen: dict[str, SmoothFunction] = {}
    for phi in phis:
        f = smooth(phi, fn=fn)
        seen.setdefault(f"{f.name}|{sympy.srepr(f.expr)}", f)
    if not seen:
        raise ValueError(f"{fn}: phis is empty; expected at least one function")
    best: Complexity | None = None
    for f in seen.values():
        c = c_eps(f, R, eps, C_star, degree=degree) if measure == "C_eps" else c_s(f, R, C_star, degree=degree)
        if best is None or c.divergent or (not best.divergent and c.value > best.value):
            best = c
            if c.divergent:
                break
    assert best is not None
    return best
