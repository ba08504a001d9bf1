r"""Cells measured on a Dask distributed cluster (internal to :func:`rnntheory.run.executors.run_tasks`,
``executor="dask"``). One job: submitting groups of cells to the cluster at ``scheduler`` or to a
LocalCluster of ``jobs`` workers (a CUDA group to a worker that declares the resource GPU=1), measuring
them there with the run's torch threads, and writing their records from this process, which holds the
cells' locks: a lost worker or a killed client loses only the cells in flight.
"""

from __future__ import annotations

from typing import Any

import torch

from ._shared import pick, take
from .batching import measure_group
from .cache import CellLock
from .records import Task

__all__ = ["on_dask"]


def _remote(tasks: list[Task], keys: list[str], threads: int) -> list[str]:
    r"""A group of cells (often one) measured on a Dask worker with the run's number of torch threads
    (:attr:`RunOptions.threads`, as local workers and this process use: reductions round alike and the
    records are byte-identical)."""
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return measure_group(tasks, keys)


def on_dask(
    tasks, keys, units, store, jobs, finish, scheduler, wait=False, retry_failed=False, threads=1, *, fn: str
) -> None:
    r"""Measure the groups ``units`` (lists of task indices) on a Dask cluster; this process holds the
    cells' locks and writes their records. ``fn`` names the caller in error messages."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - the test extra installs it
        raise ValueError(f"{fn}: executor='dask' needs Dask distributed: pip install -e \".[distributed]\"") from None
    cuda = [str(tasks[u[0]].cell.get("device", "cpu")).startswith("cuda") for u in units]
    cluster = None
    if scheduler is None:
        # one group at a time per worker; a local worker may take a CUDA group (one GPU each)
        cluster = LocalCluster(
            n_workers=jobs,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,
            resources={"GPU": 1} if any(cuda) else None,
        )
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise ValueError(f"{fn}: cannot reach the Dask scheduler at {scheduler!r} ({exc})") from None
    futures: dict[Any, list[int]] = {}
    held: dict[int, CellLock] = {}  # this process holds the locks of the cells its workers measure
    try:
        for unit, gpu in zip(units, cuda):
            mine = []
            for i in unit:
                if store is not None:
                    lock, text = take(store, tasks[i], keys[i], wait, retry_failed)
                    if lock is None:
                        finish(i, text)
                        continue
                    held[i] = lock
                mine.append(i)
            if not mine:
                continue
            # a CUDA cell asks for a worker that declares the resource GPU=1 (dask worker --resources GPU=1)
            fut = client.submit(
                _remote,
                *pick(tasks, keys, mine),
                threads,
                key=f"rnntheory-cell-{keys[mine[0]]}",
                pure=False,
                resources={"GPU": 1} if gpu else None,
            )
            futures[fut] = mine
        for fut in as_completed(list(futures)):
            for i, text in zip(futures[fut], fut.result()):
                if store is not None:
                    store.store(tasks[i].group, keys[i], text)
                    held.pop(i).release()
                finish(i, text)
    except BaseException:
        client.cancel(list(futures))
        raise
    finally:
        for lock in held.values():
            lock.release()
        client.close()
        if cluster is not None:
            cluster.close()
