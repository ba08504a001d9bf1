r"""The regime figure of a claim: its regime m >= poly(L) on the (L, m) plane (theory.md sec. 10, docs/regime.md),
one panel per accuracy delta, with the threshold widths m*(L; delta) and their fitted degree in L. A claim's
figure (:mod:`rnntheory.report.figures`) leaves its regime findings to this one.
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from ..stats import fits as S
from ..stats.regime import ThresholdDegree
from ._canvas import VERDICT_COLOURS, ClaimFigure

if TYPE_CHECKING:  # pragma: no cover
    from ..checking.claim_result import ClaimResult
    from ..checking.results import Finding

__all__ = ["regime_figure", "regime_fit"]


def regime_fit(f: "Finding") -> Any:
    r"""The :class:`rnntheory.checking.regime.RegimeFit` behind a regime finding, else None."""
    fit = f.fit
    return fit if isinstance(getattr(fit, "degree", None), ThresholdDegree) and hasattr(fit, "points") else None


def regime_figure(result: "ClaimResult") -> ClaimFigure | None:
    r"""The claim's regime m >= poly(L) on the (L, m) plane (theory.md sec. 10), one panel per accuracy
    delta: each measured (L, m) point coloured by the mean of q over its networks divided by delta (blue:
    inside the regime at that accuracy, red: outside), the threshold widths m*(L; delta) with their
    intervals (hollow where extrapolated beyond the measured widths), and the fitted power law
    m* ~ L^k with its degree. None when the claim has no regime finding."""
    from matplotlib.colors import LogNorm

    fits = [(f, regime_fit(f)) for f in result.findings]
    fits = [(f, r) for f, r in fits if r is not None]
    if not fits:
        return None
    n = len(fits)
    fig = ClaimFigure(figsize=(5.2 * n, 4.2), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, n, squeeze=False).ravel()
    for ax, (f, r) in zip(axes, fits):
        deg = r.degree
        pts = pd.DataFrame(r.points, columns=["L", "m", "q"]).groupby(["L", "m"], as_index=False)["q"].mean()
        ratio = pts["q"].to_numpy() / deg.delta
        # a log scale centred on 1 (white: E q = delta; blue inside the regime, red outside)
        span = max(float(np.nanmax(ratio)), 1.0 / max(float(np.nanmin(ratio)), 1e-6), 1.01)
        sc = ax.scatter(
            pts["L"],
            pts["m"],
            c=np.clip(ratio, 1.0 / span, span),
            cmap="coolwarm",
            norm=LogNorm(vmin=1.0 / span, vmax=span),
            s=46,
            edgecolors="k",
            linewidths=0.3,
            zorder=3,
        )
        fig.colorbar(sc, ax=ax, label=f"mean {r.quantity} / delta")
        rows = [t for t in r.thresholds if t.position != "undefined"]
        for t in rows:
            top = t.ci_high if math.isfinite(t.ci_high) else max(pts["m"].max() * 64, t.m_star * 4)
            face = "none" if t.extrapolated else "k"
            ax.errorbar(
                [t.L],
                [t.m_star],
                yerr=[[t.m_star - t.ci_low], [top - t.m_star]],
                fmt="o",
                mfc=face,
                mec="k",
                ecolor="k",
                capsize=3,
                zorder=4,
            )
        Ls = np.array(deg.lengths, float)
        grid = np.geomspace(Ls.min(), Ls.max(), 50)
        line = np.exp(deg.degree.intercept) * grid**deg.degree.slope
        ax.plot(
            grid,
            line,
            "k--",
            lw=1.2,
            label=f"m* ~ L^k, k = {S.estimate_text(deg.degree.slope, deg.degree.ci_low, deg.degree.ci_high)}",
        )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_major_locator(FixedLocator(sorted(set(pts["L"]))))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("L", fontsize=8)
        ax.set_ylabel("m", fontsize=8)
        colour = VERDICT_COLOURS[f.verdict]
        ax.set_title(f"delta = {deg.delta:g}: polynomial m*(L)? {f.label}", fontsize=9, color=colour)
        ax.legend(fontsize=7, loc="upper left", framealpha=0.7)
    title = (
        f"{result.claim.name}: the regime m >= poly(L) "
        "(points: measured; black: m*(L) with its interval, hollow = extrapolated)"
    )
    fig.suptitle(textwrap.fill(title, width=int(13 * fig.get_figwidth())), fontsize=10)
    return fig
