r"""A claim's result: its measurements, findings and verdict, the deciding finding, what would decide it,
its negative controls run on its own data, and how it prints. One job: :class:`ClaimResult` (re-exported
by rnntheory.checking), which knows a claim only through the methods it calls on it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .. import stats as S
from ..run.durations import duration
from ..stats import verdicts as VD
from . import text as T
from .controls import ControlOutcome, Controls
from .grid import Grid
from .results import ANALYSIS_ERRORS, LEVEL, Finding
from .settings import check_judging

_COSTS: dict[tuple[int, int], tuple[Any, Grid, float]] = {}
"""The estimated compute of (claim, grid) pairs already asked for, by identity (a grid of a budgeted run holds
hundreds of thousands of cells, and a report asks for each claim's several times)."""


def _grid_cost(claim: Any, design: Grid) -> float:
    r"""``claim.cost(design).seconds`` (the reference timings: a function of the claim and its grid alone),
    computed once per pair of objects."""
    key = (id(claim), id(design))
    hit = _COSTS.get(key)
    if hit is None or hit[0] is not claim or hit[1] is not design:
        if len(_COSTS) > 512:
            _COSTS.clear()
        hit = (claim, design, float(claim.cost(design).seconds))
        _COSTS[key] = hit
    return hit[2]


__all__ = ["ClaimResult"]


@dataclass
class ClaimResult:
    r"""A claim's measurements (``data``, one row per measurement), findings, overall verdict, and the
    judging settings they were judged with. ``print(result)`` shows what the report shows for the claim
    (findings, negative controls, what was and was not shown, what would decide it); a notebook renders
    the report's tables (``_repr_markdown_``).

    >>> from rnntheory import claims
    >>> res = claims.get("backward_coupling").run()   # doctest: +SKIP
    >>> print(res.headline)                             # doctest: +SKIP
    backward_coupling: consistent -- ||grad y_j(W0+W') - ...: exponent in m -0.589 [-1.07, -0.11]
    """

    claim: Any  # the rnntheory.checking.Claim judged (typed loosely: the claim module imports this one)
    grid: str
    data: pd.DataFrame
    findings: list[Finding]
    seconds: float = 0.0
    settings: Mapping[str, Any] = field(default_factory=dict)
    failed: list[dict[str, Any]] = field(default_factory=list)
    """The cells whose measurement raised: ``{"cell", "key", "error"}`` each (rnntheory.run.records.failures)."""
    level: float = LEVEL
    """The confidence level of every interval of this result (higher than 99% in a budgeted run's looks)."""
    design: "Grid | None" = None
    """The grid the data were measured on, when known (for what it would take to decide)."""
    compute: float = math.nan
    """The seconds its cells took when they were measured (the sum over the cells; NaN when not known, as for
    a report rebuilt from its results.json): what "to decide" scales, so that it follows the speed the run
    measured rather than the reference timings alone."""

    def rejudge(self, data: pd.DataFrame | None = None, **judging: Any) -> "ClaimResult":
        r"""Judge the same measurements (or ``data``) again with changed judging settings, e.g. a
        deliberately wrong claimed exponent; nothing is re-measured."""
        check_judging(self.claim, judging, "ClaimResult.rejudge")
        df = self.data if data is None else data
        return self.claim.judge(
            df,
            settings={**self.settings, **judging},
            name=self.grid,
            failed=self.failed,
            level=self.level,
            design=self.design,
            compute=self.compute,
        )

    @property
    def verdict(self) -> VD.Verdict:
        r"""The claim's verdict: its judged findings combined (:func:`rnntheory.stats.verdicts.combine`);
        descriptions (:attr:`Finding.described`) do not enter it."""
        return VD.combine(f.verdict for f in self.judged())

    def judged(self) -> list[Finding]:
        r"""The findings that enter the verdict (all but the descriptions)."""
        return [f for f in self.findings if f.judged]

    @property
    def headline(self) -> str:
        """One line: claim name, verdict, and the deciding finding (:meth:`deciding`) with its measured
        figure, as the report's summary shows it."""
        f = self.deciding()
        return f"{self.claim.name}: {self.verdict} -- " + ("" if f is None else f"{f.name}: {T.measured(f)}")

    def deciding(self) -> Finding | None:
        r"""The finding that decides the claim's verdict: its first finding with that verdict (for an
        inconsistent claim the first contradicted finding, for an inconclusive one the first undecided
        finding). The API, the report, the command line and the README use this one rule
        (``rnntheory.checking.text.HEADLINE_RULE`` states it)."""
        return next((f for f in self.judged() if f.verdict == self.verdict), None)

    def grid_seconds(self) -> float:
        r"""The compute of the claim's grid: what its cells took when this run measured them (:attr:`compute`,
        the speed of this machine as the run measured it), else the estimate of :mod:`rnntheory.run.cost` from
        the reference timings (NaN when the grid is unknown)."""
        if math.isfinite(self.compute) and self.compute > 0:
            return float(self.compute)
        if self.design is None:
            return math.nan
        return _grid_cost(self.claim, self.design)

    def to_decide(self) -> pd.DataFrame:
        r"""One row per undecided finding: its key, name, how many times its networks would decide it
        (``needs``: inf beyond reach of this design, NaN where more networks cannot help), and the
        estimated compute of the added networks (``seconds``: (needs - 1) x the grid's compute as this run
        measured it, :meth:`grid_seconds`)."""
        grid = self.grid_seconds()
        rows = [
            {
                "key": f.key,
                "finding": f.name,
                "needs": f.needs,
                "seconds": (f.needs - 1.0) * grid if math.isfinite(f.needs) else math.nan,
                "replicable": self.claim.replicable,
            }
            for f in self.judged()
            if not f.decision.decided
        ]
        return pd.DataFrame(rows, columns=["key", "finding", "needs", "seconds", "replicable"])

    def decide(self, jobs: int = 2) -> str:
        r"""What would decide the claim, in one sentence ("" when its verdict is decided: every finding
        decided, or one inconsistent): the factor of networks its hardest undecided finding needs if the
        estimates held, and its cost on ``jobs`` cores."""
        td = self.to_decide()
        if td.empty or self.verdict == VD.Verdict.INCONSISTENT:  # an inconsistent claim stays inconsistent
            return ""
        if self.failed:
            return (
                f"first the {len(self.failed)} failed cell(s): fix their error (a changed measuring code measures "
                "them again; --retry-failed in any case)"
            )
        if not self.claim.replicable:
            return "more seeds cannot decide it: its values are exact (a wider range or more points would)"
        if td["needs"].isna().any():
            return (
                "more networks cannot decide every finding: "
                + "; ".join(td[td["needs"].isna()]["key"])
                + " cannot be decided on this grid's design (the finding says what would decide it)"
            )
        worst = float(td["needs"].max())
        if not math.isfinite(worst):
            keys = ", ".join(td[~np.isfinite(td["needs"])]["key"])
            return (
                f"more networks of this design would not decide {keys} (estimate at the edge of the zone, or over "
                "1000x): more points or a wider range"
            )
        secs = float(td["seconds"].max())
        when = (
            ""
            if not math.isfinite(secs)
            else f" ({duration(secs / max(jobs, 1), about=True)} on {jobs} core{'s' if jobs != 1 else ''})"
        )
        return f"about {S.factor_text(worst)}x the networks{when}, if the estimates and their spread held"

    def controls(self) -> Controls:
        r"""Run the claim's negative controls on these measurements (nothing is re-measured; the outcomes
        are kept, so asking again is free). Findings are matched by their keys, never by display text
        (which may carry numbers)."""
        done = self.__dict__.get("_controls")
        if done is not None and done[0] is self.data:
            return done[1]
        before = {f.key: f.verdict for f in self.judged()}
        out = Controls()
        for c in self.claim.controls:
            if len(self.data) == 0:  # nothing was measured (every cell failed): there is nothing to alter
                why = "no measured rows" + (" (every cell failed)" if self.failed else "")
                out.append(ControlOutcome(c.kind, c.what, None, False, why, ran=False))
                continue
            if c.undetectable:
                out.append(ControlOutcome(c.kind, c.what, None, False, c.undetectable))
                continue
            try:
                # a derived judging value (a too-strong claim made from the claimed one) follows the settings
                change = {k: (v.resolve(self.settings) if hasattr(v, "resolve") else v) for k, v in c.judging.items()}
                alt = self.rejudge(None if c.data is None else c.data(self.data.copy()), **change)
            except ANALYSIS_ERRORS as exc:  # pragma: no cover - judge already catches these
                out.append(
                    ControlOutcome(c.kind, c.what, VD.Verdict.INCONCLUSIVE, False, f"{type(exc).__name__}: {exc}")
                )
                continue
            caught = [
                f
                for f in alt.judged()
                if f.verdict == VD.Verdict.INCONSISTENT and before.get(f.key) != VD.Verdict.INCONSISTENT
            ]
            rejected = alt.verdict == VD.Verdict.INCONSISTENT and bool(caught)
            # the claim already reads inconsistent and the altered analysis adds no new inconsistent finding:
            # the control cannot show anything more on these measurements
            moot = not rejected and alt.verdict == VD.Verdict.INCONSISTENT and self.verdict == VD.Verdict.INCONSISTENT
            if rejected:
                detail = f"caught by: {caught[0].key}" + (f" (+{len(caught) - 1} more)" if len(caught) > 1 else "")
            elif moot:
                detail = (
                    "the claim already reads inconsistent and the altered analysis adds no new inconsistent finding"
                )
            elif alt.verdict == VD.Verdict.INCONCLUSIVE:
                todo = alt.decide()
                detail = "the altered analysis reads inconclusive: not accepted, not yet rejected" + (
                    f"; to reject it: {todo}" if todo else ""
                )
            else:
                detail = f"the altered analysis reads {alt.verdict}"
            out.append(ControlOutcome(c.kind, c.what, alt.verdict, rejected, detail, moot))
        self.__dict__["_controls"] = (self.data, out)
        return out

    def _seeds(self) -> int | str:
        if self.design is not None:
            return T.seeds_text(self.design)
        return int(self.data["seed"].nunique()) if "seed" in self.data else "seeds unknown"

    def __str__(self) -> str:
        lines = [f"{self.claim.name} ({self.claim.reference}): {self.verdict}", f"  claim: {self.claim.statement}"]
        todo = self.decide()
        if todo:
            lines.append(f"  to decide: {todo}")
        lines += [f"  {f}" for f in self.findings]
        lines.append("  negative controls:")
        lines += [f"    {o}" for o in self.controls()]
        lines.append(f"  {T.what_was_shown(self, self._seeds())}")
        lines.append(f"  grid {self.grid!r}: {len(self.data)} rows in {self.seconds:.1f} s")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        r"""The claim as the report's section shows it: verdict, findings, negative controls, what was
        and was not shown."""
        c = self.claim
        return "\n".join(
            [
                f"**{c.name}**: **{self.verdict}** ({T.cell(c.reference)})",
                "",
                f"Claim: {T.cell(c.statement)}.",
                "",
                *T.findings_table(self),
                "",
                *T.controls_table(self.controls()),
                "",
                T.what_was_shown(self, self._seeds()),
                "",
                f"Grid `{self.grid}`: {len(self.data)} rows in {self.seconds:.1f} s.",
            ]
        )

    def to_frame(self) -> pd.DataFrame:
        r"""One row per finding (claim, key, finding, verdict, label, claimed, resolution, meaning, needs, detail,
        constant)."""
        return pd.DataFrame(
            [
                {
                    "claim": self.claim.name,
                    "key": f.key,
                    "finding": f.name,
                    "verdict": str(f.verdict),
                    "label": f.label,
                    "claimed": f.claimed,
                    "resolution": f.resolution,
                    "meaning": f.decision.meaning,
                    "needs": f.needs,
                    "detail": f.detail,
                    "constant": f.constant,
                    "described": f.described,
                }
                for f in self.findings
            ]
        )
