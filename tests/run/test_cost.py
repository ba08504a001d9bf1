"""Cost previews (rnntheory.run.cost, Claim.cost, rnntheory report --dry-run): counts, the sources of each
estimate, the extrapolation and the wall-time schedule, against hand-computed values."""

import json

import pytest

from rnntheory import claims, report
from rnntheory.checking import Grid
from rnntheory.cli import main
from rnntheory.run import cost
from rnntheory.run.cache import CellCache
from rnntheory.run.executors import run_tasks
from rnntheory.run.records import Task


def _tiny(cell):
    return [{"y": cell["m"] * cell["seed"]}]


def test_every_cell_of_the_registered_grids_has_a_reference_time():
    """The shipped timings cover the default grid of every claim, so its preview never guesses; the large
    grid's preview estimates every cell (the regime designs' large points have not been measured yet: their
    cells are scaled from the nearest measured point, and say so in the table's source column)."""
    for grid in ("default", "large"):
        c = report.cost(grid=grid)
        assert c.cached == 0 and c.pending == c.cells > 0
        if grid == "default":
            assert set(c.table["source"]) == {"reference"}, c.table.loc[
                c.table["source"] != "reference", ["claim", "point"]
            ]
        assert c.seconds > 0 and c.unknown == 0
    # a claim's preview is the sum of its cells' reference medians
    sign = claims.get("sign_changes")
    ref = cost.reference_timings()["sign_changes"]
    expected = sum(ref[cost.point_of(cell)][0] for cell in sign.grid().cells())
    assert sign.cost().seconds == pytest.approx(expected)


def test_cached_cells_and_times_of_the_same_point_come_first(tmp_path):
    tasks = [Task("tiny", _tiny, {"m": m, "seed": s}, 1) for m in (10, 20) for s in range(3)]
    run_tasks(tasks[:2], cache=tmp_path)  # m = 10, seeds 0 and 1
    store = CellCache(tmp_path)
    for t in tasks[:2]:  # pretend each took 4 s
        rec = store.load("tiny", t.key)
        rec["seconds"] = 4.0
        store.store("tiny", t.key, json.dumps(rec))
    c = cost.estimate(tasks, cache=tmp_path)
    assert (c.cells, c.cached, c.pending) == (6, 2, 4)
    # seed 2 of m = 10 from its point's cached times; m = 20 from the claim's only timed point
    assert list(c.table["source"]) == ["cached", "cached", "cache", "extrapolated", "extrapolated", "extrapolated"]
    assert c.seconds == pytest.approx(16.0) and c.unknown == 0
    # a cell name with no timing anywhere
    other = cost.estimate([Task("untimed", _tiny, {"m": 1, "seed": 0}, 1)], cache=tmp_path)
    assert list(other.table["source"]) == ["unknown"] and other.unknown == 1 and other.seconds == 0
    assert "1 cell(s) have no timing" in str(other)


def _edit_rows(store, group, key, **changes):
    """Change a cached record by hand: its first row's first number gains 1, and ``changes`` replace fields."""
    rec = store.load(group, key)
    row = rec["rows"][0]
    row[next(k for k, v in row.items() if isinstance(v, (int, float)) and not isinstance(v, bool))] += 1
    store.path(group, key).write_text(json.dumps({**rec, **changes}))


def test_a_cached_cell_whose_rows_were_edited_is_counted_to_run(tmp_path):
    """The preview reads the cache as a run does (CellCache.load): a cell whose rows were edited after
    they were written fails its checksum, so Claim.cost counts it as still to run, as the run would
    measure it again."""
    claim = claims.get("complexity_eps_growth")  # four cells, under a second
    claim.run(cache=tmp_path, progress=False)
    assert claim.cost(cache=tmp_path).pending == 0
    store = CellCache(tmp_path)
    group, key = store.entries()[0]
    _edit_rows(store, group, key)
    with pytest.warns(UserWarning, match="checksum"):
        c = claim.cost(cache=tmp_path)
    assert (c.cached, c.pending) == (c.cells - 1, 1)
    edited = c.table.set_index("cell").loc[key]
    assert not edited["cached"] and edited["source"] != "cached"


def test_an_edited_record_of_another_seed_is_no_estimate(tmp_path):
    """Cells of the same point outside the grid (other seeds) give estimates only when they are
    records the cache would use."""
    tasks = [Task("tiny", _tiny, {"m": 10, "seed": s}, 1) for s in range(3)]
    run_tasks(tasks[:2], cache=tmp_path)
    store = CellCache(tmp_path)
    store.store("tiny", tasks[1].key, json.dumps({**store.load("tiny", tasks[1].key), "seconds": 4.0}))
    _edit_rows(store, "tiny", tasks[0].key, seconds=100.0)
    with pytest.warns(UserWarning, match="checksum"):
        c = cost.estimate(tasks[2:], cache=tmp_path)
    assert list(c.table["source"]) == ["cache"] and c.seconds == pytest.approx(4.0)


def test_a_record_whose_seconds_are_no_number_is_skipped_not_a_crash(tmp_path):
    """The preview and the timings command read through CellCache.load, which refuses such a file."""
    tasks = [Task("tiny", _tiny, {"m": 10, "seed": s}, 1) for s in range(2)]
    run_tasks(tasks[:1], cache=tmp_path)
    store = CellCache(tmp_path)
    store.store("tiny", tasks[0].key, json.dumps({**store.load("tiny", tasks[0].key), "seconds": "slow"}))
    with pytest.warns(UserWarning, match="not a number"):
        c = cost.estimate(tasks[1:], cache=tmp_path)
    assert list(c.table["source"]) != ["cache"]


def test_extrapolation_recovers_a_power_law():
    """Times that follow 1e-3 m^2 L exactly are extrapolated exactly to a new width and length."""
    known = {cost.point_of({"m": m, "L": L, "d_x": 8}): 1e-3 * m**2 * L for m in (64, 128, 256, 512) for L in (4, 8)}
    assert cost._extrapolate(known, {"m": 2048, "L": 16, "d_x": 8}) == pytest.approx(1e-3 * 2048**2 * 16, rel=1e-9)
    # too few points for a fit: the nearest point's time
    two = {cost.point_of({"m": 64}): 1.0, cost.point_of({"m": 1024}): 9.0}
    assert cost._extrapolate(two, {"m": 900}) == pytest.approx(9.0)
    assert cost._extrapolate({}, {"m": 900}) is None


def test_a_point_outside_the_reference_is_extrapolated_from_the_claims_times():
    sign = claims.get("sign_changes")
    g = sign.grid()
    wide = Grid(points=({"m": 3000},), seeds=(0, 1), fixed=g.fixed)
    c = sign.cost(wide)
    assert set(c.table["source"]) == {"extrapolated"}
    per_cell = c.seconds / 2
    ref = cost.reference_timings()["sign_changes"]
    at_1024 = max(s for p, (s, _) in ref.items() if json.loads(p)["m"] == 1024)
    assert per_cell > at_1024  # wider costs more


def test_wall_time_gives_the_longest_cells_first_to_the_least_busy_worker():
    import pandas as pd

    secs = [3.0, 5.0, 3.0, 4.0, 3.0]
    table = pd.DataFrame(
        {
            "claim": "c",
            "group": "c",
            "cell": [str(i) for i in range(5)],
            "point": "",
            "cached": False,
            "seconds": secs,
            "source": "reference",
        }
    )
    c = cost.Cost(table)
    assert c.wall(1) == 18.0
    assert c.wall(2) == 10.0  # 5+3+... : {5, 3}, {4, 3, 3} -> 8 and 10
    assert c.wall(10) == 5.0
    assert c.wall(2) >= c.seconds / 2


def test_dry_run_measures_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    assert (
        main(["report", "--dry-run", "--claims", "sign_changes", "decoupling", "--out", str(out), "--jobs", "2"]) == 0
    )
    text = capsys.readouterr().out
    assert "sign_changes" in text and "decoupling" in text and "estimated wall time with --jobs 2" in text
    total = [line for line in text.splitlines() if line.startswith("total")][0].split()
    cells = str(len(claims.get("sign_changes").grid()) + len(claims.get("decoupling").grid()))  # 30 + 90
    assert total[1:4] == [cells, "0", cells]
    assert not out.exists()
