r"""Statistics for checking bound shapes (paper.md, section 7).

* :func:`fit_exponent`: least-squares slope on log-log axes with a confidence interval, from the
  regression (t distribution) or from a cluster bootstrap over seeds (``groups=``), which is the
  right interval when several points come from the same random network.
* :func:`fit_rate`: the same on semi-log axes (exponential growth rate).
* :func:`compare_growth`: power law against exponential on the same points.
* :func:`exponent_verdict`: "consistent" / "inconsistent" / "inconclusive" for a claimed exponent,
  on the side that the claim's limit dictates (growing parameters: measured <= claimed for an upper
  bound; shrinking parameters: measured >= claimed).
* :func:`binomial_interval`, :func:`binomial_decision`: how often a high-probability event held.
* :func:`smallest_constant`: the smallest c with measured <= c * shape on every point.

Every result is a small frozen dataclass that prints as one readable line and has ``to_frame()``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal, Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

__all__ = [
    "ExponentFit",
    "fit_exponent",
    "fit_rate",
    "GrowthComparison",
    "compare_growth",
    "Verdict",
    "exponent_verdict",
    "combine_verdicts",
    "BinomialDecision",
    "binomial_interval",
    "binomial_decision",
    "smallest_constant",
    "mean_verdict",
    "VERDICTS",
]

VERDICTS = ("consistent", "inconsistent", "inconclusive")


# ---------------------------------------------------------------------- fits
@dataclass(frozen=True)
class ExponentFit:
    r"""A straight-line fit ``log y = intercept + slope * t`` with a confidence interval.

    ``t = log x`` for an exponent (:func:`fit_exponent`), ``t = x`` for a rate (:func:`fit_rate`).
    Natural logarithms throughout.
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

    @property
    def exponent(self) -> float:
        """Alias of ``slope`` (the exponent of a power law on log-log axes)."""
        return self.slope

    @property
    def ci(self) -> tuple[float, float]:
        return (self.ci_low, self.ci_high)

    @property
    def width(self) -> float:
        return self.ci_high - self.ci_low

    def predict(self, x: Sequence[float] | np.ndarray) -> np.ndarray:
        t = np.log(np.asarray(x, float)) if self.axes == "log-log" else np.asarray(x, float)
        return np.exp(self.intercept + self.slope * t)

    def __str__(self) -> str:
        name = "exponent" if self.axes == "log-log" else "rate"
        return (
            f"{name} in {self.variable} = {self.slope:.3g} [{self.ci_low:.3g}, {self.ci_high:.3g}] "
            f"({self.level:.0%} {self.method} CI, {self.n_points} points, {self.n_groups} groups, R^2={self.r2:.3f})"
        )

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(self)])


def _as_arrays(fn: str, x, y, groups) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    try:
        xa = np.asarray(x, dtype=float).ravel()
        ya = np.asarray(y, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{fn}: x and y must be sequences of real numbers ({exc})") from None
    if xa.shape != ya.shape:
        raise ValueError(f"{fn}: x has {xa.size} values and y has {ya.size}; expected the same number")
    if not (np.isfinite(xa).all() and np.isfinite(ya).all()):
        raise ValueError(f"{fn}: x or y contains NaN or infinite values; expected finite values")
    ga = None
    if groups is not None:
        ga = np.asarray(groups).ravel()
        if ga.shape != xa.shape:
            raise ValueError(f"{fn}: groups has {ga.size} values; expected {xa.size}, one per point")
    return xa, ya, ga


def _line(t: np.ndarray, v: np.ndarray, w: np.ndarray | None = None) -> tuple[float, float]:
    """Weighted least-squares line v = a + b t; returns (b, a)."""
    if w is None:
        w = np.ones_like(t)
    sw = w.sum()
    mt, mv = (w * t).sum() / sw, (w * v).sum() / sw
    stt = (w * (t - mt) ** 2).sum()
    b = (w * (t - mt) * (v - mv)).sum() / stt
    return b, mv - b * mt


def _fit_line(
    fn: str,
    t: np.ndarray,
    v: np.ndarray,
    groups: np.ndarray | None,
    level: float,
    method: str | None,
    n_boot: int,
    seed: int,
    axes: str,
    variable: str,
) -> ExponentFit:
    if not 0 < level < 1:
        raise ValueError(f"{fn}: level={level!r} must be in (0, 1)")
    if np.unique(t).size < 2:
        raise ValueError(f"{fn}: x takes a single value; expected at least two distinct values to fit a slope")
    method = method or ("bootstrap" if groups is not None else "regression")
    if method not in ("regression", "bootstrap"):
        raise ValueError(f"{fn}: method={method!r} must be 'regression' or 'bootstrap'")
    b, a = _line(t, v)
    resid = v - (a + b * t)
    rss = float((resid**2).sum())
    tss = float(((v - v.mean()) ** 2).sum())
    r2 = 1.0 - rss / tss if tss > 0 else 1.0
    n = t.size
    if method == "regression":
        if n < 3:
            raise ValueError(f"{fn}: {n} points; expected at least 3 for a regression interval")
        se = np.sqrt(rss / (n - 2) / ((t - t.mean()) ** 2).sum())
        q = sps.t.ppf(0.5 + level / 2, n - 2)
        lo, hi = b - q * se, b + q * se
        n_groups = n if groups is None else np.unique(groups).size
    else:
        if groups is None:
            groups = np.arange(n)
        labels, inv = np.unique(groups, return_inverse=True)
        G = labels.size
        if G < 3:
            raise ValueError(f"{fn}: {G} groups; expected at least 3 for a bootstrap interval")
        # cluster bootstrap: resample groups with replacement, via per-group sufficient statistics
        S = np.zeros((G, 5))
        np.add.at(S, inv, np.stack([np.ones_like(t), t, v, t * t, t * v], axis=1))
        rng = np.random.default_rng(seed)
        counts = rng.multinomial(G, np.full(G, 1.0 / G), size=n_boot).astype(float)
        T = counts @ S
        N, St, Sv, Stt, Stv = T.T
        den = N * Stt - St**2
        ok = den > 1e-12 * np.maximum(N * Stt, 1e-300)
        slopes = (N * Stv - St * Sv)[ok] / den[ok]
        lo, hi = np.quantile(slopes, [0.5 - level / 2, 0.5 + level / 2])
        n_groups = G
    return ExponentFit(
        slope=float(b), intercept=float(a), ci_low=float(lo), ci_high=float(hi), level=level,
        method=method, n_points=n, n_groups=int(n_groups), r2=float(r2), rss=rss, axes=axes, variable=variable,
    )


def fit_exponent(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    groups: Sequence | np.ndarray | None = None,
    level: float = 0.99,
    method: Literal["regression", "bootstrap"] | None = None,
    n_boot: int = 4000,
    seed: int = 0,
    variable: str = "x",
) -> ExponentFit:
    r"""Fit ``y ~ c * x**a`` by least squares on log-log axes.

    Paper: section 7 (fitted exponents with a confidence interval).

    Args:
        x, y: positive values, one per measurement (repeat x for several seeds).
        groups: a label per point (e.g. the seed); when given, the interval comes from a cluster
            bootstrap that resamples whole groups, which accounts for points of one network being
            correlated. Without it the t-interval of the regression slope is used.
        level: confidence level of the interval (default 0.99).
        method: force "regression" or "bootstrap" (default: bootstrap iff ``groups`` is given).
        n_boot: bootstrap resamples.
        seed: seed of the bootstrap.
        variable: name of x, for printing.

    Returns:
        :class:`ExponentFit` (``.exponent``, ``.ci``, ``.r2``, ...).

    Raises:
        ValueError: non-positive or non-finite values, fewer than 3 points or groups, a single x value.
    """
    fn = "stats.fit_exponent"
    xa, ya, ga = _as_arrays(fn, x, y, groups)
    if (xa <= 0).any() or (ya <= 0).any():
        bad = int((xa <= 0).sum() + (ya <= 0).sum())
        raise ValueError(f"{fn}: {bad} non-positive values in x or y; a log-log fit needs positive values")
    return _fit_line(fn, np.log(xa), np.log(ya), ga, level, method, n_boot, seed, "log-log", variable)


def fit_rate(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    groups: Sequence | np.ndarray | None = None,
    level: float = 0.99,
    method: Literal["regression", "bootstrap"] | None = None,
    n_boot: int = 4000,
    seed: int = 0,
    variable: str = "x",
) -> ExponentFit:
    r"""Fit ``y ~ c * exp(r * x)`` by least squares on semi-log axes; ``slope`` is the rate ``r``.

    Arguments as in :func:`fit_exponent` (x may be any real; y must be positive).
    """
    fn = "stats.fit_rate"
    xa, ya, ga = _as_arrays(fn, x, y, groups)
    if (ya <= 0).any():
        raise ValueError(f"{fn}: {int((ya <= 0).sum())} non-positive values in y; a semi-log fit needs positive y")
    return _fit_line(fn, xa, np.log(ya), ga, level, method, n_boot, seed, "semi-log", variable)


@dataclass(frozen=True)
class GrowthComparison:
    r"""Power law against exponential on the same points (paper.md, section 7).

    ``preferred`` is the model with the smaller residual sum of squares of ``log y`` (both have
    two parameters, so this is also the AIC/BIC choice); ``p_polynomial`` is the fraction of
    cluster-bootstrap resamples in which the power law fits better.
    """

    power: ExponentFit
    exponential: ExponentFit
    preferred: str
    p_polynomial: float

    def __str__(self) -> str:
        return (
            f"{self.preferred} fits better (power law preferred in {self.p_polynomial:.0%} of resamples); "
            f"power: {self.power}; exponential: {self.exponential}"
        )

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {"model": "power", **asdict(self.power)},
                {"model": "exponential", **asdict(self.exponential)},
            ]
        ).assign(preferred=self.preferred, p_polynomial=self.p_polynomial)


def compare_growth(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    groups: Sequence | np.ndarray | None = None,
    level: float = 0.99,
    n_boot: int = 2000,
    seed: int = 0,
    variable: str = "x",
) -> GrowthComparison:
    r"""Tell polynomial from exponential growth of ``y`` in ``x`` (x > 0, y > 0).

    Fits ``log y = a + b log x`` and ``log y = a + r x``; reports both with intervals, the model
    with the smaller residual sum of squares, and how often each wins over resamples of the groups.
    """
    fn = "stats.compare_growth"
    power = fit_exponent(x, y, groups=groups, level=level, n_boot=n_boot, seed=seed, variable=variable)
    expo = fit_rate(x, y, groups=groups, level=level, n_boot=n_boot, seed=seed, variable=variable)
    xa, ya, ga = _as_arrays(fn, x, y, groups)
    if ga is None:
        ga = np.arange(xa.size)
    labels, inv = np.unique(ga, return_inverse=True)
    rng = np.random.default_rng(seed + 1)
    lx, ly = np.log(xa), np.log(ya)
    wins, total = 0, 0
    for _ in range(min(n_boot, 500)):
        w = np.bincount(rng.integers(0, labels.size, labels.size), minlength=labels.size)[inv].astype(float)
        if np.unique(xa[w > 0]).size < 3:
            continue
        rss = []
        for t in (lx, xa):
            b, a = _line(t, ly, w)
            rss.append((w * (ly - a - b * t) ** 2).sum())
        wins += rss[0] <= rss[1]
        total += 1
    p_poly = wins / total if total else float("nan")
    preferred = "polynomial" if power.rss <= expo.rss else "exponential"
    return GrowthComparison(power=power, exponential=expo, preferred=preferred, p_polynomial=float(p_poly))


# ---------------------------------------------------------------------- verdicts
@dataclass(frozen=True)
class Verdict:
    r"""The verdict on one claimed exponent (paper.md, section 7)."""

    verdict: str
    claimed: float
    measured: float
    ci_low: float
    ci_high: float
    allowed: str  # "<=" or ">=": the side of `claimed` on which the measured exponent must lie
    reason: str

    def __str__(self) -> str:
        return f"{self.verdict}: {self.reason}"

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(self)])


def exponent_verdict(
    fit: ExponentFit,
    claimed: float,
    *,
    bound: Literal["upper", "lower"] = "upper",
    parameter: Literal["growing", "shrinking"] = "growing",
    max_width: float = 1.0,
) -> Verdict:
    r"""Verdict on a claimed exponent from a fitted one (paper.md, section 7).

    For an upper bound ``c * x**a`` in a parameter that grows (m, L, N) the measured exponent must be
    at most ``a``; in a parameter that shrinks (omega, tau, eps) at least ``a``. Lower bounds flip the
    side. The verdict is "consistent" when the interval lies on the allowed side, or straddles
    ``claimed`` while being at most ``max_width`` wide; "inconsistent" when it lies wholly on the
    forbidden side; "inconclusive" when it straddles ``claimed`` and is wider than ``max_width``.

    A false "inconsistent" needs the interval to miss the true exponent on one side, so its rate is at
    most ``(1 - level) / 2`` when the true exponent sits exactly on the claimed one, and smaller the
    further inside the allowed side it sits.
    """
    if bound not in ("upper", "lower"):
        raise ValueError(f"stats.exponent_verdict: bound={bound!r} must be 'upper' or 'lower'")
    if parameter not in ("growing", "shrinking"):
        raise ValueError(f"stats.exponent_verdict: parameter={parameter!r} must be 'growing' or 'shrinking'")
    below = (bound == "upper") == (parameter == "growing")
    allowed = "<=" if below else ">="
    lo, hi = fit.ci_low, fit.ci_high
    on_allowed = hi <= claimed if below else lo >= claimed
    on_forbidden = lo > claimed if below else hi < claimed
    where = f"{fit.slope:.3g} [{lo:.3g}, {hi:.3g}]"
    if on_allowed:
        v, why = "consistent", f"measured {where} lies on the allowed side ({allowed} {claimed:g})"
    elif on_forbidden:
        v, why = "inconsistent", f"measured {where} lies wholly on the forbidden side of {claimed:g} (must be {allowed})"
    elif fit.width <= max_width:
        v, why = "consistent", f"measured {where} straddles the claimed {claimed:g}"
    else:
        v, why = "inconclusive", f"measured {where} straddles {claimed:g} but is wider than {max_width:g}"
    return Verdict(v, float(claimed), fit.slope, lo, hi, allowed, why)


def combine_verdicts(verdicts: Sequence[str]) -> str:
    r"""Overall verdict of several parts: any "inconsistent" wins, then any "inconclusive"."""
    for v in verdicts:
        if v not in VERDICTS:
            raise ValueError(f"stats.combine_verdicts: verdict {v!r} must be one of {VERDICTS}")
    if "inconsistent" in verdicts:
        return "inconsistent"
    if "inconclusive" in verdicts:
        return "inconclusive"
    return "consistent"


# ---------------------------------------------------------------------- binomial
@dataclass(frozen=True)
class BinomialDecision:
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
            f"event held on {self.k}/{self.n} seeds ({self.fraction:.0%}, {self.level:.0%} CI "
            f"[{self.ci_low:.2f}, {self.ci_high:.2f}]); test of P >= {self.p0:g}: p={self.p_value:.2g}, "
            f"alpha={self.alpha:g} -> {state}"
        )

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(self)])


def binomial_interval(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    r"""Exact (Clopper-Pearson) interval for a success probability from ``k`` of ``n``."""
    if not (isinstance(n, (int, np.integer)) and n >= 1 and isinstance(k, (int, np.integer)) and 0 <= k <= n):
        raise ValueError(f"stats.binomial_interval: k={k!r}, n={n!r} must be integers with 0 <= k <= n, n >= 1")
    ci = sps.binomtest(int(k), int(n)).proportion_ci(confidence_level=level, method="exact")
    return float(ci.low), float(ci.high)


def binomial_decision(k: int, n: int, p0: float = 0.9, alpha: float = 1e-6, level: float = 0.95) -> BinomialDecision:
    r"""Decide whether ``k`` successes in ``n`` seeds are compatible with probability >= ``p0``.

    Exact binomial test (scipy.stats.binomtest, alternative "less"); fails when the p-value is at most
    ``alpha``. False-failure rate <= ``alpha`` whenever the true probability is >= ``p0``.
    """
    if not 0 < p0 < 1:
        raise ValueError(f"stats.binomial_decision: p0={p0!r} must be in (0, 1)")
    if not 0 < alpha < 1:
        raise ValueError(f"stats.binomial_decision: alpha={alpha!r} must be in (0, 1)")
    lo, hi = binomial_interval(k, n, level)
    p = float(sps.binomtest(int(k), int(n), p0, alternative="less").pvalue)
    return BinomialDecision(int(k), int(n), float(p0), float(alpha), p, lo, hi, level, p > alpha)


def smallest_constant(measured: Sequence[float] | np.ndarray, shape: Sequence[float] | np.ndarray) -> float:
    r"""Smallest ``c`` with ``measured <= c * shape`` on every point (paper.md, section 7)."""
    ma = np.asarray(measured, float).ravel()
    sa = np.asarray(shape, float).ravel()
    if ma.shape != sa.shape or ma.size == 0:
        raise ValueError(f"stats.smallest_constant: measured has {ma.size} values and shape {sa.size}; expected the same, at least one")
    if (sa <= 0).any() or not np.isfinite(sa).all():
        raise ValueError("stats.smallest_constant: shape values must be positive and finite")
    return float(np.max(ma / sa))


def mean_verdict(values: Sequence[float] | np.ndarray, threshold: float, *, level: float = 0.99, name: str = "mean") -> Verdict:
    r"""Verdict on "the mean of ``values`` is at most ``threshold``" from a t interval of the mean.

    "consistent" when the interval lies below the threshold or straddles it (as in
    :func:`exponent_verdict`, a straddling interval does not refute the claim), "inconsistent" when it
    lies wholly above. With fewer than 2 values the interval is the single value. The false
    "inconsistent" rate is at most ``(1 - level) / 2`` when the true mean equals the threshold.
    """
    v = np.asarray(values, float).ravel()
    if v.size == 0 or not np.isfinite(v).all():
        raise ValueError(f"stats.mean_verdict: values must be a non-empty sequence of finite numbers (got {v.size} values)")
    if not 0 < level < 1:
        raise ValueError(f"stats.mean_verdict: level={level!r} must be in (0, 1)")
    mu = float(v.mean())
    if v.size > 1 and v.std(ddof=1) > 0:
        half = float(sps.t.ppf(0.5 + level / 2, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size))
    else:
        half = 0.0
    lo, hi = mu - half, mu + half
    where = f"{name} {mu:.3g} [{lo:.3g}, {hi:.3g}] ({level:.0%} t interval, {v.size} values)"
    if hi <= threshold:
        return Verdict("consistent", float(threshold), mu, lo, hi, "<=", f"{where} lies below {threshold:.3g}")
    if lo > threshold:
        return Verdict("inconsistent", float(threshold), mu, lo, hi, "<=", f"{where} lies wholly above {threshold:.3g}")
    return Verdict("consistent", float(threshold), mu, lo, hi, "<=", f"{where} straddles {threshold:.3g}")
