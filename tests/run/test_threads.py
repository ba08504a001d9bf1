"""Torch threads per cell (``RunOptions.threads``, ``--threads``): the same number however cells are
measured (in this process with jobs=1, in local worker processes, on a Dask worker), default 1, and a
run in this process gives the process its own number back."""

import pytest
import torch

from rnntheory.run import _cluster
from rnntheory.run.executors import run_tasks
from rnntheory.run.options import RunOptions
from rnntheory.run.records import Task


def threads_of(cell):
    return [{"seed": cell["seed"], "threads": torch.get_num_threads()}]


def _threads(records):
    return {row["threads"] for rec in records for row in rec["rows"]}


@pytest.fixture
def own_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(3)
    yield 3
    torch.set_num_threads(before)


def test_default_is_one_thread_and_bad_values_are_refused():
    assert RunOptions().threads == 1
    with pytest.raises(ValueError, match="threads=0 must be a positive integer"):
        RunOptions(threads=0)
    with pytest.raises(TypeError, match="threads"):
        RunOptions(threads=1.5)


def test_jobs_1_measures_with_the_runs_threads_and_restores_the_process(own_threads):
    tasks = [Task("t", threads_of, {"seed": s}) for s in range(2)]
    assert _threads(run_tasks(tasks, jobs=1)) == {1}  # not the process's 3 (nor cores // jobs)
    assert torch.get_num_threads() == own_threads
    assert _threads(run_tasks(tasks, jobs=1, threads=2)) == {2}
    assert torch.get_num_threads() == own_threads


def test_local_workers_use_the_runs_threads(own_threads):
    tasks = [Task("t", threads_of, {"seed": s}) for s in range(3)]
    assert _threads(run_tasks(tasks, jobs=2)) == {1}
    assert _threads(run_tasks(tasks, jobs=2, threads=2)) == {2}


def test_a_dask_worker_uses_the_runs_threads(own_threads):
    task = Task("t", threads_of, {"seed": 0})
    import json

    rec = json.loads(_cluster._remote([task], [task.key], 2)[0])  # what a Dask worker runs for one cell
    assert _threads([rec]) == {2}
