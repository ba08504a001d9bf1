"""Resumable sweeps (rnntheory.run: records, cache, executors, progress): cache keys, atomic cell files, resuming,
parallel workers, progress."""

import dataclasses
import io
import json
import math
import os
import warnings

import numpy as np
import pandas as pd
import pytest
import torch

from rnntheory import claims
from rnntheory.checking import Claim, Grid
from rnntheory.checking.findings import every_case_finding
from rnntheory.run import batching, executors, progress, records
from rnntheory.run.cache import CellCache, atomic_write
from rnntheory.run.executors import run_tasks
from rnntheory.run.progress import Progress, watching
from rnntheory.run.records import Task, cell_key, failures, frame, to_json
from rnntheory.testing import TOL


def counting_claim(calls: list) -> Claim:
    """An unregistered claim whose cells are cheap, record how often they are measured, and return the
    kinds of values real claims return (numpy scalars, tuples, NaN, booleans)."""

    def measure(cell):
        calls.append(cell["seed"])
        rng = np.random.default_rng(cell["seed"])
        return [
            {
                "seed": cell["seed"],
                "x": k,
                "y": np.float64(rng.random()),
                "pair": (k, k + 1),
                "ok": bool(k % 2),
                "nan": math.nan,
                "count": np.int64(k),
            }
            for k in cell["xs"]
        ]

    return Claim(
        name="counting",
        title="t",
        reference="r",
        statement="s",
        quantity="q",
        bound="b",
        grids={
            "default": Grid(points=({},), seeds=(0, 1, 2), fixed={"xs": (1, 2, 3)}),
            "large": Grid(points=({},), seeds=(0,), fixed={"xs": (1,)}),
        },
        measure=measure,
        analyse=lambda df, judging: [every_case_finding("f", [True], key="f")],
    )


def tasks_of(claim, grid="default"):
    return claim.tasks(claim.grid(grid).cells())


def test_one_cell_of_each_claim_is_measured_first():
    """The middle cell of every claim's grid comes first (so the time estimate knows each claim's cost
    early); the records keep the order of the tasks."""
    calls_a: list = []
    calls_b: list = []
    a, b = counting_claim(calls_a), counting_claim(calls_b)
    b = dataclasses.replace(b, name="other")
    order: list = []

    class Order(Progress):
        def advance(self, claim, seconds):
            order.append(claim)
            super().advance(claim, seconds)

    recs = run_tasks(tasks_of(a) + tasks_of(b), progress=Order(6, stream=io.StringIO()))
    assert order == ["counting", "other", "counting", "counting", "other", "other"]
    assert calls_a == [1, 0, 2] and calls_b == [1, 0, 2]
    assert [(r["claim"], r["cell"]["seed"]) for r in recs] == [("counting", s) for s in range(3)] + [
        ("other", s) for s in range(3)
    ]


def test_cell_key_depends_on_the_cell_and_versions_not_on_tuple_or_list(monkeypatch):
    cell = {"m": 8, "xs": (1, 2), "seed": 0, "device": "cpu", "dtype": "float64"}
    expected = cell_key("c", cell)
    assert cell_key("c", cell, 1) == expected  # the measurement version defaults to 1
    assert cell_key("c", {**cell, "xs": [1, 2]}) == expected
    assert cell_key("c", dict(reversed(list(cell.items())))) == expected
    assert cell_key("c", {**cell, "seed": 1}) != expected
    assert cell_key("d", cell) != expected
    assert cell_key("c", cell, 2) != expected  # a changed measurement version
    assert Task("c", len, cell).key == expected and Task("c", len, cell, 2).key != expected
    monkeypatch.setattr(records, "__version__", "99.0")
    assert cell_key("c", cell) != expected
    monkeypatch.undo()
    monkeypatch.setattr(records.torch, "__version__", "0.0.1")
    assert cell_key("c", cell) != expected


def test_second_run_loads_every_cell_and_gives_identical_rows(tmp_path):
    calls: list = []
    c = counting_claim(calls)
    first = frame(run_tasks(tasks_of(c), cache=tmp_path))
    assert calls == [1, 0, 2]  # the middle cell first (for the time estimate), then the rest in order
    second = frame(run_tasks(tasks_of(c), cache=tmp_path))
    assert calls == [1, 0, 2]  # nothing measured again
    assert first["seed"].tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]  # rows keep the order of the cells
    pd.testing.assert_frame_equal(first, second)
    # fresh rows pass through the same JSON as cached ones: tuples are lists, numpy scalars are Python numbers
    assert first["pair"].iloc[0] == [1, 2] and first["count"].dtype == np.int64 and first["nan"].isna().all()
    assert sorted(p.name for p in (tmp_path / "counting").iterdir()) == sorted(
        f"{cell_key('counting', t.cell, c.version)}.json" for t in tasks_of(c)
    )


def test_without_a_cache_rows_equal_the_cached_ones(tmp_path):
    c = counting_claim([])
    actual = frame(run_tasks(tasks_of(c)))
    expected = frame(run_tasks(tasks_of(c), cache=tmp_path))
    pd.testing.assert_frame_equal(actual, expected)


def test_only_missing_cells_are_measured_after_an_interruption(tmp_path):
    calls: list = []
    c = counting_claim(calls)

    class StopAfterTwo(Progress):
        def advance(self, claim, seconds):
            super().advance(claim, seconds)
            if self.done == 2:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_tasks(tasks_of(c), cache=tmp_path, progress=StopAfterTwo(3, stream=io.StringIO()))
    assert calls == [1, 0]
    resumed = frame(run_tasks(tasks_of(c), cache=tmp_path))
    assert calls == [1, 0, 2]
    expected = frame(run_tasks(tasks_of(c), cache=tmp_path / "other"))
    pd.testing.assert_frame_equal(resumed, expected)


def test_store_is_atomic_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    cache = CellCache(tmp_path)
    record = {"claim": "c", "key": "k", "cell": {}, "rows": [], "seconds": 0.0}
    cache.store("c", "k", json.dumps(record))
    assert cache.load("c", "k") == record

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        cache.store("c", "k", json.dumps({**record, "rows": [1]}))
    monkeypatch.undo()
    assert cache.load("c", "k") == record  # the old file is untouched
    assert [p.name for p in (tmp_path / "c").iterdir()] == ["k.json"]


def test_an_unreadable_cell_file_is_measured_again_with_a_warning(tmp_path):
    calls: list = []
    c = counting_claim(calls)
    run_tasks(tasks_of(c), cache=tmp_path)
    key = cell_key("counting", tasks_of(c)[1].cell, c.version)
    (tmp_path / "counting" / f"{key}.json").write_text('{"key": "tr')  # a truncated file
    with pytest.warns(UserWarning, match="ignoring the cache file"):
        run_tasks(tasks_of(c), cache=tmp_path)
    assert calls == [1, 0, 2, 1]


@pytest.mark.parametrize("jobs, error", [(0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_bad_jobs_are_rejected(jobs, error):
    """A wrong value is a ValueError, a wrong type a TypeError (the one validation policy), naming run_tasks."""
    with pytest.raises(error, match="run_tasks: jobs="):
        run_tasks([], jobs=jobs)


def test_parallel_workers_need_functions_they_can_receive(tmp_path):
    """A measuring function defined inside another (the counting claim's) cannot be sent to a worker
    process: a clear ValueError before anything is measured, not a failure in the pool."""
    calls: list = []
    with pytest.raises(ValueError, match="cannot be sent to a worker process.*define it at module level or use jobs=1"):
        run_tasks(tasks_of(counting_claim(calls)), jobs=2)
    assert calls == []


def test_identical_tasks_are_measured_once_and_lambdas_are_named(tmp_path):
    """Two identical tasks (two claims that share cells) give one measurement and two equal records;
    a lambda with jobs=2 is rejected with a ValueError that names it."""
    calls: list = []
    c = counting_claim(calls)
    cell = c.grid().cells()[0]
    twice = [Task("counting", c.measure, cell, c.version), Task("counting", c.measure, dict(cell), c.version)]
    recs = run_tasks(twice)
    assert calls == [0] and len(recs) == 2 and recs[0] == recs[1]
    recs = run_tasks(twice, cache=tmp_path)
    assert calls == [0, 0] and recs[0] == recs[1] and len(CellCache(tmp_path)) == 1
    # a changed version is another task: measured again
    run_tasks(twice + [Task("counting", c.measure, cell, c.version + 1)], cache=tmp_path)
    assert calls == [0, 0, 0] and len(CellCache(tmp_path)) == 2

    cells = [{"seed": s, "device": "cpu"} for s in range(2)]
    with pytest.raises(
        ValueError, match=r"executors\.run_tasks: the measuring function <function .*<lambda>.* cannot be sent"
    ):
        run_tasks([Task("lam", lambda cell: [{"seed": cell["seed"]}], cl) for cl in cells], jobs=2)


def test_parallel_workers_give_the_rows_of_a_serial_run(tmp_path):
    """Two worker processes (one torch thread each) against this process: same rows in the same order;
    equal to rounding (reductions over another number of threads may differ in the last bit)."""
    c = claims.get("hidden_perturbation")
    grid = Grid(points=({"m": 64}, {"m": 96}), seeds=(0, 1), fixed={**c.grid().fixed, "omegas": (1e-4, 1e-3)})
    tasks = c.tasks(grid.cells())
    expected = frame(run_tasks(tasks))
    actual = frame(run_tasks(tasks, jobs=2, cache=tmp_path))
    pd.testing.assert_frame_equal(actual, expected, check_exact=False, rtol=TOL[torch.float64]["rtol"])
    assert len(CellCache(tmp_path)) == len(tasks)  # the workers wrote their cells


def test_progress_estimates_the_time_left_from_each_claims_mean():
    out = io.StringIO()
    p = Progress(6, stream=out, every=0.0)
    p.begin(cached=[("a", 2.0)], pending=["a", "a", "b", "b", "b"], jobs=1)
    p.fresh_seconds = 0.0
    p.advance("a", 4.0)  # a: mean 3 s; b unknown: overall mean 3 s
    p.t0 -= p.fresh_seconds  # wall time equal to the measured time: factor 1
    eta = p.eta()
    assert eta == pytest.approx(1 * 3.0 + 3 * 3.0, rel=0.05)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("[") and "1/6 cells (1 cached)" in lines[0]
    assert "2/6 cells (1 cached)" in lines[-1] and "left" in lines[-1]


def test_to_json_rejects_values_it_cannot_write():
    with pytest.raises(TypeError, match="cannot be written to JSON"):
        to_json({"f": object()})
    assert json.loads(to_json({"a": np.float32(0.5), "b": torch.tensor([1, 2]), "c": {3, 1}})) == {
        "a": 0.5,
        "b": [1, 2],
        "c": [1, 3],
    }


def test_claim_run_resumes_from_its_cache(tmp_path):
    calls: list = []
    c = counting_claim(calls)
    a = c.run(cache=tmp_path)
    b = c.run(cache=tmp_path)
    assert sorted(calls) == [0, 1, 2]
    pd.testing.assert_frame_equal(a.data, b.data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c.run(cache=tmp_path)


def test_atomic_write_takes_text_bytes_or_a_writer(tmp_path):
    atomic_write(tmp_path / "a.txt", "text")
    atomic_write(tmp_path / "b.bin", b"\x00\x01")
    atomic_write(tmp_path / "c.txt", lambda p: p.write_text("written by a function"))
    assert (tmp_path / "a.txt").read_text() == "text" and (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "c.txt").read_text() == "written by a function"

    def failing(p):
        p.write_text("half")
        raise RuntimeError("the writer failed")

    with pytest.raises(RuntimeError):
        atomic_write(tmp_path / "a.txt", failing)
    assert (tmp_path / "a.txt").read_text() == "text"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.bin", "c.txt"]


def failing_claim(calls: list, bad_seed: int = 1) -> Claim:
    """An unregistered claim whose cell with seed ``bad_seed`` raises; calls are recorded."""

    def measure(cell):
        calls.append(cell["seed"])
        if cell["seed"] == bad_seed:
            raise RuntimeError(f"injected failure at seed {cell['seed']}")
        return [{"seed": cell["seed"], "x": 1.0}]

    return Claim(
        name="failing",
        title="t",
        reference="r",
        statement="s",
        quantity="q",
        bound="b",
        grids={
            "default": Grid(points=({},), seeds=(0, 1, 2), fixed={}),
            "large": Grid(points=({},), seeds=(0,), fixed={}),
        },
        measure=measure,
        analyse=lambda df, judging: [every_case_finding("f", [True], key="f")],
    )


def test_a_failing_cell_is_a_cached_outcome_that_a_rerun_does_not_redo(tmp_path):
    calls: list = []
    claim = failing_claim(calls)
    recs = run_tasks(tasks_of(claim), cache=tmp_path)
    assert [len(r["rows"]) for r in recs] == [1, 0, 1] and sorted(calls) == [0, 1, 2]
    err = recs[1]["error"]
    assert err["type"] == "RuntimeError" and err["message"] == "injected failure at seed 1"
    assert "injected failure" in err["traceback"]
    assert [f["cell"]["seed"] for f in failures(recs)] == [1]
    calls.clear()
    again = run_tasks(tasks_of(claim), cache=tmp_path)
    assert calls == [] and again == recs  # deterministic cells: the failure is loaded, not measured again
    again = run_tasks(tasks_of(claim), cache=tmp_path, retry_failed=True)
    assert calls == [1] and again[1]["error"]["type"] == "RuntimeError"


def test_a_claim_with_a_failed_cell_uses_the_rest_and_reads_inconclusive(tmp_path):
    calls: list = []
    res = failing_claim(calls).run(cache=tmp_path)
    assert len(res.data) == 2 and [f["cell"]["seed"] for f in res.failed] == [1]
    assert res.verdict == "inconclusive"
    last = res.findings[-1]
    assert (
        last.name == "every cell of the grid was measured" and "RuntimeError: injected failure at seed 1" in last.detail
    )
    assert res.rejudge().failed == res.failed and res.rejudge().verdict == "inconclusive"


def test_every_cell_failing_gives_a_cannot_analyse_finding(tmp_path):
    calls: list = []
    claim = failing_claim(calls)
    claim = dataclasses.replace(claim, grids={**claim.grids, "default": Grid(points=({},), seeds=(1,), fixed={})})
    res = claim.run(cache=tmp_path)
    assert res.verdict == "inconclusive" and len(res.data) == 0
    assert res.findings[0].decision.rule == "cannot analyse" and "every cell failed" in res.findings[0].detail


def test_keyboard_interrupt_still_stops_the_run(tmp_path):
    def measure(cell):
        raise KeyboardInterrupt

    claim = dataclasses.replace(counting_claim([]), measure=measure)
    with pytest.raises(KeyboardInterrupt):
        run_tasks(tasks_of(claim), cache=tmp_path)
    assert len(CellCache(tmp_path)) == 0


def _killer(cell):
    """Measures a cell, except that the cell with seed 1 kills its own worker process (as the
    out-of-memory killer would)."""
    import os
    import signal

    if cell["seed"] == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    return [{"seed": cell["seed"], "x": 1.0}]


@pytest.mark.cluster  # starts five worker processes: in the test command's own step (pytest -m cluster)
def test_a_cell_that_kills_its_worker_is_recorded_and_the_rest_are_measured(tmp_path):
    """The pool breaks when the worker dies; the cells in flight are measured again one at a time in
    fresh workers, the one that kills its worker again is recorded as WorkerDied, the rest finish."""
    claim = dataclasses.replace(
        failing_claim([]),
        measure=_killer,
        grids={
            "default": Grid(points=({},), seeds=tuple(range(6)), fixed={}),
            "large": Grid(points=({},), seeds=(0,), fixed={}),
        },
    )
    recs = run_tasks(tasks_of(claim), jobs=2, cache=tmp_path)
    assert [r["cell"]["seed"] for r in recs] == list(range(6))
    assert [f["cell"]["seed"] for f in failures(recs)] == [1]
    assert recs[1]["error"]["type"] == "WorkerDied"
    assert all(len(r["rows"]) == 1 for k, r in enumerate(recs) if k != 1)
    assert len(CellCache(tmp_path)) == 6


def test_progress_auto_is_quiet_under_pytest_and_ci(monkeypatch):
    assert watching() is False  # PYTEST_CURRENT_TEST is set while a test runs
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    monkeypatch.setenv("CI", "true")
    assert watching() is False
    monkeypatch.delenv("CI", raising=False)

    class Tty:
        def isatty(self):
            return True

        def write(self, text):
            return len(text)

    monkeypatch.setattr(progress.sys, "stderr", Tty())
    assert watching() is True


def _double(cell):
    return [{"y": 2 * cell["x"]}]


@pytest.mark.parametrize(
    "content, why",
    [
        ("null", "holds NoneType"),
        ("[1, 2]", "holds list"),
        ('{"key": "K"}', "missing"),
        ("{not json", "Expecting"),
        ('{"claim": "c", "key": "KEY", "cell": {"x": 3}, "rows": [], "seconds": "slow"}', "not a number"),
    ],
)
def test_a_cache_file_that_is_not_a_record_is_measured_again(tmp_path, content, why):
    task = Task("c", _double, {"x": 3}, 1)
    key = task.key
    store = CellCache(tmp_path)
    store.path("c", key).parent.mkdir(parents=True)
    store.path("c", key).write_text(content.replace("KEY", key))
    with pytest.warns(UserWarning, match=why):
        (rec,) = run_tasks([task], cache=tmp_path)
    assert rec["rows"] == [{"y": 6}]
    assert store.load("c", key)["rows"] == [{"y": 6}]  # rewritten


def test_a_record_with_an_edited_value_is_not_used(tmp_path):
    task = Task("c", _double, {"x": 3}, 1)
    (rec,) = run_tasks([task], cache=tmp_path)
    path = CellCache(tmp_path).path("c", rec["key"])
    edited = json.loads(path.read_text())
    edited["rows"][0]["y"] = 7.0
    path.write_text(json.dumps(edited))
    with pytest.warns(UserWarning, match="checksum"):
        (again,) = run_tasks([task], cache=tmp_path)
    assert again["rows"] == [{"y": 6}]


def _slow_logged(cell):
    """A cell that takes a moment and logs each time it is measured (one line, appended atomically)."""
    import os
    import time

    time.sleep(0.25)
    with open(cell["log"], "a") as fh:
        fh.write(f"{cell['seed']} {os.getpid()}\n")
    return [{"seed": cell["seed"], "y": cell["seed"] ** 2}]


def _logged_tasks(log, n=8):
    return [Task("slow", _slow_logged, {"seed": s, "log": str(log)}, 1) for s in range(n)]


def _run_and_save(cache, log, jobs, out, start):
    start.wait()
    recs = run_tasks(_logged_tasks(log), cache=cache, jobs=jobs)
    with open(out, "w") as fh:
        json.dump(recs, fh)


@pytest.mark.cluster  # three processes with worker pools: in the test command's own step (pytest -m cluster)
def test_two_runs_on_one_cache_measure_each_cell_once(tmp_path):
    """Two sweeps started together on one cache (one with two worker processes, one in-process) split
    the cells between them: each cell is measured exactly once, and both return every record, the
    same ones."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    log, start = tmp_path / "log", ctx.Event()
    runs = [
        ctx.Process(
            target=_run_and_save, args=(str(tmp_path / "cache"), str(log), jobs, str(tmp_path / f"out{jobs}"), start)
        )
        for jobs in (2, 1)
    ]
    for p in runs:
        p.start()
    start.set()
    for p in runs:
        p.join(timeout=120)
        assert p.exitcode == 0
    measured = sorted(int(line.split()[0]) for line in log.read_text().splitlines())
    assert measured == list(range(8))  # every cell once
    outs = [json.loads((tmp_path / f"out{jobs}").read_text()) for jobs in (2, 1)]
    assert outs[0] == outs[1]
    assert [r["rows"] for r in outs[0]] == [[{"seed": s, "y": s * s}] for s in range(8)]
    assert not list((tmp_path / "cache").glob("*/*.lock"))  # locks are removed when released


def _hold_lock(cache, key, ready):
    lock = CellCache(cache).lock("slow", key)
    assert lock is not None
    ready.set()
    import time

    time.sleep(600)


@pytest.mark.cluster  # starts and kills a process: in the test command's own step (pytest -m cluster)
def test_a_lock_whose_holder_was_killed_is_free(tmp_path):
    """A run killed while measuring a cell (SIGKILL: nothing is cleaned up) leaves a lock file, but
    the system released its lock: the next run measures the cell at once."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    (task,) = _logged_tasks(tmp_path / "log", n=1)
    ready = ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(tmp_path), task.key, ready))
    holder.start()
    try:
        assert ready.wait(60)
        assert CellCache(tmp_path).lock("slow", task.key) is None  # held by a live process
    finally:
        holder.kill()
        holder.join()
    assert CellCache(tmp_path).path("slow", task.key).with_suffix(".lock").exists()
    (rec,) = run_tasks([task], cache=tmp_path)
    assert rec["rows"] == [{"seed": 0, "y": 0}]


def test_a_run_waits_for_a_cell_another_run_is_measuring_and_uses_its_record(tmp_path):
    import threading

    (task,) = _logged_tasks(tmp_path / "log", n=1)
    store = CellCache(tmp_path / "cache")
    lock = store.lock("slow", task.key)

    def other_run_finishes():
        store.store("slow", task.key, batching.measure_cell(task, task.key))
        lock.release()

    timer = threading.Timer(0.5, other_run_finishes)
    timer.start()
    err = io.StringIO()
    with pytest.MonkeyPatch.context() as mp_:
        mp_.setattr(executors.sys, "stderr", err)
        (rec,) = run_tasks([task], cache=tmp_path / "cache")
    timer.join()
    assert rec["rows"] == [{"seed": 0, "y": 0}]
    assert (tmp_path / "log").read_text().count("\n") == 1  # measured by the other run only
    assert "waiting for 1 cell(s) that another run" in err.getvalue()
