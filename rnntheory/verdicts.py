r"""Every verdict rule of the toolkit, in one place (policy only; the fits are in :mod:`rnntheory.stats`).

A check of a claim ends in one of three words, the closed type :class:`Verdict`:

* **consistent**: the measured interval lies on the side of the claimed value that the claim allows;
* **inconsistent**: it lies wholly on the forbidden side;
* **inconclusive**: it straddles the claimed value and is wider than the claim's documented resolution
  (or nothing could be analysed).

Each rule below is a pure function from a fit, an interval or a count to a :class:`Decision` (the
verdict with the claimed side, the measured interval and a one-line reason). Claims never write a
verdict themselves: their analyses select data, fit, and call these rules through the shared finding
builders of ``rnntheory.claims``.

**Which side is allowed** depends on the limit the claim speaks of. For a parameter that grows
(m, L, N) an upper bound ``c * x**a`` holds asymptotically when the measured exponent is at most
``a``; for a parameter that shrinks (omega, tau, eps) when it is at least ``a`` (a higher power of a
small number is smaller). A lower bound flips the side.

**The straddle rule** (:func:`straddle`, the only one): an interval that contains the claimed value
is "consistent" only when its width is at most the ``resolution`` that the claim documents and shows
beside the verdict; otherwise it is "inconclusive". The default resolution is 0: a straddling
interval never passes by default.

Rules:

=======================  ==============================================================================
:func:`exponent`         a fitted exponent (or rate) against a claimed one, upper or lower bound
:func:`mean`             a mean's interval against a threshold ("excess risk <= eps")
:func:`growth`           polynomial versus exponential: the rate c of ``log q = a + b log k + c k``
:func:`event`            a high-probability event: the exact binomial decision
:func:`every_case`       a property that must hold in every case (monotonicity, divergence flags)
:func:`cannot_analyse`   the analysis could not run (too few points, missing columns): inconclusive
:func:`combine`          several verdicts into one
=======================  ==============================================================================

False-failure rates. With a calibrated interval at level ``1 - alpha`` (``stats``: t intervals on
the number of seeds minus one degrees of freedom), a false "inconsistent" needs the interval to miss
the true value on one side, so its rate is at most ``alpha / 2`` when the truth sits exactly on the
claimed value, and smaller the further inside the allowed side it sits.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Any, Iterable, Literal, Sequence

import numpy as np

__all__ = [
    "Verdict",
    "VERDICTS",
    "Decision",
    "straddle",
    "exponent",
    "mean",
    "growth",
    "event",
    "every_case",
    "cannot_analyse",
    "combine",
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
    r"""Raised by a claim's analysis when its data cannot be judged (a sweep is missing, too few
    points); the shared path turns it into an "inconclusive" finding that gives the reason."""


@dataclass(frozen=True)
class Decision:
    r"""A verdict with what it was decided on.

    Attributes:
        verdict: the :class:`Verdict`.
        rule: which rule decided (``"exponent"``, ``"mean"``, ``"growth"``, ``"event"``,
            ``"every case"``, ``"cannot analyse"``).
        claimed: the claim as judged, e.g. ``"exponent <= 3"`` or ``"mean <= 0.162"``.
        estimate, ci_low, ci_high: the measured value and its interval (NaN where there is none).
        resolution: the documented resolution a straddling interval was judged at (0: none).
        reason: one line: why this verdict.
    """

    verdict: Verdict
    rule: str
    claimed: str
    estimate: float
    ci_low: float
    ci_high: float
    resolution: float
    reason: str

    @property
    def width(self) -> float:
        return self.ci_high - self.ci_low

    def __str__(self) -> str:
        return f"{self.verdict}: {self.reason}"


def _finite(fn: str, name: str, value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"verdicts.{fn}: {name}={value!r} must be a real number") from None
    if not math.isfinite(v):
        raise ValueError(f"verdicts.{fn}: {name}={value!r} must be finite")
    return v


def _resolution(fn: str, resolution: Any) -> float:
    r = float(resolution)
    if math.isnan(r) or r < 0:
        raise ValueError(f"verdicts.{fn}: resolution={resolution!r} must be a non-negative number (0: none)")
    return r


def straddle(width: float, resolution: float) -> Verdict:
    r"""The straddle rule: an interval that contains the claimed value is "consistent" when it is at
    most ``resolution`` wide (the claim cannot resolve finer differences and says so), else
    "inconclusive"."""
    return Verdict.CONSISTENT if width <= resolution else Verdict.INCONCLUSIVE


def _side(fn: str, lo: float, hi: float, claimed: float, below: bool, resolution: float,
          what: str) -> tuple[Verdict, str]:
    if math.isnan(lo) or math.isnan(hi) or lo > hi:
        raise ValueError(f"verdicts.{fn}: the interval [{lo}, {hi}] is not an interval")
    allowed = "<=" if below else ">="
    if (hi <= claimed) if below else (lo >= claimed):
        return Verdict.CONSISTENT, f"{what} lies on the allowed side ({allowed} {claimed:.4g})"
    if (lo > claimed) if below else (hi < claimed):
        return Verdict.INCONSISTENT, f"{what} lies wholly on the forbidden side of {claimed:.4g} (must be {allowed})"
    v = straddle(hi - lo, resolution)
    if v is Verdict.CONSISTENT:
        return v, f"{what} straddles {claimed:.4g} and is no wider than the resolution {resolution:.3g}"
    res = f"the resolution {resolution:.3g}" if resolution > 0 else "zero (no resolution documented)"
    return v, f"{what} straddles {claimed:.4g}; its width {hi - lo:.3g} exceeds {res}"


def exponent(
    fit: Any,
    claimed: float,
    *,
    bound: Literal["upper", "lower"] = "upper",
    parameter: Literal["growing", "shrinking"] = "growing",
    resolution: float = 0.0,
) -> Decision:
    r"""Verdict on a claimed exponent (or rate) from a fitted one.

    Args:
        fit: anything with ``slope``, ``ci_low``, ``ci_high`` (:class:`rnntheory.stats.ExponentFit`).
        claimed: the exponent of the bound's shape.
        bound: ``"upper"`` (measured <= c * x**claimed) or ``"lower"``.
        parameter: ``"growing"`` (m, L, N) or ``"shrinking"`` (omega, tau, eps).
        resolution: the widest straddling interval the claim accepts (:func:`straddle`).

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
    v, why = _side("exponent", lo, hi, a, below, r, f"measured {est:.3g} [{lo:.3g}, {hi:.3g}]")
    return Decision(v, "exponent", f"exponent {'<=' if below else '>='} {a:.3g}", est, lo, hi, r, why)


def mean(
    interval: Any,
    threshold: float,
    *,
    bound: Literal["upper", "lower"] = "upper",
    resolution: float = 0.0,
) -> Decision:
    r"""Verdict on "the mean is at most ``threshold``" (``bound="upper"``) or at least it (``"lower"``)
    from a confidence interval of the mean (:class:`rnntheory.stats.MeanInterval`: ``mean``,
    ``ci_low``, ``ci_high``). A straddling interval follows :func:`straddle`.

    Raises:
        ValueError: a threshold that is NaN or infinite, an unknown ``bound``.
    """
    if bound not in ("upper", "lower"):
        raise ValueError(f"verdicts.mean: bound={bound!r} must be 'upper' or 'lower'")
    t = _finite("mean", "threshold", threshold)
    r = _resolution("mean", resolution)
    lo, hi, est = float(interval.ci_low), float(interval.ci_high), float(interval.mean)
    name = getattr(interval, "name", "mean")
    v, why = _side("mean", lo, hi, t, bound == "upper", r, f"{name} {est:.3g} [{lo:.3g}, {hi:.3g}]")
    return Decision(v, "mean", f"{name} {'<=' if bound == 'upper' else '>='} {t:.3g}", est, lo, hi, r, why)


def growth(fit: Any, *, resolution: float = 0.0) -> Decision:
    r"""Polynomial versus exponential growth from the nested fit ``log q = a + b log k + c k``
    (:class:`rnntheory.stats.GrowthFit`: ``rate`` with ``value``, ``ci_low``, ``ci_high``).

    "inconsistent" (exponential growth) when the interval of ``c`` lies wholly above 0; "consistent"
    when it lies at or below 0; a straddling interval follows :func:`straddle` with ``resolution`` in
    units of the rate. The comparison of the pure power law with the pure exponential is a
    description, never part of the verdict.
    """
    r = _resolution("growth", resolution)
    c = fit.rate
    lo, hi, est = float(c.ci_low), float(c.ci_high), float(c.value)
    v, why = _side("growth", lo, hi, 0.0, True, r, f"exponential rate c {est:.3g} [{lo:.3g}, {hi:.3g}] of the nested fit")
    return Decision(v, "growth", "no exponential growth: rate c <= 0", est, lo, hi, r, why)


def event(decision: Any) -> Decision:
    r"""A high-probability event from an exact binomial decision
    (:class:`rnntheory.stats.BinomialDecision`): "consistent" when the test does not reject
    "P(event) >= p0" at its ``alpha``, "inconsistent" when it does."""
    v = Verdict.CONSISTENT if bool(decision.passed) else Verdict.INCONSISTENT
    why = (f"held on {decision.k}/{decision.n}; the exact test of P >= {decision.p0:g} gives p = {decision.p_value:.2g} "
           f"({'above' if decision.passed else 'at or below'} alpha = {decision.alpha:g})")
    return Decision(v, "event", f"P(event) >= {decision.p0:g}", decision.k / decision.n, float(decision.ci_low),
                    float(decision.ci_high), 0.0, why)


def every_case(ok: Sequence[bool] | np.ndarray, what: str = "cases", failures: Sequence[str] = ()) -> Decision:
    r"""A property that must hold in every case: "consistent" when all hold, "inconsistent" when one
    fails, "inconclusive" when there is no case. ``failures`` (descriptions) go into the reason."""
    arr = np.asarray(ok, dtype=bool).ravel()
    k, n = int(arr.sum()), int(arr.size)
    if n == 0:
        return Decision(Verdict.INCONCLUSIVE, "every case", "every case", math.nan, math.nan, math.nan, 0.0,
                        f"no {what} to check")
    v = Verdict.CONSISTENT if k == n else Verdict.INCONSISTENT
    why = f"{k}/{n} {what} hold"
    if failures:
        why += "; first failures: " + "; ".join(list(failures)[:3])
    return Decision(v, "every case", "every case", k / n, k / n, k / n, 0.0, why)


def cannot_analyse(reason: str) -> Decision:
    r"""The analysis could not run: "inconclusive", with the reason."""
    return Decision(Verdict.INCONCLUSIVE, "cannot analyse", "an analysable grid", math.nan, math.nan, math.nan, 0.0,
                    str(reason))


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
