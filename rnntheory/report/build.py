r"""The bound-vs-measured report: every claim of the registry, measured on a grid, into a :class:`Report`.

One job: making a :class:`Report` and its tables. :func:`run` measures the cells of the chosen claims
(resumably and in parallel: :mod:`rnntheory.run.executors`; with a budget, :mod:`rnntheory.checking.budget`) and
judges them; :func:`rejudge` judges a stored run again from its cache and :func:`from_results` from its
results.json alone; :func:`cost` says what :func:`run` would cost. :meth:`Report.write` produces::

    report.md            summary table of verdicts, then one section per claim: statement, bound shape,
                         figure, findings with fitted exponents and intervals, verdicts, smallest
                         constants, and a sentence on what was and was not shown (rnntheory.report.markdown)
    figures/<claim>.png  measured values with spread against the bound shape (rnntheory.report.figures)
    results.csv          every measured row with its claim, cell key and full configuration
    results.json         the same rows grouped by claim and cell, with the grids and the findings

Nothing in these files depends on the time or the order in which cells were measured, so a report
that was interrupted and resumed writes the same files as one that ran straight through.

Grid files are read by :mod:`rnntheory.report.grids`; two reports are compared by
:mod:`rnntheory.report.comparison`; the command line is ``rnntheory report`` (:mod:`rnntheory.cli.report`;
``rnntheory report --help`` lists its options). Just over 400 lines: the Report with its tables and the
four ways to make one (run, rejudge, from_results, cost) belong together.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd
import torch

from .. import __version__
from .. import stats as S
from ..checking import budget as B
from ..checking.claim_result import ClaimResult
from ..checking.grid import Grid
from ..checking.results import Finding
from ..checking.running import judge_records, measure_grids, run_grids
from ..checking.text import measured
from ..claims import get
from ..run.cache import CellCache, atomic_write
from ..run.cost import Cost, estimate
from ..run.options import RunOptions
from ..run.records import Task, device_name, plain, to_json
from ..stats.verdicts import VERDICTS
from .grids import grid_spec, load_grids
from .markdown import PAPER, page

__all__ = ["Report", "regime_degree", "run", "rejudge", "from_results", "cost", "headline_finding", "versions"]


# ---------------------------------------------------------------------- the report
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


def run(
    claims: Sequence[str] | None = None,
    grid: str | os.PathLike[str] = "default",
    options: RunOptions | None = None,
    *,
    command: str = "rnntheory report",
    log: Any = None,
    **given: Any,
) -> Report:
    r"""Measure and judge the chosen claims on a grid.

    Args:
        claims: registered claim names (default: all, in the registry's order).
        grid: ``"default"``, ``"large"``, ``"gpu"`` or a grid file (:func:`load_grids`).
        options: the run's :class:`~rnntheory.run.RunOptions` (device, dtype, seeds, seed offset, cache,
            jobs, progress, failed cells, executor, budget); ``given`` replaces its fields
            (``report.run(jobs=2, cache=folder)``).
        command: how the report says it is regenerated.
        log: a callable for one line per budget round (default: silent).

    Returns:
        A :class:`Report`.

    Raises:
        ValueError: an unknown claim or grid, or a bad option.
    """
    # a report shows its progress unless told otherwise
    opts, extra = RunOptions.split("report.run", options if options is not None else RunOptions(progress=True), given)
    if extra:
        raise TypeError(f"report.run: unexpected arguments {sorted(extra)}; expected RunOptions fields")
    grids, _, _ = _tasks("report.run", claims, grid, opts)
    device, dtype = opts.device, opts.dtype
    t0 = time.perf_counter()
    label = Path(str(grid)).name
    single = 1.0 - B.ALPHA  # the level of a run's one look
    meta = {
        "paper": PAPER,
        "rnntheory": __version__,
        "torch": torch.__version__,
        "device": device,
        "device_name": device_name(device),
        "dtype": dtype if dtype is not None else "per claim",
        "dtypes": {n: get(n).dtype_for(dtype) for n in grids},
        "grid": label,
        "seeds": opts.seeds,
        "seed_offset": opts.seed_offset,
        "threads": opts.threads,
        "claims": list(grids),
        "command": command,
        "level": single,
        "versions": versions(),
    }
    chosen = {n: get(n) for n in grids}
    if opts.budget is not None:
        results, grids, records, meta["budget"] = run_grids(chosen, grids, opts, label=label, log=log)
        levels = {res.level for res in results.values()}
        meta["level"] = levels.pop() if len(levels) == 1 else None  # None: each claim at its own look's level
        return Report(results, grids, records, meta, time.perf_counter() - t0)
    records = measure_grids(chosen, grids, opts)
    results = {n: judge_records(chosen[n], g, records[n], label, single) for n, g in grids.items()}
    return Report(results, grids, records, meta, time.perf_counter() - t0)


def _stored(
    folder: str | os.PathLike[str], where: str
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Grid]]:
    r"""A report folder's results.json, its metadata, its claims and their grids (with their seeds)."""
    from .grids import grid_from_spec

    try:
        doc = json.loads((Path(folder) / "results.json").read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"{where}: {str(folder)!r} has no readable results.json ({exc})") from None
    chosen = {c["name"]: get(c["name"]) for c in doc["claims"]}
    return doc, dict(doc["report"]), chosen, {c["name"]: grid_from_spec(c["name"], c["grid"]) for c in doc["claims"]}


def _judged(
    chosen: Mapping[str, Any],
    grids: Mapping[str, Grid],
    records: Mapping[str, list[dict[str, Any]]],
    meta: Mapping[str, Any],
) -> dict[str, ClaimResult]:
    r"""Every claim judged at the level of its last look (a budgeted run's looks,
    :func:`rnntheory.checking.budget.level_of`; the levels it recorded, where it did)."""
    budget = meta.get("budget") or {}
    looks, levels = budget.get("looks", {}), budget.get("levels") or {}

    def level(n: str) -> float:
        if levels.get(n) is not None:
            return float(levels[n])
        return B.level_of(chosen[n].replicable, int(looks[n])) if n in looks else 1.0 - B.ALPHA

    return {n: judge_records(chosen[n], g, records[n], meta["grid"], level(n)) for n, g in grids.items()}


def rejudge(folder: str | os.PathLike[str], cache: str | os.PathLike[str] | None = None) -> Report:
    r"""The report in ``folder`` judged again by the current rules from its cache (default
    ``folder/.cache``), measuring nothing: the same grids and seeds (results.json), each claim at the
    level of its last look (a budgeted run's looks, :func:`rnntheory.checking.budget.level_of`), the run's
    metadata kept. The way to apply a changed judging rule to a stored run.

    Raises:
        ValueError: no readable results.json, or a cell that is not in the cache.
    """
    _, meta, chosen, grids = _stored(folder, "report.rejudge")
    cache = Path(folder) / ".cache" if cache is None else Path(cache)
    store = CellCache(cache)
    # the dtype each claim was measured in (reports written before per-claim dtypes have one for all)
    dtypes = meta.get("dtypes") or {n: meta["dtype"] for n in grids}
    for n, g in grids.items():
        missing = [
            t
            for t in chosen[n].tasks(g.cells(device=meta["device"], dtype=dtypes[n]))
            if store.load(t.group, t.key) is None
        ]
        if missing:
            raise ValueError(f"report.rejudge: {len(missing)} cell(s) of {n} are not in {cache}")
    records = {}
    for n in grids:
        opts = RunOptions(device=meta["device"], dtype=dtypes[n], cache=cache, jobs=1, progress=False)
        records.update(measure_grids({n: chosen[n]}, {n: grids[n]}, opts))
    meta["rejudged"] = (
        "judged again from its cache by the current rules (`rnntheory.report.rejudge`), each claim at "
        "the level of its last look; nothing was measured again"
    )
    return Report(_judged(chosen, grids, records, meta), grids, records, meta)


def from_results(folder: str | os.PathLike[str]) -> Report:
    r"""The report in ``folder`` rebuilt from its results.json alone, with no cache: the same grids,
    seeds, rows and metadata, each claim judged by the current code at the level of its last look. Its
    report.md and results.json equal the folder's as long as neither the rules, their words nor the
    reference timings behind "to decide" changed; ``python tools/published.py`` re-renders the
    committed reports this way. Non-finite numbers, stored in results.json as null, are read back from
    results.csv. The cells' times are not stored, so :attr:`Report.compute_seconds` reads 0.

    Raises:
        ValueError: no readable results.json, or a results.csv that does not match it.
    """
    import csv

    doc, meta, chosen, grids = _stored(folder, "report.from_results")
    records = {
        c["name"]: [
            {
                "claim": chosen[c["name"]].cache_group or c["name"],
                "seconds": 0.0,
                **{k: r[k] for k in ("key", "cell", "rows", "error") if k in r},
            }
            for r in c["cells"]
        ]
        for c in doc["claims"]
    }
    nulls = [
        (row, k)
        for recs in records.values()
        for rec in recs
        for row in rec["rows"]
        for k, v in row.items()
        if v is None
    ]
    if nulls:  # only then is results.csv needed: its rows are those of results.json, in the same order
        try:
            with open(Path(folder) / "results.csv", newline="") as fh:
                lines = [line for line in csv.DictReader(fh) if not line.get("error")]
        except OSError as exc:
            raise ValueError(
                f"report.from_results: {str(folder)!r} has null values and no readable results.csv ({exc})"
            ) from None
        rows = [row for recs in records.values() for rec in recs for row in rec["rows"]]
        if len(lines) != len(rows):
            raise ValueError(
                f"report.from_results: {str(folder)!r}: results.csv has {len(lines)} measured rows, "
                f"results.json {len(rows)}"
            )
        where = {id(row): line for row, line in zip(rows, lines)}
        for row, k in nulls:
            text = where[id(row)].get(k, "")
            if text in ("inf", "-inf"):
                row[k] = float(text)
    return Report(_judged(chosen, grids, records, meta), grids, records, meta)


def _tasks(
    where: str, claims: Sequence[str] | None, grid: str | os.PathLike[str], opts: RunOptions
) -> tuple[dict[str, Grid], list[Task], list[str]]:
    r"""The grids (with the seeds of ``opts``), the tasks of every cell and the claim of each task."""
    grids = load_grids(grid, claims, seeds=opts.seeds, seed_offset=opts.seed_offset)
    tasks: list[Task] = []
    owner: list[str] = []
    for n, g in grids.items():
        get(n).check_cells(g, where)
        ts = get(n).tasks(g.cells(device=opts.device, dtype=get(n).dtype_for(opts.dtype, where)))
        tasks += ts
        owner += [n] * len(ts)
    return grids, tasks, owner


def cost(
    claims: Sequence[str] | None = None,
    grid: str | os.PathLike[str] = "default",
    options: RunOptions | None = None,
    **given: Any,
) -> Cost:
    r"""What :func:`run` with these arguments would cost, measuring nothing (``rnntheory report
    --dry-run``): per claim, the cells, how many are in ``options.cache`` and the estimated compute of the
    rest from measured per-cell times (:mod:`rnntheory.run.cost`). Cells shared by two claims count once,
    under the first."""
    opts, extra = RunOptions.split("report.cost", options, given)
    if extra:
        raise TypeError(f"report.cost: unexpected arguments {sorted(extra)}; expected RunOptions fields")
    _, tasks, owner = _tasks("report.cost", claims, grid, opts)
    return estimate(tasks, cache=opts.cache, labels=owner, retry_failed=opts.retry_failed)


def versions() -> dict[str, str]:
    r"""The versions of Python and of every library whose arithmetic can reach a number in the report:
    two reports agree to the last bit only when these agree (docs/reporting.md, reproducibility)."""
    import importlib.metadata as md
    import platform

    out = {"python": platform.python_version()}
    for dist in ("torch", "numpy", "scipy", "pandas", "sympy", "mpmath", "matplotlib"):
        try:
            out[dist] = md.version(dist)
        except md.PackageNotFoundError:  # pragma: no cover - every one is a dependency
            out[dist] = "not installed"
    return out
