r"""Every verdict rule of the toolkit, in one place (policy only; the fits are in :mod:`rnntheory.stats`).

A check of a claim ends in one of three words, the closed type :class:`Verdict`; a "consistent" verdict
also says whether it holds outright or only at the finding's resolution (:attr:`Decision.at_resolution`).

**The rule** (theory.md section 7; docs/conventions.md). Every finding states its *resolution* r > 0:
the smallest deviation from the claimed value that matters (exact checks alone have r = 0). For a
claimed upper bound ``a`` on the measured value (an exponent in a growing parameter, a mean, a rate):

* **consistent** when the interval lies at or below ``a``;
* **consistent (at resolution r)** when it lies at or below ``a + r``;
* **inconsistent** only when it lies wholly above ``a + r``;
* **inconclusive** otherwise (the interval contains ``a + r``).

The mirror image holds where the allowed side is above (a lower bound, or an upper bound in a
shrinking parameter). The zone ``(a, a + r]`` is the indifference zone: a finite-width bias smaller
than r decides nothing. The rule is monotone in evidence: as an interval narrows around its truth it
can only leave "inconclusive" (towards "consistent (at resolution r)" when the truth lies at or
below ``a + r``, towards "inconsistent" when above), never swing between the two decided words.

**Error rates.** With a calibrated two-sided interval at level ``1 - alpha`` (99% by default: t
intervals over networks, :mod:`rnntheory.stats`), each end misses its side with probability
``alpha / 2``. So when the truth sits exactly at ``a + r``, "inconsistent" (the interval wholly
above) has probability at most 0.5%, and "consistent (at resolution r)" (the interval at or below)
at most 0.5%: both error rates of the rule at the edge of its zone. ``tests/stats/test_coverage.py``
simulates both for every interval method in use, and for the budgeted runs that look repeatedly
(:mod:`rnntheory.checking.budget`).

**Which side is allowed** depends on the limit the claim speaks of. For a parameter that grows
(m, L, N) an upper bound ``c * x**a`` holds asymptotically when the measured exponent is at most
``a``; for a parameter that shrinks (omega, tau, eps) when it is at least ``a`` (a higher power of a
small number is smaller). A lower bound flips the side.

Rules:

=======================  ==============================================================================
:func:`exponent`         a fitted exponent (or rate) against a claimed one, upper or lower bound
:func:`mean`             a mean's interval against a threshold ("excess risk <= eps")
:func:`growth`           polynomial versus exponential: the rate c of ``log q = a + b log k + c k``
:func:`event`            a high-probability event: its binomial interval against a tolerated failure fraction
:func:`every_case`       an exact property that must hold in every case (monotonicity, divergence flags)
:func:`cannot_analyse`   the data cannot support this finding (too few points): inconclusive
:func:`combine`          several verdicts into one
:func:`needed`           how many times the networks would bring an undecided interval inside the zone
=======================  ==============================================================================
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Any, Iterable, Literal, Sequence

import numpy as np
from scipy import stats as sps

from .fits import estimate_text

__all__ = [
    "Verdict",
    "VERDICTS",
    "Decision",
    "exponent",
    "mean",
    "growth",
    "event",
    "every_case",
    "cannot_analyse",
    "combine",
    "needed",
    "checked",
    "CannotAnalyse",
]


class Verdict(str, enum.Enum):
    r"""The three verdicts. A :class:`Verdict` is a ``str`` (``Verdict.CONSISTENT == "consistent"``)
    and prints as its word."""

    CONSISTENT = "consistent"
    INCONSISTENT = "inconsistent"
    INCONCLUSIVE = "inconclusive"

    __str__ = str.__str__
    __format__ = str.__format__

    @classmethod
    def of(cls, value: "str | Verdict") -> "Verdict":
        r"""The verdict named ``value``; ValueError for any other word."""
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"verdicts.Verdict: {value!r} is not a verdict; expected one of {VERDICTS}") from None


VERDICTS: tuple[str, ...] = tuple(v.value for v in Verdict)


class CannotAnalyse(ValueError):
    r"""Raised by a claim's analysis when its data cannot support a finding (a sweep is missing, too
    few points); the shared path turns it into an "inconclusive" finding that gives the reason."""


@dataclass(frozen=True)
class Decision:
    r"""A verdict with what it was decided on.

    Attributes:
        verdict: the :class:`Verdict`.
        rule: which rule decided (``"exponent"``, ``"mean"``, ``"growth"``, ``"event"``,
            ``"every case"``, ``"cannot analyse"``).
        claimed: the claim as judged, e.g. ``"exponent <= 3"`` or ``"mean <= 0.162"``.
        estimate, ci_low, ci_high: the measured value and its interval (NaN where there is none).
        resolution: r, the smallest deviation from the claimed value that matters (0: an exact check).
        reason: one line: why this verdict.
        value: the claimed value ``a`` as a number (NaN where there is none).
        below: True when the allowed side is at or below ``a`` (an upper bound on the measured value).
        at_resolution: a "consistent" verdict that holds only within the resolution (the interval
            reaches into the indifference zone).
        meaning: what r means over the measured range, in words (e.g. "a factor 2.8 over m = 64..4096").
    """

    verdict: Verdict
    rule: str
    claimed: str
    estimate: float
    ci_low: float
    ci_high: float
    resolution: float
    reason: str
    value: float = math.nan
    below: bool = True
    at_resolution: bool = False
    meaning: str = ""

    @property
    def width(self) -> float:
        return self.ci_high - self.ci_low

    @property
    def edge(self) -> float:
        r"""The far edge of the indifference zone: ``a + r`` (allowed side below) or ``a - r``."""
        return self.value + self.resolution if self.below else self.value - self.resolution

    @property
    def decided(self) -> bool:
        return self.verdict is not Verdict.INCONCLUSIVE

    @property
    def label(self) -> str:
        r"""The verdict as the report prints it: ``"consistent (at resolution 0.25)"`` where it holds
        only within the resolution."""
        if self.at_resolution:
            return f"{self.verdict} (at resolution {self.resolution:.3g})"
        return str(self.verdict)

    def __str__(self) -> str:
        return f"{self.label}: {self.reason}"


def checked(fn: str, name: str, value: Any, *, minimum: float | None = None, positive: bool = False) -> float:
    r"""``value`` as a finite float, for function ``fn``'s argument ``name``: TypeError for anything that
    is not a real number (a bool included), ValueError for NaN or infinity, for a value below
    ``minimum``, or not above 0 when ``positive``. The one check of numeric rule arguments (the finding
    builders use it too)."""
    if isinstance(value, bool):
        raise TypeError(f"{fn}: {name}={value!r} must be a real number")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{fn}: {name}={value!r} must be a real number") from None
    if not math.isfinite(v):
        raise ValueError(f"{fn}: {name}={value!r} must be finite")
    if positive and v <= 0:
        raise ValueError(f"{fn}: {name}={value!r} must be positive (a resolution of 0 is for exact checks only)")
    if minimum is not None and v < minimum:
        raise ValueError(f"{fn}: {name}={value!r} must be at least {minimum:g} (0 only for exact checks)")
    return v


def _finite(fn: str, name: str, value: Any) -> float:
    return checked(f"verdicts.{fn}", name, value)


def _resolution(fn: str, resolution: Any) -> float:
    return checked(f"verdicts.{fn}", "resolution", resolution, minimum=0.0)


def _side(
    fn: str, lo: float, hi: float, claimed: float, below: bool, resolution: float, what: str
) -> tuple[Verdict, bool, str]:
    r"""The three-way rule with its indifference zone: (verdict, at_resolution, reason)."""
    if math.isnan(lo) or math.isnan(hi) or lo > hi:
        raise ValueError(f"verdicts.{fn}: the interval [{lo}, {hi}] is not an interval")
    r = resolution
    allowed = "<=" if below else ">="
    edge = claimed + r if below else claimed - r
    inside = (hi <= claimed) if below else (lo >= claimed)
    if inside:
        return Verdict.CONSISTENT, False, f"{what} lies on the allowed side ({allowed} {claimed:.4g})"
    if (hi <= edge) if below else (lo >= edge):
        return (
            Verdict.CONSISTENT,
            True,
            f"{what} lies within the resolution {r:.3g} of the allowed side ({allowed} {edge:.4g})",
        )
    if (lo > edge) if below else (hi < edge):
        beyond = "above" if below else "below"
        return (
            Verdict.INCONSISTENT,
            False,
            f"{what} lies wholly {beyond} {edge:.4g}, the claimed {claimed:.4g} {'plus' if below else 'minus'} "
            f"the resolution {r:.3g}",
        )
    return (
        Verdict.INCONCLUSIVE,
        False,
        f"{what} contains {edge:.4g}, the edge of the indifference zone ({claimed:.4g} "
        f"{'+' if below else '-'} {r:.3g}): it cannot tell inside from beyond",
    )


def exponent(
    fit: Any,
    claimed: float,
    *,
    bound: Literal["upper", "lower"] = "upper",
    parameter: Literal["growing", "shrinking"] = "growing",
    resolution: float = 0.0,
    meaning: str = "",
) -> Decision:
    r"""Verdict on a claimed exponent (or rate) from a fitted one.

    Args:
        fit: anything with ``slope``, ``ci_low``, ``ci_high`` (:class:`rnntheory.stats.ExponentFit`).
        claimed: the exponent of the bound's shape.
        bound: ``"upper"`` (measured <= c * x**claimed) or ``"lower"``.
        parameter: ``"growing"`` (m, L, N) or ``"shrinking"`` (omega, tau, eps).
        resolution: r, the smallest deviation of the exponent that matters (module docstring).
        meaning: what r means over the measured range, in words.

    Returns:
        A :class:`Decision` with rule ``"exponent"``.

    Raises:
        ValueError: an unknown ``bound`` or ``parameter``, a non-finite ``claimed``, a bad resolution.
    """
    if bound not in ("upper", "lower"):
        raise ValueError(f"verdicts.exponent: bound={bound!r} must be 'upper' or 'lower'")
    if parameter not in ("growing", "shrinking"):
        raise ValueError(f"verdicts.exponent: parameter={parameter!r} must be 'growing' or 'shrinking'")
    a = _finite("exponent", "claimed", claimed)
    r = _resolution("exponent", resolution)
    below = (bound == "upper") == (parameter == "growing")
    lo, hi, est = float(fit.ci_low), float(fit.ci_high), float(fit.slope)
    v, at_r, why = _side("exponent", lo, hi, a, below, r, f"measured {estimate_text(est, lo, hi)}")
    return Decision(
        v, "exponent", f"exponent {'<=' if below else '>='} {a:.3g}", est, lo, hi, r, why, a, below, at_r, meaning
    )


def mean(
    interval: Any,
    threshold: float,
    *,
    bound: Literal["upper", "lower"] = "upper",
    resolution: float = 0.0,
    meaning: str = "",
) -> Decision:
    r"""Verdict on "the mean is at most ``threshold``" (``bound="upper"``) or at least it (``"lower"``)
    from a confidence interval of the mean (:class:`rnntheory.stats.MeanInterval`: ``mean``,
    ``ci_low``, ``ci_high``), with the indifference zone of width ``resolution`` beyond the threshold.

    Raises:
        ValueError: a threshold that is NaN or infinite, an unknown ``bound``, a bad resolution.
    """
    if bound not in ("upper", "lower"):
        raise ValueError(f"verdicts.mean: bound={bound!r} must be 'upper' or 'lower'")
    t = _finite("mean", "threshold", threshold)
    r = _resolution("mean", resolution)
    lo, hi, est = float(interval.ci_low), float(interval.ci_high), float(interval.mean)
    name = getattr(interval, "name", "mean")
    below = bound == "upper"
    v, at_r, why = _side("mean", lo, hi, t, below, r, f"{name} {estimate_text(est, lo, hi)}")
    return Decision(
        v, "mean", f"{name} {'<=' if below else '>='} {t:.3g}", est, lo, hi, r, why, t, below, at_r, meaning
    )


def growth(fit: Any, *, resolution: float = 0.0, meaning: str = "") -> Decision:
    r"""Polynomial versus exponential growth from the nested fit ``log q = a + b log k + c k``
    (:class:`rnntheory.stats.GrowthFit`: ``rate`` with ``value``, ``ci_low``, ``ci_high``).

    The claim is "no exponential growth", c <= 0, judged by the module's rule with ``resolution`` in
    units of the rate (an exponential that adds a factor F over a range of length S has rate
    log(F) / S): "inconsistent" (exponential growth) only when c's interval lies wholly above r. The
    comparison of the pure power law with the pure exponential is a description, never part of the
    verdict.
    """
    r = _resolution("growth", resolution)
    c = fit.rate
    lo, hi, est = float(c.ci_low), float(c.ci_high), float(c.value)
    v, at_r, why = _side(
        "growth", lo, hi, 0.0, True, r, f"exponential rate c {estimate_text(est, lo, hi)} of the nested fit"
    )
    return Decision(v, "growth", "no exponential growth: rate c <= 0", est, lo, hi, r, why, 0.0, True, at_r, meaning)


def event(
    k: int, n: int, *, tolerated: float, resolution: float, level: float = 0.99, what: str = "cases", meaning: str = ""
) -> Decision:
    r"""A high-probability event that held in ``k`` of ``n`` independent cases (seeds, runs): the
    claim is "it fails in at most a fraction ``tolerated`` of cases", i.e. P(held) >= 1 - tolerated,
    judged by the module's rule on the exact (Clopper-Pearson) interval of P(held) at ``level``, with
    the indifference zone ``[1 - tolerated - resolution, 1 - tolerated)``. A single failing case never
    decides by itself.

    Raises:
        ValueError: counts that are not 0 <= k <= n with n >= 1, ``tolerated`` outside [0, 1), a
            resolution outside (0, 1 - tolerated].
    """
    if (
        isinstance(k, bool)
        or isinstance(n, bool)
        or not (int(n) >= 1 and 0 <= int(k) <= int(n))
        or k != int(k)
        or n != int(n)
    ):
        raise ValueError(f"verdicts.event: k={k!r}, n={n!r} must be whole numbers with 0 <= k <= n, n >= 1")
    q = _finite("event", "tolerated", tolerated)
    if not 0 <= q < 1:
        raise ValueError(f"verdicts.event: tolerated={tolerated!r} must be in [0, 1)")
    r = _resolution("event", resolution)
    if not 0 < r <= 1 - q:
        raise ValueError(f"verdicts.event: resolution={resolution!r} must be in (0, {1 - q:g}]")
    k, n = int(k), int(n)
    ci = sps.binomtest(k, n).proportion_ci(confidence_level=level, method="exact")
    lo, hi = float(ci.low), float(ci.high)
    p0 = 1.0 - q
    v, at_r, why = _side(
        "event",
        lo,
        hi,
        p0,
        False,
        r,
        f"held on {k}/{n} {what}, P(held) in [{lo:.3g}, {hi:.3g}] ({100 * level:.4g}% exact interval)",
    )
    return Decision(
        v,
        "event",
        f"P(held) >= {p0:.3g}",
        k / n,
        lo,
        hi,
        r,
        why,
        p0,
        False,
        at_r,
        meaning or f"a failure fraction up to {q + r:.3g} is tolerated as within the resolution",
    )


def every_case(ok: Sequence[bool] | np.ndarray, what: str = "cases", failures: Sequence[str] = ()) -> Decision:
    r"""An exact property (deterministic, no sampling) that must hold in every case: "consistent" when
    all hold, "inconsistent" when one fails, "inconclusive" when there is no case. Resolution 0: an
    exact check. Random events are judged by :func:`event` instead. ``failures`` (descriptions) go
    into the reason."""
    arr = np.asarray(ok, dtype=bool).ravel()
    k, n = int(arr.sum()), int(arr.size)
    if n == 0:
        return Decision(
            Verdict.INCONCLUSIVE, "every case", "every case", math.nan, math.nan, math.nan, 0.0, f"no {what} to check"
        )
    v = Verdict.CONSISTENT if k == n else Verdict.INCONSISTENT
    why = f"{k}/{n} {what} hold"
    if failures:
        why += "; first failures: " + "; ".join(list(failures)[:3])
    return Decision(
        v, "every case", "every case", k / n, k / n, k / n, 0.0, why, 1.0, False, False, "an exact check: no resolution"
    )


def cannot_analyse(reason: str) -> Decision:
    r"""The data cannot support the finding: "inconclusive", with the reason."""
    return Decision(
        Verdict.INCONCLUSIVE, "cannot analyse", "an analysable grid", math.nan, math.nan, math.nan, 0.0, str(reason)
    )


def combine(verdicts: Iterable[str | Verdict]) -> Verdict:
    r"""One verdict from several: any "inconsistent" wins, then any "inconclusive"; all "consistent"
    gives "consistent"; no verdict at all gives "inconclusive" (nothing was shown)."""
    vs = [Verdict.of(v) for v in verdicts]
    if not vs:
        return Verdict.INCONCLUSIVE
    if Verdict.INCONSISTENT in vs:
        return Verdict.INCONSISTENT
    if Verdict.INCONCLUSIVE in vs:
        return Verdict.INCONCLUSIVE
    return Verdict.CONSISTENT


def _t(level: float, df: float) -> float:
    return float(sps.t.ppf(0.5 + level / 2.0, df))


def needed(decision: Decision, *, units: int, df: float, level: float, params: int = 0, limit: float = 1000.0) -> float:
    r"""How many times the current number of independent units (networks, or independent points) a
    t interval would need for ``decision`` to leave "inconclusive", if the estimate and the spread
    held: the smallest factor f such that ``t_{df'} * s / sqrt(f * units)`` is at most the distance
    from the estimate to the zone's far edge, with ``df' = f * units - params`` (``s`` recovered
    from the current half-width on the edge's side: an interval may be skewed). 1.0 for a decided finding;
    ``inf`` when the estimate sits on the edge, that side is unbounded, or more than ``limit`` times would be
    needed. The factor is a plug-in: with the estimate as likely to move towards the edge as away from it,
    that many networks decide about half the time (docs/conventions.md).

    Args:
        decision: an interval decision (``exponent``, ``mean``, ``growth``).
        units: the independent units behind the interval now (groups, or points of a regression).
        df: its t degrees of freedom now.
        level: its two-sided level.
        params: ``units - df`` for a regression (coefficients fitted), 1 for groups and means.
        limit: the largest factor searched.
    """
    if decision.decided:
        return 1.0
    if decision.rule not in ("exponent", "mean", "growth") or units < 2 or df < 1:
        return math.inf
    gap = abs(decision.estimate - decision.edge)
    est = decision.estimate
    half = decision.ci_high - est if decision.edge > est else est - decision.ci_low
    if not math.isfinite(half):
        return math.inf
    if gap <= 0 or half <= 0:
        return math.inf
    s = half * math.sqrt(units) / _t(level, df)
    params = max(units - df, 0) if params == 0 else params
    lo, hi = units, int(units * limit)
    if _t(level, max(hi - params, 1)) * s / math.sqrt(hi) > gap:
        return math.inf
    while lo < hi:  # smallest unit count whose half-width reaches the gap
        mid = (lo + hi) // 2
        if _t(level, max(mid - params, 1)) * s / math.sqrt(mid) <= gap:
            hi = mid
        else:
            lo = mid + 1
    return max(lo / units, 1.0)
