r"""Fitted exponents for checking bound shapes (theory.md, section 7): slopes, rates and the nested
growth fit, each with a confidence interval, and the one way a fitted value is written.

This module is mechanism only, and has that one job (the least-squares machinery is in
``rnntheory.stats._lsq``; the intervals of a mean and of a frequency are in
:mod:`rnntheory.stats.intervals`): it measures slopes and rates and attaches confidence intervals whose
coverage is stated below. Deciding what a measurement says about a claim is policy and lives in
:mod:`rnntheory.stats.verdicts`.

The unit of replication is the random network (the seed). Measurements of one network at several
sizes are correlated, so when a fit pools several networks, pass ``groups=seeds``: the interval then
comes from the spread of the per-network estimates, a t interval on ``G - 1`` degrees of freedom.

* :func:`fit_exponent`: slope of ``log y`` on ``log x`` (power-law exponent) with an interval.
* :func:`fit_rate`: slope of ``log y`` on ``x`` (exponential rate) with an interval.
* :func:`fit_growth`: the nested model ``log y = a + b log k + c k`` with intervals for the exponent
  ``b`` and the rate ``c``, plus the two pure fits and which of them has the smaller residual.
* :func:`smallest_constant`: the smallest c with measured <= c * shape on every point.
* :func:`estimate_text`: an estimate with its interval as every text prints it (``0.512 [0.43, 0.6]``);
  :meth:`ExponentFit.short` is a fitted exponent or rate in those words.

Interval methods and what they guarantee (``level`` is the two-sided confidence level):

* ``"regression"`` (independent points): ordinary least squares, ``estimate +- t_{n-p} * se`` with
  ``p`` fitted coefficients. Coverage is exactly ``level`` when the errors of ``log y`` are
  independent, normal and of equal variance. It is *not* valid for several points of one network:
  a per-network random slope makes the errors correlated and the interval too narrow.
* ``"groups"`` (one fit per group, e.g. per seed): the same model is fitted to each group, the
  estimate is the unweighted mean of the ``G`` per-group coefficients and the interval is
  ``mean +- t_{G-1} * sd / sqrt(G)``. Each per-group coefficient is unbiased for the population
  coefficient whatever the group's x design, so the mean is too. Coverage is exactly ``level`` when
  the per-group coefficients are independent and normal with a common variance, which holds for
  normal random effects (per-group intercept, slope, ...) plus independent normal noise with the
  same x design in every group. With different designs the variances differ and the interval is a
  close approximation. Nothing is assumed about correlation within a group.

Under heavy tails neither method is exact. For symmetric heavy-tailed errors (or per-group
coefficients) the t interval stays near or above its nominal coverage, but a single outlying point
or network moves the estimate and widens the interval; for skewed ones with very few points or
groups coverage can fall below nominal. ``tests/stats/test_coverage.py`` measures coverage on the designs
the claims use.

Every result is a small frozen dataclass that prints as one readable line and has ``to_frame()``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal, Sequence

import numpy as np
import pandas as pd

from ._lsq import as_arrays, check_level, check_positive, line_fit, nested_coefficients

__all__ = [
    "Interval",
    "estimate_text",
    "factor_text",
    "ExponentFit",
    "fit_exponent",
    "fit_rate",
    "Estimate",
    "GrowthFit",
    "fit_growth",
    "smallest_constant",
]


# ---------------------------------------------------------------------- results
def estimate_text(value: float, low: float, high: float) -> str:
    r"""An estimate with its interval as every text of the toolkit writes it, to three significant
    digits: ``0.512 [0.43, 0.6]`` (fits, verdict reasons, the report, figure legends)."""
    return f"{value:.3g} [{low:.3g}, {high:.3g}]"


def factor_text(factor: float) -> str:
    r"""A factor of networks as every text of the toolkit writes it: two significant digits, three below 2 so that
    a factor just above 1 does not read as 1 (``1.03``, ``1.9``, ``14``, ``1.4e+02``)."""
    return f"{factor:.3g}" if factor < 2 else f"{factor:.2g}"


class Interval:
    r"""``ci``, ``width`` and ``to_frame`` of a result dataclass with ``ci_low`` and ``ci_high`` (the base
    of the results with an interval)."""

    ci_low: float
    ci_high: float

    @property
    def ci(self) -> tuple[float, float]:
        return (self.ci_low, self.ci_high)

    @property
    def width(self) -> float:
        return self.ci_high - self.ci_low

    def to_frame(self) -> pd.DataFrame:
        r"""The result as a one-row table of its fields."""
        return pd.DataFrame([asdict(self)])


@dataclass(frozen=True)
class ExponentFit(Interval):
    r"""A straight-line fit ``log y = intercept + slope * t`` with a confidence interval.

    ``t = log x`` for an exponent (:func:`fit_exponent`), ``t = x`` for a rate (:func:`fit_rate`).
    Natural logarithms throughout. ``method`` is "regression" or "groups" (see the module docstring
    for what each interval guarantees); ``df`` is the degrees of freedom of its t quantile (n - 2 or
    G - 1). ``r2`` and ``rss`` describe the reported line on all points (pooled residuals of
    ``log y``).
    """

    slope: float
    intercept: float
    ci_low: float
    ci_high: float
    level: float
    method: str
    n_points: int
    n_groups: int
    r2: float
    rss: float
    axes: str = "log-log"
    variable: str = "x"
    df: float = math.nan

    @property
    def exponent(self) -> float:
        """Alias of ``slope`` (the exponent of a power law on log-log axes)."""
        return self.slope

    @property
    def kind(self) -> str:
        r"""What the slope is: ``"exponent"`` (log-log axes) or ``"rate"`` (semi-log axes)."""
        return "exponent" if self.axes == "log-log" else "rate"

    def short(self, *, variable: bool = True) -> str:
        r"""The fitted value with its interval, short: ``exponent in m 0.512 [0.43, 0.6]``
        (``variable=False``: ``exponent 0.512 [0.43, 0.6]``)."""
        where = f" in {self.variable}" if variable else ""
        return f"{self.kind}{where} {estimate_text(self.slope, self.ci_low, self.ci_high)}"

    def predict(self, x: Sequence[float] | np.ndarray) -> np.ndarray:
        t = np.log(np.asarray(x, float)) if self.axes == "log-log" else np.asarray(x, float)
        return np.exp(self.intercept + self.slope * t)

    def __str__(self) -> str:
        return (
            f"{self.kind} in {self.variable} = {estimate_text(self.slope, self.ci_low, self.ci_high)} "
            f"({100 * self.level:.4g}% {self.method} CI, t on {self.df:g} df, {self.n_points} points, "
            f"{self.n_groups} groups, R^2={self.r2:.3f})"
        )


@dataclass(frozen=True)
class Estimate(Interval):
    r"""One estimated coefficient with its confidence interval."""

    value: float
    ci_low: float
    ci_high: float

    def __str__(self) -> str:
        return estimate_text(self.value, self.ci_low, self.ci_high)


@dataclass(frozen=True)
class GrowthFit:
    r"""The nested fit ``log y = intercept + power * log k + rate * k`` (theory.md, section 7).

    ``power`` (the exponent b) and ``rate`` (c) carry ``level`` intervals from ``method``
    ("regression": t on n - 3 df; "groups": per-group fits, t on G - 1 df). A power law has
    ``rate = 0``, a pure exponential ``power = 0``. ``power_law`` and ``exponential`` are the two pure
    two-parameter fits on the same points with the same method and level; ``preferred`` names the
    one with the smaller residual sum of squares of ``log y`` ("polynomial" or "exponential"), a
    description of the data, not a test.
    """

    power: Estimate
    rate: Estimate
    intercept: float
    level: float
    method: str
    df: float
    n_points: int
    n_groups: int
    variable: str
    rss: float
    power_law: ExponentFit
    exponential: ExponentFit
    preferred: str

    def __str__(self) -> str:
        return (
            f"log y = a + b log {self.variable} + c {self.variable}: b = {self.power}, c = {self.rate} "
            f"({100 * self.level:.4g}% {self.method} CI, t on {self.df:g} df, {self.n_points} points, "
            f"{self.n_groups} groups); pure fits, as a description (not the test): "
            f"power law RSS={self.power_law.rss:.3g}, "
            f"exponential RSS={self.exponential.rss:.3g}, smaller: {self.preferred}"
        )

    def to_frame(self) -> pd.DataFrame:
        row = {
            "power": self.power.value,
            "power_ci_low": self.power.ci_low,
            "power_ci_high": self.power.ci_high,
            "rate": self.rate.value,
            "rate_ci_low": self.rate.ci_low,
            "rate_ci_high": self.rate.ci_high,
            "intercept": self.intercept,
            "level": self.level,
            "method": self.method,
            "df": self.df,
            "n_points": self.n_points,
            "n_groups": self.n_groups,
            "variable": self.variable,
            "rss": self.rss,
            "power_law_exponent": self.power_law.slope,
            "power_law_rss": self.power_law.rss,
            "exponential_rate": self.exponential.slope,
            "exponential_rss": self.exponential.rss,
            "preferred": self.preferred,
        }
        return pd.DataFrame([row])


# ---------------------------------------------------------------------- helpers
def _fit_line(fn, t, v, x, groups, level, method, axes, variable, index=None) -> ExponentFit:
    r"""The :class:`ExponentFit` of ``v = intercept + slope * t`` (see :func:`rnntheory.stats._lsq.line_fit`)."""
    return ExponentFit(**line_fit(fn, t, v, x, groups, level, method, index)._asdict(), axes=axes, variable=variable)


# ---------------------------------------------------------------------- fits
def fit_exponent(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    groups: Sequence | np.ndarray | None = None,
    level: float = 0.99,
    method: Literal["regression", "groups"] | None = None,
    variable: str = "x",
) -> ExponentFit:
    r"""Fit ``y ~ c * x**a`` by least squares on log-log axes, with a confidence interval for ``a``.

    Paper: section 7 (fitted exponents with a confidence interval).

    Interval methods (module docstring for details):

    * "regression": OLS slope of ``log y`` on ``log x``, t interval on n - 2 df. Exact coverage
      when the errors of ``log y`` are independent, normal, equal-variance; too narrow when points
      of one network share a random slope.
    * "groups": a line per group (e.g. per seed); the exponent is the mean of the G per-group
      slopes, the interval ``mean +- t_{G-1} sd / sqrt(G)``. Exact coverage when the per-group
      slopes are independent normal with a common variance (normal random effects and noise, the
      same x values in every group); groups may have different x values. ``intercept`` is the mean
      of the per-group intercepts; ``r2`` and ``rss`` come from the pooled residuals of that line.
      With G = 2 the interval is valid but very wide (t on 1 df).

    Args:
        x, y: positive finite values, one per measurement (repeat x for several seeds).
        groups: a label per point (e.g. the seed). Selects the "groups" method by default.
        level: two-sided confidence level in (0, 1) (default 0.99).
        method: "regression" or "groups" (default: "groups" iff ``groups`` is given).
        variable: name of x, for printing.

    Returns:
        :class:`ExponentFit` (``.exponent``, ``.ci``, ``.df``, ``.r2``, ...).

    Raises:
        ValueError: non-positive or non-finite values, unequal lengths, a single distinct x value,
            fewer than 3 points ("regression"), fewer than 2 groups or a group with fewer than 2
            distinct x values ("groups"), ``method="groups"`` without groups, an unknown method,
            level outside (0, 1).
    """
    fn = "stats.fit_exponent"
    level = check_level(fn, level)
    xa, ya, ga = as_arrays(fn, x, y, groups)
    check_positive(fn, "x", xa, "a log-log fit needs positive values")
    check_positive(fn, "y", ya, "a log-log fit needs positive values")
    return _fit_line(fn, np.log(xa), np.log(ya), xa, ga, level, method, "log-log", variable)


def fit_rate(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    groups: Sequence | np.ndarray | None = None,
    level: float = 0.99,
    method: Literal["regression", "groups"] | None = None,
    variable: str = "x",
) -> ExponentFit:
    r"""Fit ``y ~ c * exp(r * x)`` by least squares on semi-log axes; ``slope`` is the rate ``r``.

    Interval methods and their guarantees as in :func:`fit_exponent`, with ``x`` in place of
    ``log x``.

    Args:
        x: finite real values (any sign).
        y: positive finite values.
        groups, level, method, variable: as in :func:`fit_exponent`.

    Returns:
        :class:`ExponentFit` with ``axes="semi-log"``.

    Raises:
        ValueError: as in :func:`fit_exponent` (only ``y`` must be positive).
    """
    fn = "stats.fit_rate"
    level = check_level(fn, level)
    xa, ya, ga = as_arrays(fn, x, y, groups)
    check_positive(fn, "y", ya, "a semi-log fit needs positive y")
    return _fit_line(fn, xa, np.log(ya), xa, ga, level, method, "semi-log", variable)


def fit_growth(
    k: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    groups: Sequence | np.ndarray | None = None,
    level: float = 0.99,
    variable: str = "k",
) -> GrowthFit:
    r"""Polynomial against exponential growth of ``y`` in ``k``: the nested fit
    ``log y = a + b log k + c k`` (theory.md, section 7).

    A power law ``y ~ k**b`` has ``c = 0``; an exponential ``y ~ exp(c k)`` has ``b = 0``. Both
    coefficients get intervals from one fit, so each is tested with the other allowed for.

    * Without ``groups`` ("regression"): OLS on the three-column design, t intervals on n - 3 df.
      Exact coverage for independent, normal, equal-variance errors of ``log y``.
    * With ``groups`` ("groups"): the three-parameter fit in every group, then for b and for c the
      mean of the G per-group coefficients with a t interval on G - 1 df. Exact coverage when the
      per-group coefficients are independent normal with a common variance (normal random effects
      and noise, the same k values in every group).

    ``power_law`` (``log y = a + b log k``) and ``exponential`` (``log y = a + r k``) are the pure
    fits on the same points with the same method and level; ``preferred`` is the one with the
    smaller residual sum of squares of ``log y``.

    Args:
        k: positive finite values (e.g. a size or 1/eps).
        y: positive finite values.
        groups: a label per point (e.g. the seed); selects the "groups" method.
        level: two-sided confidence level in (0, 1) (default 0.99).
        variable: name of k, for printing.

    Returns:
        :class:`GrowthFit`.

    Raises:
        ValueError: non-positive or non-finite values, unequal lengths, fewer than 4 points or fewer
            than 3 distinct k (without groups), fewer than 2 groups or a group with fewer than 3
            distinct k (with groups), level outside (0, 1).
    """
    fn = "stats.fit_growth"
    level = check_level(fn, level)
    ka, ya, ga = as_arrays(fn, k, y, groups, names=("k", "y"))
    check_positive(fn, "k", ka, "the nested fit takes log k")
    check_positive(fn, "y", ya, "the nested fit takes log y")
    nf = nested_coefficients(fn, ka, ya, ga, level)
    method, lk, ly, index = nf.method, nf.log_k, nf.log_y, nf.index
    power_law = _fit_line(fn, lk, ly, ka, ga, level, method, "log-log", variable, index)
    exponential = _fit_line(fn, ka, ly, ka, ga, level, method, "semi-log", variable, index)
    b, c = float(nf.beta[0]), float(nf.beta[1])
    hb, hc = float(nf.half[0]), float(nf.half[1])
    return GrowthFit(
        power=Estimate(b, b - hb, b + hb),
        rate=Estimate(c, c - hc, c + hc),
        intercept=nf.intercept,
        level=level,
        method=method,
        df=nf.df,
        n_points=int(ka.size),
        n_groups=nf.n_groups,
        variable=variable,
        rss=nf.rss,
        power_law=power_law,
        exponential=exponential,
        preferred="polynomial" if power_law.rss <= exponential.rss else "exponential",
    )


def smallest_constant(measured: Sequence[float] | np.ndarray, shape: Sequence[float] | np.ndarray) -> float:
    r"""Smallest ``c`` with ``measured <= c * shape`` on every point (theory.md, section 7)."""
    ma = np.asarray(measured, float).ravel()
    sa = np.asarray(shape, float).ravel()
    if ma.shape != sa.shape or ma.size == 0:
        raise ValueError(
            f"stats.smallest_constant: measured has {ma.size} values and shape {sa.size}; "
            "expected the same, at least one"
        )
    if (sa <= 0).any() or not np.isfinite(sa).all():
        raise ValueError("stats.smallest_constant: shape values must be positive and finite")
    return float(np.max(ma / sa))
