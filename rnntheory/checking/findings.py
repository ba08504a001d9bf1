r"""The general finding builders every claim uses. One job: turning selected rows into judged
:class:`~rnntheory.checking.Finding` objects (an exponent, a growth, a mean, an event, a property of every
case, a series). The findings on the regime m >= poly(L) (threshold widths, their degree in L, the
collapse) are :mod:`rnntheory.checking.regime`; the negative controls, whose errors the constants
:data:`TOO_STRONG` and :data:`EXPONENTIAL_FACTOR` here size, are :mod:`rnntheory.checking.controls`.

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
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .. import stats as S
from ..stats import verdicts as VD
from .results import ANALYSIS_ERRORS, LEVEL, Finding, Series

__all__ = [
    "exponent_finding",
    "growth_finding",
    "mean_finding",
    "event_finding",
    "every_case_finding",
    "cannot_finding",
    "split_diverged",
    "series",
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
