r"""Budgeted runs (rnntheory.checking.budget): the look levels, durations, the plan that orders claims by expected
decisions per second, grids grown with fresh seeds, and a real budgeted run that decides a finding the
grid alone leaves open. The error rates of the adaptive procedure are simulated in tests/stats/test_error_rates.py."""

from __future__ import annotations

import math
from types import SimpleNamespace as NS

import pytest
from scipy import stats as sps

from rnntheory import claims
from rnntheory.checking import Grid
from rnntheory.checking import budget as B
from rnntheory.run import durations as D
from rnntheory.stats import verdicts as VD


def test_look_levels_spend_at_most_alpha_over_any_number_of_looks():
    assert B.look_level(1) == pytest.approx(0.995) and B.look_level(2) == pytest.approx(0.9975)
    assert sum(1 - B.look_level(k) for k in range(1, 200)) <= B.ALPHA
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="look="):
            B.look_level(bad)


def test_level_of_spends_alpha_look_by_look_and_keeps_99_percent_for_an_exact_claim():
    """The levels --budget judges with (budget.level_of): look k of a claim it may grow at exactly
    1 - 0.01 * 2^-k, never the first look's level again; an exact claim at the single look's 99%."""
    grown, exact = True, False  # Claim.replicable
    assert [B.level_of(grown, k) for k in (1, 2, 3, 4)] == pytest.approx(
        [0.995, 0.9975, 0.99875, 0.999375], rel=0, abs=1e-15
    )
    for k in range(1, 12):
        assert B.level_of(grown, k) == pytest.approx(1 - 0.01 * 2.0**-k, rel=0, abs=1e-15)
        assert B.level_of(exact, k) == pytest.approx(0.99, rel=0, abs=1e-15)
    assert B.ALPHA == 0.01
    assert sum(1 - B.level_of(grown, k) for k in range(1, 100)) <= B.ALPHA


class _Grid:
    def __init__(self, n: int):
        self.n = n

    def grow(self, factor: float) -> "_Grid":
        return _Grid(max(int(math.ceil(self.n * factor)), self.n + 1))


def _run(monkeypatch, claims, decide_at, seconds=1000.0):
    r"""budget.spend (the rounds of --budget) with stand-ins for the cells (1 s of compute per network) and the
    judge: each claim has one finding that needs twice the networks until its look ``decide_at[name]``, where it is
    decided. Returns (summary, {name: [level of each look]})."""
    seen = {name: [] for name in claims}

    def measure(grids):
        return {n: [{"seconds": 1.0}] * g.n for n, g in grids.items()}

    def judge(name, grid, records, look):  # as checking.running.run_grids binds it: the look's level from level_of
        claim = claims[name]
        level = B.level_of(claim.replicable, look)
        seen[claim.name].append(level)
        decided = len(seen[claim.name]) >= decide_at[claim.name]
        verdict = VD.Verdict.CONSISTENT if decided else VD.Verdict.INCONCLUSIVE
        findings = [NS(needs=1.0 if decided else 2.0, decision=NS(decided=decided))]
        return NS(claim=claim, verdict=verdict, findings=findings, judged=lambda: findings)

    _, grids, _, summary = B.spend({n: _Grid(4) for n in claims}, seconds, measure=measure, judge=judge)
    return summary, seen, grids


def test_spend_judges_each_look_at_its_spent_level_and_stops_when_decided(monkeypatch):
    claims = {
        "a": NS(name="a", replicable=True),
        "b": NS(name="b", replicable=True),
        "exact": NS(name="exact", replicable=False),
    }
    summary, seen, grids = _run(monkeypatch, claims, {"a": 4, "b": 2, "exact": 99})
    assert seen["a"] == pytest.approx([0.995, 0.9975, 0.99875, 0.999375], rel=0, abs=1e-15)
    assert seen["b"] == pytest.approx([0.995, 0.9975], rel=0, abs=1e-15)  # decided at look 2: not grown again
    assert seen["exact"] == [0.99]  # more seeds cannot decide an exact claim: one look
    assert summary["looks"] == {"a": 4, "b": 2, "exact": 1}
    assert grids["a"].n == 32 and grids["b"].n == 8 and grids["exact"].n == 4  # doubled per round, as needed
    assert summary["rounds"][-1]["undecided_after"] == 1  # the exact claim's finding stays open


def test_spend_stops_when_the_budget_cannot_grow_a_claim(monkeypatch):
    r"""A round may add at most seconds_left * jobs / (compute so far) networks per network, and a claim whose
    cap falls below 1.25 is not grown: with 60 s and 1 s per network the looks end near 240 networks."""
    summary, seen, grids = _run(monkeypatch, {"a": NS(name="a", replicable=True)}, {"a": 10**6}, seconds=60.0)
    looks = summary["looks"]["a"]
    assert len(seen["a"]) == looks >= 3
    assert seen["a"] == pytest.approx([1 - 0.01 * 2.0**-k for k in range(1, looks + 1)], rel=0, abs=1e-15)
    assert 60 / 0.25 <= grids["a"].n <= 2 * 60 / 0.25 + 1


@pytest.mark.parametrize(
    "text, seconds",
    [("1h", 3600), ("90m", 5400), ("45s", 45), ("1h30m", 5400), ("3600", 3600), (120, 120), ("2 min", 120)],
)
def test_parse_duration(text, seconds):
    assert D.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "1x", "-5", "0", "1h and a bit"])
def test_parse_duration_refuses_what_is_not_a_duration(text):
    with pytest.raises(ValueError, match="durations.parse_duration"):
        D.parse_duration(text)


def _result(needs, replicable=True):
    findings = [NS(needs=n, decision=NS(decided=n == 1.0)) for n in needs]
    return NS(findings=findings, judged=lambda: findings, claim=NS(replicable=replicable))


def test_plan_orders_claims_by_decisions_per_second():
    results = {
        "cheap": _result([1.4, 1.0]),  # one decision for half its 10 s
        "dear": _result([1.4, 1.4]),  # two decisions for half its 400 s
        "hopeless": _result([math.inf]),  # more networks of this design cannot decide it
        "exact": _result([2.0], replicable=False),
        "done": _result([1.0]),
    }
    compute = {"cheap": 10.0, "dear": 400.0, "hopeless": 5.0, "exact": 1.0, "done": 1.0}
    plans = B.plan(results, compute, seconds_left=3600, jobs=2)
    assert [p.name for p in plans] == ["cheap", "dear"]
    assert plans[0].factor == 1.5 and plans[0].decisions == 1 and plans[0].seconds == pytest.approx(5.0)
    assert plans[1].decisions == 2


def test_plan_sizes_a_round_for_the_next_looks_level():
    """A finding judged at look k (level 1 - 0.01 2^-k) is judged next at half that alpha, with a wider interval:
    the round grows it by its needs times (z(next) / z(now))^2 (1.16 from 99.5% to 99.75%), so that the factor it
    needs at the look that will judge it is planned, not the one of the look that judged it."""
    res = _result([3.0])
    flat = B.plan({"c": res}, {"c": 1.0}, seconds_left=3600, jobs=1)[0]
    res.level = B.look_level(1)
    grown = B.plan({"c": res}, {"c": 1.0}, seconds_left=3600, jobs=1)[0]
    z = sps.norm.ppf
    assert flat.factor == 3.0 and grown.factor == pytest.approx(3.0 * (z(1 - 0.0025 / 2) / z(1 - 0.005 / 2)) ** 2)
    assert grown.decisions == 1 and 3.45 < grown.factor < 3.5


def test_plan_fits_the_time_left():
    plans = B.plan({"big": _result([6.0])}, {"big": 100.0}, seconds_left=100.0, jobs=2)
    (p,) = plans
    assert p.factor <= 3.0 and p.seconds <= 200.0  # 100 s of wall on 2 workers
    assert B.plan({"big": _result([6.0])}, {"big": 100.0}, seconds_left=5.0, jobs=1) == []


def test_grow_keeps_every_seed_and_adds_fresh_ones():
    g = Grid(points=({"m": 64}, {"m": 128, "seeds": (0, 1)}), seeds=(0, 1, 2, 3))
    h = g.grow(2.0)
    assert h.point_seeds(h.points[0]) == (0, 1, 2, 3, 4, 5, 6, 7)
    assert h.point_seeds(h.points[1]) == (0, 1, 4, 5)
    assert len(h) == 12 and h.fixed == g.fixed
    assert len(g.grow(1.1)) == len(g) + 2  # at least one new network per point
    with pytest.raises(ValueError, match="factor=1"):
        g.grow(1.0)


def test_a_budgeted_claim_run_decides_what_its_grid_leaves_open(tmp_path):
    """backward_coupling on two widths and 2 networks each cannot decide its m exponents; with a budget,
    rounds of added seeds (cached cells, fresh seeds) decide at least one of them, and the result's
    grid records the seeds it used."""
    c = claims.get("backward_coupling")
    small = Grid(points=({"m": 64}, {"m": 128}, {"m": 256}), seeds=(0, 1), fixed=c.grid().fixed)
    plain = c.run(small, cache=tmp_path)
    open_before = sum(not f.decision.decided for f in plain.findings)
    assert open_before > 0, str(plain)
    res = c.run(small, cache=tmp_path, budget=40)
    assert len(res.design) > len(small)
    assert res.level > plain.level  # a later look, at its spent level
    assert sum(not f.decision.decided for f in res.findings) < open_before, str(res)
    assert set(res.data["seed"]) >= {0, 1, 2}


def test_a_budget_the_grid_used_up_is_one_look_at_the_single_look_level(monkeypatch):
    """When no claim could grow by a quarter in the time the grid left (a test of the clock and the measured
    compute, not of the findings), no round runs, every claim is judged at 99% (look budget.ONLY) and the
    summary says so."""
    claims_ = {"a": NS(name="a", replicable=True), "exact": NS(name="exact", replicable=False)}
    summary, seen, grids = _run(monkeypatch, claims_, {"a": 10**6, "exact": 99}, seconds=0.5)
    assert seen == {"a": [0.99], "exact": [0.99]} and summary["looks"] == {"a": B.ONLY, "exact": B.ONLY}
    assert summary["single_look"] and summary["rounds"] == [] and grids["a"].n == 4
    assert "the grid used the budget; no round ran" in summary["summary"] and "99%" in summary["summary"]
    assert B.level_of(True, B.ONLY) == B.level_of(False, B.ONLY) == pytest.approx(0.99, rel=0, abs=1e-15)
    roomy, seen, _ = _run(monkeypatch, claims_, {"a": 2, "exact": 99}, seconds=1000.0)
    assert not roomy["single_look"] and seen["a"][0] == pytest.approx(0.995, rel=0, abs=1e-15)
    assert "0.68%" in roomy["summary"] and "however often" not in roomy["summary"]  # what was measured, not promised


def test_a_rounds_estimate_follows_the_pace_the_run_measured():
    assert B._pace(wall=10.0, compute=10.0, jobs=1, before=1.0) == 1.0
    assert B._pace(wall=30.0, compute=20.0, jobs=2, before=1.0) == 3.0  # 128 s for what 40 s of compute per worker
    assert B._pace(wall=5.0, compute=40.0, jobs=2, before=1.0) == 1.0  # cached cells: never faster than the compute
    assert B._pace(wall=9.0, compute=0.5, jobs=1, before=2.0) == 2.0  # too little measured to tell
    plans = [B.Plan("a", 2.0, 1, 40.0)]
    assert B._round(plans, 1000.0, 1)[1] == 40.0 and B._round(plans, 1000.0, 1, pace=3.2)[1] == pytest.approx(128.0)


def test_to_decide_follows_the_speed_the_run_measured_and_the_files_the_reference():
    """ClaimResult.decide scales the cost by the compute its cells took (ClaimResult.compute); a Report's files
    keep the reference timings' estimate (nothing in them depends on when the cells were measured), and
    Report.decide gives the measured one for what is printed after a run."""
    import dataclasses

    import numpy as np
    import pandas as pd

    from rnntheory.checking import Claim
    from rnntheory.checking.controls import cannot_detect, too_strong, wrong_m
    from rnntheory.checking.findings import exponent_finding
    from rnntheory.report.document import Report

    grid = Grid.product({"m": [64, 128, 256]}, seeds=3)
    claim = Claim(
        "flat",
        "t",
        "r",
        "s",
        "y",
        "y <= c m^0",
        grids={"default": grid, "large": grid},
        measure=lambda cell: [],
        analyse=lambda df, j: [
            exponent_finding("y is flat", df, "m", "y", j["a"], key="a", resolution=0.01, groups=None, level=j.level)
        ],
        judging={"a": 0.0},
        controls=(too_strong("a decay", a=-1.0), wrong_m("y"), cannot_detect("exponential", "L", "no L")),
    )
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {"m": [64, 128, 256] * 3, "seed": np.repeat([0, 1, 2], 3), "y": np.exp(0.3 * rng.standard_normal(9))}
    )
    res = claim.judge(df, grid)
    assert res.decide() and math.isnan(res.compute)
    reference = res.grid_seconds()  # a claim without reference timings: NaN
    slow = dataclasses.replace(res, compute=300.0)
    assert slow.grid_seconds() == 300.0 and "min" in slow.decide() and slow.decide() != res.decide()
    rep = Report({"flat": slow}, {"flat": grid}, {"flat": []}, {})
    assert rep.results["flat"].decide() == res.decide()  # what the files say: no time of this run in them
    assert rep.decide("flat") == slow.decide()  # what is printed after the run
    assert math.isnan(reference) or reference >= 0
