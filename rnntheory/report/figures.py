r"""Figures of claims: measured values with their spread against the bound shape (theory.md, section 7).

:func:`claim_figure` draws any claim's figure from its measurements: a :class:`~rnntheory.checking.ClaimResult`
(from ``Claim.run`` or the report), or a claim and a DataFrame of its rows (which are then analysed with
the claim's default judging settings). Each fitted finding contributes a panel (findings that share the
abscissa and the quantity share one):

* the measurements as faint points, their median per abscissa with a bar from the smallest to the
  largest value (the spread over seeds);
* the fitted power law (dashed) with its exponent and confidence interval;
* the bound ``c * shape`` with the smallest constant ``c`` that makes it hold on every point (solid;
  dash-dotted for a lower bound such as "the adversarial construction attains ..."), drawn once where
  several series share it (in black).

A polynomial-versus-exponential finding gets two panels side by side, log-log and semi-log; each shows
the nested fit ``log q = a + b log k + c k`` that decides its verdict (solid, with b and c and their
intervals) and, faint and labelled as a description, the pure fit of its axes (power law, exponential).
The fit of the finding that decides the claim's verdict (:meth:`ClaimResult.deciding`) says so in its
legend entry. Axes are logarithmic wherever the values are positive; every legend stands beside its
axes, so that it hides no line. A regime finding has a figure of its own (:mod:`rnntheory.report.regime_plane`).
Figures are plain :class:`matplotlib.figure.Figure` objects (no pyplot state), so they are safe to make
in scripts, workers and notebooks alike; :func:`rnntheory.report.save_figure` writes a PNG without a
timestamp, so the same data give the same bytes.

>>> from rnntheory import claims
>>> from rnntheory.report import figures, save_figure
>>> res = claims.get("hidden_perturbation").run()          # doctest: +SKIP
>>> fig = figures.claim_figure(res)                         # doctest: +SKIP
>>> save_figure(fig, "hidden_perturbation.png")             # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import offset_copy

from .. import _validation as V
from ..stats import fits as S
from ..stats import verdicts as VD
from ..stats.intervals import MeanInterval
from ._canvas import COLOURS, VERDICT_COLOURS, ClaimFigure, legend, positive, spread, style_axes
from .regime_plane import regime_fit

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from ..checking.claim import Claim
    from ..checking.claim_result import ClaimResult
    from ..checking.results import Finding, Series

__all__ = ["Panel", "claim_figure", "panels"]


@dataclass
class Panel:
    r"""One axes of a claim's figure: the findings drawn on it and how (``"power"`` on log-log axes,
    ``"exponential"`` on semi-log axes)."""

    x: str
    ylabel: str
    model: str = "power"
    findings: list["Finding"] = field(default_factory=list)
    described: list["Series"] = field(default_factory=list)

    @property
    def title(self) -> str:
        what = {"power": "", "exponential": " (exponential fit)", "described": ""}[self.model]
        return f"{self.ylabel} against {self.x}{what}"


def panels(findings: Sequence["Finding"]) -> list[Panel]:
    r"""The panels of a figure: one per (abscissa, quantity) among the findings that carry points,
    two (power law, exponential) where a finding compares the two growths, and one per (abscissa,
    quantity) of the findings' described series (``Finding.extra``: points and exact references, no fit)."""
    out: dict[tuple[str, str, str], Panel] = {}
    for f in findings:
        for s in f.extra:
            key = (s.x, s.panel or s.y, "described")
            out.setdefault(key, Panel(s.x, s.panel or s.y, "described")).described.append(s)
        s = f.series
        if s is None or not s.xs or regime_fit(f) is not None:  # a regime finding has a figure of its own
            continue
        ylabel = s.panel or s.y
        models = ("power", "exponential") if isinstance(f.fit, S.GrowthFit) else ("power",)
        for model in models:
            key = (s.x, ylabel, model)
            out.setdefault(key, Panel(s.x, ylabel, model)).findings.append(f)
    return list(out.values())


def _fit_of(f: "Finding", model: str) -> S.ExponentFit | None:
    if isinstance(f.fit, S.GrowthFit):
        return f.fit.power_law if model == "power" else f.fit.exponential
    return f.fit if isinstance(f.fit, S.ExponentFit) else None


def _draw_described(ax: "Axes", panel: Panel) -> None:
    r"""Described series: the points with their spread and, where given, the exact reference as a line."""
    allx: list[float] = []
    ally: list[float] = []
    for k, s in enumerate(panel.described):
        colour = COLOURS[k % len(COLOURS)]
        xs, ys = np.asarray(s.xs, float), np.asarray(s.ys, float)
        allx += xs.tolist()
        ally += ys.tolist()
        spread(ax, xs, ys, colour, (s.label or "measured") + " (median, range)", fmt="o", ms=4, lw=1)
        if s.reference is not None:
            ref = pd.DataFrame({"x": xs, "r": np.asarray(s.reference, float)}).groupby("x")["r"].mean()
            ax.plot(
                ref.index,
                ref.to_numpy(),
                ":",
                color=colour,
                lw=1.6,
                alpha=0.9,
                label=f"{s.reference_label}" + (f" ({s.label})" if s.label else ""),
            )
            ally += ref.tolist()
    xv, yv = np.asarray(allx), np.asarray(ally)
    style_axes(ax, log_x=positive(xv) and np.nanmax(xv) / np.nanmin(xv) > 2, log_y=positive(yv), xs=xv)
    ax.set_title(panel.title, fontsize=9)
    ax.set_xlabel(panel.x, fontsize=8)
    ax.set_ylabel(panel.ylabel, fontsize=8)
    legend(ax)


def _nested(fit: S.GrowthFit, t: np.ndarray) -> np.ndarray:
    r"""The nested fit ``exp(a + b log k + c k)`` of a growth finding at ``t``."""
    return np.exp(fit.intercept + fit.power.value * np.log(t) + fit.rate.value * t)


def _draw_mean(ax: "Axes", f: "Finding", xs: np.ndarray, ys: np.ndarray, colour: str, decides: str) -> None:
    r"""A mean finding's mean with its interval, at the abscissa whose values it is the mean of (none drawn
    when no abscissa's values have that mean)."""
    iv = f.fit
    means = pd.DataFrame({"x": xs, "y": ys}).groupby("x")["y"].agg(["mean", "size"])
    at = [
        x
        for x, r in means.iterrows()
        if r["size"] == iv.n and math.isclose(r["mean"], iv.mean, rel_tol=1e-9, abs_tol=1e-12)
    ]
    if not at:
        return
    x = at[-1]
    low = max(iv.mean - iv.ci_low, 0.0)
    beside = offset_copy(ax.transData, fig=ax.figure, x=7, units="points")  # beside the median, not on it
    ax.errorbar(
        [x],
        [iv.mean],
        yerr=[[low], [max(iv.ci_high - iv.mean, 0.0)]],
        fmt="s",
        ms=6,
        mfc="none",
        color=colour,
        capsize=4,
        lw=1.4,
        transform=beside,
        label=f"{iv.name} at {f.series.x} = {x:g}: {S.estimate_text(iv.mean, iv.ci_low, iv.ci_high)} "
        f"({f.label}{decides})",
    )


def _bounds(panel: Panel) -> dict[tuple, tuple[pd.Series, list["Finding"]]]:
    r"""The panel's bound lines, each once: (kind, claimed text, constant, points rounded) -> the line (the
    first finding's bound per abscissa) and the findings that draw it."""
    out: dict[tuple, tuple[pd.Series, list["Finding"]]] = {}
    for f in panel.findings:
        s = f.series
        if s is None or s.bound is None or panel.model != "power":
            continue
        b = pd.DataFrame({"x": np.asarray(s.xs, float), "b": np.asarray(s.bound, float)}).groupby("x")["b"].max()
        if not np.isfinite(b.to_numpy()).all():
            continue
        key = (
            s.kind,
            _numbers(f.claimed),
            None if f.constant is None else float(f"{f.constant:.12g}"),
            tuple(float(f"{v:.12g}") for v in b.index),
            tuple(float(f"{v:.12g}") for v in b),
        )
        out.setdefault(key, (b, []))[1].append(f)
    return out


def _draw_panel(ax: "Axes", panel: Panel, deciding: "Finding | None" = None) -> None:
    if panel.model == "described":
        _draw_described(ax, panel)
        return
    colours: dict[str, str] = {}
    ally: list[float] = []
    allx: list[float] = []
    drawn: set[tuple] = set()
    for f in panel.findings:
        s = f.series
        assert s is not None
        colour = colours.setdefault(s.label, COLOURS[len(colours) % len(COLOURS)])
        xs, ys = np.asarray(s.xs, float), np.asarray(s.ys, float)
        allx += xs.tolist()
        ally += ys.tolist()
        key = (s.label, s.xs, s.ys)
        if key not in drawn:  # the same points judged twice (two bounds) are drawn once
            drawn.add(key)
            spread(ax, xs, ys, colour, (s.label or "measured") + " (median, range)", fmt="o", ms=4, lw=1)
        grid = np.unique(xs)
        if grid.size < 2:
            continue
        t = (
            np.linspace(grid.min(), grid.max(), 60)
            if panel.model == "exponential"
            else np.geomspace(grid.min(), grid.max(), 60)
        )
        decides = "; decides the verdict" if deciding is not None and f.key == deciding.key else ""
        if isinstance(f.fit, S.GrowthFit):  # the nested fit decides; the pure fit of these axes describes
            g = f.fit
            if ("nested",) + key + (f.key,) not in drawn:
                drawn.add(("nested",) + key + (f.key,))
                ax.plot(
                    t,
                    _nested(g, t),
                    "-",
                    color=colour,
                    lw=1.4,
                    alpha=0.95,
                    label=f"nested fit (the test): exponent {g.power}, rate {g.rate} ({f.label}{decides})",
                )
            pure = _fit_of(f, panel.model)
            if pure is not None and ("fit",) + key not in drawn:
                drawn.add(("fit",) + key)
                ax.plot(
                    t,
                    pure.predict(t),
                    ":",
                    color=colour,
                    lw=1,
                    alpha=0.6,
                    label=f"pure {'power law' if panel.model == 'power' else 'exponential'} (a description): "
                    f"{pure.short(variable=False)}",
                )
            continue
        if isinstance(f.fit, MeanInterval):
            _draw_mean(ax, f, xs, ys, colour, decides)
            continue
        fit = _fit_of(f, panel.model)
        if fit is not None and ("fit",) + key not in drawn:
            drawn.add(("fit",) + key)
            ax.plot(
                t,
                fit.predict(t),
                "--",
                color=colour,
                lw=1,
                alpha=0.9,
                label=f"fit: {fit.short(variable=False)} ({f.label}{decides})",
            )
    styles: dict[str, int] = {}
    for (kind, claimed, _, _, _), (line, fs) in _bounds(panel).items():
        bx, by = line.index.to_numpy(), line.to_numpy()
        labels = {f.series.label for f in fs}
        shared = len(labels) > 1  # one bound for several series: drawn once, in black
        colour = "k" if shared else colours[next(iter(labels))]
        k = styles[colour] = styles.get(colour, -1) + 1  # several bounds on one series: vary the dashes
        style = ("-", "--", (0, (6, 2, 1, 2, 1, 2)))[k % 3] if kind == "upper" else "-."
        c = fs[0].constant
        what = "bound" if kind == "upper" else "attains"
        who = f" ({', '.join(sorted(labels))})" if shared and all(labels) else ""
        ax.plot(
            bx,
            by,
            style,
            color=colour,
            lw=1.6,
            alpha=0.7,
            label=f"{what}: {claimed}" + ("" if c is None else f", c = {c:.3g}") + who,
        )
        ally += list(by)
    xv, yv = np.asarray(allx), np.asarray(ally)
    style_axes(
        ax,
        log_x=panel.model == "power" and positive(xv) and np.nanmax(xv) / np.nanmin(xv) > 2,
        log_y=positive(yv),
        xs=xv,
    )
    judged = [f for f in panel.findings if not f.described]
    verdict = VD.combine(f.verdict for f in judged)
    title = (
        f"{panel.title}: {verdict}"
        if judged
        else f"{panel.title}: described (one width), {VD.combine(f.verdict for f in panel.findings)}"
    )
    verdict = verdict if judged else VD.combine(f.verdict for f in panel.findings)
    ax.set_title(
        title,
        fontsize=9,
        color=VERDICT_COLOURS[verdict],
    )
    ax.set_xlabel(panel.x, fontsize=8)
    ax.set_ylabel(panel.ylabel, fontsize=8)
    legend(ax)


def _numbers(text: str) -> str:
    return re.sub(r"-?\d+\.\d{4,}", lambda m: f"{float(m.group()):.3g}", text)


def _facets(claim: "Claim", data: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    facet = claim.plot.get("facet")
    if facet in data:
        return [(f"{facet} = {k}", part) for k, part in data.groupby(facet, sort=False)]
    return [("", data)]


def _draw_hint(ax: "Axes", claim: "Claim", data: pd.DataFrame, title: str = "") -> None:
    x, y, hue = claim.plot.get("x"), claim.plot.get("y"), claim.plot.get("hue")
    if x not in data or y not in data:
        ax.text(0.5, 0.5, "nothing to draw", ha="center", va="center", transform=ax.transAxes)
        return
    df = data[np.isfinite(pd.to_numeric(data[y], errors="coerce"))]
    groups = df.groupby(hue, sort=False) if hue in df else [("measured", df)]
    for k, (name, part) in enumerate(groups):
        colour = COLOURS[k % len(COLOURS)]
        spread(ax, part[x].to_numpy(float), part[y].to_numpy(float), colour, str(name), fmt="o-", ms=3, lw=0.8)
    style_axes(
        ax,
        log_x=positive(df[x].to_numpy(float)),
        log_y=bool(claim.plot.get("logy", True)) and positive(df[y].to_numpy(float)),
        xs=df[x].to_numpy(float),
    )
    ax.set_xlabel(x, fontsize=8)
    ax.set_ylabel(y, fontsize=8)
    ax.set_title(title or f"{y} against {x}", fontsize=9)
    legend(ax)


def claim_figure(
    result: "ClaimResult | Claim | str",
    data: pd.DataFrame | None = None,
    *,
    judging: Mapping[str, Any] | None = None,
    ncols: int = 2,
) -> Figure:
    r"""The figure of a claim: measured values with spread against the bound shape.

    Args:
        result: a :class:`~rnntheory.checking.ClaimResult`; or a claim (or its name) together with ``data``.
        data: rows measured for the claim (a DataFrame as ``Claim.run(...).data``); with a result,
            replaces its data and re-analyses it.
        judging: judging settings for the analysis (claimed exponents, thresholds; default: the
            result's, or the claim's defaults).
        ncols: panels per row.

    Returns:
        A :class:`ClaimFigure` (a matplotlib Figure that displays itself in notebooks) with one panel per fitted
        finding (see the module docstring); a claim without fitted findings gets panels drawn from its plot hints
        (``Claim.plot``: ``x``,
        ``y``, ``hue``, ``facet`` (a column with one panel per value) and ``logy`` (default True).

    Raises:
        ValueError: a claim (or name) is given without ``data``.
    """
    from ..checking.claim import Claim
    from ..claims import get

    if isinstance(result, (str, Claim)):
        claim = get(result) if isinstance(result, str) else result
        if data is None:
            raise ValueError(f"{V.caller(claim_figure)}: a claim ({claim.name}) needs data=, its measured rows")
        res = claim.result(data, **(judging or {}))
    else:
        res = result if data is None and judging is None else result.rejudge(data, **(judging or {}))
    ps = panels(res.findings)
    facets = [] if ps else _facets(res.claim, res.data)
    n = max(len(ps) + len(facets), 1)
    cols = max(1, min(ncols, n))
    rows = math.ceil(n / cols)
    fig = ClaimFigure(figsize=(max(7.2 * cols, 8.0), 3.9 * rows), layout="constrained")  # room for the legends beside
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    deciding = res.deciding()
    for ax, p in zip(axes, ps):
        _draw_panel(ax, p, deciding)
    for ax, (title, part) in zip(axes, facets):
        _draw_hint(ax, res.claim, part, title)
    for ax in axes[n:]:
        ax.set_visible(False)
    title = f"{res.claim.name}: {res.claim.title} -- {res.verdict}"
    fig.suptitle(textwrap.fill(title, width=int(13 * fig.get_figwidth())), fontsize=10)
    return fig
