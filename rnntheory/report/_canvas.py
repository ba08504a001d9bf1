r"""What every figure of the report shares: the figure class that shows itself as a PNG, the PNG written
without a timestamp (same figure, same bytes), and the style: the palette, the colour of each verdict,
logarithmic axes labelled at the grid's own values, the legend beside the axes, and the measurements
drawn with their spread (the claim figures of :mod:`rnntheory.report.figures`, the regime plane of
:mod:`rnntheory.report.regime_plane`). The figure class and the PNG writer are handed on by
:mod:`rnntheory.report` (``ClaimFigure``, ``save_figure``).
"""

from __future__ import annotations

import io
import math
import os
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from ..stats import verdicts as VD

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "COLOURS",
    "VERDICT_COLOURS",
    "ClaimFigure",
    "legend",
    "positive",
    "save_figure",
    "spread",
    "style_axes",
]

COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)

VERDICT_COLOURS = {
    VD.Verdict.CONSISTENT: "#1a7f37",
    VD.Verdict.INCONSISTENT: "#b42318",
    VD.Verdict.INCONCLUSIVE: "#9a6700",
}
"""The colour of a panel's title by its verdict."""


class ClaimFigure(Figure):
    r"""A :class:`~matplotlib.figure.Figure` that shows itself as a PNG in Jupyter and IPython, with
    or without pyplot's inline backend."""

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=100, metadata={"Software": None})
        return buf.getvalue()


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = 100) -> None:
    r"""Write ``fig`` as a PNG without a timestamp or software tag (same figure, same bytes)."""
    fig.savefig(path, format="png", dpi=dpi, metadata={"Software": None})


def positive(v: np.ndarray) -> bool:
    v = v[np.isfinite(v)]
    return v.size > 0 and bool((v > 0).all())


def spread(ax: "Axes", xs: np.ndarray, ys: np.ndarray, colour: str, label: str, **style: Any) -> None:
    r"""The measurements as faint points, and their median per abscissa with a bar over their range."""
    ax.scatter(xs, ys, s=9, color=colour, alpha=0.3, linewidths=0)
    agg = pd.DataFrame({"x": xs, "y": ys}).groupby("x")["y"].agg(["median", "min", "max"])
    ax.errorbar(
        agg.index,
        agg["median"],
        yerr=[agg["median"] - agg["min"], agg["max"] - agg["median"]],
        color=colour,
        capsize=2,
        label=label,
        **style,
    )


_LEGEND_ROWS = 16
"""Entries per legend column: a longer legend takes more columns rather than running past its axes."""


def legend(ax: "Axes") -> None:
    r"""The legend beside the axes, off the data (it never hides a line), its entries wrapped at 58
    characters, in as many columns as keep it about as tall as the axes."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    labels = [textwrap.fill(t, width=58, subsequent_indent="  ") for t in labels]
    ax.legend(
        handles,
        labels,
        fontsize=6,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        borderaxespad=0.0,
        framealpha=0.7,
        ncol=math.ceil(len(handles) / _LEGEND_ROWS),
    )


def style_axes(ax: "Axes", *, log_x: bool, log_y: bool, xs: np.ndarray | None = None) -> None:
    if log_x:
        ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    ticks = None if xs is None else np.unique(xs[np.isfinite(xs)])
    if ticks is not None and 1 < ticks.size <= 8:  # label the grid's own values
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.tick_params(labelsize=7)
    ax.grid(True, which="major", alpha=0.25)
