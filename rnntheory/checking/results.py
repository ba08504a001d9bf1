r"""The judged findings of a claim: a finding with its decision, key, what would decide it and the points
for its figure (:class:`Finding`, :class:`Series`), or a finding made a description outside the verdict
(:func:`described`); the judging settings of one look with its confidence level (:class:`Judging`,
:data:`LEVEL`); the errors of an analysis its data cannot support (:data:`ANALYSIS_ERRORS`). One job: the
types a finding builder returns (re-exported by rnntheory.checking).
The negative controls are :mod:`rnntheory.checking.controls`, a claim's result
:mod:`rnntheory.checking.claim_result`."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Mapping

from .. import _validation as V
from ..stats import InsufficientData
from ..stats import verdicts as VD

__all__ = ["LEVEL", "Judging", "ANALYSIS_ERRORS", "Series", "Finding", "described", "ONE_WIDTH"]


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


ONE_WIDTH = (
    "a fixed-width slice: at one width a quantity may grow exponentially in L while the paper, whose "
    "theorems need m >= poly(L), still holds; the claim's verdict on that premise comes from its regime findings"
)
"""Why a finding measured at one width is a description, not a verdict on the paper (theory.md sec. 10)."""


def described(f: Finding, why: str = ONE_WIDTH) -> Finding:
    r"""``f`` as a description (:attr:`Finding.described`): reported with its own label, outside the verdict."""
    return dataclasses.replace(f, described=why)
