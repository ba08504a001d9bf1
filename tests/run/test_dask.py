"""Cells on a Dask cluster (rnntheory.run.executors.run_tasks with executor="dask"): the same records as a local run,
byte for byte, and a worker killed mid-run loses no cell."""

import json
import os
import signal
import threading
import time

import pytest

from rnntheory import claims
from rnntheory.checking import Grid
from rnntheory.run.cache import CellCache
from rnntheory.run.executors import run_tasks

distributed = pytest.importorskip("distributed")

# the README's test command runs these as a step of their own (`pytest -m cluster`), after the default run
pytestmark = pytest.mark.cluster


def tiny_tasks(ms=(64, 96), seeds=(0, 1)):
    c = claims.get("hidden_perturbation")
    grid = Grid(points=tuple({"m": m} for m in ms), seeds=seeds, fixed={**c.grid().fixed, "omegas": (1e-4, 1e-3)})
    return c.tasks(grid.cells())


def rows_text(records):
    return [json.dumps(r["rows"]) for r in records]


def test_a_local_cluster_gives_the_records_of_a_local_run(tmp_path):
    """--executor dask without a scheduler starts a LocalCluster; the workers use this process's number
    of torch threads, so every row is identical to the serial run's, and the cells are in the cache."""
    tasks = tiny_tasks()
    expected = run_tasks(tasks)
    actual = run_tasks(tasks, executor="dask", jobs=2, cache=tmp_path)
    assert rows_text(actual) == rows_text(expected)
    assert [r["key"] for r in actual] == [r["key"] for r in expected]
    assert len(CellCache(tmp_path)) == len(tasks)
    again = run_tasks(tasks, executor="dask", jobs=2, cache=tmp_path)  # all cached: no cluster needed
    assert rows_text(again) == rows_text(expected)


def test_a_worker_killed_mid_run_loses_no_cell(tmp_path):
    """SIGKILL one of two workers after the first cell lands: Dask reschedules its cells, every cell
    arrives in the cache of the submitting process, and the rows equal a serial run's."""
    tasks = tiny_tasks(ms=(192, 256), seeds=(0, 1, 2))
    expected = run_tasks(tasks)
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
    )
    client = distributed.Client(cluster)
    try:
        pids = client.run(os.getpid)
        out: dict = {}
        runner = threading.Thread(
            target=lambda: out.update(
                records=run_tasks(tasks, executor="dask", scheduler=cluster.scheduler_address, cache=tmp_path)
            )
        )
        runner.start()
        t0 = time.monotonic()
        while len(CellCache(tmp_path)) < 1:
            assert runner.is_alive() and time.monotonic() - t0 < 300, "no cell arrived"
            time.sleep(0.01)
        assert len(CellCache(tmp_path)) < len(tasks), "the run finished before a worker could be killed"
        os.kill(next(iter(pids.values())), signal.SIGKILL)
        runner.join(timeout=300)
        assert not runner.is_alive()
    finally:
        client.close()
        cluster.close()
    assert len(CellCache(tmp_path)) == len(tasks)
    assert rows_text(out["records"]) == rows_text(expected)


def test_a_scheduler_needs_the_dask_executor():
    with pytest.raises(ValueError, match="scheduler='tcp://nowhere:1' is for executor='dask'"):
        run_tasks(tiny_tasks(), scheduler="tcp://nowhere:1")
    with pytest.raises(ValueError, match="executor='spark' must be 'local' or 'dask'"):
        run_tasks(tiny_tasks(), executor="spark")


def test_cells_measured_in_groups_on_dask_are_stored_as_the_cells_measured_alone(tmp_path):
    """A claim with a batching on a LocalCluster: each group is one Dask task, and every cell's record (its key,
    its rows to rounding, the failing member's error) is that of the cell measured alone."""
    from tests.run.test_batching import assert_same_cells, tasks_of, toy_claim

    alone = run_tasks(tasks_of(toy_claim(batched=False)))
    recs = run_tasks(tasks_of(toy_claim()), executor="dask", jobs=2, cache=tmp_path)
    assert_same_cells(recs, alone)
    assert {r.get("group_size") for r in recs} == {4}
    assert len(CellCache(tmp_path)) == len(recs)
