r"""Making the bound-vs-measured report: every claim of the registry, measured on a grid, into a
:class:`~rnntheory.report.document.Report` (whose tables and files are :mod:`rnntheory.report.document`).

One job: the four ways to make a Report or say what it costs. :func:`run` measures the cells of the chosen
claims (resumably and in parallel: :mod:`rnntheory.run.executors`; with a budget,
:mod:`rnntheory.checking.budget`) and judges them; :func:`rejudge` judges a stored run again from its
cache and :func:`from_results` from its results.json alone; :func:`cost` says what :func:`run` would
cost; :func:`versions` names the libraries whose arithmetic reaches its numbers.

Grid files are read by :mod:`rnntheory.report.grids`; two reports are compared by
:mod:`rnntheory.report.comparison`; the command line is ``rnntheory report`` (:mod:`rnntheory.cli.report`;
``rnntheory report --help`` lists its options).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

import torch

from .. import __version__
from ..checking import budget as B
from ..checking.claim_result import ClaimResult
from ..checking.grid import Grid
from ..checking.running import judge_records, measure_grids, run_grids
from ..claims import get
from ..run.cache import CellCache
from ..run.cost import Cost, estimate
from ..run.options import RunOptions
from ..run.records import Task, device_name
from .document import Report
from .grids import load_grids
from .markdown import PAPER

__all__ = ["run", "rejudge", "from_results", "cost", "versions"]


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
