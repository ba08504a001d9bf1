"""Cells measured together, stored apart (rnntheory.run.batching, rnntheory.run.records.Batching): which cells are
grouped and how large a group is, and a toy claim whose cells differ only in their seed run end to end (one process,
two workers, a cache that resumes, a failing member, a group that fails as a whole, a seed offset, a budget): every
cell's record has the key and the rows it has when measured alone (to rounding: its batched measure sums in
another order)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from rnntheory.checking import Claim, Grid
from rnntheory.checking.findings import every_case_finding
from rnntheory.run import batching
from rnntheory.run.cache import CellCache
from rnntheory.run.executors import run_tasks
from rnntheory.run.records import Batching, Task, failures
from rnntheory.testing import TOL

FAILS = 5  # the seed whose network fails, alone and in a group


def _matrix(cell):
    g = torch.Generator().manual_seed(1000 + cell["seed"])
    return torch.randn(cell["m"], cell["m"], generator=g, dtype=torch.float64) / math.sqrt(cell["m"])


def _log(cell, what):
    if cell.get("log"):
        with open(cell["log"], "a") as fh:
            fh.write(json.dumps([what, cell["m"], cell["seed"]]) + "\n")


def measure_toy(cell):
    """One network alone: the norms of h_l = relu(W h_{l-1}) from h_0 = 1, l = 1..L."""
    _log(cell, "one")
    if cell["seed"] == FAILS:
        raise FloatingPointError(f"network {cell['seed']} diverged")
    W, h = _matrix(cell), torch.ones(cell["m"], dtype=torch.float64)
    rows = []
    for l in range(1, cell["L"] + 1):
        h = torch.relu(W @ h)
        rows.append({"l": l, "norm": float(h.norm())})
    return rows


def measure_toy_many(cells):
    """The same for every cell at once: the stacked W (K, m, m), one bmm per position; the failing seed's
    outcome is its exception, the others' rows."""
    for c in cells:
        _log(c, "many")
    if any(c.get("break_group") for c in cells):
        raise RuntimeError("the batched code has a bug")
    Ws = torch.stack([_matrix(c) for c in cells])
    h = torch.ones(len(cells), cells[0]["m"], 1, dtype=torch.float64)
    norms = []
    for _ in range(cells[0]["L"]):
        h = torch.relu(torch.bmm(Ws, h))
        norms.append(torch.linalg.vector_norm(h[..., 0], dim=1))
    out: list = []
    for q, c in enumerate(cells):
        if c["seed"] == FAILS:
            out.append(FloatingPointError(f"network {c['seed']} diverged"))
        else:
            out.append([{"l": l + 1, "norm": float(n[q])} for l, n in enumerate(norms)])
    return out


def toy_nbytes(cell):
    """The bytes one member adds: its W."""
    return 8 * cell["m"] ** 2


BATCHING = Batching(measure_toy_many, size=4, nbytes=toy_nbytes)


def toy_claim(batched=True, seeds=8, **fixed) -> Claim:
    return Claim(
        name="toy_batched",
        title="t",
        reference="r",
        statement="s",
        quantity="q",
        bound="b",
        grids={
            "default": Grid(points=({"m": 16}, {"m": 24}), seeds=seeds, fixed={"L": 4, **fixed}),
            "large": Grid(points=({"m": 32},), seeds=2, fixed={"L": 4, **fixed}),
        },
        measure=measure_toy,
        analyse=lambda df, judging: [every_case_finding("f", [True], key="f")],
        batching=BATCHING if batched else None,
    )


def tasks_of(claim):
    return claim.tasks(claim.grid().cells())


def calls(log: Path) -> list:
    return [tuple(json.loads(line)) for line in log.read_text().splitlines()] if log.exists() else []


def assert_same_cells(actual, alone):
    """Each record has the key, cell and error of the cell measured alone, and its rows to rounding."""
    assert [r["key"] for r in actual] == [r["key"] for r in alone]
    assert [r["cell"] for r in actual] == [r["cell"] for r in alone]
    for a, b in zip(actual, alone):
        assert ("error" in a) == ("error" in b)
        if "error" in b:
            assert (a["error"]["type"], a["error"]["message"]) == (b["error"]["type"], b["error"]["message"])
        assert [r["l"] for r in a["rows"]] == [r["l"] for r in b["rows"]]
        got = torch.tensor([r["norm"] for r in a["rows"]], dtype=torch.float64)
        want = torch.tensor([r["norm"] for r in b["rows"]], dtype=torch.float64)
        torch.testing.assert_close(got, want, **TOL[torch.float64])


# ---------------------------------------------------------------------- which cells are grouped
def test_cells_that_differ_only_in_the_seed_are_grouped_within_the_size():
    """Cells of one point form groups of at most the batching's size, nearly equal, in the order of their first
    member; another point, or a task without a batching, is never in the same group."""
    tasks = tasks_of(toy_claim())  # 2 points x 8 seeds, size 4
    units = batching.groups(tasks, list(range(len(tasks))))
    assert [len(u) for u in units] == [4, 4, 4, 4]
    for u in units:
        assert len({tasks[i].cell["m"] for i in u}) == 1
    assert sorted(i for u in units for i in u) == list(range(len(tasks)))
    alone = tasks_of(toy_claim(batched=False))
    assert batching.groups(alone, list(range(len(alone)))) == [[i] for i in range(len(alone))]
    # 6 seeds of one point in groups of at most 4: 3 and 3, not 4 and 2
    six = tasks_of(toy_claim(seeds=6))[:6]
    assert [len(u) for u in batching.groups(six, list(range(6)))] == [3, 3]


def test_a_group_is_cut_for_the_workers_the_bytes_and_the_estimated_seconds(tmp_path):
    tasks = tasks_of(toy_claim())[:8]  # one point, 8 seeds
    assert [len(u) for u in batching.groups(tasks, list(range(8)), jobs=4)] == [2, 2, 2, 2]
    small = Batching(measure_toy_many, size=16, nbytes=toy_nbytes, max_bytes=3 * toy_nbytes({"m": 16}))
    t2 = [Task(t.group, t.fn, t.cell, t.version, batching=small) for t in tasks]
    assert max(len(u) for u in batching.groups(t2, list(range(8)))) == 3
    # cells whose measured time (here from the cache) is 3 s: at most max_seconds = 20 s of them in a group
    store = CellCache(tmp_path)
    other = dict(tasks[0].cell, seed=99)  # another seed of the same point: its time estimates the others'
    fake = Task(tasks[0].group, measure_toy, other, tasks[0].version)
    store.store(fake.group, fake.key, _with_seconds(fake, 3.0))
    slow = Batching(measure_toy_many, size=16)
    t3 = [Task(t.group, t.fn, t.cell, t.version, batching=slow) for t in tasks]
    assert [len(u) for u in batching.groups(t3, list(range(8)), cache=store)] == [4, 4]
    # a cell over max_seconds is measured alone
    store.store(fake.group, fake.key, _with_seconds(fake, 30.0))
    assert [len(u) for u in batching.groups(t3, list(range(8)), cache=store)] == [1] * 8


def _with_seconds(task, seconds):
    rec = run_tasks([task])[0]
    return json.dumps({**rec, "seconds": seconds})


def test_batching_settings_are_checked():
    with pytest.raises(TypeError, match="measure_many"):
        Batching(3)
    with pytest.raises(ValueError, match="size"):
        Batching(measure_toy_many, size=0)
    with pytest.raises(TypeError, match="batching"):
        Task("g", measure_toy, {"seed": 0}, batching=measure_toy_many)
    assert Batching(measure_toy_many, over="seed").over == ("seed",)


# ---------------------------------------------------------------------- end to end
@pytest.mark.parametrize("jobs", [1, 2])
def test_cells_measured_in_groups_are_stored_as_the_cells_measured_alone(tmp_path, jobs):
    """Every cell's record has the key it has alone and its rows to rounding; the failing network fails only its
    own cell (recorded as a failure alone is); the groups were measured by measure_many, and a rerun loads
    every cell, measuring nothing."""
    log = tmp_path / "log"
    alone = run_tasks(tasks_of(toy_claim(batched=False, log=str(log))))
    log.unlink()
    cache = tmp_path / "cache"
    tasks = tasks_of(toy_claim(log=str(log)))
    recs = run_tasks(tasks, cache=cache, jobs=jobs)
    assert_same_cells(recs, alone)
    assert [f["cell"]["seed"] for f in failures(recs)] == [FAILS, FAILS]
    assert {r.get("group_size") for r in recs} == {4}
    made = calls(log)
    assert {w for w, _, _ in made} == {"many"} and len(made) == len(tasks)
    assert len(CellCache(cache)) == len(tasks)
    for t, r in zip(tasks, recs):
        stored = CellCache(cache).load(t.group, t.key)
        assert stored is not None and stored["rows"] == r["rows"]
    again = run_tasks(tasks, cache=cache, jobs=jobs)
    assert [r["rows"] for r in again] == [r["rows"] for r in recs]
    assert len(calls(log)) == len(tasks)  # the failure is replayed, not measured again


def test_a_run_resumes_cells_measured_alone_and_groups_the_rest(tmp_path):
    log = tmp_path / "log"
    tasks = tasks_of(toy_claim(log=str(log)))
    alone = [Task(t.group, t.fn, t.cell, t.version) for t in tasks]
    run_tasks(alone[:3], cache=tmp_path / "c")  # an interrupted run of the same cells, measured alone
    recs = run_tasks(tasks, cache=tmp_path / "c")
    made = calls(log)
    assert_same_cells(recs, run_tasks(alone))
    cells = [(t.cell["m"], t.cell["seed"]) for t in tasks]
    assert sorted((m, s) for w, m, s in made if w == "one") == cells[:3]
    assert sorted((m, s) for w, m, s in made if w == "many") == sorted(cells[3:])


def test_a_group_that_fails_as_a_whole_is_measured_one_cell_at_a_time(tmp_path, capsys):
    log = tmp_path / "log"
    tasks = tasks_of(toy_claim(log=str(log), break_group=True))
    recs = run_tasks(tasks)
    assert_same_cells(recs, run_tasks(tasks_of(toy_claim(batched=False, log=str(log), break_group=True))))
    assert "one at a time" in capsys.readouterr().err
    assert not any("group_size" in r for r in recs)


def test_a_claim_with_a_seed_offset_or_a_budget_gets_the_cells_it_gets_alone(tmp_path):
    """Claim.run with a seed offset, and a budgeted run (which adds seeds round by round), judge the rows the
    claim measured alone gives."""
    batched, single = toy_claim(), toy_claim(batched=False)
    a = batched.run(seed_offset=100, progress=False, cache=tmp_path / "a")
    b = single.run(seed_offset=100, progress=False)
    cols = ["m", "seed", "l"]
    da, db = a.data.sort_values(cols).reset_index(drop=True), b.data.sort_values(cols).reset_index(drop=True)
    assert sorted(da["seed"].unique()) == list(range(100, 108))
    torch.testing.assert_close(torch.tensor(da["norm"].values), torch.tensor(db["norm"].values), **TOL[torch.float64])
    c = batched.run(budget="2s", progress=False, cache=tmp_path / "b")
    assert len(c.data) > 0 and {f.key for f in c.findings} >= {"f"}
