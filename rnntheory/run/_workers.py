r"""Cells measured in a pool of local worker processes (internal to :func:`rnntheory.run.executors.run_tasks`,
``jobs > 1``). One job: the ``spawn`` pool whose workers measure groups of cells with the run's torch
threads (:func:`parallel`), ignore Ctrl-C (the main process stops them), end as soon as the process that
started them is gone, and whose death while measuring a cell is recorded as that cell's failure.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import os
import signal
import threading
import time

import torch

from ._shared import pick, work
from .cache import CellCache
from .records import Task, cell_record

__all__ = ["parallel"]


def _init_worker(threads: int, parent: int) -> None:
    # Ctrl-C reaches the whole process group; the main process stops the workers itself, so that
    # an interrupted sweep ends at once and quietly (finished cells are already on disk)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch.set_num_threads(threads)
    _end_with_parent(parent)


_PARENT_POLL_SECONDS = 0.5  # how often a worker process checks that the process that started it is alive


def _end_with_parent(parent: int) -> None:
    r"""End this worker process as soon as its parent is gone, however it ended (SIGKILL included): a
    worker never outlives its sweep to burn CPU on cells nobody collects. A daemon thread watches the
    parent's pid (torch releases the GIL while it computes, so the thread runs during long cells)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_POLL_SECONDS)
        os._exit(70)  # the cell in flight is lost; finished cells are already in the cache

    threading.Thread(target=watch, name="rnntheory-watch-parent", daemon=True).start()


def _pool(workers: int, threads: int) -> cf.ProcessPoolExecutor:
    return cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=mp.get_context("spawn"),
        initializer=_init_worker,
        initargs=(threads, os.getpid()),
    )


def _stop(ex: cf.ProcessPoolExecutor) -> None:
    workers = list((getattr(ex, "_processes", None) or {}).values())  # before shutdown forgets them
    ex.shutdown(wait=False, cancel_futures=True)
    for proc in workers:
        proc.terminate()  # a cell being measured is lost; finished ones are in the cache


def _died(task: Task, key: str, root: str | None, exc: BaseException) -> str:
    r"""The record of a cell whose worker process died while measuring it (killed, out of memory)."""
    text = cell_record(
        task,
        key,
        [],
        0.0,
        {"type": "WorkerDied", "message": f"the worker process measuring this cell died ({exc})", "traceback": ""},
    )
    if root is not None:
        CellCache(root).store(task.group, key, text)
    return text


def parallel(tasks, keys, units, store, jobs, finish, wait=False, retry_failed=False, threads=1) -> None:
    r"""Measure the groups ``units`` (lists of task indices) in a pool of ``jobs`` local worker processes."""
    root = None if store is None else str(store.root)
    todo = [list(u) for u in units]
    while todo:
        ex = _pool(min(jobs, len(todo)), threads)
        try:
            futures = {ex.submit(work, *pick(tasks, keys, u), root, wait, retry_failed): n for n, u in enumerate(todo)}
            done: set[int] = set()
            try:
                for fut in cf.as_completed(futures):
                    for i, text in zip(todo[futures[fut]], fut.result()):
                        finish(i, text)
                    done.add(futures[fut])
            except cf.process.BrokenProcessPool:
                # a worker died (killed, out of memory): it took its group and broke the pool, and it is
                # not known which of the groups in flight it was. Measure their cells alone, each in a
                # fresh worker: the one that dies again is recorded as failed; then go on with the rest.
                _stop(ex)
                left = [u for n, u in enumerate(todo) if n not in done]
                for i in [i for u in left[:jobs] for i in u]:
                    solo = _pool(1, threads)
                    try:
                        finish(i, solo.submit(work, *pick(tasks, keys, [i]), root, wait, retry_failed).result()[0])
                    except cf.process.BrokenProcessPool as exc:
                        finish(i, _died(tasks[i], keys[i], root, exc))
                    finally:
                        _stop(solo)
                todo = left[jobs:]
                continue
        except BaseException:
            _stop(ex)
            raise
        ex.shutdown(wait=True)
        todo = []
