r"""The threshold width of "m >= poly(L)" (theory.md sec. 10; docs/regime.md): per length L and accuracy
delta, m*(L; delta), the smallest width at which a quantity that shrinks with m has ``E q(m, L) <= delta``.

One job: :func:`threshold_widths`, from a power law ``q = c(L) m^-a`` fitted near the threshold, with a
Fieller interval over networks (:class:`ThresholdWidth`, one per row of :class:`ThresholdWidths`). How
these widths grow with L is :func:`rnntheory.stats.regime.threshold_degree`. Mechanism is in
``rnntheory.stats._regime`` (batched, so tests/stats/test_regime.py calibrates the same computation on
thousands of simulated designs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np
import pandas as pd

from .. import _validation as V
from . import _regime as R
from ._lsq import InsufficientData, check_level, group_index
from ._regime import columns, labels_of, one_per_cell
from .fits import Interval, estimate_text

__all__ = ["ThresholdWidth", "ThresholdWidths", "threshold_widths"]


@dataclass(frozen=True)
class ThresholdWidth(Interval):
    r"""m*(L; delta) at one length and accuracy, with its ``level`` Fieller interval.

    ``estimand`` is "mean" (``E q <= delta``, the definition) or "geometric" (``exp E log q <= delta``).
    ``log_m_star`` with its Fieller interval at any level (:meth:`log_interval`, from ``excess`` =
    ``log E q(m = 1) - log delta``, ``decay`` and their variances: ``log m* = excess / decay``) feeds
    :func:`~rnntheory.stats.regime.threshold_degree`, ``se_log`` its delta-method standard error (a description:
    the interval is skewed where the decay is imprecise); ``decay`` is the fitted ``a`` of ``q ~ m^-a`` with its
    interval; ``var_log_q`` the variance of
    ``log q`` about the line that the "mean" estimand adds half of. ``position``: "inside" the fitted
    widths ``fitted_low..fitted_high``, "beyond" or "below" them (an extrapolation from that range), or
    "undefined" (q does not decrease with m: m* is infinite). ``ci_high`` is infinite when the decay is
    not significant at ``level``.
    """

    L: float
    delta: float
    m_star: float
    ci_low: float
    ci_high: float
    level: float
    estimand: str
    method: str
    df: float
    log_m_star: float
    se_log: float
    decay: float
    decay_low: float
    decay_high: float
    var_log_q: float
    n_points: int
    n_networks: int
    fitted_low: float
    fitted_high: float
    measured_low: float
    measured_high: float
    position: str
    excess: float
    var_excess: float
    cov_excess_decay: float
    var_decay: float

    @property
    def extrapolated(self) -> bool:
        return self.position in ("beyond", "below")

    def log_interval(self, level: float | None = None) -> tuple[float, float]:
        r"""The Fieller interval of ``log m*`` at ``level`` (default: the row's own), ``(-inf, inf)`` where the
        decay is not significant at that level (or m* is undefined)."""
        level = self.level if level is None else check_level("ThresholdWidth.log_interval", level)
        if self.position == "undefined" or not self.decay > 0:
            return (-math.inf, math.inf)
        tq = R.t_quantiles(level, self.df)
        lo, hi, _ = R.fieller(self.excess, self.decay, self.var_excess, self.cov_excess_decay, self.var_decay, tq)
        return (float(lo), float(hi))

    def bounded(self, level: float | None = None) -> bool:
        r"""Whether the row's m* has a bounded Fieller interval at ``level`` (default: its own): m* defined
        and the decay significant at that level."""
        return math.isfinite(self.log_interval(level)[1])

    def __str__(self) -> str:
        head = f"L={self.L:g}, delta={self.delta:g}: "
        decay = f"decay exponent {estimate_text(self.decay, self.decay_low, self.decay_high)}"
        if self.position == "undefined":
            return (
                head + f"m* undefined: q does not decrease with m ({decay}, "
                f"widths {self.fitted_low:g}..{self.fitted_high:g})"
            )
        where = {"inside": "inside", "beyond": "extrapolated beyond", "below": "extrapolated below"}[self.position]
        return (
            head + f"m* = {estimate_text(self.m_star, self.ci_low, self.ci_high)} ({100 * self.level:.4g}% Fieller CI, "
            f"{'E q' if self.estimand == 'mean' else 'geometric mean of q'}, {self.method} on {self.df:g} df, "
            f"{self.n_networks} networks), {where} the fitted widths "
            f"m = {self.fitted_low:g}..{self.fitted_high:g}; {decay}"
        )


class Rows:
    r"""A tuple of one-row results: iteration, length, indexing, ``to_frame`` (one row each) and a text
    of one line per row. The base of :class:`ThresholdWidths` and
    :class:`rnntheory.stats.regime.ThresholdDegrees` (shared by the two modules; not part of the
    documented API)."""

    rows: tuple

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i):
        return self.rows[i]

    def to_frame(self) -> pd.DataFrame:
        return pd.concat([r.to_frame() for r in self.rows], ignore_index=True)

    def __str__(self) -> str:
        return "\n".join(str(r) for r in self.rows)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.rows)} rows)\n{self}"


@dataclass(frozen=True, repr=False)
class ThresholdWidths(Rows):
    r"""m*(L; delta) for every (L, delta), one :class:`ThresholdWidth` per row, L then delta."""

    rows: tuple[ThresholdWidth, ...]

    @property
    def deltas(self) -> tuple[float, ...]:
        return tuple(dict.fromkeys(r.delta for r in self.rows))

    @property
    def lengths(self) -> tuple[float, ...]:
        return tuple(dict.fromkeys(r.L for r in self.rows))

    def select(self, delta: float) -> "ThresholdWidths":
        r"""The rows of one accuracy."""
        return ThresholdWidths(tuple(r for r in self.rows if r.delta == delta))


def _position(lo_m: float, hi_m: float, m_star: float) -> str:
    if not math.isfinite(m_star):
        return "undefined"
    return "below" if m_star < lo_m else "beyond" if m_star > hi_m else "inside"


def threshold_widths(
    L: Sequence[float] | np.ndarray,
    m: Sequence[float] | np.ndarray,
    q: Sequence[float] | np.ndarray,
    delta: float | Sequence[float],
    *,
    level: float = 0.99,
    seeds: Sequence | np.ndarray | None = None,
    end: int | None = None,
    around: Literal["largest", "threshold"] = "largest",
    estimand: Literal["mean", "geometric"] = "mean",
) -> ThresholdWidths:
    r"""m*(L; delta), the smallest width with ``E q(m, L) <= delta``, per length and accuracy
    (theory.md sec. 10, "threshold width").

    At each L the power law ``log q = log c - a log m`` is fitted to that length's networks and
    inverted at delta: ``log m* = (log c + s2 / 2 - log delta) / a``, where ``s2`` is the variance of
    ``log q`` about the line, so that ``log c + s2 / 2`` is ``log E q`` for lognormal network-to-network
    scatter (``estimand="geometric"`` leaves it out and estimates where the geometric mean of q
    reaches delta, a width smaller by ``exp(s2 / (2 a))``).

    Networks are the unit. Without ``seeds``, or with labels that never repeat at one L, every row is
    its own network: ordinary least squares, t on n - 2 df. When a network is measured at several
    widths (a label repeats at one L), one line per network, their mean, and the covariance of the G
    per-network coefficients, t on G - 1 df. The interval is Fieller's: the widths at which the fitted
    line's pointwise ``level`` interval contains ``log delta``. It is exact for the geometric estimand
    under normal errors of ``log q`` and unbounded above when the decay is not significant.

    Args:
        L, m, q: one row per network and cell: length, width, the measured positive quantity.
        delta: one accuracy or several (positive); the result has one row per (L, delta).
        level: two-sided confidence level in (0, 1) (default 0.99).
        seeds: a network label per row (rows sharing a label at one L are one network).
        end: fit only ``end`` widths per L (at least 2): the largest (``around="largest"``, the limit
            m -> infinity) or the ones whose geometric mean of q lies nearest delta (``"threshold"``).
        around: see ``end``.
        estimand: "mean" (``E q``, default) or "geometric" (``exp E log q``).

    Returns:
        :class:`ThresholdWidths` (``to_frame()``: one row per (L, delta)). Where q does not decrease
        with m the row says so (``m_star = inf``, position "undefined").

    Raises:
        InsufficientData: fewer than 2 widths at some L (after ``end``), too few points or networks for
            an interval, or a non-positive q.
        ValueError, TypeError: bad arguments, unequal lengths, a network with two rows in one cell.
    """
    fn = "stats.threshold_widths"
    level = check_level(fn, level)
    La, ma, qa = columns(fn, L, m, q)
    deltas = [V.positive_real(fn, "delta", d) for d in (np.atleast_1d(np.asarray(delta, dtype=object)).tolist())]
    if not deltas or len(set(deltas)) != len(deltas):
        raise ValueError(f"{fn}: delta={delta!r} must be one accuracy or several distinct ones")
    if end is not None:
        end = V.positive_int(fn, "end", end, minimum=2)
    if around not in ("largest", "threshold"):
        raise ValueError(f"{fn}: around={around!r} must be 'largest' or 'threshold'")
    if estimand not in ("mean", "geometric"):
        raise ValueError(f"{fn}: estimand={estimand!r} must be 'mean' or 'geometric'")
    labels = labels_of(fn, seeds, La.size)
    if labels is not None:
        one_per_cell(fn, labels, La, ma)
    rows = []
    for Lv in np.unique(La):
        at = La == Lv
        mL, lq = ma[at], np.log(qa[at])
        widths = np.unique(mL)
        if widths.size < 2:
            raise InsufficientData(
                f"{fn}: L={Lv:g} has {widths.size} width; expected at least 2 to fit a power law in m"
            )
        for d in deltas:
            use = widths
            if end is not None and end < widths.size:
                if around == "largest":
                    use = widths[-end:]
                else:
                    gm = np.array([lq[mL == w].mean() for w in widths])
                    use = np.sort(widths[np.argsort(np.abs(gm - math.log(d)), kind="stable")[:end]])
            sel = np.isin(mL, use)
            inv = None
            if labels is not None and pd.Series(labels[at][sel]).duplicated().any():
                inv = group_index(fn, labels[at][sel], 2, mL[sel], "m")[1]
            elif sel.sum() < 3:
                raise InsufficientData(
                    f"{fn}: L={Lv:g} has {int(sel.sum())} points; expected at least 3 for an interval (t on n - 2 df)"
                )
            design = R.LineDesign(np.log(mL[sel]), inv)
            o = {
                k: np.asarray(v).ravel()[0]
                for k, v in R.thresholds(
                    design, lq[sel][None], np.array([math.log(d)]), level, estimand == "mean"
                ).items()
            }
            with np.errstate(over="ignore"):  # a decay barely above 0 puts m* beyond any float: infinite
                m_star, lo_m, hi_m = (float(np.exp(o[k])) for k in ("theta", "lo", "hi"))
            rows.append(
                ThresholdWidth(
                    L=float(Lv),
                    delta=d,
                    m_star=m_star,
                    ci_low=lo_m,
                    ci_high=hi_m,
                    level=level,
                    estimand=estimand,
                    method="groups" if design.groups else "regression",
                    df=float(o["df"]),
                    log_m_star=float(o["theta"]),
                    se_log=float(o["se"]),
                    decay=float(o["a"]),
                    decay_low=float(o["a_lo"]),
                    decay_high=float(o["a_hi"]),
                    var_log_q=float(o["s2"]),
                    n_points=int(sel.sum()),
                    n_networks=design.G if design.groups else int(sel.sum()),
                    fitted_low=float(use[0]),
                    fitted_high=float(use[-1]),
                    measured_low=float(widths[0]),
                    measured_high=float(widths[-1]),
                    position=_position(use[0], use[-1], m_star),
                    excess=float(o["u"]),
                    var_excess=float(o["vuu"]),
                    cov_excess_decay=float(o["vua"]),
                    var_decay=float(o["vaa"]),
                )
            )
    return ThresholdWidths(tuple(rows))
