r"""The shared finding builders and negative controls of the claims.

A claim's ``analyse`` selects rows and calls these builders; each fits with :mod:`rnntheory.stats`
and decides with one rule of :mod:`rnntheory.verdicts`, so no claim writes a verdict itself.

Intervals are 99% by default. Grouped fits (``groups="seed"``, the default wherever several points
come from one network) fit a line per seed and use a t interval on G - 1 degrees of freedom; fits
of independent points (``groups=None``) use the regression t interval (docs/conventions.md).
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .. import stats as S
from .. import verdicts as VD
from ._registry import Control, Finding, Series

__all__ = ["exponent_finding", "growth_finding", "mean_finding", "event_finding", "every_case_finding",
           "cannot_finding", "split_diverged", "series", "too_strong", "wrong_m", "exponential", "cannot_detect", "LEVEL"]

LEVEL = 0.99
"""Confidence level of every interval a claim reports."""


def _groups(df: pd.DataFrame, groups: str | None) -> np.ndarray | None:
    return None if groups is None else df[groups].to_numpy()


def series(df: pd.DataFrame, x: str, y: str, shape: np.ndarray | None = None, *, bound: str = "upper",
           label: str = "", panel: str = "", constant: float | None = None, reference: str | None = None,
           reference_label: str = "limit") -> Series:
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
    bound: str = "upper",
    parameter: str = "growing",
    resolution: float = 0.0,
    shape: np.ndarray | None = None,
    groups: str | None = "seed",
    label: str = "",
    panel: str = "",
    extra: Sequence[Series] = (),
) -> Finding:
    r"""Fit the exponent of ``y`` in ``x`` (per-seed t interval over ``groups``; regression interval
    when ``groups`` is None), judge it against ``claimed`` (:func:`rnntheory.verdicts.exponent`) and
    report the smallest constant for ``y <= c * shape`` (default shape ``x**claimed``). The points and
    the bound go into the finding's :class:`Series`; ``extra`` series are drawn beside it, unjudged."""
    if len(df) == 0:
        raise VD.CannotAnalyse(f"{name}: no rows to fit")
    fit = S.fit_exponent(df[x].to_numpy(float), df[y].to_numpy(float), groups=_groups(df, groups), level=LEVEL,
                         variable=x)
    d = VD.exponent(fit, claimed, bound=bound, parameter=parameter, resolution=resolution)
    if shape is None:
        shape = df[x].to_numpy(dtype=float) ** claimed
    const = S.smallest_constant(df[y].to_numpy(float), shape) if bound == "upper" else None
    return Finding(name, d, f"{fit}; {d.reason}", fit, const,
                   series(df, x, y, shape, bound=bound, label=label, panel=panel), tuple(extra))


def growth_finding(name: str, df: pd.DataFrame, x: str, y: str, *, groups: str | None = "seed",
                   factor: float = 1.0, shape: np.ndarray | None = None, label: str = "",
                   panel: str = "") -> Finding:
    r"""Polynomial versus exponential growth of ``y`` in ``x``: the nested fit
    ``log y = a + b log x + c x`` (:func:`rnntheory.stats.fit_growth`) judged by
    :func:`rnntheory.verdicts.growth` ("inconsistent" when c's interval lies wholly above 0). The pure
    power-law and exponential fits are reported as a description. ``shape`` (optional) draws a bound
    with its smallest constant.

    ``factor`` sets the resolution: a straddling rate interval is accepted when the exponential it
    cannot exclude adds at most ``factor`` over the measured range of ``x``, i.e. when its width is
    at most ``log(factor) / (max x - min x)`` (``factor=1``: no resolution)."""
    if len(df) == 0:
        raise VD.CannotAnalyse(f"{name}: no rows to fit")
    xs = df[x].to_numpy(float)
    gf = S.fit_growth(xs, df[y].to_numpy(float), groups=_groups(df, groups), level=LEVEL, variable=x)
    span = float(xs.max() - xs.min())
    d = VD.growth(gf, resolution=math.log(factor) / span if span > 0 and factor > 1 else 0.0)
    const = None if shape is None else S.smallest_constant(df[y].to_numpy(float), shape)
    return Finding(name, d, f"{gf}; {d.reason}", gf, const, series(df, x, y, shape, label=label, panel=panel))


def mean_finding(name: str, values: Sequence[float] | np.ndarray, threshold: float, *, what: str = "mean",
                 bound: str = "upper", resolution: float = 0.0, points: Series | None = None) -> Finding:
    r"""A mean against a threshold from its t interval (:func:`rnntheory.verdicts.mean`)."""
    iv = S.mean_interval(values, level=LEVEL, name=what)
    d = VD.mean(iv, threshold, bound=bound, resolution=resolution)
    return Finding(name, d, f"{iv}; {d.reason}", iv, None, points)


def event_finding(name: str, held: np.ndarray, *, p0: float = 0.9, alpha: float = 1e-6, what: str = "") -> Finding:
    r"""Exact binomial decision on how often an event held (one entry per seed or cell)."""
    held = np.asarray(held, bool)
    dec = S.binomial_decision(int(held.sum()), int(held.size), p0=p0, alpha=alpha)
    d = VD.event(dec)
    return Finding(name, d, f"{what}: {dec}" if what else str(dec), dec, None)


def every_case_finding(name: str, ok: Sequence[bool] | np.ndarray, what: str = "cases",
                       failures: Sequence[str] = ()) -> Finding:
    r"""A property that must hold in every case (:func:`rnntheory.verdicts.every_case`)."""
    d = VD.every_case(ok, what, failures)
    return Finding(name, d, d.reason)


def cannot_finding(name: str, reason: str) -> Finding:
    r"""A part of a claim that could not be analysed on these rows: "inconclusive" with the reason."""
    d = VD.cannot_analyse(reason)
    return Finding(name, d, d.reason)


def split_diverged(df: pd.DataFrame, what: str) -> tuple[pd.DataFrame, list[Finding]]:
    r"""The runs that did not diverge, and a finding that counts the diverged ones (where and how), so
    that divergence is reported as an outcome of the learning-rate rule; none without the column."""
    if "diverged" not in df:
        return df, []
    diverged = df["diverged"].fillna(False).to_numpy(bool)
    where = [f"{what}: m={r.m}, L={r.L}, lr0={r.lr0:g}, seed {r.seed}: {r.divergence}"
             for r in df[diverged].itertuples()]
    lr0 = ", ".join(f"{v:g}" for v in sorted(df["lr0"].unique()))
    return df[~diverged], [every_case_finding(f"no {what} diverges under the rate lr0 / (m L) (lr0 = {lr0})",
                                              ~diverged, "runs", where)]



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

    return Control("wrong_m", what or f"{', '.join(columns)} times m^{power:g} (a wrong normalisation in m)", data=alter)


def exponential(x: str, *columns: str, factor: float = 10.0, what: str = "") -> Control:
    r"""Control (c): exponential growth injected where the claim says polynomial: ``columns`` times
    ``exp(c x)`` with ``c`` chosen so that they grow ``factor`` times more over the measured range of
    ``x``."""

    def alter(df: pd.DataFrame) -> pd.DataFrame:
        xs = df[x].to_numpy(float)
        span = float(xs.max() - xs.min()) if len(xs) else 0.0
        rate = math.log(factor) / span if span > 0 else 0.0
        grow = np.exp(rate * (xs - xs.min()))
        return df.assign(**{c: df[c].to_numpy(float) * grow for c in columns})

    return Control("exponential", what or f"{', '.join(columns)} times exp(c {x}), {factor:g}x over the range of {x}",
                   data=alter)


def cannot_detect(kind: str, what: str, why: str) -> Control:
    r"""A control the claim cannot detect, with the reason (e.g. an upper bound cannot see a quantity
    that is smaller than claimed)."""
    return Control(kind, what, undetectable=why)  # type: ignore[arg-type]
