r"""Budgeted runs (rnntheory.checking.budget): the look levels, durations, the plan that orders claims by expected
decisions per second, grids grown with fresh seeds, and a real budgeted run that decides a finding the
grid alone leaves open. The error rates of the adaptive procedure are simulated in tests/stats/test_error_rates.py."""

from __future__ import annotations

import math
from types import SimpleNamespace as NS

import pytest

from rnntheory.stats import verdicts as VD
from rnntheory import claims
from rnntheory.checking import Grid
from rnntheory.checking import budget as B
from rnntheory.run import durations as D


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
    assert [B.level_of(grown, k) for k in (1, 2, 3, 4)] == pytest.approx([0.995, 0.9975, 0.99875, 0.999375], rel=0, abs=1e-15)
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
    r"""budget.spend (the rounds of --budget) with stand-ins for the cells (1 s of compute per network) and the judge: each
    claim has one finding that needs twice the networks until its look ``decide_at[name]``, where it is
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
    claims = {"a": NS(name="a", replicable=True), "b": NS(name="b", replicable=True), "exact": NS(name="exact", replicable=False)}
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


@pytest.mark.parametrize("text, seconds", [("1h", 3600), ("90m", 5400), ("45s", 45), ("1h30m", 5400), ("3600", 3600),
                                           (120, 120), ("2 min", 120)])
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
        "cheap": _result([1.4, 1.0]),          # one decision for half its 10 s
        "dear": _result([1.4, 1.4]),           # two decisions for half its 400 s
        "hopeless": _result([math.inf]),       # more networks of this design cannot decide it
        "exact": _result([2.0], replicable=False),
        "done": _result([1.0]),
    }
    compute = {"cheap": 10.0, "dear": 400.0, "hopeless": 5.0, "exact": 1.0, "done": 1.0}
    plans = B.plan(results, compute, seconds_left=3600, jobs=2)
    assert [p.name for p in plans] == ["cheap", "dear"]
    assert plans[0].factor == 1.5 and plans[0].decisions == 1 and plans[0].seconds == pytest.approx(5.0)
    assert plans[1].decisions == 2


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
