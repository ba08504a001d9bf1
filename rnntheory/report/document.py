r"""The bound-vs-measured report as data: a :class:`Report` holds every claim's
:class:`~rnntheory.checking.ClaimResult`, grid and cell records, and what the run was.

One job: a Report's tables and the files it writes. :meth:`Report.write` produces::

    report.md            summary table of verdicts, then one section per claim: statement, bound shape,
                         figure, findings with fitted exponents and intervals, verdicts, smallest
                         constants, and a sentence on what was and was not shown (rnntheory.report.markdown)
    figures/<claim>.png  measured values with spread against the bound shape (rnntheory.report.figures)
    results.csv          every measured row with its claim, cell key and full configuration
    results.json         the same rows grouped by claim and cell, with the grids and the findings

Nothing in these files depends on the time or the order in which cells were measured, so a report
that was interrupted and resumed writes the same files as one that ran straight through. A Report is
made by :mod:`rnntheory.report.build` (measured, judged again from its cache, or rebuilt from its
results.json).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from .. import stats as S
from ..checking.claim_result import ClaimResult
from ..checking.grid import Grid
from ..checking.results import Finding
from ..checking.text import measured
from ..run.cache import atomic_write
from ..run.records import plain, to_json
from ..stats.verdicts import VERDICTS
from .grids import grid_spec
from .markdown import page

__all__ = ["Report", "regime_degree", "headline_finding"]


def headline_finding(result: ClaimResult) -> Finding | None:
    r"""The finding that decides a claim's verdict, its headline (:meth:`~rnntheory.checking.ClaimResult.deciding`,
    by the one headline rule of rnntheory.checking.text); ``None`` when no finding has the claim's verdict."""
    return result.deciding()


def regime_degree(result: ClaimResult) -> str:
    r"""The degree k of the claim's threshold width m*(L) ~ L^k (theory.md sec. 10) at its first accuracy with
    a fitted degree, with its interval ("-" for a claim whose premise m >= poly(L) is not measured)."""
    for f in result.findings:
        deg = getattr(getattr(f, "fit", None), "degree", None)
        if isinstance(deg, S.ThresholdDegree):
            return f"{S.estimate_text(deg.degree.slope, deg.degree.ci_low, deg.degree.ci_high)} (delta = {deg.delta:g})"
    return "-"


def _point_key(point: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in point.items() if k != "seeds"}


@dataclass
class Report:
    r"""Results of a report run: per claim its :class:`~rnntheory.checking.ClaimResult`, grid and cell
    records (in the order of the grid), and what the run was (``meta``)."""

    results: dict[str, ClaimResult]
    grids: dict[str, Grid]
    records: dict[str, list[dict[str, Any]]]
    meta: dict[str, Any]
    wall_seconds: float = 0.0  # of this run (not written to the files, which must not depend on it)

    def __post_init__(self) -> None:
        # what the files say must not depend on when or how fast the cells were measured: their "to decide"
        # costs come from the reference timings; the speed this run measured is kept for what is printed
        # after it (:meth:`decide`)
        self.measured = {n: res.compute for n, res in self.results.items()}
        self.results = {n: dataclasses.replace(res, compute=math.nan) for n, res in self.results.items()}
        self.controls = {n: res.controls() for n, res in self.results.items()}

    def decide(self, name: str, jobs: int = 2) -> str:
        r"""What would decide claim ``name`` (:meth:`ClaimResult.decide`) at the speed this run measured (its
        cells' seconds), where the files give the reference timings' estimate."""
        return dataclasses.replace(self.results[name], compute=self.measured.get(name, math.nan)).decide(jobs)

    @property
    def compute_seconds(self) -> dict[str, float]:
        r"""Per claim, the seconds its cells took when they were measured (cached cells included)."""
        return {n: float(sum(r["seconds"] for r in recs)) for n, recs in self.records.items()}

    def summary(self) -> pd.DataFrame:
        r"""One row per claim: name, reference, verdict, counts of findings by verdict, and the headline
        finding (the first with the claim's verdict) with its smallest constant."""
        rows = []
        for n, res in self.results.items():
            head = headline_finding(res)
            counts = {v: sum(f.verdict == v for f in res.judged()) for v in VERDICTS}
            ctl = self.controls[n]
            rows.append(
                {
                    "claim": n,
                    "reference": res.claim.reference,
                    "verdict": str(res.verdict),
                    **{f"n_{v}": c for v, c in counts.items()},
                    "controls": ", ".join(f"{n} {status}" for status, n in Counter(o.status for o in ctl).items()),
                    "headline": "" if head is None else f"{head.name}: {measured(head)}",
                    "constant": None if head is None else head.constant,
                    "cells": len(self.records[n]),
                    "failed": len(res.failed),
                    "to_decide": res.decide() or "-",
                    "at_resolution": sum(f.decision.at_resolution for f in res.judged()),
                    "described": sum(f.described != "" for f in res.findings),
                    "degree": regime_degree(res),
                }
            )
        return pd.DataFrame(rows)

    def findings(self) -> pd.DataFrame:
        r"""One row per finding of every claim."""
        frames = [res.to_frame().assign(measured=[measured(f) for f in res.findings]) for res in self.results.values()]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def results_frame(self) -> pd.DataFrame:
        r"""Every measured row: ``claim``, ``cell`` (the cache key's first 16 hex digits), the row's
        columns, then the rest of its cell's configuration (lists and dicts as JSON text). A failed
        cell gives one row with its configuration and ``error`` ("type: message")."""
        rows = []
        for n, recs in self.records.items():
            for rec in recs:
                for row in rec["rows"]:
                    rows.append(
                        {
                            "claim": n,
                            "cell": rec["key"][:16],
                            **row,
                            **{k: v for k, v in rec["cell"].items() if k not in row},
                        }
                    )
                if rec.get("error"):  # a failed cell: one row with its configuration and the error
                    e = rec["error"]
                    rows.append(
                        {"claim": n, "cell": rec["key"][:16], **rec["cell"], "error": f"{e['type']}: {e['message']}"}
                    )
        df = pd.DataFrame(rows)
        kinds: dict[str, set[type]] = {}
        for row in rows:
            for k, v in row.items():
                if v is not None:
                    kinds.setdefault(k, set()).add(type(v))
        for col, ts in kinds.items():
            if ts & {list, dict}:
                df[col] = df[col].map(lambda v: to_json(v) if isinstance(v, (list, dict)) else v)
            elif ts == {int}:
                df[col] = df[col].astype("Int64")  # integers stay integers next to other claims' blanks
        return df

    def to_json(self) -> dict[str, Any]:
        r"""Everything the report knows, as JSON-ready data (``results.json``)."""
        claims = []
        for n, res in self.results.items():
            c = res.claim
            claims.append(
                {
                    "name": n,
                    "title": c.title,
                    "reference": c.reference,
                    "statement": c.statement,
                    "quantity": c.quantity,
                    "bound": c.bound,
                    "verdict": res.verdict,
                    "version": c.version,
                    "grid": grid_spec(self.grids[n]),
                    "judging": dict(res.settings),
                    "level": res.level,
                    "to_decide": res.decide(),
                    "findings": [
                        {
                            "key": f.key,
                            "name": f.name,
                            "verdict": f.verdict,
                            "label": f.label,
                            "claimed": f.claimed,
                            "estimate": f.decision.estimate,
                            "ci_low": f.decision.ci_low,
                            "ci_high": f.decision.ci_high,
                            "resolution": f.resolution,
                            "meaning": f.decision.meaning,
                            "needs": f.needs,
                            "catches": dict(f.catches),
                            "described": f.described,
                            "measured": measured(f),
                            "constant": f.constant,
                            "detail": f.detail,
                            "fit": None if f.fit is None else {"type": type(f.fit).__name__, **plain(f.fit)},
                        }
                        for f in res.findings
                    ],
                    "controls": [
                        {"kind": o.kind, "what": o.what, "status": o.status, "detail": o.detail}
                        for o in self.controls[n]
                    ],
                    "seeds": {
                        json.dumps(_point_key(p), sort_keys=True): list(self.grids[n].point_seeds(p))
                        for p in self.grids[n].points
                    },
                    "cells": [
                        {
                            "key": r["key"],
                            "cell": r["cell"],
                            "rows": r["rows"],
                            **({"error": r["error"]} if r.get("error") else {}),
                        }
                        for r in self.records[n]
                    ],
                }
            )
        return plain({"report": self.meta, "claims": claims}, finite=True)

    def markdown(self, figures: Mapping[str, str] | None = None) -> str:
        r"""The text of ``report.md`` (``figures``: claim name -> relative path of its PNG;
        :func:`rnntheory.report.markdown.page`)."""
        return page(self, figures)

    def write(self, out: str | os.PathLike[str], *, figures: bool = True) -> list[Path]:
        r"""Write report.md, figures/<claim>.png, results.csv and results.json into ``out``; returns the
        paths written. Each file is written atomically (rnntheory.run.cache.atomic_write)."""
        from ._canvas import save_figure
        from .figures import claim_figure
        from .regime_plane import regime_figure

        root = Path(out)
        (root / "figures").mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        paths: dict[str, str] = {}
        if figures:
            for n, res in self.results.items():
                p = root / "figures" / f"{n}.png"
                fig = claim_figure(res)
                atomic_write(p, lambda tmp: save_figure(fig, tmp))
                paths[n] = f"figures/{n}.png"
                written.append(p)
                regime = regime_figure(res)
                if regime is not None:  # the (L, m) plane of the claim's premise m >= poly(L)
                    p = root / "figures" / f"{n}-regime.png"
                    atomic_write(p, lambda tmp: save_figure(regime, tmp))
                    paths[f"{n}:regime"] = f"figures/{n}-regime.png"
                    written.append(p)
        texts = {
            "report.md": self.markdown(paths),
            "results.csv": self.results_frame().to_csv(index=False),
            "results.json": json.dumps(self.to_json(), indent=1) + "\n",
        }
        for name, text in texts.items():
            atomic_write(root / name, text)
            written.append(root / name)
        return written
