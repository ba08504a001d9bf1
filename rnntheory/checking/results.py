r"""The results of judging a claim: findings with their decisions, keys and what would decide them; the
negative controls and their outcomes; a claim's result with its controls and "to decide"; the
confidence level of a look. One job: the result types of the claim-checking framework (re-exported by
rnntheory.checking), which know a claim only through the methods they call on it. Over 400 lines: a claim's
result carries its controls, what would decide it and how it prints, which the types share."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Mapping

import numpy as np
import pandas as pd

from .. import _validation as V
from ..run.durations import duration
from ..stats import InsufficientData
from ..stats import verdicts as VD
from . import text as T
from .grid import Grid
from .settings import check_judging

__all__ = [
    "LEVEL",
    "Judging",
    "ANALYSIS_ERRORS",
    "CONTROL_KINDS",
    "Series",
    "Finding",
    "Control",
    "ControlOutcome",
    "Controls",
    "ClaimResult",
]


ANALYSIS_ERRORS = (VD.CannotAnalyse, InsufficientData)
"""Errors of an analysis whose data cannot support it (too few points, seeds or distinct values; a
sweep the data do not hold): :meth:`Claim.judge` turns them into an "inconclusive" finding. Any other
error (a KeyError, an IndexError, a bad judging value) is a bug or a setup mistake and propagates:
a verdict never hides it."""

LEVEL = 0.99
"""Confidence level of every interval a claim reports in a single look (a budgeted run spends its
miss rate over several looks: :mod:`rnntheory.checking.budget`)."""


class Judging(dict):
    r"""The judging settings of one look at a claim's rows, with the confidence level of that look.

    A plain ``dict`` of the settings (so ``judging["degree"]`` reads as before) that also carries
    :attr:`level`, the confidence level every finding of the look is built at (99% in a single look;
    higher in a budgeted run's later looks, :mod:`rnntheory.checking.budget`). An ``analyse`` function passes
    ``level=judging.level`` to the finding builders; typed specs do it themselves. The level is an
    explicit value of the look, never a global.

    >>> j = Judging({"degree": 1.0}, level=0.995)
    >>> j["degree"], j.level
    (1.0, 0.995)
    """

    def __init__(self, settings: Mapping[str, Any] = (), level: float = LEVEL) -> None:
        super().__init__(settings)
        self.level = V.real_in(V.caller(Judging), "level", level, low=0, high=1, low_open=True, high_open=True)


CONTROL_KINDS = ("too_strong", "wrong_m", "exponential")
"""The three negative controls every claim answers for (docs/conventions.md)."""


@dataclass(frozen=True)
class Series:
    r"""The points a finding was judged on, kept for its figure (:mod:`rnntheory.report.figures`).

    Attributes:
        x, y: column names of the abscissa and the measured quantity.
        xs, ys: the points (one per row the fit used).
        bound: ``c * shape`` at each point, with ``c`` the smallest constant for an upper bound (the
            largest for a lower bound); ``None`` when the finding has no bound shape.
        kind: ``"upper"`` or ``"lower"``.
        label: what distinguishes these points from other series on the same panel (a direction, a
            width); empty when there is one series.
        panel: the y-axis label; findings with the same ``x`` and ``panel`` share a panel.
        reference: an exact value at each point (e.g. the infinite-width limit), drawn as a line
            labelled ``reference_label``; ``None`` when there is none.
    """

    x: str
    y: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    bound: tuple[float, ...] | None = None
    kind: str = "upper"
    label: str = ""
    panel: str = ""
    reference: tuple[float, ...] | None = None
    reference_label: str = "limit"


@dataclass(frozen=True)
class Finding:
    r"""One checked part of a claim: its :class:`~rnntheory.stats.verdicts.Decision` (verdict, claimed side,
    measured interval, resolution, reason), the fit behind it, the smallest constant of its bound and
    the points for its figure. Built by the finding builders (:mod:`rnntheory.checking.findings`,
    :mod:`rnntheory.checking.regime`), never by hand, so that every verdict comes from
    :mod:`rnntheory.stats.verdicts`.

    >>> from rnntheory.checking import findings as F
    >>> F.every_case_finding("C_eps is monotone", [True, True, True], "sweeps", key="monotone").label
    'consistent'
    """

    name: str
    decision: VD.Decision
    detail: str
    fit: Any = None
    constant: float | None = None
    series: Series | None = field(default=None, repr=False, compare=False)
    extra: tuple[Series, ...] = field(default=(), repr=False, compare=False)
    """Described series drawn on panels of their own, with no fit and no verdict (e.g. the measured
    quantities beside their exact limits, where the finding judges their deviation)."""
    key: str = ""
    """The finding's stable identity within its claim: never a measured number or a judging value, so it
    is the same across data, seeds and re-judging. Controls, compare and the tests match by it."""
    needs: float = math.nan
    """How many times its networks (or independent points) would decide it if the estimate held: 1 for a
    decided finding, ``inf`` beyond reach of more of the same design, NaN where more networks cannot help
    (an exact check, an analysis that could not run)."""
    described: str = ""
    """Non-empty for a description, not a verdict: why (e.g. "a fixed-width slice: at one width m a quantity may
    grow exponentially in L while the paper, which needs m >= poly(L), still holds"). A described finding keeps
    its own judged label for the reader, but it does not enter the claim's verdict, its headline, what would
    decide it, or its negative controls."""
    catches: Mapping[str, float] = field(default_factory=dict, compare=False)
    """Per control kind (``"too_strong"``, ``"exponential"``), whether this finding's own interval
    rejects that error (an exponent :data:`~rnntheory.checking.findings.TOO_STRONG` too strong, an
    injected exponential of :data:`~rnntheory.checking.findings.EXPONENTIAL_FACTOR` over its range):
    1.0 when it does, else how many times its networks would (``inf``: the altered interval sits on its
    zone's edge; NaN: the altered claim still holds, as for a quantity far smaller than an upper bound,
    which no number of networks can reject)."""

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key:
            raise ValueError(f"{V.caller(Finding)}: {self.name!r} needs a key (its stable identity within the claim)")

    @property
    def verdict(self) -> VD.Verdict:
        return self.decision.verdict

    @property
    def label(self) -> str:
        r"""The verdict as printed: "consistent (at resolution r)" where it holds only within r; a
        description's reads "described: ..." (it is no verdict on the claim)."""
        return f"described: {self.decision.label}" if self.described else self.decision.label

    @property
    def judged(self) -> bool:
        r"""Whether the finding enters the claim's verdict (every finding but a description)."""
        return not self.described

    @property
    def claimed(self) -> str:
        return self.decision.claimed

    @property
    def resolution(self) -> float:
        return self.decision.resolution

    def __str__(self) -> str:
        c = "" if self.constant is None else f"; smallest constant c = {self.constant:.3g}"
        return f"[{self.label}] {self.name}: {self.detail}{c}"


@dataclass(frozen=True)
class Control:
    r"""A negative control: an error the claim's check must catch, as a re-analysis of its own data.

    Attributes:
        kind: ``"too_strong"`` (a claimed exponent stronger than the truth), ``"wrong_m"`` (the
            quantity multiplied by a power of m, as a wrong normalisation would) or ``"exponential"``
            (exponential growth injected where the claim says polynomial).
        what: the error in words.
        judging: judging settings to change (e.g. a too-strong claimed exponent).
        data: a function that returns the altered measurements (e.g. a column times sqrt(m)).
        undetectable: when not empty, the claim cannot detect this error, and this says why.

    Build one with the helpers of :mod:`rnntheory.checking.findings`:

    >>> from rnntheory.checking import findings as F
    >>> F.too_strong("a decay like m^-1", m_exponent=-1.0).kind
    'too_strong'
    >>> F.cannot_detect("exponential", "growth in L", "the grid has one length").undetectable
    'the grid has one length'
    """

    kind: Literal["too_strong", "wrong_m", "exponential"]
    what: str
    judging: Mapping[str, Any] = field(default_factory=dict)
    data: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    undetectable: str = ""

    def __post_init__(self) -> None:
        if self.kind not in CONTROL_KINDS:
            raise ValueError(f"{V.caller(Control)}: kind={self.kind!r} must be one of {CONTROL_KINDS}")
        if not self.undetectable and not self.judging and self.data is None:
            raise ValueError(
                f"{V.caller(Control)}: the {self.kind} control changes nothing; give judging, data or undetectable"
            )


@dataclass(frozen=True)
class ControlOutcome:
    r"""The result of one negative control: ``rejected`` when the altered analysis reads
    "inconsistent" with at least one finding that was not inconsistent before; ``moot`` when the
    measurements themselves already read "inconsistent" and the altered analysis adds no new
    inconsistent finding, so that the control cannot show anything on these measurements."""

    kind: str
    what: str
    verdict: VD.Verdict | None
    rejected: bool
    detail: str
    moot: bool = False
    ran: bool = True
    """False when the control could not be run at all (no measured rows: every cell failed)."""

    @property
    def status(self) -> str:
        r"""``"rejected"``, ``"cannot detect"``, ``"moot"``, ``"undecided"`` (the altered analysis reads
        inconclusive: the error is not accepted, and its detail says what would reject it),
        ``"NOT rejected"`` (the altered analysis reads consistent: the check cannot see this error) or
        ``"not run"`` (there were no measured rows to alter)."""
        if not self.ran:
            return "not run"
        if self.verdict is None:
            return "cannot detect"
        if self.moot:
            return "moot"
        if self.rejected:
            return "rejected"
        return "undecided" if self.verdict == VD.Verdict.INCONCLUSIVE else "NOT rejected"

    def __str__(self) -> str:
        return f"{self.kind}: {self.status} ({self.what}; {self.detail})"

    def _repr_markdown_(self) -> str:
        return "\n".join(T.controls_table([self]))


class Controls(list):
    r"""The outcomes of a claim's negative controls (:meth:`ClaimResult.controls`): a list of
    :class:`ControlOutcome` that prints one line per control and renders as the report's table in a
    notebook."""

    def __str__(self) -> str:
        return "\n".join(str(o) for o in self)

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return "\n".join(T.controls_table(self))


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
        return float(self.claim.cost(self.design).seconds)

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
        return f"about {worst:.2g}x the networks{when}"

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
