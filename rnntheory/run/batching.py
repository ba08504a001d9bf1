r"""Cells measured together, stored apart: which pending cells are measured in one call of their
:class:`~rnntheory.run.records.Batching` function (:func:`groups`), and the records of one cell or one group
(:func:`measure_cell`, :func:`measure_group`).

A task with a ``batching`` (:class:`~rnntheory.run.records.Batching`) may be measured in a group with the
tasks of the same group name, version and functions whose cells differ only in the settings the batching
names (``over``, by default the seed): ``measure_many(cells)`` measures all of them at once (``K``
networks in one batched product) and returns one outcome per cell. Every member keeps its own record
under its own cache key, exactly as if it had been measured alone, so that resuming, the locks of a
shared cache, ``--seed-offset``, Dask and the budget see single cells as before. The record's ``seconds``
is the group's time shared equally among its members (the cost of a cell measured in a group), and its
``group_size`` says how many were measured together.

A member whose outcome is an ``Exception`` is a failed cell, recorded as a failing cell measured alone
is; the others are stored. A group whose ``measure_many`` itself raises (or returns the wrong number of
outcomes) is measured again one cell at a time, so that each cell's record is the one it would have
alone; what that loses is bounded by the group's size.

How large a group is: at most the batching's :meth:`~rnntheory.run.records.Batching.size_for` (the
measured speed-up and the bytes of the stacked matrices), at most ``max_seconds`` of its members'
estimated seconds measured one by one (:func:`rnntheory.run.cost.estimate`: this cache's times, else the
reference timings, else their extrapolation), and small enough that every one of ``jobs`` workers gets a
group. A cell whose estimate exceeds ``max_seconds`` is measured alone.
"""

from __future__ import annotations

import math
import sys
import time
import traceback
from typing import Any, Sequence

import pandas as pd

from .. import _validation as V
from .cache import CellCache
from .cost import estimate
from .records import Task, cell_record, to_json

__all__ = ["error_of", "groups", "measure_cell", "measure_group"]


def error_of(exc: BaseException) -> dict[str, str]:
    r"""What a failed cell keeps of its exception: type, message and the last lines of the traceback."""
    tb = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return {"type": type(exc).__name__, "message": str(exc), "traceback": "".join(tb[-3:])[-2000:]}


def _record(task: Task, key: str, rows: Any, seconds: float, size: int = 1) -> str:
    r"""The record text of one cell's outcome (rows or an exception); a value that cannot be written is
    the cell's failure too."""
    if isinstance(rows, BaseException):
        return cell_record(task, key, [], seconds, error_of(rows), group_size=size)
    try:
        if isinstance(rows, pd.DataFrame):
            rows = rows.to_dict("records")
        return cell_record(task, key, list(rows), seconds, group_size=size)
    except Exception as exc:  # noqa: BLE001 - one failing cell is an outcome, not the end of the run
        return cell_record(task, key, [], seconds, error_of(exc), group_size=size)


def measure_cell(task: Task, key: str) -> str:
    r"""The record text of ``task``'s cell measured alone by ``task.fn``; a cell whose function raises
    (an ``Exception``) is a failed record."""
    t0 = time.perf_counter()
    try:
        rows: Any = task.fn(dict(task.cell))
    except Exception as exc:  # noqa: BLE001 - one failing cell is an outcome, not the end of the run
        rows = exc
    return _record(task, key, rows, time.perf_counter() - t0)


def measure_group(tasks: Sequence[Task], keys: Sequence[str]) -> list[str]:
    r"""The record texts of the cells of ``tasks`` (one group of :func:`groups`, or one task), in order.

    Two or more tasks are measured by one call of their ``batching.measure_many``; a member whose outcome
    is an exception is a failed record, the others are stored. When the call itself raises or returns
    another number of outcomes, every cell is measured alone (:func:`measure_cell`) instead.
    """
    if len(tasks) == 1 or tasks[0].batching is None:
        return [measure_cell(t, k) for t, k in zip(tasks, keys)]
    t0 = time.perf_counter()
    try:
        outcomes = list(tasks[0].batching.measure_many([dict(t.cell) for t in tasks]))
        if len(outcomes) != len(tasks):
            raise ValueError(f"measure_many returned {len(outcomes)} outcomes for {len(tasks)} cells")
    except Exception as exc:  # noqa: BLE001 - the group failed as a whole: measure its cells one at a time
        print(
            f"{V.caller(measure_group)}: measuring {len(tasks)} cells of {tasks[0].group} together failed "
            f"({type(exc).__name__}: {exc}); measuring them one at a time",
            file=sys.stderr,
            flush=True,
        )
        return [measure_cell(t, k) for t, k in zip(tasks, keys)]
    seconds = (time.perf_counter() - t0) / len(tasks)
    return [_record(t, k, out, seconds, len(tasks)) for t, k, out in zip(tasks, keys, outcomes)]


def _kind(task: Task) -> str | None:
    r"""What the tasks of one group share: the group name, version, functions and the cell but for the
    batching's ``over`` settings; ``None`` for a task measured alone."""
    b = task.batching
    if b is None:
        return None
    rest = {k: v for k, v in task.cell.items() if k not in b.over}
    return to_json([task.group, task.version, id(task.fn), id(b.measure_many), sorted(b.over), rest], sort_keys=True)


def groups(
    tasks: Sequence[Task], pending: Sequence[int], *, jobs: int = 1, cache: CellCache | None = None
) -> list[list[int]]:
    r"""The pending tasks (indices into ``tasks``, in the order to measure them) as groups to measure
    together: one list per group, in the order of each group's first member; a task without a batching,
    or without a partner, is a group of one.

    Args:
        tasks: the run's tasks.
        pending: the indices of the tasks to measure (distinct cells), in order.
        jobs: the workers of the run: a set of ``n`` groupable cells is cut into at least ``min(jobs, n)``
            groups, so that no worker idles while another measures one large group.
        cache: the run's cache, whose measured times are the first source of the estimates.
    """
    by_kind: dict[str, list[int]] = {}
    order: list[tuple[str, int] | int] = []
    for i in pending:
        kind = _kind(tasks[i])
        if kind is None:
            order.append(i)
            continue
        if kind not in by_kind:
            by_kind[kind] = []
            order.append((kind, len(by_kind)))
        by_kind[kind].append(i)
    multi = [ix for ix in by_kind.values() if len(ix) > 1]
    seconds: dict[int, float] = {}
    if multi:
        flat = [i for ix in multi for i in ix]
        cost = estimate([tasks[i] for i in flat], cache=cache)
        seconds = dict(zip(flat, cost.table["seconds"].tolist()))
    out: list[list[int]] = []
    for entry in order:
        if isinstance(entry, int):
            out.append([entry])
            continue
        ix = by_kind[entry[0]]
        out += _split(tasks, ix, seconds, jobs) if len(ix) > 1 else [ix]
    return out


def _split(tasks: Sequence[Task], ix: list[int], seconds: dict[int, float], jobs: int) -> list[list[int]]:
    r"""The cells ``ix`` of one kind in groups of nearly equal size, each within the batching's limits."""
    b = tasks[ix[0]].batching
    assert b is not None
    k = min(b.size_for(tasks[ix[0]].cell), -(-len(ix) // max(1, jobs)))
    est = [seconds.get(i, math.nan) for i in ix]
    known = [s for s in est if math.isfinite(s) and s > 0]
    if known:
        k = min(k, int(b.max_seconds // max(known)))
    k = max(1, k)
    n = -(-len(ix) // k)  # groups, of sizes differing by at most one
    base, extra = divmod(len(ix), n)
    out, start = [], 0
    for g in range(n):
        size = base + (g < extra)
        out.append(ix[start : start + size])
        start += size
    return out
