r"""Budgeted runs (rnntheory.checking.budget): the look levels, durations, the plan that orders claims by expected
decisions per second, grids grown with fresh seeds, and a real budgeted run that decides a finding the
grid alone leaves open. The error rates of the adaptive procedure are simulated in tests/stats/test_error_rates.py."""

from __future__ import annotations

import math
from types import SimpleNamespace as NS

import pytest

from rnntheory import claims
from rnntheory.checking import Grid
from rnntheory.checking import budget as B


def test_look_levels_spend_at_most_alpha_over_any_number_of_looks():
    assert B.look_level(1) == pytest.approx(0.995) and B.look_level(2) == pytest.approx(0.9975)
    assert sum(1 - B.look_level(k) for k in range(1, 200)) <= B.ALPHA
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="look="):
            B.look_level(bad)


@pytest.mark.parametrize("text, seconds", [("1h", 3600), ("90m", 5400), ("45s", 45), ("1h30m", 5400), ("3600", 3600),
                                           (120, 120), ("2 min", 120)])
def test_parse_duration(text, seconds):
    assert B.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "1x", "-5", "0", "1h and a bit"])
def test_parse_duration_refuses_what_is_not_a_duration(text):
    with pytest.raises(ValueError, match="budget.parse_duration"):
        B.parse_duration(text)


def _result(needs, replicable=True):
    findings = [NS(needs=n, decision=NS(decided=n == 1.0)) for n in needs]
    return NS(findings=findings, claim=NS(replicable=replicable))


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
