r"""Running claims: the one path from grids to verdicts. One job: measuring the cells of one claim or of
several (in one sweep, through :mod:`rnntheory.run.executors`), judging their records, and spending a
budget on rounds of added seeds (:mod:`rnntheory.checking.budget`), all with one
:class:`~rnntheory.run.RunOptions`. :meth:`Claim.run <rnntheory.checking.Claim.run>`, the report and
proofs_checks take this path; the :class:`~rnntheory.checking.Claim` itself is a record.

>>> from rnntheory import claims
>>> from rnntheory.checking.running import run
>>> from rnntheory.run import RunOptions
>>> res = run(claims.get("backward_coupling"), "default", RunOptions(jobs=2))   # doctest: +SKIP
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable, Iterable, Mapping, Protocol

from .. import _validation as V
from ..run.cost import Cost, estimate
from ..run.executors import run_tasks
from ..run.options import RunOptions
from ..run.progress import watching
from ..run.records import Task, failures, frame
from . import budget as B
from .claim_result import ClaimResult
from .grid import Grid

__all__ = ["Runnable", "run", "cost", "measure_grids", "judge_records", "run_grids"]


class Runnable(Protocol):
    r"""What running needs of a claim (a :class:`~rnntheory.checking.Claim` has it all): its name, whether more
    seeds add networks, its grid with a run's seeds and fixed settings, the check of that grid's cells, the
    dtype a run measures it in, the tasks of its cells, and its judge. Running knows a claim by these alone,
    so that the claim, which runs itself through :meth:`Claim.run`, and running import nothing of each other
    but this."""

    name: str
    replicable: bool

    def resolve(self, grid: Any = ..., options: Any = ..., *, where: str = ..., **overrides: Any) -> Grid: ...

    def check_cells(self, grid: Grid, where: str) -> None: ...

    def dtype_for(self, dtype: Any = ..., where: str = ...) -> str: ...

    def tasks(self, cells: Iterable[Mapping[str, Any]]) -> list[Task]: ...

    def judge(self, data: Any, grid: Any = ..., **kwargs: Any) -> ClaimResult: ...


def run(
    claim: Runnable,
    grid: str | Grid = "default",
    options: RunOptions | None = None,
    *,
    where: str | None = None,
    **overrides: Any,
) -> ClaimResult:
    r"""Measure every cell of ``grid`` (``"default"``, ``"large"`` or a :class:`Grid`) for ``claim`` with
    ``options`` and judge the result (:meth:`Claim.judge`).

    ``overrides`` fix measuring settings (``w_var=4.0`` for a broken network); ``where`` names the caller in
    the messages of a setup mistake (default: this function). With ``options.progress``
    ``"auto"``: a bar on standard error when a person is watching, else one line when the claim starts
    and one when it is judged. With ``options.budget``: after the grid, rounds of added seeds while its
    findings are undecided, each look judged at its spent level (:mod:`rnntheory.checking.budget`).
    """
    fn = where or V.caller(run)
    opts = options if options is not None else RunOptions()
    g = claim.resolve(grid, opts, where=fn, **overrides)
    claim.check_cells(g, fn)
    label = grid if isinstance(grid, str) else "custom"
    progress = opts.progress
    if progress == "auto":
        progress = watching()
        # no bar to watch (output redirected, a script, a log): one line when the claim starts and ends
        say = (lambda msg: print(msg, file=sys.stderr, flush=True)) if not progress else (lambda msg: None)
    else:
        say = lambda msg: None  # noqa: E731 - the caller chose the bar (or silence)
    opts = RunOptions.split(fn, opts, {"progress": progress})[0]
    say(f"{claim.name}: measuring {len(g)} cells of the {label} grid")
    t0 = time.perf_counter()
    if opts.budget is not None:
        results, _, _, _ = run_grids({claim.name: claim}, {claim.name: g}, opts, label=label, log=say)
        res = results[claim.name]
    else:
        records = run_tasks(claim.tasks(g.cells(device=opts.device, dtype=claim.dtype_for(opts.dtype, fn))), opts)
        res = claim.judge(
            frame(records),
            g,
            name=label,
            seconds=time.perf_counter() - t0,
            failed=failures(records),
            compute=sum(float(r["seconds"]) for r in records),
        )
    n = len(res.findings)
    say(f"{claim.name}: {res.verdict} ({n} finding{'s' if n != 1 else ''}, {time.perf_counter() - t0:.1f} s)")
    return res


def cost(
    claim: Runnable,
    grid: str | Grid = "default",
    options: RunOptions | None = None,
    *,
    where: str | None = None,
    **overrides: Any,
) -> Cost:
    r"""What :func:`run` with these arguments would cost, measuring nothing: the cells, how many are in
    ``options.cache``, and the estimated compute of the rest from measured per-cell times
    (:mod:`rnntheory.run.cost`); ``.wall(jobs)`` estimates the wall time with ``jobs`` workers."""
    fn = where or V.caller(cost)
    opts = options if options is not None else RunOptions()
    g = claim.resolve(grid, opts, where=fn, **overrides)
    claim.check_cells(g, fn)
    tasks = claim.tasks(g.cells(device=opts.device, dtype=claim.dtype_for(opts.dtype, fn)))
    return estimate(tasks, cache=opts.cache, labels=[claim.name] * len(tasks), retry_failed=opts.retry_failed)


def measure_grids(
    claims: Mapping[str, Runnable], grids: Mapping[str, Grid], options: RunOptions | None = None
) -> dict[str, list[dict[str, Any]]]:
    r"""Measure the cells of every claim's grid (``grids``: claim name -> grid of ``claims[name]``) in one
    sweep and return each claim's records in its grid's order. ``options.dtype`` ``None``: each claim in
    its own dtype (:meth:`Claim.dtype_for`)."""
    opts = options if options is not None else RunOptions()
    tasks, owner = [], []
    for n, g in grids.items():
        ts = claims[n].tasks(
            g.cells(device=opts.device, dtype=claims[n].dtype_for(opts.dtype, V.caller(measure_grids)))
        )
        tasks += ts
        owner += [n] * len(ts)
    recs = run_tasks(tasks, opts)
    out: dict[str, list[dict[str, Any]]] = {n: [] for n in grids}
    for n, rec in zip(owner, recs):
        out[n].append(rec)
    return out


def judge_records(claim: Runnable, grid: Grid, records: list[dict[str, Any]], label: str, level: float) -> ClaimResult:
    r"""``claim`` judged on the cell records of ``grid`` at confidence ``level`` (failed cells named)."""
    compute = sum(float(r["seconds"]) for r in records)
    return claim.judge(
        frame(records), grid, name=label, seconds=compute, failed=failures(records), level=level, compute=compute
    )


def run_grids(
    claims: Mapping[str, Runnable],
    grids: Mapping[str, Grid],
    options: RunOptions,
    *,
    label: str = "default",
    log: Callable[[str], None] | None = None,
) -> tuple[dict[str, ClaimResult], dict[str, Grid], dict[str, list[dict[str, Any]]], dict[str, Any]]:
    r"""Measure ``grids`` (claim name -> :class:`Grid` of ``claims[name]``) and spend the rest of
    ``options.budget`` on rounds of added seeds (:func:`rnntheory.checking.budget.spend`: each claim
    measured by :func:`measure_grids` and judged by :func:`judge_records` at the level of its look).

    Returns:
        ``(results, grids, records, summary)`` as :func:`rnntheory.checking.budget.spend`.
    """
    if options.budget is None:
        raise ValueError(f"{V.caller(run_grids)}: options.budget is None; a budgeted run needs a budget")
    return B.spend(
        grids,
        options.budget,
        jobs=options.jobs,
        log=log,
        measure=lambda gs: measure_grids(claims, gs, options),
        judge=lambda n, g, recs, look: judge_records(claims[n], g, recs, label, B.level_of(claims[n].replicable, look)),
    )
