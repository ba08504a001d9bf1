r"""Running cells: :func:`run_tasks` measures (or loads) a list of tasks in this process, in a pool of
local worker processes, or on a Dask cluster, and returns their records. Measuring a cell is
deterministic, so each cell is computed once and kept in the cache (rnntheory.run.cache); running a
sweep again loads the finished cells and measures the missing ones.

A cell whose measuring function raises is kept as a failed record (its error's type, message and the
end of its traceback, no rows, and the fingerprint of the code that raised it): one bad cell never ends a
sweep; a rerun of the same code replays the failure (cells are deterministic) and says so on standard
error, a rerun of changed code measures it again (rnntheory.run.records.measure_again), and
``run_tasks(retry_failed=True)`` measures failed cells again whatever the code.

Several runs may share one cache: the process measuring a cell holds its lock, so another run skips
that cell, measures the rest, then waits for it and reads the record; it measures the cell itself
only if the holder stopped before finishing it. No cell is measured twice.

Every cell is measured with ``threads`` torch threads (:attr:`RunOptions.threads`, default 1, the setting of
the reference timings), however it is measured: in this process (``jobs=1``: the process's own number is
set for the run and restored afterwards), in ``jobs`` local worker processes (``spawn``), or on Dask
workers. ``jobs x threads`` should not exceed the cores this process may use
(``rnntheory.run.cores.available``): idle OpenMP threads of an oversubscribed machine spin and slow every
cell. A worker ends as soon as the process that started it is gone. Reductions split over a different
number of threads may round differently in the last bit (magnified in differences of nearly equal
numbers: up to 5e-6 relative on the default grid, in a near-zero ridge residual), so compare sweeps run
with the same ``threads`` for identical files.

One job: the run of a list of tasks (its arguments, the cached records, the order of measurement, the
progress bar, the wait for cells of other runs). The three places a cell is measured share one group's
measurement under its cells' locks (``rnntheory.run._shared``): this process (here), local worker
processes (``rnntheory.run._workers``) and Dask (``rnntheory.run._cluster``).

>>> from rnntheory import claims, run
>>> c = claims.get("hidden_perturbation")
>>> records = run.run_tasks(c.tasks(c.grid().cells()), cache="sweep-cache")  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import json
import pickle
import sys
from typing import Any, Callable, Iterator, Sequence

import torch

from .. import _validation as V
from ._cluster import on_dask
from ._shared import BUSY, pick, work
from ._workers import parallel
from .batching import groups
from .cache import CellCache
from .options import RunOptions
from .progress import Progress, watching
from .records import Task, measure_again

__all__ = ["run_tasks"]


# ---------------------------------------------------------------------- a list of cells
def run_tasks(tasks: Sequence[Task], options: RunOptions | None = None, **given: Any) -> list[dict[str, Any]]:
    r"""Measure (or load) every :class:`~rnntheory.run.records.Task`; one record per task, in the order given.

    A record is the cell's JSON object: ``claim`` (the task's group), ``version``, ``key``, ``cell``,
    ``rows`` (the measured rows), the versions, the device name and ``seconds`` (the time the
    measurement took when it was made). A cell whose measuring function raises is a recorded
    outcome, not the end of the run: its record has no rows and an ``error`` (type, message, the
    end of the traceback) and the fingerprint of the code that raised it, is cached like any other, and is
    not measured again on a rerun of the same code (cells are deterministic; a line on standard error says
    that failures were replayed) unless ``retry_failed``; once the measuring code changes (its fingerprint,
    :func:`rnntheory.run.records.code_fingerprint`) it is measured again. KeyboardInterrupt and SystemExit
    still stop the run.

    Args:
        tasks: the tasks (:meth:`rnntheory.checking.Claim.tasks` builds a claim's).
        options: the run's :class:`~rnntheory.run.RunOptions` (its ``cache``, ``jobs``, ``progress``,
            ``retry_failed``, ``executor`` and ``scheduler`` are used here); ``given`` replaces fields of it
            (``run_tasks(tasks, jobs=2, cache=folder)``).
        cache: a folder (or :class:`~rnntheory.run.cache.CellCache`) for finished cells; ``None`` keeps nothing.
        jobs: worker processes (1: measure in this process); their measuring functions must pickle.
        threads: torch threads per cell (default 1), in this process, local workers and Dask workers alike.
        progress: a :class:`~rnntheory.run.progress.Progress`, ``True`` for a bar on standard error,
            ``"auto"`` for a bar when a person is watching (:func:`rnntheory.run.progress.watching`), or
            ``None``/``False``.
        retry_failed: measure again the cached cells that failed.
        executor: ``"local"`` (this process, or ``jobs`` local worker processes) or ``"dask"`` (a Dask
            distributed cluster: the one at ``scheduler``, or a LocalCluster of ``jobs`` workers).
            With Dask, workers compute cells and send back their records; this process writes them
            to the cache as they finish, so a lost worker or a killed client loses only cells in
            flight (Dask reschedules a lost worker's cells), and a rerun resumes.
        scheduler: the address of a Dask scheduler (``tcp://host:8786``), for ``executor="dask"``.

    Raises:
        ValueError: ``jobs`` is not a positive integer, or ``jobs > 1`` with a function that cannot
            be sent to a worker process.
    """
    opts, extra = RunOptions.split(V.caller(run_tasks), options, given)
    if extra:
        raise TypeError(
            f"{V.caller(run_tasks)}: unexpected arguments {sorted(extra)}; expected RunOptions fields "
            f"{RunOptions.names()}"
        )
    cache, jobs, progress, retry_failed = opts.cache, opts.jobs, opts.progress, opts.retry_failed
    executor, scheduler, threads = opts.executor, opts.scheduler, opts.threads
    _check_arguments(tasks, jobs, executor, scheduler)
    store = cache if isinstance(cache, CellCache) or cache is None else CellCache(cache)
    keys = [t.key for t in tasks]
    records = _cached(tasks, keys, store, retry_failed)
    pending, copies = _to_measure(tasks, keys, records)
    bar = _bar(progress, tasks, records, pending, len(tasks) - len(copies), jobs)
    try:
        _measure_pending(
            tasks,
            keys,
            records,
            pending,
            store,
            bar,
            jobs=jobs,
            executor=executor,
            scheduler=scheduler,
            retry_failed=retry_failed,
            threads=threads,
        )
    finally:
        if bar is not None:
            bar.close()
    for i, j in copies:
        records[i] = records[j]
    return records  # type: ignore[return-value]


def _check_arguments(tasks: Sequence[Task], jobs: int, executor: str, scheduler: str | None) -> None:
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"{V.caller(run_tasks)}: jobs={jobs!r} must be a positive integer")
    if executor not in ("local", "dask"):
        raise ValueError(f"{V.caller(run_tasks)}: executor={executor!r} must be 'local' or 'dask'")
    if scheduler is not None and executor != "dask":
        raise ValueError(
            f"{V.caller(run_tasks)}: scheduler={scheduler!r} is for executor='dask' (got executor={executor!r})"
        )
    if jobs > 1 or executor == "dask":
        fns = [t.fn for t in tasks] + [t.batching for t in tasks if t.batching is not None]
        _check_picklable(fns)


def _check_picklable(fns: Sequence[Callable[..., Any]]) -> None:
    for fn in {id(fn): fn for fn in fns}.values():
        try:
            pickle.dumps(fn)
        except Exception as exc:
            raise ValueError(
                f"{V.caller(run_tasks)}: the measuring function {fn!r} cannot be sent to a worker process "
                f"({type(exc).__name__}: {exc}); define it at module level or use jobs=1"
            ) from None


def _cached(
    tasks: Sequence[Task], keys: list[str], store: CellCache | None, retry_failed: bool
) -> list[dict[str, Any] | None]:
    r"""The cached record of every task, ``None`` where there is none (or a failed one to retry)."""
    records: list[dict[str, Any] | None] = [None] * len(tasks)
    for i, t in enumerate(tasks):
        if store is not None:
            rec = store.load(t.group, keys[i])
            records[i] = None if measure_again(rec, t, retry_failed) else rec
    replayed = sum(1 for r in records if r is not None and "error" in r)
    if replayed:
        print(
            f"{V.caller(run_tasks)}: {replayed} cell(s) failed in an earlier run of the same code "
            "and are replayed from "
            f"the cache as failures (cells are deterministic); --retry-failed (retry_failed=True) measures them again",
            file=sys.stderr,
            flush=True,
        )
    return records


def _to_measure(
    tasks: Sequence[Task], keys: list[str], records: list[dict[str, Any] | None]
) -> tuple[list[int], list[tuple[int, int]]]:
    r"""The tasks to measure, in the order to measure them, and ``(copy, original)`` for each task
    identical to an earlier one (two claims that share cells), which is measured once."""
    first_of: dict[str, int] = {}
    copies: list[tuple[int, int]] = []
    pending = []
    for i, r in enumerate(records):
        if r is not None:
            continue
        if keys[i] in first_of:
            copies.append((i, first_of[keys[i]]))
        else:
            first_of[keys[i]] = i
            pending.append(i)
    # measure one cell of every claim first (its middle one: grids tend to grow towards their end),
    # so that the time estimate knows each claim's cost early; the order of measurement does not
    # change the records, which keep the order of the tasks
    by_claim: dict[str, list[int]] = {}
    for i in pending:
        by_claim.setdefault(tasks[i].group, []).append(i)
    probes = sorted(ix[len(ix) // 2] for ix in by_claim.values())
    first = set(probes)
    return probes + [i for i in pending if i not in first], copies


def _bar(
    progress: "Progress | bool | str | None",
    tasks: Sequence[Task],
    records: list[dict[str, Any] | None],
    pending: list[int],
    total: int,
    jobs: int,
) -> Progress | None:
    r"""The progress bar the run reports to (begun), or ``None``."""
    if progress == "auto":
        progress = watching()
    bar = Progress(total) if progress is True else (progress or None)
    if bar is not None:
        bar.begin(
            cached=[(tasks[i].group, float(r["seconds"])) for i, r in enumerate(records) if r is not None],
            pending=[tasks[i].group for i in pending],
            jobs=jobs,
        )
    return bar


def _measure_pending(
    tasks: Sequence[Task],
    keys: list[str],
    records: list[dict[str, Any] | None],
    pending: list[int],
    store: CellCache | None,
    bar: Progress | None,
    *,
    jobs: int,
    executor: str,
    scheduler: str | None,
    retry_failed: bool,
    threads: int = 1,
) -> None:
    r"""Measure the pending cells into ``records``: first every cell no other run is measuring, cells
    that may be measured together in groups (:func:`rnntheory.run.batching.groups`); then wait for the
    others' cells one at a time (and measure those whose run stopped before finishing them)."""
    busy: list[int] = []

    def finish(i: int, text: str) -> None:
        if text == BUSY:  # another run on this cache is measuring it: wait for it at the end
            busy.append(i)
            return
        rec = json.loads(text)
        records[i] = rec
        if bar is not None:
            bar.advance(rec["claim"], float(rec["seconds"]))

    root = None if store is None else str(store.root)
    # a waiting pass takes its cells' locks one at a time (blocking on a group's locks could deadlock
    # two runs that grouped the same cells differently)
    todo, wait = groups(tasks, pending, jobs=jobs, cache=store), False
    while todo:
        if executor == "dask":
            on_dask(
                tasks, keys, todo, store, jobs, finish, scheduler, wait, retry_failed, threads, fn=V.caller(run_tasks)
            )
        elif jobs == 1 or len(todo) <= 1:
            with _torch_threads(threads):
                for u in todo:
                    for i, text in zip(u, work(*pick(tasks, keys, u), root, wait, retry_failed)):
                        finish(i, text)
        else:
            parallel(tasks, keys, todo, store, jobs, finish, wait, retry_failed, threads)
        todo, wait = [[i] for i in busy], True
        busy.clear()
        if todo:
            print(
                f"{V.caller(run_tasks)}: waiting for {len(todo)} cell(s) that another run on {root} is measuring",
                file=sys.stderr,
                flush=True,
            )


# ---------------------------------------------------------------------- threads
@contextlib.contextmanager
def _torch_threads(threads: int) -> Iterator[None]:
    r"""Measure with ``threads`` torch threads in this process, and give the process its own number back."""
    before = torch.get_num_threads()
    if before != threads:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)
