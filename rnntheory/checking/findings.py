r"""The finding builders and negative controls every claim uses. One job: turning selected rows into
judged :class:`~rnntheory.checking.Finding` objects, and naming the errors a claim must catch.

Public, for the paper's claims (rnntheory.claims) and claims defined anywhere else (docs/new_claim.md walks through
one). A claim's ``analyse`` selects rows and calls these builders; each fits with :mod:`rnntheory.stats` and
decides with one rule of :mod:`rnntheory.stats.verdicts`, so no claim writes a verdict itself.

>>> import pandas as pd
>>> from rnntheory.checking import findings as F
>>> df = pd.DataFrame({"m": [64, 128, 256, 512] * 2, "y": [1.0, 1.01, 0.99, 1.0, 1.02, 1.0, 1.01, 0.99],
...                    "seed": [0] * 4 + [1] * 4})
>>> F.exponent_finding("y stays flat in m", df, "m", "y", 0.0, key="m_exponent", resolution=0.1, groups=None).label
'consistent (at resolution 0.1)'

Every builder takes a ``key``: the finding's stable identity within its claim (it never carries a
measured number or a judging value, so it is the same across data, seeds and re-judging); controls,
``rnntheory compare``, results.json and the tests match findings by key, never by display text.

Intervals are at the confidence ``level`` each builder is given: an ``analyse`` function passes
``level=judging.level`` (:class:`~rnntheory.checking.Judging`: 99% in a single look; a budgeted run
lowers each look's miss rate, see :mod:`rnntheory.checking.budget`); the default, 99%, is for calls by
hand. Grouped fits (``groups="seed"``, the default wherever several points come from one network) fit a
line per seed and use a t interval on G - 1 degrees of freedom; fits of independent points
(``groups=None``) use the regression t interval (docs/conventions.md).

Every interval finding has a resolution r > 0 (the smallest deviation that matters, with what it
means over the measured range), states how many times its networks would decide it when it is
undecided (:attr:`Finding.needs`), and whether its own interval would catch the errors the negative
controls stand for (:data:`TOO_STRONG`, :data:`EXPONENTIAL_FACTOR`).
"""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .. import stats as S
from ..stats import verdicts as VD
from .results import ANALYSIS_ERRORS, LEVEL, Control, Finding, Series

__all__ = [
    "exponent_finding",
    "growth_finding",
    "mean_finding",
    "event_finding",
    "every_case_finding",
    "regime_findings",
    "COLLAPSE_RESOLUTION",
    "RegimeFit",
    "described",
    "ONE_WIDTH",
    "cannot_finding",
    "split_diverged",
    "series",
    "too_strong",
    "wrong_m",
    "exponential",
    "cannot_detect",
    "TOO_STRONG",
    "EXPONENTIAL_FACTOR",
]

TOO_STRONG = 0.5
"""The exponent error a finding must be able to see: a claimed exponent made this much too strong."""

EXPONENTIAL_FACTOR = 8.0
"""The growth error a growth finding must be able to see: an exponential adding this factor over its range."""


def _groups(df: pd.DataFrame, groups: str | None) -> np.ndarray | None:
    return None if groups is None else df[groups].to_numpy()


def _units(fit: Any) -> tuple[int, float, int]:
    r"""The independent units behind an interval (networks, or points of a regression), its t degrees
    of freedom and the coefficients a regression spends (a mean's interval, a line or a nested fit)."""
    if isinstance(fit, S.MeanInterval):
        return fit.n, float(fit.n - 1), 1
    if fit.method == "groups":
        return int(fit.n_groups), float(fit.df), 1
    return int(fit.n_points), float(fit.df), int(fit.n_points - fit.df)


def _needs(d: VD.Decision, fit: Any) -> float:
    units, df, params = _units(fit)
    return VD.needed(d, units=units, df=df, level=fit.level, params=params)


def _end(df: pd.DataFrame, x: str, end: int | None, shrinking: bool) -> tuple[pd.DataFrame, str]:
    r"""The rows at the ``end`` values of ``x`` at the limiting end of the range (smallest for a
    shrinking parameter, largest for a growing one), and a phrase that says so."""
    if end is None:
        return df, ""
    vals = np.sort(df[x].unique())
    if vals.size <= end:
        return df, f"local slope over all {vals.size} values of {x}"
    keep = vals[:end] if shrinking else vals[-end:]
    return (
        df[df[x].isin(keep)],
        f"local slope at the limiting end: the {end} {'smallest' if shrinking else 'largest'} of {vals.size} "
        f"values of {x} ({keep.min():.4g} to {keep.max():.4g})",
    )


def series(
    df: pd.DataFrame,
    x: str,
    y: str,
    shape: np.ndarray | None = None,
    *,
    bound: str = "upper",
    label: str = "",
    panel: str = "",
    constant: float | None = None,
    reference: str | None = None,
    reference_label: str = "limit",
) -> Series:
    r"""The :class:`Series` of ``y`` against ``x`` in ``df`` with the bound ``c * shape`` (``c``: the
    given ``constant``, else the smallest constant for an upper bound, the largest for a lower one) and
    the exact values of the column ``reference`` (optional), drawn as a line."""
    xs = df[x].to_numpy(dtype=float)
    ys = df[y].to_numpy(dtype=float)
    line = None
    if shape is not None:
        sh = np.asarray(shape, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            c = constant if constant is not None else (np.max(ys / sh) if bound == "upper" else np.min(ys / sh))
        line = tuple(float(v) for v in c * sh)
    ref = None if reference is None else tuple(df[reference].to_numpy(dtype=float).tolist())
    return Series(x, y, tuple(xs.tolist()), tuple(ys.tolist()), line, bound, label, panel, ref, reference_label)


def exponent_finding(
    name: str,
    df: pd.DataFrame,
    x: str,
    y: str,
    claimed: float,
    *,
    key: str,
    resolution: float,
    bound: str = "upper",
    parameter: str = "growing",
    end: int | None = None,
    shape: np.ndarray | None = None,
    groups: str | None = "seed",
    label: str = "",
    panel: str = "",
    extra: Sequence[Series] = (),
    level: float = LEVEL,
) -> Finding:
    r"""Fit the exponent of ``y`` in ``x`` (per-seed t interval over ``groups``; regression interval
    when ``groups`` is None), judge it against ``claimed`` with resolution r
    (:func:`rnntheory.stats.verdicts.exponent`) and report the smallest constant for ``y <= c * shape``
    (default shape ``x**claimed``). The points and the bound go into the finding's :class:`Series`;
    ``extra`` series are drawn beside it, unjudged.

    ``end``: for a claim about a limit (omega -> 0, m -> infinity), fit only the ``end`` values of
    ``x`` at the limiting end of the range (the local slope there), so that curvature of a finite range
    is not judged as the limit's exponent.

    The finding also says whether its own interval would reject a claimed exponent
    :data:`TOO_STRONG` stronger (the too-strong control, per finding)."""
    fn = f"exponent_finding({key!r})"
    r = VD.checked(fn, "resolution", resolution, positive=True)
    if len(df) == 0:
        return cannot_finding(name, f"{name}: no rows to fit", key=key)
    shrinking = parameter == "shrinking"
    part, where = _end(df, x, end, shrinking)
    try:
        fit = S.fit_exponent(
            part[x].to_numpy(float), part[y].to_numpy(float), groups=_groups(part, groups), level=level, variable=x
        )
    except ANALYSIS_ERRORS as exc:  # data that cannot support this finding; anything else propagates
        return cannot_finding(name, str(exc), key=key)
    xs = part[x].to_numpy(float)
    meaning = (
        f"an exponent error of {r:.3g} is a factor {(xs.max() / xs.min()) ** r:.3g} "
        f"over {x} = {xs.min():.4g}..{xs.max():.4g}"
    )
    d = VD.exponent(fit, claimed, bound=bound, parameter=parameter, resolution=r, meaning=meaning)
    # the too-strong control on this finding alone: the same interval against a claim TOO_STRONG stronger
    strong = claimed - TOO_STRONG if d.below else claimed + TOO_STRONG
    alt = VD.exponent(fit, strong, bound=bound, parameter=parameter, resolution=r)
    # 1: rejected now; a factor: networks that would reject it; NaN: even that claim holds (the measured
    # exponent lies more than TOO_STRONG inside the claimed one, which an upper bound cannot see)
    caught = (
        1.0
        if alt.verdict is VD.Verdict.INCONSISTENT
        else math.nan
        if alt.verdict is VD.Verdict.CONSISTENT
        else _needs(alt, fit)
    )
    if shape is None:
        shape = df[x].to_numpy(dtype=float) ** claimed
    const = S.smallest_constant(df[y].to_numpy(float), shape) if bound == "upper" else None
    detail = f"{fit}; {d.reason}" + (f"; {where}" if where else "")
    return Finding(
        name,
        d,
        detail,
        fit,
        const,
        series(df, x, y, shape, bound=bound, label=label, panel=panel),
        tuple(extra),
        key=key,
        needs=_needs(d, fit),
        catches={"too_strong": caught},
    )


def growth_finding(
    name: str,
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    key: str,
    factor: float,
    groups: str | None = "seed",
    shape: np.ndarray | None = None,
    label: str = "",
    panel: str = "",
    level: float = LEVEL,
) -> Finding:
    r"""Polynomial versus exponential growth of ``y`` in ``x``: the nested fit
    ``log y = a + b log x + c x`` (:func:`rnntheory.stats.fit_growth`) judged by
    :func:`rnntheory.stats.verdicts.growth`. The pure power-law and exponential fits are reported as a
    description. ``shape`` (optional) draws a bound with its smallest constant.

    ``factor`` (> 1) sets the resolution: an exponential that adds at most ``factor`` over the measured
    range of ``x`` does not matter, i.e. r = ``log(factor) / (max x - min x)`` in units of the rate. It
    must stay below :data:`EXPONENTIAL_FACTOR`, the growth the control injects; the finding says whether
    its own interval would reject that injected exponential (it shifts the rate by exactly
    ``log(EXPONENTIAL_FACTOR) / span``, since ``x`` is a column of the fit)."""
    fn = f"growth_finding({key!r})"
    F = VD.checked(fn, "factor", factor, positive=True)
    if not 1 < F < EXPONENTIAL_FACTOR:
        raise ValueError(
            f"{fn}: factor={factor!r} must be in (1, {EXPONENTIAL_FACTOR:g}): a resolution at or beyond "
            "the injected exponential could never see it"
        )
    if len(df) == 0:
        return cannot_finding(name, f"{name}: no rows to fit", key=key)
    xs = df[x].to_numpy(float)
    span = float(xs.max() - xs.min())
    try:
        gf = S.fit_growth(xs, df[y].to_numpy(float), groups=_groups(df, groups), level=level, variable=x)
    except ANALYSIS_ERRORS as exc:  # data that cannot support this finding; anything else propagates
        return cannot_finding(name, str(exc), key=key)
    r = math.log(F) / span
    d = VD.growth(
        gf,
        resolution=r,
        meaning=f"an exponential that adds a factor {F:g} over {x} = {xs.min():.4g}..{xs.max():.4g} (rate {r:.3g})",
    )
    shift = math.log(EXPONENTIAL_FACTOR) / span
    const = None if shape is None else S.smallest_constant(df[y].to_numpy(float), shape)
    c = gf.rate
    # the injected exponential shifts the nested rate (and its interval) by exactly `shift`
    moved = VD.growth(
        dataclasses.replace(gf, rate=S.Estimate(c.value + shift, c.ci_low + shift, c.ci_high + shift)), resolution=r
    )
    caught = (
        1.0
        if moved.verdict is VD.Verdict.INCONSISTENT
        else math.nan
        if moved.verdict is VD.Verdict.CONSISTENT
        else _needs(moved, gf)
    )
    return Finding(
        name,
        d,
        f"{gf}; {d.reason}",
        gf,
        const,
        series(df, x, y, shape, label=label, panel=panel),
        key=key,
        needs=_needs(d, gf),
        catches={"exponential": caught},
    )


def mean_finding(
    name: str,
    values: Sequence[float] | np.ndarray,
    threshold: float,
    *,
    key: str,
    resolution: float,
    what: str = "mean",
    bound: str = "upper",
    points: Series | None = None,
    meaning: str = "",
    level: float = LEVEL,
    positive: bool = False,
) -> Finding:
    r"""A mean against a threshold from its t interval (:func:`rnntheory.stats.verdicts.mean`), with the
    indifference zone ``resolution`` beyond the threshold. ``positive=True`` for a quantity that cannot be
    negative (a norm, a ratio of norms, a count): its interval stays at or above 0, on the log scale
    (:func:`rnntheory.stats.mean_interval`, calibrated in tests/stats/test_positive_mean.py)."""
    r = VD.checked(f"mean_finding({key!r})", "resolution", resolution, positive=True)
    try:
        iv = S.mean_interval(values, level=level, name=what, positive=positive)
    except ANALYSIS_ERRORS as exc:  # data that cannot support this finding; anything else propagates
        return cannot_finding(name, str(exc), key=key)
    d = VD.mean(
        iv,
        threshold,
        bound=bound,
        resolution=r,
        meaning=meaning or f"a deviation of {r:.3g} in the {what} beyond {threshold:.3g}",
    )
    return Finding(name, d, f"{iv}; {d.reason}", iv, None, points, key=key, needs=_needs(d, iv))


def event_finding(
    name: str,
    held: np.ndarray,
    *,
    key: str,
    tolerated: float = 0.1,
    resolution: float = 0.1,
    what: str = "cases",
    failures: Sequence[str] = (),
    level: float = LEVEL,
) -> Finding:
    r"""A high-probability event over independent cases (one entry per seed, run or cell): the claim
    "it fails in at most a fraction ``tolerated``", judged on its exact binomial interval with the
    indifference zone ``resolution`` (:func:`rnntheory.stats.verdicts.event`). ``failures`` (descriptions)
    go into the detail."""
    held = np.asarray(held, bool).ravel()
    if held.size == 0:
        return cannot_finding(name, f"no {what} to count", key=key)
    d = VD.event(int(held.sum()), int(held.size), tolerated=tolerated, resolution=resolution, level=level, what=what)
    detail = d.reason + ("; failures: " + "; ".join(list(failures)[:3]) if failures else "")
    return Finding(name, d, detail, None, None, key=key, needs=_event_needs(d, held.size, level))


def _event_needs(d: VD.Decision, n: int, level: float) -> float:
    r"""How many times the cases would decide an undecided event if its observed fraction held."""
    if d.decided:
        return 1.0
    p = d.estimate
    for f in (1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 100):
        n2 = int(math.ceil(n * f))
        k2 = int(round(p * n2))
        if VD.event(k2, n2, tolerated=1 - d.value, resolution=d.resolution, level=level).decided:
            return float(f)
    return math.inf


def every_case_finding(
    name: str, ok: Sequence[bool] | np.ndarray, what: str = "cases", failures: Sequence[str] = (), *, key: str
) -> Finding:
    r"""An exact (deterministic) property that must hold in every case
    (:func:`rnntheory.stats.verdicts.every_case`); random events use :func:`event_finding`."""
    d = VD.every_case(ok, what, failures)
    return Finding(name, d, d.reason, key=key, needs=1.0 if d.decided else math.nan)


def cannot_finding(name: str, reason: str, *, key: str) -> Finding:
    r"""A part of a claim that could not be analysed on these rows: "inconclusive" with the reason."""
    d = VD.cannot_analyse(reason)
    return Finding(name, d, d.reason, key=key, needs=math.nan)


def split_diverged(
    df: pd.DataFrame, what: str, *, key: str = "no_divergence", level: float = LEVEL
) -> tuple[pd.DataFrame, list[Finding]]:
    r"""The runs that did not diverge, and a finding that counts the diverged ones (where and how), so
    that divergence is reported as an outcome of the learning-rate rule (an event: a quarter of the
    runs may diverge, with resolution 0.25: a check of the rate rule, not of the paper); none without
    the column."""
    if "diverged" not in df:
        return df, []
    diverged = df["diverged"].fillna(False).to_numpy(bool)
    where = [
        f"{what}: m={r.m}, L={r.L}, lr0={r.lr0:g}, seed {r.seed}: {r.divergence}" for r in df[diverged].itertuples()
    ]
    lr0 = ", ".join(f"{v:g}" for v in sorted(df["lr0"].unique()))
    return df[~diverged], [
        event_finding(
            f"no {what} diverges under the rate lr0 / (m L) (lr0 = {lr0}; a quarter of the runs is tolerated)",
            ~diverged,
            key=key,
            what="runs",
            failures=where,
            tolerated=0.25,
            resolution=0.25,
            level=level,
        )
    ]


# ---------------------------------------------------------------------- the regime m >= poly(L)
ONE_WIDTH = (
    "a fixed-width slice: at one width a quantity may grow exponentially in L while the paper, whose "
    "theorems need m >= poly(L), still holds; the claim's verdict on that premise comes from its regime findings"
)
"""Why a finding measured at one width is a description, not a verdict on the paper (theory.md sec. 10)."""


def described(f: Finding, why: str = ONE_WIDTH) -> Finding:
    r"""``f`` as a description (:attr:`Finding.described`): reported with its own label, outside the verdict."""
    return dataclasses.replace(f, described=why)


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
                needs=deg.needs,
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


COLLAPSE_RESOLUTION = math.log(1.2)
"""The lack of collapse that matters: an RMS deviation of log q of log 1.2 (q off the collapsed power law by 20%,
the scatter of one network's q at these widths)."""


# ---------------------------------------------------------------------- negative controls
def too_strong(what: str, **judging: Any) -> Control:
    r"""Control (a): a claimed exponent stronger than the truth, as changed judging settings."""
    return Control("too_strong", what, judging=judging)


def wrong_m(*columns: str, power: float = 0.5, what: str = "") -> Control:
    r"""Control (b): the measured ``columns`` multiplied by ``m**power`` (default sqrt(m)), as a wrong
    normalisation in the width would make them."""

    def alter(df: pd.DataFrame) -> pd.DataFrame:
        scale = df["m"].to_numpy(float) ** power
        return df.assign(**{c: df[c].to_numpy(float) * scale for c in columns})

    return Control(
        "wrong_m", what or f"{', '.join(columns)} times m^{power:g} (a wrong normalisation in m)", data=alter
    )


def exponential(
    x: str, *columns: str, factor: float = EXPONENTIAL_FACTOR, by: Sequence[str] = (), what: str = ""
) -> Control:
    r"""Control (c): exponential growth injected where the claim says polynomial: ``columns`` times
    ``exp(c x)`` with ``c`` chosen so that they grow ``factor`` times more over the measured range of
    ``x`` (within each group of the columns ``by``, where the claim fits growth per group, e.g. per
    (L, m): each group's own range then carries the whole factor)."""

    def alter(df: pd.DataFrame) -> pd.DataFrame:
        xs = df[x].to_numpy(float)
        if by:
            keys = df[list(by)].astype(str).agg("|".join, axis=1)
            lo = df.groupby(keys)[x].transform("min").to_numpy(float)
            span = df.groupby(keys)[x].transform("max").to_numpy(float) - lo
        else:
            lo = np.full(xs.shape, xs.min() if len(xs) else 0.0)
            span = np.full(xs.shape, float(xs.max() - xs.min()) if len(xs) else 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(span > 0, math.log(factor) / np.where(span > 0, span, 1.0), 0.0)
        grow = np.exp(rate * (xs - lo))
        return df.assign(**{c: df[c].to_numpy(float) * grow for c in columns})

    where = f" within each ({', '.join(by)})" if by else ""
    return Control(
        "exponential",
        what or f"{', '.join(columns)} times exp(c {x}), {factor:g}x over the range of {x}{where}",
        data=alter,
    )


def cannot_detect(kind: str, what: str, why: str) -> Control:
    r"""A control the claim cannot detect, with the reason (e.g. an upper bound cannot see a quantity
    that is smaller than claimed)."""
    return Control(kind, what, undetectable=why)  # type: ignore[arg-type]
