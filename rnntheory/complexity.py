r"""Complexity of smooth functions (paper.md section 5; Allen-Zhu, Li and Liang 2019).

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
fact that the ratio of consecutive majorant terms is non-increasing in ``i``.

A series with finite radius of convergence :math:`\rho` diverges in :math:`C_\varepsilon` when
:math:`C^* R \ge \rho` and in :math:`C_s` when :math:`R \ge \rho`; the result then says
``divergent=True`` with the radius instead of a number. Equality is decided with a relative
tolerance of ``RADIUS_RTOL`` (a float such as ``math.pi / 2`` is "at" the radius). The paper's remedy,
truncating the series at a degree :math:`k` (about :math:`\log(1/\varepsilon)`), is :func:`truncate`,
the ``degree=`` argument, and :func:`choose_truncation`.

>>> import sympy
>>> from rnntheory.complexity import c_eps, c_s
>>> z = sympy.Symbol("z")
>>> print(c_eps(sympy.sin(z), R=1, eps=1e-3, C_star=10))   # doctest: +SKIP
C_eps(sin(z); R=1, eps=0.001, C*=10) = 16446.0 (log10 4.2161; 64 terms, tail <= 9.31e-26)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import Any, Iterable, Literal, Sequence

import mpmath
import numpy as np
import sympy
import torch

from ._smooth import NAMED, INF, PhiLike, SmoothFunction, smooth

__all__ = [
    "DEFAULT_C_STAR",
    "RADIUS_RTOL",
    "Complexity",
    "Truncation",
    "SmoothFunction",
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
r"""Default :math:`C^*`: the value the paper suggests (paper.md section 5). The issue's examples pass
``C_star=10``; growth experiments use 10 (docs/complexity.md)."""

RADIUS_RTOL = 1e-12
r"""Relative tolerance under which :math:`C^* R` (or :math:`R`) counts as being at the radius of convergence."""

DEFAULT_DPS = 30
"""Decimal digits of the mpmath working precision (10 guard digits are added internally)."""

GENERIC_MAX_TERMS = 512
r"""Most Taylor coefficients computed for a generic sympy expression (power-series arithmetic costs
O(n^2) per operation); beyond it the result reports ``converged=False`` and its rigorous tail bound."""

NAMED_FUNCTIONS = tuple(NAMED)
"""Names accepted as ``phi``: exp, sin, cos, sinh, cosh, log1p, tanh, sigmoid, erf."""


# ---------------------------------------------------------------------- results
@dataclass(frozen=True)
class Complexity:
    r"""The value of :math:`C_\varepsilon(\Phi, R)` or :math:`C_s(\Phi, R)` (paper.md section 5).

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
        return (f"{head} = {mpmath.nstr(self.value, 6)} (log10 {self.log10:.4f}; {self.terms} terms, "
                f"tail <= {mpmath.nstr(self.tail_bound, 3)})")

    def to_dict(self) -> dict[str, Any]:
        """Plain-float summary (for tidy tables)."""
        return dict(measure=self.measure, function=self.function, R=self.R, eps=self.eps, C_star=self.C_star,
                    log10=self.log10, terms=self.terms, relative_tail=self.relative_tail,
                    divergent=self.divergent, radius=float(self.radius), degree=self.degree,
                    converged=self.converged)


@dataclass(frozen=True)
class Truncation:
    r"""A truncation degree for a series and its error on :math:`[-R, R]` (paper.md section 5, the remedy
    for series that diverge in :math:`C_\varepsilon`).

    Attributes:
        k: the degree.
        function: the truncated :class:`SmoothFunction` (a polynomial).
        R: half-width of the interval.
        error_bound: rigorous bound :math:`\sum_{i>k} |c_i| R^i` on :math:`\sup_{|z|\le R}|\Phi - \Phi_k|`
            (``inf`` when :math:`R` is at or beyond the radius of convergence).
        measured_error: :math:`\max |\Phi - \Phi_k|` over 2001 equispaced points of :math:`[-R, R]` (float64).
        rule: ``"error"`` (smallest k with error_bound <= eps) or ``"log"`` (k = ceil(log(1/eps))).
    """

    k: int
    function: SmoothFunction
    R: float
    error_bound: Any
    measured_error: float
    rule: str

    def __str__(self) -> str:
        return (f"degree {self.k} ({self.rule} rule): sup error on [-{self.R:g}, {self.R:g}] <= "
                f"{mpmath.nstr(self.error_bound, 3)} (measured {self.measured_error:.3g})")


# ---------------------------------------------------------------------- validation
def _real(fn: str, name: str, value: Any, *, positive: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (Real, mpmath.mpf)):
        raise TypeError(f"{fn}: {name}={value!r} must be a real number")
    v = float(value)
    if not math.isfinite(v) or (positive and v <= 0):
        raise ValueError(f"{fn}: {name}={value!r} must be a finite number > 0")
    return v


def _eps(fn: str, eps: Any) -> float:
    if isinstance(eps, bool) or not isinstance(eps, (Real, mpmath.mpf)):
        raise TypeError(f"{fn}: eps={eps!r} must be a real number")
    v = float(eps)
    if not (math.isfinite(v) and 0 < v < 1):
        raise ValueError(f"{fn}: eps={eps!r} must be in (0, 1)")
    return v


def _degree(fn: str, degree: Any) -> int | None:
    if degree is None:
        return None
    if isinstance(degree, bool) or not isinstance(degree, (int, np.integer)):
        raise TypeError(f"{fn}: degree={degree!r} must be a non-negative integer or None")
    if degree < 0:
        raise ValueError(f"{fn}: degree={degree} must be a non-negative integer")
    return int(degree)


def _count(fn: str, name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{fn}: {name}={value!r} must be an integer >= {minimum}")
    return int(value)


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
    n = _count(fn, "n", n, 1)
    if exact:
        return f.exact_coefficients(n)
    with mpmath.workdps(DEFAULT_DPS + 10):
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


def truncate(phi: PhiLike, k: int) -> SmoothFunction:
    r"""The Taylor polynomial of degree ``k`` of :math:`\Phi` (paper.md section 5, the truncation remedy).

    Raises:
        ValueError, TypeError: bad ``phi`` or a negative ``k``.
    """
    fn = "truncate"
    f = smooth(phi, fn=fn)
    k = _degree(fn, k)
    if k is None:
        raise TypeError(f"{fn}: k=None must be a non-negative integer")
    with mpmath.workdps(DEFAULT_DPS + 10):
        return f.truncate(k)


# ---------------------------------------------------------------------- the summation engine
def _gamma_ratio(s: Any, t: Any, N: int) -> Any:
    """Gamma(sN+t) / Gamma(sN+s+t) (1 when s = 0); non-increasing in N by log-convexity."""
    if s == 0:
        return mpmath.mpf(1)
    return mpmath.exp(mpmath.loggamma(s * N + t) - mpmath.loggamma(s * N + s + t))


def _maj(M: Any, q: Any, s: Any, t: Any, N: int) -> Any:
    """M q^-N / Gamma(sN + t)."""
    return M * q ** (-N) * (mpmath.rgamma(s * N + t) if s else 1 / mpmath.gamma(t))


def _tail_eps(majs: Sequence[tuple], N: int, A: Any, ell: Any) -> Any:
    r"""Bound on :math:`\sum_{i \ge N} ((A)^i + (\sqrt{\ell/i} A)^i) |c_i|` for N >= 1."""
    total = mpmath.mpf(0)
    for M, q, s, t in majs:
        g = _gamma_ratio(s, t, N)
        r1 = A / q * g
        r2 = mpmath.sqrt(ell) * A / q / mpmath.sqrt(N + 1) * g
        if r1 >= 1 or r2 >= 1:
            return INF
        base = _maj(M, q, s, t, N)
        total += base * A**N / (1 - r1) + base * (mpmath.sqrt(ell / N) * A) ** N / (1 - r2)
    return total


def _tail_pow(majs: Sequence[tuple], N: int, x: Any, alpha: Any, K: Any) -> Any:
    r"""Bound on :math:`K \sum_{i \ge N} (i+1)^\alpha x^i |c_i|`."""
    total = mpmath.mpf(0)
    for M, q, s, t in majs:
        r = (mpmath.mpf(N + 2) / (N + 1)) ** alpha * x / q * _gamma_ratio(s, t, N)
        if r >= 1:
            return INF
        total += K * _maj(M, q, s, t, N) * (N + 1) ** alpha * x**N / (1 - r)
    return total


def _weighted_sum(f: SmoothFunction, weight, tail_of, need: Any, start: int, rel_tol: float,
                  max_terms: int, abs_tol: Any = None) -> tuple[Any, int, Any, bool]:
    r"""Sum ``weight(i) |c_i|`` for ``i >= start`` until the tail bound is small.

    Returns ``(partial sum, first neglected index, tail bound, converged)``.
    """
    if f.degree is not None:
        cs = f.coefficients(f.degree + 1)
        S = mpmath.fsum(weight(i) * abs(cs[i]) for i in range(start, f.degree + 1))
        return S, max(start, f.degree + 1), mpmath.mpf(0), True
    poly_deg = len(f.poly) - 1
    if f.kind == "generic":
        max_terms = min(max_terms, GENERIC_MAX_TERMS)
        candidates = f.cauchy_candidates(need)
        majs_list = [[c] for c in candidates]
    else:
        majs_list = [f.majorants(need)]
    S = mpmath.mpf(0)
    i = start
    n = 32
    tail = INF
    while True:
        n = min(n, max_terms)
        cs = f.coefficients(n)
        if i < n:
            S += mpmath.fsum(weight(k) * abs(cs[k]) for k in range(i, n))
            i = n
        if i > poly_deg and i >= 1:
            tail = min((tail_of(m, i) for m in majs_list), default=INF)
        goal = rel_tol * S if abs_tol is None else abs_tol
        if tail <= goal and (abs_tol is not None or S > 0 or tail == 0):
            return S, i, tail, True
        if n >= max_terms:
            return S, i, tail, False
        n = 2 * n if f.kind == "generic" else int(n * 1.5) + 16


def _result(measure: str, f: SmoothFunction, R: float, eps: float | None, C_star: float, S: Any, N: int,
            tail: Any, converged: bool, radius: Any) -> Complexity:
    lg = float(mpmath.log10(S)) if S > 0 else -math.inf
    return Complexity(measure, f.name, R, eps, C_star, +S, lg, N, +tail, False, radius, f.degree, converged)


def _divergent(measure: str, f: SmoothFunction, R: float, eps: float | None, C_star: float) -> Complexity:
    return Complexity(measure, f.name, R, eps, C_star, mpmath.inf, math.inf, 0, mpmath.inf, True,
                      f.radius, f.degree, False)


def _at_or_beyond(x: Any, radius: Any) -> bool:
    return radius != INF and x >= radius * (1 - RADIUS_RTOL)


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
    r"""The complexity :math:`C_\varepsilon(\Phi, R)` of paper.md section 5.

    .. math::
        C_\varepsilon(\Phi, R) = |c_0| + \sum_{i\ge1}\Big((C^*R)^i + \big(\sqrt{\log(1/\varepsilon)/i}\,C^*R\big)^i\Big)|c_i|.

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
        ValueError, TypeError: bad ``phi``, ``R <= 0``, ``eps`` outside (0, 1), ``C_star <= 0``,
        a negative degree, non-finite arguments.
    """
    fn = "c_eps"
    f = f0 = smooth(phi, fn=fn)
    R = _real(fn, "R", R)
    eps = _eps(fn, eps)
    C_star = _real(fn, "C_star", C_star)
    degree = _degree(fn, degree)
    dps = _count(fn, "dps", dps, 15)
    max_terms = _count(fn, "max_terms", max_terms, 2)
    with mpmath.workdps(dps + 10):
        if degree is not None:
            f = f.truncate(degree)
        A = mpmath.mpf(C_star) * mpmath.mpf(R)
        if f.degree is None and _at_or_beyond(A, f.radius):
            return _divergent("C_eps", f, R, eps, C_star)
        ell = mpmath.log(1 / mpmath.mpf(eps))

        floor = -(dps + 20) * mpmath.log(10)

        def weight(i: int) -> Any:
            if i == 0:
                return mpmath.mpf(1)
            second = i / 2 * mpmath.log(ell / i)  # log of (sqrt(ell/i))^i relative to A^i
            if second < floor:  # below the working precision of the first term
                return A**i
            return A**i * (1 + mpmath.exp(second))

        S, N, tail, ok = _weighted_sum(f, weight, lambda m, N: _tail_eps(m, N, A, ell), A, 0, rel_tol, max_terms)
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
    r"""The complexity :math:`C_s(\Phi, R) = C^* \sum_{i\ge0} (i+1)^{1.75} R^i |c_i|` of paper.md section 5.

    Arguments, return value and errors as in :func:`c_eps` (no ``eps``); divergent when
    :math:`R \ge \rho` (:math:`C^*` is only a factor here).
    """
    fn = "c_s"
    f = f0 = smooth(phi, fn=fn)
    R = _real(fn, "R", R)
    C_star = _real(fn, "C_star", C_star)
    degree = _degree(fn, degree)
    dps = _count(fn, "dps", dps, 15)
    max_terms = _count(fn, "max_terms", max_terms, 2)
    with mpmath.workdps(dps + 10):
        if degree is not None:
            f = f.truncate(degree)
        x = mpmath.mpf(R)
        if f.degree is None and _at_or_beyond(x, f.radius):
            return _divergent("C_s", f, R, None, C_star)
        K = mpmath.mpf(C_star)
        alpha = mpmath.mpf("1.75")
        S, N, tail, ok = _weighted_sum(f, lambda i: K * (i + 1) ** alpha * x**i,
                                       lambda m, N: _tail_pow(m, N, x, alpha, K), x, 0, rel_tol, max_terms)
        return _result("C_s", f, R, None, C_star, S, N, tail, ok, f0.radius)


# ---------------------------------------------------------------------- truncation
def truncation_error(phi: PhiLike, k: int, R: float, *, dps: int = DEFAULT_DPS) -> Any:
    r"""Rigorous bound :math:`\sum_{i>k}|c_i| R^i \ge \sup_{|z|\le R}|\Phi(z) - \Phi_k(z)|` (mpmath;
    ``inf`` when :math:`R` is at or beyond the radius of convergence, 0 for a polynomial of degree <= k).

    Paper: section 5, the truncation remedy.
    """
    fn = "truncation_error"
    f = smooth(phi, fn=fn)
    k = _degree(fn, k)
    R = _real(fn, "R", R)
    with mpmath.workdps(dps + 10):
        if f.degree is not None and f.degree <= k:
            return mpmath.mpf(0)
        if f.degree is None and _at_or_beyond(mpmath.mpf(R), f.radius):
            return mpmath.inf
        x = mpmath.mpf(R)
        S, N, tail, _ = _weighted_sum(f, lambda i: x**i, lambda m, N: _tail_pow(m, N, x, 0, 1), x, k + 1,
                                      1e-12, 200_000)
        return +(S + tail)


def _measured_error(f: SmoothFunction, p: SmoothFunction, R: float) -> float:
    x = torch.linspace(-R, R, 2001, dtype=torch.float64)
    return float((f.torch(x) - p.torch(x)).abs().max())


def choose_truncation(
    phi: PhiLike,
    R: float,
    eps: float,
    *,
    rule: Literal["error", "log"] = "error",
    k_max: int = 2000,
) -> Truncation:
    r"""Pick a truncation degree :math:`k` for :math:`\Phi` on :math:`[-R, R]` (paper.md section 5).

    Args:
        phi: a smooth function.
        R: half-width of the interval, > 0.
        eps: target accuracy in (0, 1).
        rule: ``"error"``: the smallest :math:`k` whose rigorous error bound is at most ``eps``
            (about :math:`\log(1/\varepsilon)/\log(\rho/R)`, which is the paper's
            :math:`k \approx \log(1/\varepsilon)` up to the factor set by the radius);
            ``"log"``: :math:`k = \lceil \log(1/\varepsilon) \rceil` whatever the error.
        k_max: largest degree tried by the error rule.

    Returns:
        :class:`Truncation` with the degree, the polynomial, the rigorous error bound and the error
        measured on 2001 points.

    Raises:
        ValueError: bad arguments; with ``rule="error"``, R at or beyond the radius of convergence
        (no degree approximates the function on [-R, R]) or no degree up to ``k_max`` reaches ``eps``.
    """
    fn = "choose_truncation"
    f = smooth(phi, fn=fn)
    R = _real(fn, "R", R)
    eps = _eps(fn, eps)
    if rule not in ("error", "log"):
        raise ValueError(f"{fn}: rule={rule!r} must be 'error' or 'log'")
    k_max = _count(fn, "k_max", k_max, 0)
    if rule == "log":
        k = max(1, math.ceil(math.log(1 / eps)))
        bound = truncation_error(f, k, R)
    else:
        if f.degree is None and _at_or_beyond(mpmath.mpf(R), f.radius):
            raise ValueError(f"{fn}: R={R!r} is at or beyond the radius of convergence "
                             f"{mpmath.nstr(f.radius, 10)} of {f.name}; no truncation approximates it on [-R, R]")
        with mpmath.workdps(DEFAULT_DPS + 10):
            # one pass: error(k) = sum_{k<i<N} |c_i| R^i + tail(N), with tail(N) <= eps / 1e6
            x = mpmath.mpf(R)
            _, N, tail, ok = _weighted_sum(f, lambda i: x**i, lambda m, n: _tail_pow(m, n, x, 0, 1), x, 0,
                                           0.0, 200_000, abs_tol=mpmath.mpf(eps) * mpmath.mpf("1e-6"))
            if not ok:
                raise ValueError(f"{fn}: the series of {f.name} converges too slowly on [-{R:g}, {R:g}] to reach "
                                 f"eps={eps:g}")
            cs = f.coefficients(N)
            err = [mpmath.mpf(0)] * (N + 1)
            err[N - 1] = tail
            for i in range(N - 2, -1, -1):
                err[i] = err[i + 1] + abs(cs[i + 1]) * x ** (i + 1)
            k = next(i for i in range(N) if err[i] <= eps)
            if k > k_max:
                raise ValueError(f"{fn}: no degree up to k_max={k_max} brings the error of {f.name} on "
                                 f"[-{R:g}, {R:g}] below eps={eps:g}")
            bound = err[k]
    p = truncate(f, k)
    return Truncation(k, p, R, bound, _measured_error(f, p, R), rule)


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
    its component functions (paper.md section 5, "the concept's complexity C").

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
