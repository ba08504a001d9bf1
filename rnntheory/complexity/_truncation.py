r"""The truncation remedy of theory.md section 5: replace :math:`\Phi` by its Taylor polynomial
:math:`\Phi_k` of degree :math:`k` (about :math:`\log(1/\varepsilon)`), with a rigorous bound on the
error :math:`\sup_{|z| \le R} |\Phi - \Phi_k|` and a rule for choosing :math:`k`.

Re-exported by :mod:`rnntheory.complexity` (:func:`truncate`, :func:`truncation_error`,
:func:`choose_truncation`, :class:`Truncation`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import mpmath
import torch

from .. import _validation as V
from ._precision import DEFAULT_DPS, INF, working_precision
from ._smooth import PhiLike, SmoothFunction, smooth
from ._summation import at_or_beyond, tail_pow, weighted_sum

__all__ = ["Truncation", "truncate", "truncation_error", "choose_truncation"]


# ---------------------------------------------------------------------- result
@dataclass(frozen=True)
class Truncation:
    r"""A truncation degree for a series and its error on :math:`[-R, R]` (theory.md section 5, the remedy
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
        return (
            f"degree {self.k} ({self.rule} rule): sup error on [-{self.R:g}, {self.R:g}] <= "
            f"{mpmath.nstr(self.error_bound, 3)} (measured {self.measured_error:.3g})"
        )


# ---------------------------------------------------------------------- truncation
def truncate(phi: PhiLike, k: int) -> SmoothFunction:
    r"""The Taylor polynomial of degree ``k`` of :math:`\Phi` (theory.md section 5, the truncation remedy).

    Raises:
        ValueError, TypeError: bad ``phi`` or a negative ``k``.
    """
    fn = "truncate"
    f = smooth(phi, fn=fn)
    k = V.non_negative_int(fn, "k", k)
    with working_precision():
        return f.truncate(k)


def truncation_error(phi: PhiLike, k: int, R: float, *, dps: int = DEFAULT_DPS) -> Any:
    r"""Rigorous bound :math:`\sum_{i>k}|c_i| R^i \ge \sup_{|z|\le R}|\Phi(z) - \Phi_k(z)|` (mpmath;
    ``inf`` when :math:`R` is at or beyond the radius of convergence, 0 for a polynomial of degree <= k).

    Paper: section 5, the truncation remedy.
    """
    fn = "truncation_error"
    f = smooth(phi, fn=fn)
    k = V.non_negative_int(fn, "k", k)
    R = V.positive_real(fn, "R", R)
    with working_precision(dps):
        if f.degree is not None and f.degree <= k:
            return mpmath.mpf(0)
        if f.degree is None and at_or_beyond(mpmath.mpf(R), f.radius):
            return INF
        x = mpmath.mpf(R)
        S, N, tail, _ = weighted_sum(f, lambda i: x**i, lambda m, N: tail_pow(m, N, x, 0, 1), x, k + 1, 1e-12, 200_000)
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
    r"""Pick a truncation degree :math:`k` for :math:`\Phi` on :math:`[-R, R]` (theory.md section 5).

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
        TypeError: an argument of the wrong type (a string for ``R``, a float for ``k_max``).
        ValueError: bad arguments; with ``rule="error"``, R at or beyond the radius of convergence
        (no degree approximates the function on [-R, R]) or no degree up to ``k_max`` reaches ``eps``.
    """
    fn = "choose_truncation"
    f = smooth(phi, fn=fn)
    R = V.positive_real(fn, "R", R)
    eps = V.real_in(fn, "eps", eps, low=0, high=1, low_open=True, high_open=True)
    if rule not in ("error", "log"):
        raise ValueError(f"{fn}: rule={rule!r} must be 'error' or 'log'")
    k_max = V.positive_int(fn, "k_max", k_max, minimum=0)
    if rule == "log":
        k = max(1, math.ceil(math.log(1 / eps)))
        bound = truncation_error(f, k, R)
    else:
        if f.degree is None and at_or_beyond(mpmath.mpf(R), f.radius):
            raise ValueError(
                f"{fn}: R={R!r} is at or beyond the radius of convergence "
                f"{mpmath.nstr(f.radius, 10)} of {f.name}; no truncation approximates it on [-R, R]"
            )
        with working_precision():
            # one pass: error(k) = sum_{k<i<N} |c_i| R^i + tail(N), with tail(N) <= eps / 1e6
            x = mpmath.mpf(R)
            _, N, tail, ok = weighted_sum(
                f,
                lambda i: x**i,
                lambda m, n: tail_pow(m, n, x, 0, 1),
                x,
                0,
                0.0,
                200_000,
                abs_tol=mpmath.mpf(eps) * mpmath.mpf("1e-6"),
            )
            if not ok:
                raise ValueError(
                    f"{fn}: the series of {f.name} converges too slowly on [-{R:g}, {R:g}] to reach eps={eps:g}"
                )
            cs = f.coefficients(N)
            err = [mpmath.mpf(0)] * (N + 1)
            err[N - 1] = tail
            for i in range(N - 2, -1, -1):
                err[i] = err[i + 1] + abs(cs[i + 1]) * x ** (i + 1)
            k = next(i for i in range(N) if err[i] <= eps)
            if k > k_max:
                raise ValueError(
                    f"{fn}: no degree up to k_max={k_max} brings the error of {f.name} on "
                    f"[-{R:g}, {R:g}] below eps={eps:g}"
                )
            bound = err[k]
    p = truncate(f, k)
    return Truncation(k, p, R, bound, _measured_error(f, p, R), rule)
