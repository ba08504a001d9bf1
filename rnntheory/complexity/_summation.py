r"""The summation engine of the complexity measures: weighted sums :math:`\sum_i w(i) |c_i|` of the
Taylor coefficients of a :class:`~rnntheory.complexity._smooth.SmoothFunction`, as a partial sum plus a rigorous
bound on the neglected tail.

Paper: section 5 (theory.md), :math:`C_\varepsilon` and :math:`C_s` (:mod:`rnntheory.complexity`) and
the truncation error :math:`\sum_{i>k} |c_i| R^i` (:mod:`rnntheory.complexity._truncation`). The tail is bounded
from a coefficient majorant :math:`|c_i| \le M q^{-i} / \Gamma(s i + t)` (known for the named
functions; a Cauchy estimate on a circle inside the radius of convergence for generic expressions)
and the fact that the ratio of consecutive majorant terms is non-increasing in ``i``, so the tail is
at most a geometric series. A sum diverges when its argument is at or beyond the radius of
convergence (:func:`at_or_beyond`, relative tolerance :data:`RADIUS_RTOL`).
"""

from __future__ import annotations

from typing import Any, Sequence

import mpmath

from ._precision import INF
from ._smooth import SmoothFunction

__all__ = [
    "RADIUS_RTOL",
    "GENERIC_MAX_TERMS",
    "at_or_beyond",
    "gamma_ratio",
    "majorant",
    "tail_eps",
    "tail_pow",
    "weighted_sum",
]

RADIUS_RTOL = 1e-12
r"""Relative tolerance under which :math:`C^* R` (or :math:`R`) counts as being at the radius of convergence."""

GENERIC_MAX_TERMS = 512
r"""Most Taylor coefficients computed for a generic sympy expression (power-series arithmetic costs
O(n^2) per operation); beyond it the result reports ``converged=False`` and its rigorous tail bound."""


def at_or_beyond(x: Any, radius: Any) -> bool:
    r"""Whether ``x`` is at or beyond a finite radius of convergence (relative tolerance :data:`RADIUS_RTOL`).

    Args:
        x: the argument (:math:`C^* R` or :math:`R`).
        radius: the radius of convergence (``mpmath.inf`` if entire).

    Returns:
        ``True`` when the series diverges there.
    """
    return radius != INF and x >= radius * (1 - RADIUS_RTOL)


def gamma_ratio(s: Any, t: Any, N: int) -> Any:
    r"""Gamma(sN+t) / Gamma(sN+s+t) (1 when s = 0); non-increasing in N by log-convexity.

    Args:
        s, t: the majorant's Gamma parameters.
        N: the index.

    Returns:
        The ratio of majorant ``N + 1`` to majorant ``N`` apart from the factor ``1/q`` (mpmath).
    """
    if s == 0:
        return mpmath.mpf(1)
    return mpmath.exp(mpmath.loggamma(s * N + t) - mpmath.loggamma(s * N + s + t))


def majorant(M: Any, q: Any, s: Any, t: Any, N: int) -> Any:
    r"""M q^-N / Gamma(sN + t).

    Args:
        M, q, s, t: the majorant :math:`|c_i| \le M q^{-i} / \Gamma(s i + t)`.
        N: the index.

    Returns:
        The bound on :math:`|c_N|` (mpmath).
    """
    return M * q ** (-N) * (mpmath.rgamma(s * N + t) if s else 1 / mpmath.gamma(t))


def tail_eps(majs: Sequence[tuple], N: int, A: Any, ell: Any) -> Any:
    r"""Bound on :math:`\sum_{i \ge N} ((A)^i + (\sqrt{\ell/i} A)^i) |c_i|` for N >= 1.

    Args:
        majs: majorants ``(M, q, s, t)``; :math:`|c_i|` is bounded by their sum.
        N: the first neglected index, >= 1.
        A: :math:`C^* R`.
        ell: :math:`\log(1/\varepsilon)`.

    Returns:
        The bound (mpmath; ``inf`` when a geometric ratio is not below 1).
    """
    total = mpmath.mpf(0)
    for M, q, s, t in majs:
        g = gamma_ratio(s, t, N)
        r1 = A / q * g
        r2 = mpmath.sqrt(ell) * A / q / mpmath.sqrt(N + 1) * g
        if r1 >= 1 or r2 >= 1:
            return INF
        base = majorant(M, q, s, t, N)
        total += base * A**N / (1 - r1) + base * (mpmath.sqrt(ell / N) * A) ** N / (1 - r2)
    return total


def tail_pow(majs: Sequence[tuple], N: int, x: Any, alpha: Any, K: Any) -> Any:
    r"""Bound on :math:`K \sum_{i \ge N} (i+1)^\alpha x^i |c_i|`.

    Args:
        majs: majorants ``(M, q, s, t)``; :math:`|c_i|` is bounded by their sum.
        N: the first neglected index.
        x: the argument (:math:`R`).
        alpha: the exponent of :math:`i + 1` (1.75 for :math:`C_s`, 0 for a truncation error).
        K: the constant factor (:math:`C^*` for :math:`C_s`, 1 for a truncation error).

    Returns:
        The bound (mpmath; ``inf`` when the geometric ratio is not below 1).
    """
    total = mpmath.mpf(0)
    for M, q, s, t in majs:
        r = (mpmath.mpf(N + 2) / (N + 1)) ** alpha * x / q * gamma_ratio(s, t, N)
        if r >= 1:
            return INF
        total += K * majorant(M, q, s, t, N) * (N + 1) ** alpha * x**N / (1 - r)
    return total


def weighted_sum(
    f: SmoothFunction, weight, tail_of, need: Any, start: int, rel_tol: float, max_terms: int, abs_tol: Any = None
) -> tuple[Any, int, Any, bool]:
    r"""Sum ``weight(i) |c_i|`` for ``i >= start`` until the tail bound is small.

    Returns ``(partial sum, first neglected index, tail bound, converged)``.

    Args:
        f: the function.
        weight: ``weight(i)``, the weight of :math:`|c_i|`.
        tail_of: ``tail_of(majorants, N)``, a bound on the weighted tail from index ``N`` on
            (:func:`tail_eps`, :func:`tail_pow`).
        need: the argument the majorants must reach beyond (their ``q`` or Cauchy radius ``> need``).
        start: the first index summed.
        rel_tol: stop when the tail bound is at most ``rel_tol`` times the partial sum.
        max_terms: stop after this many coefficients (at most :data:`GENERIC_MAX_TERMS` for a
            generic expression), with ``converged=False``.
        abs_tol: stop when the tail bound is at most this instead (overrides ``rel_tol``).

    Returns:
        ``(S, N, tail, converged)``; the true sum lies in ``[S, S + tail]``.
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
