r"""The statistics of "m >= poly(L)" (theory.md sec. 10; docs/regime.md): how the threshold width at which
a quantity that shrinks with m falls below an accuracy grows with L.

One job: :func:`threshold_degree`, the degree k of ``m* ~ L^k`` with its interval, and the nested fit
``log m* = a + k log L + c L`` whose rate c decides, by :func:`rnntheory.stats.verdicts.growth`, whether
the widths grow polynomially in L; one result per accuracy, and whether their degrees agree. The widths
m*(L; delta) themselves are :func:`rnntheory.stats.thresholds.threshold_widths`, the collapse
``q = F(L^k / m)`` :func:`rnntheory.stats.collapse.collapse_exponent`. Mechanism is in
``rnntheory.stats._regime`` (batched, so tests/stats/test_regime.py calibrates the same computation on
thousands of simulated designs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from .. import _validation as V
from . import _regime as R
from . import verdicts
from ._lsq import InsufficientData, check_level
from .fits import Estimate, ExponentFit, GrowthFit, factor_text
from .thresholds import Rows, ThresholdWidth, ThresholdWidths

__all__ = ["ThresholdDegree", "ThresholdDegrees", "threshold_degree"]


def _enters(row: ThresholdWidth) -> bool:
    r"""Whether a length enters :func:`threshold_degree`: its m* defined (q decreases with m). Whether its
    interval is bounded does not choose the lengths (a choice by the data would bias the fit): an unbounded
    one makes the fit's intervals unbounded on its side."""
    return row.position != "undefined" and row.decay > 0 and math.isfinite(row.log_m_star)


@dataclass(frozen=True)
class ThresholdDegree:
    r"""How m*(L; delta) grows with L at one accuracy (theory.md sec. 10, "polynomial, not exponential").

    ``degree``: the power law ``log m* = a + k log L`` (``degree.exponent`` is k), least squares over the lengths;
    ``growth``: the nested fit ``log m* = a + b log L + c L`` the same way, and ``decision`` the verdict of
    :func:`rnntheory.stats.verdicts.growth` on its rate c with ``resolution``. Each coefficient's interval
    combines the lengths' Fieller intervals of ``log m*`` at ``level`` (MOVER: :func:`threshold_degree`), so it is
    skewed where they are and unbounded on a side where one of them is (``unbounded``: the lengths whose m* has no
    bounded interval at ``level``). ``chi2``/``dof``/``p_fit``: the power law's residuals weighted by the
    delta-method variances of the ``log m*``, against chi-square (a small p says the per-L intervals do not
    explain the scatter between lengths). ``needs``: how many times the networks would decide an undecided
    verdict if the estimate and its spread held (:func:`rnntheory.stats.verdicts.needed`; infinite while a
    length is unbounded). ``left_out``: lengths whose m* is undefined (q does not decrease with m);
    ``extrapolated``: lengths whose m* lies outside their fitted widths. ``local_degrees``: ``(L1, L2, k12)`` for
    neighbouring fitted lengths, the degree of m* between them, ``k12 = log(m*(L2) / m*(L1)) / log(L2 / L1)`` (a
    description of where the growth happens: a degree that rises and levels off, or one that keeps rising).
    """

    delta: float
    degree: ExponentFit
    growth: GrowthFit
    decision: verdicts.Decision
    resolution: float
    level: float
    lengths: tuple[float, ...]
    left_out: tuple[float, ...]
    extrapolated: tuple[float, ...]
    chi2: float
    dof: int
    p_fit: float
    n_networks: int
    needs: float
    local_degrees: tuple[tuple[float, float, float], ...] = ()
    unbounded: tuple[float, ...] = ()

    @property
    def k(self) -> Estimate:
        return Estimate(self.degree.slope, self.degree.ci_low, self.degree.ci_high)

    def __str__(self) -> str:
        text = (
            f"delta={self.delta:g}: m* ~ L^k, k = {self.k} ({100 * self.level:.4g}% CI, {self.degree.method} over "
            f"L = {', '.join(f'{x:g}' for x in self.lengths)}, {self.n_networks} networks); "
            f"nested rate {self.decision.label}: {self.decision.reason}"
        )
        if self.unbounded:
            text += (
                f"; m* at L = {', '.join(f'{x:g}' for x in self.unbounded)} has no bounded {100 * self.level:.4g}% "
                "interval (its decay in m is not significant at that level): more networks or widths there would "
                "bound it"
            )
        elif not self.decision.decided and math.isfinite(self.needs):
            text += f"; {factor_text(self.needs)}x the networks would decide it if the estimate and its spread held"
        if self.left_out:
            left = ", ".join(f"{x:g}" for x in self.left_out)
            text += f"; left out L = {left} (m* undefined: q does not decrease with m)"
        if self.extrapolated:
            text += f"; m* extrapolated at L = {', '.join(f'{x:g}' for x in self.extrapolated)}"
        if self.local_degrees:
            text += "; local degree of m* between neighbouring lengths " + ", ".join(
                f"{k:.3g} (L = {a:g}..{b:g})" for a, b, k in self.local_degrees
            )
        return text

    def to_frame(self) -> pd.DataFrame:
        row = {
            "delta": self.delta,
            "k": self.degree.slope,
            "k_ci_low": self.degree.ci_low,
            "k_ci_high": self.degree.ci_high,
            "k_df": self.degree.df,
            "rate": self.growth.rate.value,
            "rate_ci_low": self.growth.rate.ci_low,
            "rate_ci_high": self.growth.rate.ci_high,
            "rate_df": self.growth.df,
            "resolution": self.resolution,
            "verdict": str(self.decision.verdict),
            "label": self.decision.label,
            "level": self.level,
            "lengths": list(self.lengths),
            "left_out": list(self.left_out),
            "unbounded": list(self.unbounded),
            "extrapolated": list(self.extrapolated),
            "local_degrees": [list(x) for x in self.local_degrees],
            "chi2": self.chi2,
            "dof": self.dof,
            "p_fit": self.p_fit,
            "n_networks": self.n_networks,
            "needs": self.needs,
        }
        return pd.DataFrame([row])


@dataclass(frozen=True, repr=False)
class ThresholdDegrees(Rows):
    r"""One :class:`ThresholdDegree` per accuracy. ``agree``: the degrees' intervals share a point (a
    description: the curves come from the same networks, so their intervals are not independent)."""

    rows: tuple[ThresholdDegree, ...]

    @property
    def common(self) -> tuple[float, float]:
        r"""The intersection of the degrees' intervals, (max of lows, min of highs)."""
        return (max(r.degree.ci_low for r in self.rows), min(r.degree.ci_high for r in self.rows))

    @property
    def agree(self) -> bool:
        lo, hi = self.common
        return lo <= hi

    def __str__(self) -> str:
        lo, hi = self.common
        tail = (
            f"the degrees agree (their intervals share [{lo:.3g}, {hi:.3g}])"
            if self.agree
            else "the degrees disagree (no point lies in every interval)"
        )
        return super().__str__() + ("\n" + tail if len(self.rows) > 1 else "")


def _line_fit(o: dict, j: int, level: float, axes: str, n: int, method: str) -> ExponentFit:
    r"""The ExponentFit of coefficient j of a :func:`rnntheory.stats._regime.length_fits` result (batch row 0)."""
    b = float(o["coef"][0, j])
    r2 = 1.0 - float(o["chi2"][0]) / float(o["wtss"][0]) if o["wtss"][0] > 0 else 1.0
    return ExponentFit(
        slope=b,
        intercept=float(o["coef"][0, 0]),
        ci_low=float(o["low"][0, j]),
        ci_high=float(o["high"][0, j]),
        level=level,
        method=method,
        n_points=n,
        n_groups=n,
        r2=r2,
        rss=float(o["chi2"][0]),
        axes=axes,
        variable="L",
        df=float(o["dfe"][0, j]),
    )


def _local_degrees(rows: list[ThresholdWidth]) -> tuple[tuple[float, float, float], ...]:
    r"""``(L1, L2, log(m*(L2) / m*(L1)) / log(L2 / L1))`` for neighbouring lengths of ``rows``, in order of L."""
    rows = sorted(rows, key=lambda r: r.L)
    return tuple(
        (float(a.L), float(b.L), float((b.log_m_star - a.log_m_star) / math.log(b.L / a.L)))
        for a, b in zip(rows, rows[1:])
    )


def threshold_degree(
    thresholds: ThresholdWidths,
    *,
    level: float = 0.99,
    growth_factor: float = 2.0,
    resolution: float | None = None,
    weighted: bool = False,
) -> ThresholdDegrees:
    r"""The degree k of ``m*(L) ~ L^k`` and the verdict on "m* grows polynomially in L", per accuracy
    (theory.md sec. 10; the nested rule of theory.md sec. 7).

    Every length whose m* is defined (q decreases with m) enters; the lengths have their own networks, so
    the ``log m*`` are independent. Least squares over the lengths gives k (``log m* = a + k log L``) and the
    nested rate c (``log m* = a + b log L + c L``), each a linear combination of the ``log m*``. Its interval
    combines the lengths' Fieller intervals at ``level`` by the method of variance estimates recovery (MOVER,
    :func:`rnntheory.stats._regime.mover`): ``log m* = excess / decay`` is a ratio whose interval is skewed
    when the decay in m is imprecise, and a symmetric delta-method interval of the sum then misses on one side
    (it read "consistent" for an exponential at the zone's edge in 2.5% of simulations of a two-width length
    at 99%; MOVER keeps each error rate within 0.5%, docs/regime.md). A length whose decay is not significant
    at ``level`` has an unbounded interval, and so has every coefficient it enters: the verdict waits for that
    length to be bounded, rather than the data choosing which lengths count. Equal weights by default:
    inverse-variance weights (``weighted=True``) are estimated from the same networks as the values they
    weigh. The claim is "inconsistent" (exponential growth) only when c's interval lies wholly above the
    resolution r, by default the rate of an exponential that adds a factor ``growth_factor`` over the lengths:
    ``r = log(growth_factor) / (L_max - L_min)``. If the same networks are measured at several L (a
    weight-tied RNN run on sequences of several lengths), the ``log m*`` are positively correlated; a common
    shift cancels in k and c, so treating them as independent errs towards wider intervals.

    Args:
        thresholds: a :class:`ThresholdWidths` with at least 3 lengths whose m* is defined, for every accuracy;
            the others are left out and named.
        level: two-sided confidence level in (0, 1) (default 0.99).
        growth_factor: the factor over the range of L below which an exponential does not matter (> 1).
        resolution: r directly (overrides ``growth_factor``).
        weighted: weight the lengths by the inverse of their delta-method variances (default False: equal
            weights).

    Returns:
        :class:`ThresholdDegrees`, one :class:`ThresholdDegree` per accuracy.

    Raises:
        InsufficientData: fewer than 3 lengths with a defined m* at some accuracy.
        TypeError, ValueError: bad arguments.
    """
    fn = "stats.threshold_degree"
    if not isinstance(thresholds, ThresholdWidths):
        raise TypeError(f"{fn}: thresholds={V.show(thresholds)} must be the ThresholdWidths of stats.threshold_widths")
    level = check_level(fn, level)
    growth_factor = V.real_in(fn, "growth_factor", growth_factor, low=1.0, low_open=True)
    out = []
    for d in thresholds.deltas:
        rows = [r for r in thresholds.rows if r.delta == d]
        ok = [r for r in rows if _enters(r)]
        if len(ok) < 3:
            raise InsufficientData(
                f"{fn}: delta={d:g} has {len(ok)} lengths with a finite m*; expected at least 3 for the nested fit "
                "log m* = a + k log L + c L"
            )
        Ls = np.array([r.L for r in ok])
        span = float(Ls.max() - Ls.min())
        r_ = V.positive_real(fn, "resolution", resolution) if resolution is not None else math.log(growth_factor) / span
        y, var, df = (np.array([[getattr(r, f) for r in ok]]) for f in ("log_m_star", "se_log", "df"))
        lo, hi = np.array([r.log_interval(level) for r in ok]).T[:, None, :]  # each (1, n): one Fieller set per length
        var = var * var
        one = np.ones_like(Ls)
        power, nested, expo = (
            R.length_fits(np.column_stack(cols), y, lo, hi, var, df, level, weighted)
            for cols in ([one, np.log(Ls)], [one, np.log(Ls), Ls], [one, Ls])
        )
        n, method = len(ok), "weighted" if weighted else "equal weights"
        degree = _line_fit(power, 1, level, "log-log", n, method)
        exponential = _line_fit(expo, 1, level, "semi-log", n, method)
        b, c = (float(nested["coef"][0, j]) for j in (1, 2))
        growth = GrowthFit(
            power=Estimate(b, float(nested["low"][0, 1]), float(nested["high"][0, 1])),
            rate=Estimate(c, float(nested["low"][0, 2]), float(nested["high"][0, 2])),
            intercept=float(nested["coef"][0, 0]),
            level=level,
            method=method,
            df=float(nested["dfe"][0, 2]),
            n_points=n,
            n_groups=n,
            variable="L",
            rss=float(nested["chi2"][0]),
            power_law=degree,
            exponential=exponential,
            preferred="polynomial" if degree.rss <= exponential.rss else "exponential",
        )
        meaning = f"an exponential adding a factor {math.exp(r_ * span):.3g} over L = {Ls.min():g}..{Ls.max():g}"
        decision = verdicts.growth(growth, resolution=r_, meaning=meaning)
        units = sum(r.n_networks for r in ok)
        unbounded = tuple(float(r.L) for r, h in zip(ok, hi[0]) if not math.isfinite(h))
        needs = verdicts.needed(
            decision, units=units, df=growth.df, level=level, params=max(1, round(units - growth.df))
        )
        chi2, dof = float(power["chi2"][0]), int(power["dof"])
        out.append(
            ThresholdDegree(
                delta=d,
                degree=degree,
                growth=growth,
                decision=decision,
                resolution=r_,
                level=level,
                lengths=tuple(float(x) for x in Ls),
                left_out=tuple(r.L for r in rows if r not in ok),
                extrapolated=tuple(r.L for r in ok if r.extrapolated),
                chi2=chi2,
                dof=dof,
                p_fit=float(sps.chi2.sf(chi2, dof)),
                n_networks=units,
                needs=float(needs),
                local_degrees=_local_degrees(ok),
                unbounded=unbounded,
            )
        )
    return ThresholdDegrees(tuple(out))
