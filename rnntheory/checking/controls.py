r"""Negative controls: the errors a claim's check must catch, and what became of them. One job: the
control a claim declares (:class:`Control`, one of each kind in :data:`CONTROL_KINDS`), built by
:func:`too_strong`, :func:`wrong_m`, :func:`exponential` or :func:`cannot_detect`, and its outcome on the
claim's own measurements (:class:`ControlOutcome`, a claim's :class:`Controls`), which
:meth:`rnntheory.checking.ClaimResult.controls` runs; a claim's controls not given are derived from its
finding specs (:func:`derived_controls`). The errors they inject are sized by
:data:`rnntheory.checking.findings.TOO_STRONG` and :data:`~rnntheory.checking.findings.EXPONENTIAL_FACTOR`,
which every interval finding also judges itself against."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from .. import _validation as V
from ..stats import verdicts as VD
from . import text as T
from .findings import EXPONENTIAL_FACTOR, TOO_STRONG
from .specs import Analysis, Exponent, Growth, Regime, Setting, Spec

__all__ = [
    "CONTROL_KINDS",
    "Control",
    "ControlOutcome",
    "Controls",
    "too_strong",
    "wrong_m",
    "exponential",
    "cannot_detect",
]

CONTROL_KINDS = ("too_strong", "wrong_m", "exponential")
"""The three negative controls every claim answers for (docs/conventions.md)."""


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

    Build one with the helpers below:

    >>> too_strong("a decay like m^-1", m_exponent=-1.0).kind
    'too_strong'
    >>> cannot_detect("exponential", "growth in L", "the grid has one length").undetectable
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


# ---------------------------------------------------------------------- the builders
def too_strong(what: str, **judging: Any) -> Control:
    r"""Control (a): a claimed exponent stronger than the truth, as changed judging settings."""
    return Control("too_strong", what, judging=judging)


def wrong_m(*columns: str, power: float = 0.5, what: str = "") -> Control:
    r"""Control (b): the measured ``columns`` multiplied by ``m**power`` (default sqrt(m)), as a wrong
    normalisation in the width would make them."""

    def alter(df: pd.DataFrame) -> pd.DataFrame:
        scale = df["m"].to_numpy(float) ** power
        return df.assign(**{c: df[c].to_numpy(float) * scale for c in columns})

    return Control(
        "wrong_m", what or f"{', '.join(columns)} times m^{power:g} (a wrong normalisation in m)", data=alter
    )


def exponential(
    x: str, *columns: str, factor: float = EXPONENTIAL_FACTOR, by: Sequence[str] = (), what: str = ""
) -> Control:
    r"""Control (c): exponential growth injected where the claim says polynomial: ``columns`` times
    ``exp(c x)`` with ``c`` chosen so that they grow ``factor`` times more over the measured range of
    ``x`` (within each group of the columns ``by``, where the claim fits growth per group, e.g. per
    (L, m): each group's own range then carries the whole factor)."""

    def alter(df: pd.DataFrame) -> pd.DataFrame:
        xs = df[x].to_numpy(float)
        if by:
            keys = df[list(by)].astype(str).agg("|".join, axis=1)
            lo = df.groupby(keys)[x].transform("min").to_numpy(float)
            span = df.groupby(keys)[x].transform("max").to_numpy(float) - lo
        else:
            lo = np.full(xs.shape, xs.min() if len(xs) else 0.0)
            span = np.full(xs.shape, float(xs.max() - xs.min()) if len(xs) else 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(span > 0, math.log(factor) / np.where(span > 0, span, 1.0), 0.0)
        grow = np.exp(rate * (xs - lo))
        return df.assign(**{c: df[c].to_numpy(float) * grow for c in columns})

    where = f" within each ({', '.join(by)})" if by else ""
    return Control(
        "exponential",
        what or f"{', '.join(columns)} times exp(c {x}), {factor:g}x over the range of {x}{where}",
        data=alter,
    )


def cannot_detect(kind: str, what: str, why: str) -> Control:
    r"""A control the claim cannot detect, with the reason (e.g. an upper bound cannot see a quantity
    that is smaller than claimed)."""
    return Control(kind, what, undetectable=why)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- derived from a claim's specs
def derived_controls(
    specs: Sequence[Spec | Analysis], given: Sequence[Control], *, swept: Sequence[str]
) -> tuple[Control, ...]:
    r"""The claim's controls: those ``given`` and one derived for each kind not given, in the order of
    :data:`CONTROL_KINDS` (too-strong, wrong normalisation in m, exponential).

    * too-strong: from the first :class:`Exponent` whose claim is a judging setting, judged against its
      ``too_strong`` value (or the claim made :data:`~.findings.TOO_STRONG` stronger; only where the
      claim is declared as an upper bound on a growing parameter or a lower one on a shrinking one, so
      that "stronger" has one meaning), else "cannot detect: no fitted exponent";
    * exponential: from the first :class:`Growth` (``y`` times an exponential in ``x``, per group of
      its ``per``), else from the first :class:`Regime` (``y`` times an exponential in L at every width,
      so that m*(L) grows exponentially), else "cannot detect" with the reason the grid gives;
    * wrong normalisation in m: the ``y`` of every :class:`Exponent` and :class:`Growth` in ``m`` or
      judged per width times sqrt(m), where the grid sweeps m; else "cannot detect: one width".

    ``swept``: the measuring settings the claim's grids vary (for the reasons a control cannot detect)."""
    kinds = {c.kind for c in given}
    out = list(given)
    specs = [s for s in specs if isinstance(s, Spec)]
    exps = [s for s in specs if isinstance(s, Exponent)]
    grows = [s for s in specs if isinstance(s, Growth)]
    if "too_strong" not in kinds:
        named = next((s for s in exps if isinstance(s.claimed, Setting)), None)
        if named is None:
            out.append(
                cannot_detect(
                    "too_strong",
                    "a claimed exponent stronger than the truth",
                    "the claim fits no exponent against a judging setting",
                )
            )
        else:
            change = named.stronger()
            what = f"the claimed exponent of {named.key} made {TOO_STRONG:g} stronger"
            if change is None:
                out.append(Control("too_strong", what, judging={named.claimed.name: _Stronger(named)}))
            else:  # a stronger claim of the spec's own choosing: say which, not by how much
                out.append(
                    Control(
                        "too_strong",
                        f"the claimed exponent of {named.key} made stronger: "
                        f"{named.claimed.name} = {change[named.claimed.name]:g}",
                        judging=change,
                    )
                )
    regimes = [s for s in specs if isinstance(s, Regime)]
    if "exponential" not in kinds:
        if grows:
            g = grows[0]
            out.append(exponential(g.x, g.y, by=g.per))
        elif regimes:  # q times an exponential in L at every m: m*(L) then grows exponentially in L
            r = regimes[0]
            out.append(
                exponential(
                    r.by,
                    r.y,
                    what=f"{r.y} times exp(c {r.by}), 8x over the range of {r.by} at every "
                    f"{r.x}: an exponential m*({r.by})",
                )
            )
        else:
            lengths = [s for s in swept if s in ("L", "Ls", "lag", "factors")]
            why = "no finding fits growth in a length" if lengths else "the grid has one length: no growth in L to see"
            out.append(cannot_detect("exponential", "exponential growth where polynomial is claimed", why))
    if "wrong_m" not in kinds:
        ys = tuple(dict.fromkeys(s.y for s in [*exps, *grows]))
        if "m" in swept and ys:
            out.append(wrong_m(*ys))
        else:
            out.append(cannot_detect("wrong_m", "a wrong normalisation in m", "the grid has one width"))
    return tuple(sorted(out, key=lambda c: CONTROL_KINDS.index(c.kind)))


@dataclass(frozen=True)
class _Stronger:
    r"""A derived judging value of the too-strong control, resolved against the settings the claim is
    judged with (:meth:`ClaimResult.controls`), so that a grid's override of the claimed value moves it too."""

    spec: Exponent

    def resolve(self, judging: Mapping[str, Any]) -> float:
        s = self.spec
        v = float(s.claimed(judging) if isinstance(s.claimed, Setting) else s.claimed)
        # stronger: a lower exponent for an upper bound on a growing parameter (or a lower bound on a
        # shrinking one), a higher one otherwise
        lower = (s.bound == "upper") == (s.parameter == "growing")
        return v - TOO_STRONG if lower else v + TOO_STRONG
