r"""Budgeted runs that decide: after the grid, rounds of added seeds go where they decide most.

``rnntheory report --budget 1h`` and ``Claim.run(budget=3600)`` measure the grid, judge it, and then,
while the budget lasts, spend rounds of added networks (seeds) on the claims with undecided findings,
ordered by expected decisions per second: for each claim, the factor of networks that decides the
most of its undecided findings per second of compute, if the estimates held (each finding's
:attr:`~rnntheory.checking.Finding.needs`, sized for the next look's level, times the claim's measured compute
per network). After each
round the grown claims are judged again; the run stops when every finding is decided, when no
claim can be decided by more networks, or when the budget is spent. Every added seed is an ordinary
cached cell (resumable, shared with concurrent runs), and results.json records the seeds each point
used, so the report is reproducible from its cache.

**Repeated looks and the error rates.** A claim judged k times (the grid, then after each of its
rounds) uses at look k the level ``1 - alpha * 2**-k`` (:func:`look_level`; alpha = 1%): 99.5% at the
first look, 99.75% at the second, ... The miss rates of all its looks add up to at most alpha, so by
the union bound the probability that *any* look's interval misses its truth on one side is at most
alpha / 2 = 0.5%, whatever the stopping rule, for looks at sample sizes fixed in advance: both error
rates of the verdict rule (:mod:`rnntheory.stats.verdicts`) then hold for the adaptive procedure as a
whole (alpha spending with a geometric schedule). The rounds here grow a claim by a factor chosen from
its current estimates (each finding's ``needs``), which the union bound does not cover:
``tests/stats/test_error_rates.py`` simulates the procedure through :func:`spend` itself, and over
50 000 runs at the zone's edge the two rates come out at 0.68% and 0.60% (without alpha spending, about
2% and 3%): above the 0.5% of a single look, well below what repeated looks at one level give. The
sentence a budgeted report prints says so (:data:`ERROR_RATES`). An exact claim (not replicable:
more seeds cannot decide it) is never looked at again and keeps the single look's 99%
(:func:`level_of`). The price is a slightly wider interval at each look than a single 99% look would give.

**A budget the grid used up.** When the grid leaves no time for any round (no claim could grow by a
quarter of its networks in the time left, whatever its findings say: a test on the clock and the
measured compute, never on the data), the run has one look, and every claim is judged at the single
look's 99% (look :data:`ONLY`); the report says "the grid used the budget; no round ran".

**Estimates that follow the run.** A round's wall time is estimated from the compute its claims' cells
took in this run, times the pace of the last phase (its wall time against its compute divided by the
workers, at least 1: worker start-up, judging and a loaded machine), so that the estimate printed for a
round follows what the grid and the earlier rounds took.

One job: the levels of repeated looks and the rounds that spend a budget (:func:`spend`). The
rounds know claims through their results and two functions, one that measures grids and one that
judges a claim's records at a look; :func:`rnntheory.checking.running.run_grids` binds them to claims
for ``Claim.run`` and the report.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Callable, Mapping

from .. import _validation as V
from ..run.durations import duration, parse_duration
from ..stats.verdicts import Verdict
from .claim_result import ClaimResult
from .grid import Grid

__all__ = ["look_level", "level_of", "Plan", "plan", "spend", "ALPHA", "FACTORS", "ONLY", "ERROR_RATES"]

ALPHA = 0.01
"""The two-sided miss rate spent over all looks of one claim (1%: 0.5% on each side), the miss rate of
the single 99% look of a run without a budget."""

FACTORS = (1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
"""The factors of networks a round may ask of one claim (besides each finding's own need)."""

ONLY = 0
"""The look number of a run's only look (a budget the grid used up): judged at the single look's level."""

MIN_FACTOR = 1.25
"""The smallest growth a round gives a claim: with less time than that for every claim, no round runs."""

ERROR_RATES = (
    "Alpha spending keeps the error rates of repeated looks near those of one look: over 50 000 simulated "
    "budgeted runs whose truth sits at the edge of the zone (tests/stats/test_error_rates.py), a finding "
    'read "inconsistent" in 0.68% and "consistent" in 0.60% of them, against 0.5% for a single look '
    "(about 2% and 3% when every look is judged at one level): a round's size follows the estimates, which "
    "the union bound behind 0.5% does not cover."
)
"""What a budgeted report says about its error rates: what was measured, not the bound the rounds do not meet."""


def look_level(look: int, alpha: float = ALPHA) -> float:
    r"""The confidence level of look ``look`` (1, 2, ...) of one claim: ``1 - alpha * 2**-look``.

    The levels' miss rates sum to at most ``alpha`` over any number of looks."""
    if isinstance(look, bool) or not isinstance(look, int) or look < 1:
        raise ValueError(f"{V.caller(look_level)}: look={look!r} must be a positive integer")
    return 1.0 - alpha * 2.0 ** (-look)


@dataclass(frozen=True)
class Plan:
    r"""One claim's share of a round: grow its networks by ``factor`` to decide ``decisions`` findings
    (if the estimates held) for ``seconds`` of estimated compute."""

    name: str
    factor: float
    decisions: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.decisions / max(self.seconds, 1e-9)


def plan(
    results: Mapping[str, ClaimResult],
    compute: Mapping[str, float],
    *,
    seconds_left: float,
    jobs: int = 1,
    max_factor: float = 8.0,
) -> list[Plan]:
    r"""The claims worth growing now, best first (``results``: claim name -> ClaimResult): for each claim whose
    undecided findings more networks can decide (finite :attr:`~rnntheory.checking.Finding.needs`), the factor with the
    most decisions per
    second of compute (``compute[name]``: the seconds its cells took so far), capped so that the round
    fits ``seconds_left`` of wall time on ``jobs`` workers and by ``max_factor`` a round."""
    out = []
    for name, res in results.items():
        if not res.claim.replicable or name not in compute or getattr(res, "verdict", None) == Verdict.INCONSISTENT:
            continue  # exact computations; a claim already inconsistent stays so whatever its other findings say
        grow = _next_look_growth(getattr(res, "level", None))
        needs = [grow * f.needs for f in res.judged() if not f.decision.decided and math.isfinite(f.needs)]
        if not needs:
            continue
        per = max(compute[name], 1e-3)
        cap = min(max_factor, 1.0 + seconds_left * max(jobs, 1) / per)
        if cap < MIN_FACTOR:
            continue
        best = None
        # each round grows a claim by at least half its networks: fewer, larger looks spend less of alpha
        for f in sorted({*FACTORS, *(min(max(n, FACTORS[0]), max_factor) for n in needs)}):
            f = min(f, cap)
            p = Plan(name, f, sum(n <= f for n in needs), (f - 1.0) * per)
            if p.decisions and (best is None or p.rate > best.rate):
                best = p
        if best is None:  # nothing decides within the cap: grow as far as the cap allows, towards the nearest
            best = Plan(name, cap, 0, (cap - 1.0) * per)
        out.append(best)
    return sorted(out, key=lambda p: (-p.rate, p.seconds))


def _next_look_growth(level: float | None) -> float:
    r"""How many times more networks a finding needs at the next look than its ``needs`` (sized at ``level``,
    the look that judged it): the next look has half its alpha (:func:`look_level`), so its interval is wider by
    about z(next) / z(level), and the networks that would shrink it to the same width grow by the square of
    that (1.16 from 99.5% to 99.75%). 1 where the level is unknown."""
    if level is None or not 0 < level < 1:
        return 1.0
    z = NormalDist().inv_cdf
    return (z(1.0 - (1.0 - level) / 4.0) / z(0.5 + level / 2.0)) ** 2


def level_of(replicable: bool, look: int) -> float:
    r"""The level of a claim's ``look``: :func:`look_level` for a claim the budget may grow, and the single
    look's ``1 - ALPHA`` for an exact one (``replicable`` False: :attr:`rnntheory.checking.Claim.replicable`),
    which is never looked at again, and for look :data:`ONLY` (a run whose grid used its budget)."""
    if look == ONLY:
        return 1.0 - ALPHA
    return look_level(look) if replicable else 1.0 - ALPHA


def _room(compute: Mapping[str, float], left: float, jobs: int) -> bool:
    r"""Whether the time ``left`` lets any claim grow by :data:`MIN_FACTOR` of its networks (its compute so
    far, ``compute``, on ``jobs`` workers): the clock and the compute alone, never the findings."""
    return left > 0 and any(1.0 + left * max(jobs, 1) / max(c, 1e-3) >= MIN_FACTOR for c in compute.values())


def _undecided(results: Mapping[str, ClaimResult]) -> int:
    return sum(not f.decision.decided for r in results.values() for f in r.judged())


def _round(plans: list[Plan], left: float, jobs: int, pace: float = 1.0) -> tuple[list[Plan], float]:
    r"""The plans of the next round, taken best first wherever they still fit in the round's share of
    the time ``left`` (half of it, so that at least two rounds fit, unless little is left; the best
    plan always goes), and their estimated wall time with ``jobs`` workers at ``pace`` (wall time per
    second of compute on one worker, as the last phase measured it)."""
    chunk = max(left / 2.0, min(left, 120.0))
    chosen, wall = [], 0.0
    for p in plans:
        w = p.seconds / max(jobs, 1) * pace
        if chosen and wall + w > chunk:
            continue
        chosen.append(p)
        wall += w
    return chosen, wall


def _pace(wall: float, compute: float, jobs: int, before: float) -> float:
    r"""Wall seconds per second of compute per worker in a phase that measured ``compute`` seconds of cells
    in ``wall`` seconds (at least 1); ``before`` when the phase measured too little to tell."""
    if compute < 1.0:
        return before
    return max(1.0, wall / (compute / max(jobs, 1)))


def spend(
    grids: Mapping[str, Grid],
    budget: float | str,
    *,
    measure: Callable[[Mapping[str, Grid]], dict[str, list[dict[str, Any]]]],
    judge: Callable[[str, Grid, list[dict[str, Any]], int], ClaimResult],
    jobs: int = 1,
    log: Callable[[str], None] | None = None,
) -> tuple[dict[str, ClaimResult], dict[str, Grid], dict[str, list[dict[str, Any]]], dict[str, Any]]:
    r"""Measure ``grids`` (claim name -> :class:`~rnntheory.checking.Grid`), then spend the rest of
    ``budget`` (seconds or a duration such as ``"1h"``, counted from the start, the grid included) on
    rounds of added seeds. ``measure(grids)`` measures the cells of several claims' grids in one sweep
    and returns each claim's cell records; ``judge(name, grid, records, look)`` judges one claim's
    records at its ``look`` (1, 2, ...; at :func:`level_of` that look).
    :func:`rnntheory.checking.running.run_grids` binds both to claims.

    Returns:
        ``(results, grids, records, summary)``: per claim its last :class:`ClaimResult`, the grown grid
        and its cell records; ``summary`` has the rounds (what each grew, estimated and measured time,
        findings decided), the looks per claim and a sentence for the report.
    """
    total = parse_duration(budget)
    say = log or (lambda _msg: None)
    t0 = time.perf_counter()
    grids = dict(grids)
    records = measure(grids)
    compute = {n: float(sum(r["seconds"] for r in records[n])) for n in grids}
    grid_wall = time.perf_counter() - t0
    pace = _pace(grid_wall, sum(compute.values()), jobs, 1.0)
    # the grid used the budget when no claim could grow in the time left, whatever its findings: one look
    single = not _room(compute, total - grid_wall, jobs)
    looks = {n: ONLY if single else 1 for n in grids}
    results = {n: judge(n, g, records[n], looks[n]) for n, g in grids.items()}
    start_open = _undecided(results)
    say(
        f"budget: the grid took {grid_wall:.0f} s; {start_open} findings undecided"
        + ("; the grid used the budget: no round runs" if single else "")
    )
    rounds = []
    while not single:
        left = total - (time.perf_counter() - t0)
        compute = {n: float(sum(r["seconds"] for r in records[n])) for n in grids}
        plans = plan(results, compute, seconds_left=left, jobs=jobs)
        if not plans or left <= 0:
            break
        chosen, wall = _round(plans, left, jobs, pace)
        before = _undecided(results)
        t1 = time.perf_counter()
        grown = {p.name: grids[p.name].grow(p.factor) for p in chosen}
        new = measure(grown)
        for p in chosen:
            grids[p.name], records[p.name] = grown[p.name], new[p.name]
            looks[p.name] += 1
            results[p.name] = judge(p.name, grids[p.name], records[p.name], looks[p.name])
        spent = time.perf_counter() - t1
        added = sum(float(sum(r["seconds"] for r in records[p.name])) - compute[p.name] for p in chosen)
        pace = _pace(spent, added, jobs, pace)
        after = _undecided(results)
        rounds.append(
            {
                "claims": {p.name: round(p.factor, 3) for p in chosen},
                "estimated_seconds": round(wall, 1),
                "seconds": round(spent, 1),
                "undecided_before": before,
                "undecided_after": after,
            }
        )
        say(
            f"budget: round {len(rounds)} grew {', '.join(f'{p.name} x{p.factor:.2g}' for p in chosen)} in "
            f"{spent:.0f} s (estimated {wall:.0f} s); undecided findings {before} -> {after}"
        )
        if after == 0:
            break
    elapsed = time.perf_counter() - t0
    end_open = _undecided(results)
    levels = {n: results[n].level if hasattr(results[n], "level") else None for n in grids}
    if single:
        sentence = (
            f"a budget of {duration(total)} ({duration(elapsed)} used): the grid used the budget; no round ran. "
            f"With one look, every claim is judged at the single look's level {100 * (1 - ALPHA):g}%; "
            f"undecided findings: {end_open}."
        )
    else:
        sentence = (
            f"a budget of {duration(total)} ({duration(elapsed)} used): the grid, then {len(rounds)} "
            f"round(s) of added networks; undecided findings {start_open} -> {end_open}. Each claim's look k "
            f"is judged at level 1 - {ALPHA:g} x 2^-k (alpha spending over looks: docs/conventions.md); the "
            "summary gives each claim's level. " + ERROR_RATES
        )
    summary = {
        "budget_seconds": total,
        "seconds": round(elapsed, 1),
        "rounds": rounds,
        "looks": looks,
        "levels": levels,
        "single_look": single,
        "summary": sentence,
    }
    return results, grids, records, summary
