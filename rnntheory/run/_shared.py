r"""One group of cells measured into a cell cache that several runs may share (internal to the
executors: :mod:`rnntheory.run.executors`). One job: the lock of each cell (:func:`take`) and the
records of a group measured under them (:func:`work`, what this process, a local worker process and
the Dask path all run).

Several runs may share one cache: the process measuring a cell holds its lock, so another run skips
that cell (:data:`BUSY`), measures the rest, then waits for it and reads the record.
"""

from __future__ import annotations

from typing import Sequence

from .batching import measure_group
from .cache import CellCache, CellLock
from .records import Task, measure_again, to_json

__all__ = ["BUSY", "take", "work", "pick"]

BUSY = ""
"""What measuring a cell returns when another run on the same cache is measuring it."""


def take(store: CellCache, task: Task, key: str, wait: bool, retry_failed: bool) -> tuple[CellLock | None, str]:
    r"""Take the cell's lock before measuring it: ``(lock, "")`` when this run is to measure it,
    ``(None, record text)`` when another run finished it meanwhile, ``(None, BUSY)`` when another
    run holds it (and not ``wait``)."""
    lock = store.lock(task.group, key, wait=wait)
    if lock is None:
        return None, BUSY
    rec = store.load(task.group, key)
    if not measure_again(rec, task, retry_failed):
        lock.release()
        return None, to_json(rec)
    return lock, ""


def work(
    tasks: Sequence[Task], keys: Sequence[str], root: str | None, wait: bool = False, retry_failed: bool = False
) -> list[str]:
    r"""The record texts of one group of cells (:mod:`rnntheory.run.batching`; often a group of one): each
    cell's lock is taken, the cells this run is to measure are measured together, and each record is
    stored under its own key before its lock is let go (``BUSY`` for a cell another run holds)."""
    if root is None:
        return measure_group(tasks, keys)
    store = CellCache(root)
    out = [BUSY] * len(tasks)
    locks: list[CellLock] = []
    mine: list[int] = []
    try:
        for j, (task, key) in enumerate(zip(tasks, keys)):
            lock, text = take(store, task, key, wait, retry_failed)
            if lock is None:
                out[j] = text
            else:
                locks.append(lock)
                mine.append(j)
        if mine:
            texts = measure_group([tasks[j] for j in mine], [keys[j] for j in mine])
            for j, text in zip(mine, texts):
                store.store(tasks[j].group, keys[j], text)
                out[j] = text
    finally:
        for lock in locks:
            lock.release()
    return out


def pick(tasks: Sequence[Task], keys: Sequence[str], unit: Sequence[int]) -> tuple[list[Task], list[str]]:
    r"""The tasks and keys of one group of indices."""
    return [tasks[i] for i in unit], [keys[i] for i in unit]
