r"""The collapse of a quantity onto one scaling variable (theory.md sec. 10, "collapse"): does q depend on
(m, L) only through ``L^k / m``, and with which k?

* :func:`collapse_exponent`: the joint power law ``log q = b0 + bL log L + bm log m``, so that
  ``q = e^b0 (L^k / m)^b`` with ``b = -bm`` and ``k = bL / b``; k with its Fieller interval, a test
  of the collapse against a free model (one line in m per length), and the **size** of the lack of collapse:
  the root mean square deviation, in log q, of the free model's curves from the collapsed one, with an
  interval from the noncentral F distribution (a test alone rejects any small deviation once the design is
  large enough; the size is what the indifference zone judges).

Reference: for deep fully connected ReLU networks, Hanin and Nica (ICLR 2020) showed that the NTK's
normalised second moment behaves like ``exp(5 L / m)``, a function of ``L / m``: k = 1. The RNN ties W
across positions, so its k is a measurement; :class:`CollapseFit` prints the reference beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import optimize
from scipy import stats as sps

from .. import _validation as V
from . import _regime as R
from ._lsq import InsufficientData, check_level, group_index
from ._regime import columns, labels_of, one_per_cell
from .fits import Estimate

__all__ = ["CollapseFit", "collapse_exponent", "lack_size"]

REFERENCE = "deep fully connected ReLU network, NTK second moment ~ exp(5 L / m) (Hanin & Nica, ICLR 2020)"


@dataclass(frozen=True)
class CollapseFit:
    r"""``q = e^intercept (L^k / m)^exponent``: k and the exponent with ``level`` intervals, and the test of
    the collapse.

    ``k``'s interval is Fieller's for ``bL / -bm`` (unbounded when the decay in m is not significant).
    ``method``: "regression" (every row its own network: t on n - 3 df) or "groups" (networks measured at
    several L: bL from the mean of per-network slopes, t on G - 1 df; bm from the networks' centred
    intercepts regressed on log m, t on G - 2 df; k's interval on G - 2 df). ``lack_p`` is the p-value of
    the test named in ``lack_test``; a small value says q is not a power law in ``L^k / m``.
    ``reference`` is the k of :data:`REFERENCE`, not a claim about the RNN.
    """

    k: Estimate
    exponent: Estimate
    power_L: Estimate
    power_m: Estimate
    intercept: float
    level: float
    method: str
    df: float
    n_points: int
    n_networks: int
    lack_test: str
    lack_p: float
    reference: float = 1.0
    lack: Estimate | None = None
    """The RMS deviation in log q of the free model from the collapse, with its interval (None where the
    design has no lack-of-fit degrees of freedom)."""

    @property
    def covers_reference(self) -> bool:
        return self.k.ci_low <= self.reference <= self.k.ci_high

    def __str__(self) -> str:
        return (
            f"q ~ (L^k / m)^b: k = {self.k}, b = {self.exponent} ({100 * self.level:.4g}% CI, {self.method} on "
            f"{self.df:g} df, {self.n_points} points, {self.n_networks} networks); lack of collapse: "
            f"{self.lack_test}, p = {self.lack_p:.3g}"
            + (f", RMS deviation in log q {self.lack}" if self.lack is not None else "")
            + f"; reference k = {self.reference:g} for a {REFERENCE} "
            f"({'inside' if self.covers_reference else 'outside'} k's interval; not a claim about the RNN)"
        )

    def to_frame(self) -> pd.DataFrame:
        row = {}
        for name in ("k", "exponent", "power_L", "power_m"):
            e = getattr(self, name)
            row.update({name: e.value, f"{name}_ci_low": e.ci_low, f"{name}_ci_high": e.ci_high})
        row.update(
            intercept=self.intercept,
            level=self.level,
            method=self.method,
            df=self.df,
            n_points=self.n_points,
            n_networks=self.n_networks,
            lack_test=self.lack_test,
            lack_p=self.lack_p,
            lack=math.nan if self.lack is None else self.lack.value,
            lack_ci_low=math.nan if self.lack is None else self.lack.ci_low,
            lack_ci_high=math.nan if self.lack is None else self.lack.ci_high,
            reference=self.reference,
            covers_reference=self.covers_reference,
        )
        return pd.DataFrame([row])


def _estimate(value: float, half: float) -> Estimate:
    return Estimate(float(value), float(value - half), float(value + half))


def _f_test(rss0: float, df0: float, rss1: float, df1: float) -> tuple[float, float]:
    r"""F statistic and p-value of a model with ``rss1`` on ``df1`` residual df nested over ``rss0`` on ``df0``."""
    if df1 <= 0 or df0 <= df1:
        return math.nan, math.nan
    F = ((rss0 - rss1) / (df0 - df1)) / (rss1 / df1) if rss1 > 0 else math.inf
    return float(F), float(sps.f.sf(F, df0 - df1, df1))


def lack_size(F: float, d1: float, d2: float, n: int, sigma2: float, level: float) -> Estimate | None:
    r"""The RMS deviation (in the units of the fitted values) of a free model from a nested one, from the F
    statistic of their comparison: F on (d1, d2) df follows a noncentral F with noncentrality
    ``ncp = n delta^2 / sigma^2`` (delta the RMS over the n points of the free model's mean minus its
    projection on the nested model); ncp's interval inverts the noncentral F's distribution at F (exact under
    normal errors, sigma^2 taken as known from the free model's residuals), and ``delta = sigma sqrt(ncp / n)``."""
    if not (math.isfinite(F) and d1 > 0 and d2 > 0 and n > 0 and sigma2 > 0):
        return None
    alpha = 1 - level
    sf = lambda ncp: float(sps.ncf.sf(F, d1, d2, ncp)) if ncp > 0 else float(sps.f.sf(F, d1, d2))  # noqa: E731

    def root(target: float) -> float:
        if sf(0.0) >= target:
            return 0.0
        hi = max(1.0, 2 * d1 * F)
        while sf(hi) < target:
            hi *= 2
        return float(optimize.brentq(lambda c: sf(c) - target, 0.0, hi, xtol=1e-10, rtol=1e-10))

    lo, up = root(alpha / 2), root(1 - alpha / 2)
    est = max(0.0, d1 * (F * (d2 - 2) / d2 - 1)) if d2 > 2 else max(0.0, d1 * (F - 1))
    to_delta = lambda c: math.sqrt(c * sigma2 / n)  # noqa: E731
    return Estimate(to_delta(est), to_delta(lo), to_delta(up))


def collapse_exponent(
    L: Sequence[float] | np.ndarray,
    m: Sequence[float] | np.ndarray,
    q: Sequence[float] | np.ndarray,
    *,
    level: float = 0.99,
    seeds: Sequence | np.ndarray | None = None,
    reference: float = 1.0,
) -> CollapseFit:
    r"""Test that q depends on (m, L) only through ``L^k / m`` and estimate k (theory.md sec. 10).

    Fits ``log q = b0 + bL log L + bm log m`` jointly; then ``q = e^b0 (L^k / m)^b`` with ``b = -bm`` and
    ``k = bL / b``. k's interval is Fieller's (the k for which ``bL - k b`` is not significantly nonzero),
    exact under normal errors of ``log q``. The power law in ``L^k / m`` is judged against a free model:

    * every row its own network ("regression"): one line in log m per length (``log q = c_L + d_L log m``),
      an F test on (2 n_L - 3, n - 2 n_L) df: it rejects when the decay in m depends on L or the
      lines' heights are not linear in log L;
    * a network measured at several L (``seeds`` repeat, one width per network; "groups"): per network a
      line in log L; the test is the smaller, Bonferroni-corrected, p of two F tests: do the slopes in L
      differ between widths (one-way, on (J - 1, G - J) df), and are the networks' centred heights not
      linear in log m (lack of fit against one mean per width, on (J - 2, G - J) df; J widths).

    Args:
        L, m, q: one row per network and cell; q positive.
        level: two-sided confidence level in (0, 1) (default 0.99).
        seeds: a network label per row; rows sharing a label are one network at several lengths (a
            network has one width).
        reference: the k printed beside the fit (default 1, the deep fully connected ReLU network's).

    Returns:
        :class:`CollapseFit`.

    Raises:
        InsufficientData: fewer than 2 lengths or 2 widths, too few points or networks, non-positive q.
        ValueError, TypeError: bad arguments, a network at two widths or with two rows in one cell.
    """
    fn = "stats.collapse_exponent"
    level = check_level(fn, level)
    reference = V.real_in(fn, "reference", reference)
    La, ma, qa = columns(fn, L, m, q)
    labels = labels_of(fn, seeds, La.size)
    if np.unique(La).size < 2 or np.unique(ma).size < 2:
        raise InsufficientData(
            f"{fn}: {np.unique(La).size} length(s) and {np.unique(ma).size} width(s); expected at "
            "least 2 of each to separate the powers of L and m"
        )
    tL, tm, v = np.log(La), np.log(ma), np.log(qa)
    if labels is not None and pd.Series(labels).duplicated().any():
        one_per_cell(fn, labels, La, ma)
        return _groups(fn, labels, tL, tm, v, level, reference)
    n = v.size
    X = np.column_stack([np.ones(n), tL, tm])
    if n < 5:
        raise InsufficientData(f"{fn}: {n} points; expected at least 5 (3 coefficients and an interval)")
    if np.linalg.matrix_rank(X) < 3:
        raise InsufficientData(
            f"{fn}: log L and log m are collinear on these points (a single ray such as m = L^2); "
            "expected a design that varies m at fixed L to separate their powers"
        )
    beta = np.linalg.lstsq(X, v, rcond=None)[0]
    df = n - 3
    rss_c = float(((v - X @ beta) ** 2).sum())
    cov = rss_c / df * np.linalg.inv(X.T @ X)
    # free model: a line in log m per length (lengths with a single width contribute their mean only)
    rss_f, p_f = 0.0, 0
    for Lv in np.unique(La):
        at = La == Lv
        p = 2 if np.unique(ma[at]).size > 1 else 1
        Xl = np.column_stack([np.ones(at.sum()), tm[at]])[:, :p]
        rss_f += float(((v[at] - Xl @ np.linalg.lstsq(Xl, v[at], rcond=None)[0]) ** 2).sum())
        p_f += p
    F, p = _f_test(rss_c, df, rss_f, n - p_f)
    test = f"F = {F:.3g} on ({p_f - 3}, {n - p_f}) df against one line in m per length"
    lack = lack_size(F, p_f - 3, n - p_f, n, rss_f / (n - p_f), level) if n > p_f else None
    return _result(
        beta[1],
        beta[2],
        cov[1, 1],
        cov[1, 2],
        cov[2, 2],
        beta[0],
        df,
        df,
        level,
        "regression",
        n,
        n,
        test,
        p,
        reference,
        lack,
    )


def _groups(
    fn: str, labels: np.ndarray, tL: np.ndarray, tm: np.ndarray, v: np.ndarray, level: float, reference: float
) -> CollapseFit:
    r"""The two-stage fit for networks measured at several lengths (see :func:`collapse_exponent`)."""
    names, inv = np.unique(labels, return_inverse=True)
    inv = inv.ravel()
    G = names.size
    width = np.zeros(G)
    for g in range(G):
        ws = np.unique(tm[inv == g])
        if ws.size > 1:
            raise ValueError(
                f"{fn}: network {names[g]!r} has rows at {ws.size} widths; expected one width per network "
                "(label networks by (m, seed) if each width has its own)"
            )
        width[g] = ws[0]
    J = np.unique(width).size
    if G < 4 or J < 2:
        raise InsufficientData(
            f"{fn}: {G} networks at {J} width(s); expected at least 4 networks and 2 widths for "
            "the 'groups' method (t on G - 2 df)"
        )
    group_index(fn, labels, 2, tL, "L")  # every network at 2 distinct lengths
    design = R.LineDesign(tL - tL.mean(), inv)
    coef = design.fit(v[None])["coef"][0]  # (G, 2): centred height, slope in log L
    slope, height = coef[:, 1], coef[:, 0]
    bL, vL = slope.mean(), slope.var(ddof=1) / G
    Xm = np.column_stack([np.ones(G), width])
    gm = np.linalg.lstsq(Xm, height, rcond=None)[0]
    rss_lin = float(((height - Xm @ gm) ** 2).sum())
    vm = rss_lin / (G - 2) * np.linalg.inv(Xm.T @ Xm)[1, 1]
    # lack of collapse: slopes in L by width (one-way), heights against one mean per width
    cells = [width == w for w in np.unique(width)]
    rss_slope = float(sum(((slope[c] - slope[c].mean()) ** 2).sum() for c in cells))
    rss_cell = float(sum(((height[c] - height[c].mean()) ** 2).sum() for c in cells))
    tests = [
        _f_test(float(((slope - bL) ** 2).sum()), G - 1, rss_slope, G - J),
        _f_test(rss_lin, G - 2, rss_cell, G - J),
    ]
    ps = [p for _, p in tests if not math.isnan(p)]
    p = min(1.0, len(ps) * min(ps)) if ps else math.nan
    test = (
        f"slopes in L by width F = {tests[0][0]:.3g} on ({J - 1}, {G - J}) df, heights against linear in log m "
        f"F = {tests[1][0]:.3g} on ({J - 2}, {G - J}) df, Bonferroni"
    )
    b0 = float(gm[0] - bL * tL.mean())
    # the size of the lack of collapse from the heights (log q at the networks' mean log L) against one mean
    # per width: the slopes' test is in other units (log q per log L) and only enters the p-value
    lack = lack_size(tests[1][0], J - 2, G - J, G, rss_cell / (G - J), level) if G > J and J > 2 else None
    return _result(bL, gm[1], vL, 0.0, vm, b0, G - 1, G - 2, level, "groups", v.size, G, test, p, reference, lack)


def _result(
    bL: float,
    bm: float,
    vLL: float,
    vLm: float,
    vmm: float,
    b0: float,
    dfL: float,
    df: float,
    level: float,
    method: str,
    n: int,
    G: int,
    test: str,
    p: float,
    reference: float,
    lack: Estimate | None = None,
) -> CollapseFit:
    r"""k = bL / -bm with Fieller's interval on ``df``; the powers' intervals on ``dfL`` (bL) and ``df``."""
    tq, tL = float(R.t_quantiles(level, df)), float(R.t_quantiles(level, dfL))
    a = -bm
    lo, hi, bounded = R.fieller(np.array(bL), np.array(a), np.array(vLL), np.array(-vLm), np.array(vmm), tq)
    k = float(bL / a) if a != 0 else math.nan
    half_m = tq * math.sqrt(vmm)
    return CollapseFit(
        k=Estimate(k, float(lo), float(hi)),
        exponent=_estimate(a, half_m),
        power_L=_estimate(bL, tL * math.sqrt(vLL)),
        power_m=_estimate(bm, half_m),
        intercept=float(b0),
        level=level,
        method=method,
        df=float(df),
        n_points=int(n),
        n_networks=int(G),
        lack_test=test,
        lack_p=float(p),
        reference=float(reference),
        lack=lack,
    )
