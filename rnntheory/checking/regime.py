r"""The findings on the regime m >= poly(L) (theory.md sec. 10, docs/regime.md). One job: judging, for a
quantity that should be small in the regime, the threshold widths m*(L; delta) at which it falls to each
accuracy delta, whether they grow polynomially, not exponentially, in L (their degree), and describing the
collapse of the quantity onto L^k / m.

Public, for the paper's claims and claims defined anywhere else; a claim declares them with the spec
:class:`rnntheory.checking.specs.Regime`. The fits are :mod:`rnntheory.stats` (``threshold_widths``,
``threshold_degree``, ``collapse_exponent``) and the verdicts :mod:`rnntheory.stats.verdicts`; the general
finding builders this module builds on are :mod:`rnntheory.checking.findings`.
"""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace
from typing import Sequence

import pandas as pd

from .. import stats as S
from ..stats import verdicts as VD
from .findings import EXPONENTIAL_FACTOR, cannot_finding
from .results import ANALYSIS_ERRORS, LEVEL, Finding, Series, described

__all__ = ["regime_findings", "COLLAPSE_RESOLUTION", "RegimeFit"]

COLLAPSE_RESOLUTION = math.log(1.2)
"""The lack of collapse that matters: an RMS deviation of log q of log 1.2 (q off the collapsed power law by 20%,
the scatter of one network's q at these widths)."""


@dataclasses.dataclass(frozen=True)
class RegimeFit:
    r"""What a regime finding rests on: the degree of m*(L; delta) in L (:class:`rnntheory.stats.ThresholdDegree`),
    the threshold widths per length (:class:`rnntheory.stats.ThresholdWidths`) and the measured points
    ``(L, m, q)`` they were fitted on (for the report's (L, m) plane)."""

    degree: S.ThresholdDegree
    thresholds: S.ThresholdWidths
    points: tuple[tuple[float, float, float], ...]
    quantity: str

    def __str__(self) -> str:
        return str(self.degree)


def _thresholds_text(tw: S.ThresholdWidths) -> str:
    def one(r: S.ThresholdWidth) -> str:
        if r.position == "undefined":
            return f"L={r.L:g}: undefined (no decay in m over {r.fitted_low:g}..{r.fitted_high:g})"
        where = (
            ""
            if r.position == "inside"
            else (
                f", extrapolated {'beyond' if r.position == 'beyond' else 'below'} "
                f"m = {r.fitted_low:g}..{r.fitted_high:g}"
            )
        )
        return f"L={r.L:g}: {S.estimate_text(r.m_star, r.ci_low, r.ci_high)}{where}"

    return "m*(L) " + "; ".join(one(r) for r in tw)


def regime_findings(
    what: str,
    df: pd.DataFrame,
    y: str,
    deltas: Sequence[float],
    *,
    key: str = "regime",
    x: str = "m",
    by: str = "L",
    seeds: str | None = "seed",
    growth_factor: float = 2.0,
    level: float = LEVEL,
    reference: float = 1.0,
) -> list[Finding]:
    r"""The premise "m >= poly(L)" for a quantity ``y`` that should be small in the regime (theory.md sec. 10),
    from a joint design over ``by`` (L) and ``x`` (m), the network (``seeds``) the unit:

    * per accuracy delta, the judged finding ``{key}_degree[delta=...]``: the threshold width m*(L; delta), the
      smallest width with E y <= delta (:func:`rnntheory.stats.threshold_widths`: a power law in m per L
      inverted at delta, with Fieller intervals), grows polynomially, not exponentially, in L (the nested
      fit of :func:`rnntheory.stats.threshold_degree`, judged with the resolution of an exponential adding
      ``growth_factor`` over the lengths); the degree k of m* ~ L^k with its interval, and every m*(L) with
      its interval, inside the measured widths or extrapolated from them, in its detail. Its own interval
      says whether it would reject an injected exponential m*(L) (the exponential control);
    * the described finding ``{key}_collapse``: y depends on (m, L) only through L^k / m
      (:func:`rnntheory.stats.collapse_exponent`), k with its interval beside ``reference`` (1, the deep
      fully connected ReLU network's: a reference, not a claim about the RNN)."""
    fn = f"regime_findings({key!r})"
    deltas = tuple(float(VD.checked(fn, "delta", d, positive=True)) for d in deltas)
    part = df[[by, x, y] + ([seeds] if seeds else [])].dropna()
    if part.empty:
        return [
            cannot_finding(
                f"{what}: threshold widths m*(L; delta)", f"no rows with {by}, {x} and {y}", key=f"{key}_degree"
            )
        ]
    Ls, ms, qs = (part[c].to_numpy(float) for c in (by, x, y))
    labels = None if seeds is None else part[seeds].to_numpy()
    points = tuple(zip(Ls.tolist(), ms.tolist(), qs.tolist()))
    out: list[Finding] = []
    try:
        tw = S.threshold_widths(Ls, ms, qs, deltas, level=level, seeds=labels)
    except ANALYSIS_ERRORS as exc:
        return [cannot_finding(f"{what}: threshold widths m*(L; delta)", str(exc), key=f"{key}_degree")]
    for d in deltas:
        name = (
            f"{what}: the width m*(L) at which E {y} <= {d:g} grows polynomially, not exponentially, in L "
            "(the premise m >= poly(L))"
        )
        k = f"{key}_degree[delta={d:g}]"
        one = tw.select(d)
        try:
            deg = S.threshold_degree(one, level=level, growth_factor=growth_factor)[0]
        except S.InsufficientData as exc:
            if len({r.L for r in one}) < 3:  # too few lengths measured: the design cannot fit a growth in L
                out.append(cannot_finding(name, f"{exc}; {_thresholds_text(one)}", key=k))
                continue
            # thresholds were estimated, but too few lie inside the widths measured (or are bounded) to fit their
            # growth in L: the design's widths, not its number of networks, would decide it
            d = VD.Decision(
                VD.Verdict.INCONCLUSIVE,
                rule="threshold widths",  # no growth fit: too few bounded thresholds
                claimed="m*(L; delta) grows polynomially, not exponentially, in L",
                estimate=math.nan,
                ci_low=math.nan,
                ci_high=math.nan,
                resolution=math.nan,
                reason=f"{exc}: widths around the thresholds would decide it",
            )
            out.append(Finding(name, d, f"{d.reason}; {_thresholds_text(one)}", key=k, needs=math.nan))
            continue
        except ANALYSIS_ERRORS as exc:
            out.append(cannot_finding(name, f"{exc}; {_thresholds_text(one)}", key=k))
            continue
        span = max(deg.lengths) - min(deg.lengths)
        shift = math.log(EXPONENTIAL_FACTOR) / span
        c = deg.growth.rate
        moved = VD.growth(
            dataclasses.replace(deg.growth, rate=S.Estimate(c.value + shift, c.ci_low + shift, c.ci_high + shift)),
            resolution=deg.resolution,
        )
        units = deg.n_networks
        caught = (
            1.0
            if moved.verdict is VD.Verdict.INCONSISTENT
            else math.nan
            if moved.verdict is VD.Verdict.CONSISTENT
            else VD.needed(
                moved, units=units, df=deg.growth.df, level=level, params=max(1, round(units - deg.growth.df))
            )
        )
        rows = [r for r in one if r.position != "undefined" and math.isfinite(r.ci_high)]
        ser = Series(
            by,
            "m_star",
            tuple(r.L for r in rows),
            tuple(r.m_star for r in rows),
            None,
            "upper",
            f"delta = {d:g}",
            f"threshold width m* of {y}",
        )
        out.append(
            Finding(
                name,
                deg.decision,
                f"{deg}; {_thresholds_text(one)}",
                RegimeFit(deg, one, points, y),
                None,
                ser,
                key=k,
                # while a length's threshold is unbounded, its networks or widths decide first (the text names it)
                needs=math.nan if deg.unbounded and not deg.decision.decided else deg.needs,
                catches={"exponential": caught},
            )
        )
    try:
        cf = S.collapse_exponent(Ls, ms, qs, level=level, seeds=labels, reference=reference)
    except ANALYSIS_ERRORS as exc:
        d = VD.cannot_analyse(str(exc))
        out.append(
            described(
                Finding(f"{what} collapses onto L^k / m", d, d.reason, key=f"{key}_collapse", needs=math.nan),
                "a measured scaling, not a claim of the paper",
            )
        )
        return out
    # judged by the size of the lack of collapse (the RMS deviation in log q of one line in m per length from the
    # collapsed power law) against COLLAPSE_RESOLUTION, with the indifference zone of every verdict: a test alone
    # would reject any small deviation once the design is large enough
    lack, res = cf.lack, COLLAPSE_RESOLUTION
    claimed = f"{y} depends on (m, L) only through L^k / m, to within a factor {math.exp(res):.3g}"
    test = f"({cf.lack_test}, p = {cf.lack_p:.3g})"
    if lack is None:
        d = dataclasses.replace(
            VD.cannot_analyse(f"no lack-of-fit degrees of freedom (one width per length) {test}"),
            rule="collapse",
            claimed=claimed,
        )
    else:  # the one three-way rule: no lack claimed, the indifference zone of width res above it
        size = SimpleNamespace(
            mean=lack.value, ci_low=lack.ci_low, ci_high=lack.ci_high, name=f"RMS deviation in log {y}"
        )
        d = VD.mean(size, 0.0, resolution=res)
        d = dataclasses.replace(d, rule="collapse", claimed=claimed, reason=f"{d.reason} {test}")
    out.append(
        described(
            Finding(
                f"{what} collapses onto L^k / m: k = {cf.k} (the deep fully connected ReLU network's k = "
                f"{reference:g} is a reference)",
                d,
                str(cf),
                cf,
                key=f"{key}_collapse",
                needs=math.nan,
            ),
            "a measured scaling, not a claim of the paper",
        )
    )
    return out
