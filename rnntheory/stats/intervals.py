r"""Intervals of a mean and of a frequency (theory.md, section 7): the t interval of a mean over
networks and the exact binomial interval and test of how often a high-probability event held.

Mechanism only, like :mod:`rnntheory.stats.fits` (whose interval base and estimate formatter these
results share); deciding what an interval says about a claim is :mod:`rnntheory.stats.verdicts`.

* :func:`mean_interval`: t interval of a mean; for a quantity that cannot be negative (a norm, a ratio of
  norms, a count), ``positive=True`` gives an interval that stays at or above 0 (see below).
* :func:`binomial_interval`, :func:`binomial_decision`: how often a high-probability event held.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import stats as sps

from ._lsq import check_level, mean_t_interval, t_quantile
from .fits import Interval, estimate_text

__all__ = ["MeanInterval", "mean_interval", "BinomialDecision", "binomial_interval", "binomial_decision"]


# ---------------------------------------------------------------------- means
@dataclass(frozen=True)
class MeanInterval(Interval):
    r"""The mean of ``n`` values with its interval on ``n - 1`` degrees of freedom: the t interval
    (``method="t"``), or for a quantity that cannot be negative the interval on the log scale
    (``"log-normal"``) or the t interval bounded at 0 (``"t, bounded at 0"``; :func:`mean_interval`)."""

    mean: float
    ci_low: float
    ci_high: float
    n: int
    level: float
    name: str = "mean"
    method: str = "t"

    @property
    def df(self) -> int:
        return self.n - 1

    def __str__(self) -> str:
        return (
            f"{self.name} = {estimate_text(self.mean, self.ci_low, self.ci_high)} "
            f"({100 * self.level:.4g}% {self.method} CI, {self.n} values)"
        )


def mean_interval(
    values: Sequence[float] | np.ndarray, *, level: float = 0.99, name: str = "mean", positive: bool = False
) -> MeanInterval:
    r"""The mean of ``values`` with a t interval on ``n - 1`` degrees of freedom, or, with ``positive=True``
    (a quantity that cannot be negative), an interval that stays at or above 0.

    The t interval has exact coverage when the values are independent draws from one normal
    distribution. For symmetric heavy-tailed values the coverage stays near or above ``level``; for
    skewed ones and few values it falls below, on the upper side, and its lower end crosses 0 for a
    positive quantity with a large spread (a ratio of 0.074 [-0.055, 0.203] over 5 networks). Pass one
    value per network (seed), not several correlated measurements of one network.

    ``positive=True``: when every value is above 0, the interval of the mean of a log-normal
    distribution (Cox's method: ``exp(ybar + s^2 / 2 +- t_{n-1} sqrt(s^2 / n + s^4 / (2 (n - 1))))`` for
    the logs y, widened where needed to contain the sample mean, which stays the estimate); it is
    positive, and longer above the mean than below, as the spread of a positive skewed quantity is.
    tests/stats/test_positive_mean.py simulates it: at 99% and 3 to 20 values from log-normal, gamma,
    exponential, half-normal and near-normal distributions its coverage is 98.0% to 99.95% (the t
    interval's 86% to 99%), and it misses above the mean (the side an upper bound is judged on) in at most
    2.1% of runs (the t interval's up to 14%). When a value is 0 (a count that can vanish), the t interval bounded at
    0: the true mean of a quantity that cannot be negative lies at or above 0, so bounding removes only
    impossible values and keeps the t interval's coverage.

    Args:
        values: finite numbers, at least 2 (and none negative with ``positive``).
        level: two-sided confidence level in (0, 1) (default 0.99).
        name: what the values are, for printing.
        positive: the quantity cannot be negative.

    Returns:
        :class:`MeanInterval` (its ``method`` names the interval).

    Raises:
        ValueError: fewer than 2 values (no interval can be formed), non-finite values, a negative value
            with ``positive``, level outside (0, 1).
    """
    fn = "stats.mean_interval"
    level = check_level(fn, level)
    mu, half, n = mean_t_interval(fn, values, level)
    if not positive:
        return MeanInterval(mu, mu - half, mu + half, n, level, name)
    v = np.asarray(values, dtype=float).ravel()
    if (v < 0).any():
        raise ValueError(f"{fn}: positive=True, but values holds {int((v < 0).sum())} negative value(s)")
    if (v == 0).any():
        return MeanInterval(mu, max(mu - half, 0.0), mu + half, n, level, name, "t, bounded at 0")
    y = np.log(v)
    s2 = float(y.var(ddof=1))
    centre = float(y.mean()) + s2 / 2
    wide = t_quantile(level, n - 1) * float(np.sqrt(s2 / n + s2**2 / (2 * (n - 1))))
    lo, hi = float(np.exp(centre - wide)), float(np.exp(centre + wide))
    return MeanInterval(mu, min(lo, mu), max(hi, mu), n, level, name, "log-normal")


# ---------------------------------------------------------------------- binomial
@dataclass(frozen=True)
class BinomialDecision(Interval):
    r"""Exact one-sided binomial test of "the event holds with probability at least p0".

    ``passed`` is False when ``P(X <= k | n, p0) <= alpha``; if the event's true probability is at
    least ``p0`` this happens with probability at most ``alpha`` (the false-failure rate).
    """

    k: int
    n: int
    p0: float
    alpha: float
    p_value: float
    ci_low: float
    ci_high: float
    level: float
    passed: bool

    @property
    def fraction(self) -> float:
        return self.k / self.n

    def __str__(self) -> str:
        state = "held" if self.passed else "FAILED"
        return (
            f"event held on {self.k}/{self.n} seeds ({self.fraction:.0%}, {100 * self.level:.4g}% CI "
            f"[{self.ci_low:.2f}, {self.ci_high:.2f}]); test of P >= {self.p0:g}: p={self.p_value:.2g}, "
            f"alpha={self.alpha:g} -> {state}"
        )


def binomial_interval(k: int, n: int, level: float = 0.99) -> tuple[float, float]:
    r"""Exact (Clopper-Pearson) interval for a success probability from ``k`` of ``n``, at ``level``
    (99% by default, the level of every other interval here)."""
    if not (isinstance(n, (int, np.integer)) and n >= 1 and isinstance(k, (int, np.integer)) and 0 <= k <= n):
        raise ValueError(f"stats.binomial_interval: k={k!r}, n={n!r} must be integers with 0 <= k <= n, n >= 1")
    ci = sps.binomtest(int(k), int(n)).proportion_ci(confidence_level=level, method="exact")
    return float(ci.low), float(ci.high)


def binomial_decision(k: int, n: int, p0: float = 0.9, alpha: float = 1e-6, level: float = 0.99) -> BinomialDecision:
    r"""Decide whether ``k`` successes in ``n`` seeds are compatible with probability >= ``p0``.

    Exact binomial test (scipy.stats.binomtest, alternative "less"); fails when the p-value is at most
    ``alpha``. False-failure rate <= ``alpha`` whenever the true probability is >= ``p0``. The interval
    it prints is at ``level`` (99% by default, as everywhere else); the decision rests on ``alpha``.
    """
    if not 0 < p0 < 1:
        raise ValueError(f"stats.binomial_decision: p0={p0!r} must be in (0, 1)")
    if not 0 < alpha < 1:
        raise ValueError(f"stats.binomial_decision: alpha={alpha!r} must be in (0, 1)")
    lo, hi = binomial_interval(k, n, level)
    p = float(sps.binomtest(int(k), int(n), p0, alternative="less").pvalue)
    return BinomialDecision(int(k), int(n), float(p0), float(alpha), p, lo, hi, level, p > alpha)
