"""Every verdict rule of rnntheory.stats.verdicts on constructed fits, intervals and counts, edge cases included."""

import math
from types import SimpleNamespace as NS

import numpy as np
import pytest

from rnntheory import stats as S
from rnntheory.stats import verdicts as VD
from rnntheory.stats.verdicts import Verdict

OK, BAD, OPEN = Verdict.CONSISTENT, Verdict.INCONSISTENT, Verdict.INCONCLUSIVE


def fit(lo, hi, est=None):
    return NS(slope=(lo + hi) / 2 if est is None else est, ci_low=lo, ci_high=hi)


def test_verdict_is_a_closed_string_type():
    assert VD.VERDICTS == ("consistent", "inconsistent", "inconclusive")
    assert Verdict.CONSISTENT == "consistent" and f"{Verdict.INCONCLUSIVE}" == "inconclusive"
    assert str(Verdict.INCONSISTENT) == "inconsistent"
    with pytest.raises(ValueError, match="'maybe' is not a verdict"):
        Verdict.of("maybe")


@pytest.mark.parametrize(
    "lo, hi, claimed, bound, parameter, resolution, expected",
    [
        # upper bound in a growing parameter: measured <= claimed
        (0.1, 0.5, 1.0, "upper", "growing", 0.0, OK),
        (1.1, 1.5, 1.0, "upper", "growing", 0.0, BAD),
        (0.8, 1.2, 1.0, "upper", "growing", 0.0, OPEN),  # straddles, no resolution (an exact check)
        (0.8, 1.2, 1.0, "upper", "growing", 0.25, OK),  # within the resolution of the allowed side
        (0.8, 1.3, 1.0, "upper", "growing", 0.25, OPEN),  # contains the zone's edge 1.25
        (1.1, 1.2, 1.0, "upper", "growing", 0.25, OK),  # wholly beyond a, but inside the zone: at resolution
        (1.26, 1.4, 1.0, "upper", "growing", 0.25, BAD),  # wholly beyond a + r
        (0.059 - 0.046, 0.059 + 0.046, 0.0, "upper", "growing", 0.25, OK),  # a finite-width bias decides nothing
        (0.7, 0.9, 1.0, "upper", "shrinking", 0.1, OPEN),  # contains the edge 0.9 from below
        (0.91, 0.99, 1.0, "upper", "shrinking", 0.1, OK),  # 0.990 [0.982, 0.999] against 1: within r = 0.1
        (0.5, 1.0, 1.0, "upper", "growing", 0.0, OK),  # touching the claimed value is allowed
        # upper bound in a shrinking parameter: measured >= claimed (random flips ~ omega^1 vs 2/3)
        (0.9, 1.05, 2 / 3, "upper", "shrinking", 0.0, OK),
        (0.4, 0.6, 2 / 3, "upper", "shrinking", 0.0, BAD),
        # lower bounds flip the side
        (0.6, 0.66, 2 / 3, "lower", "shrinking", 0.0, OK),
        (0.9, 1.0, 2 / 3, "lower", "shrinking", 0.0, BAD),
        (0.1, 0.3, -0.25, "lower", "growing", 0.0, OK),
        (-0.6, -0.4, -0.25, "lower", "growing", 0.0, BAD),
    ],
)
def test_exponent_rule(lo, hi, claimed, bound, parameter, resolution, expected):
    d = VD.exponent(fit(lo, hi), claimed, bound=bound, parameter=parameter, resolution=resolution)
    assert d.verdict is expected, d.reason
    assert d.rule == "exponent" and d.resolution == resolution
    assert (d.ci_low, d.ci_high) == (lo, hi)


def test_exponent_rule_on_a_real_fit():
    x = np.repeat([1.0, 2, 4, 8, 16], 4)
    g = np.tile(np.arange(4), 5)
    y = x**0.5 * np.exp(0.01 * np.sin(np.arange(20)))
    f = S.fit_exponent(x, y, groups=g)
    assert VD.exponent(f, 1.0).verdict is OK
    assert VD.exponent(f, 0.25).verdict is BAD


@pytest.mark.parametrize(
    "bad, match",
    [
        (dict(bound="middle"), "bound='middle'"),
        (dict(parameter="sideways"), "parameter='sideways'"),
        (dict(resolution=-1.0), "resolution=-1.0"),
        (dict(resolution=math.nan), "resolution=nan"),
    ],
)
def test_exponent_rule_rejects_bad_arguments(bad, match):
    with pytest.raises(ValueError, match=match):
        VD.exponent(fit(0, 1), 0.5, **bad)


def test_exponent_rule_rejects_a_nan_claim_and_a_nan_interval():
    with pytest.raises(ValueError, match="claimed=nan must be finite"):
        VD.exponent(fit(0, 1), math.nan)
    with pytest.raises(ValueError, match="not an interval"):
        VD.exponent(fit(math.nan, 1), 0.5)


@pytest.mark.parametrize(
    "lo, hi, threshold, resolution, expected",
    [
        (0.03, 0.11, 0.162, 0.0, OK),
        (0.17, 0.26, 0.162, 0.0, BAD),
        (0.10, 0.33, 0.162, 0.0, OPEN),  # a tripled excess risk straddling eps is not "consistent"
        (0.15, 0.17, 0.162, 0.05, OK),
    ],
)
def test_mean_rule(lo, hi, threshold, resolution, expected):
    iv = NS(mean=(lo + hi) / 2, ci_low=lo, ci_high=hi, name="excess risk")
    d = VD.mean(iv, threshold, resolution=resolution)
    assert d.verdict is expected, d.reason
    assert d.claimed == f"excess risk <= {threshold:.3g}"


def test_mean_rule_lower_bound_and_a_real_interval():
    iv = S.mean_interval([1.0, 1.1, 0.9, 1.05])
    assert VD.mean(iv, 0.5, bound="lower").verdict is OK
    assert VD.mean(iv, 0.5).verdict is BAD


@pytest.mark.parametrize("threshold", [math.nan, math.inf, -math.inf])
def test_mean_rule_rejects_a_non_finite_threshold(threshold):
    iv = NS(mean=0.1, ci_low=0.0, ci_high=0.2)
    with pytest.raises(ValueError, match="threshold"):
        VD.mean(iv, threshold)


@pytest.mark.parametrize(
    "lo, hi, resolution, expected",
    [(-0.02, -0.001, 0.0, OK), (0.03, 0.12, 0.0, BAD), (-0.01, 0.005, 0.0, OPEN), (-0.01, 0.005, 0.02, OK)],
)
def test_growth_rule_on_the_rate(lo, hi, resolution, expected):
    gf = NS(rate=NS(value=(lo + hi) / 2, ci_low=lo, ci_high=hi))
    d = VD.growth(gf, resolution=resolution)
    assert d.verdict is expected, d.reason
    assert d.rule == "growth"


def test_growth_rule_catches_exponential_growth_that_a_power_law_fits_well():
    k = np.repeat(np.array([1.0, 2, 3, 5, 9, 17, 33, 50]), 6)
    g = np.tile(np.arange(6), 8)
    rng = np.random.default_rng(0)
    y = k**0.5 * np.exp(0.08 * k + 0.02 * rng.standard_normal(k.size))  # 55x over 50 factors
    assert VD.growth(S.fit_growth(k, y, groups=g)).verdict is BAD
    y = k**0.5 * np.exp(0.02 * rng.standard_normal(k.size))
    assert VD.growth(S.fit_growth(k, y, groups=g), resolution=0.01).verdict is OK


@pytest.mark.parametrize(
    "k, n, expected",
    [
        (40, 40, OK),  # exact 99% interval [0.876, 1]: at or above 0.9 - 0.1
        (30, 30, OK),  # one more case cannot swing it: 29/30 is inconclusive, never inconsistent
        (29, 30, OPEN),
        (5, 40, BAD),
        (28, 40, OPEN),
    ],
)
def test_event_rule(k, n, expected):
    d = VD.event(k, n, tolerated=0.1, resolution=0.1)
    assert d.verdict is expected, d.reason
    assert d.rule == "event" and d.value == pytest.approx(0.9) and not d.below


@pytest.mark.parametrize(
    "bad, match",
    [
        (dict(k=3, n=2), "0 <= k <= n"),
        (dict(tolerated=1.0), "tolerated=1.0"),
        (dict(resolution=0.0), "resolution=0.0"),
        (dict(resolution=0.95), "resolution=0.95"),
    ],
)
def test_event_rule_rejects_bad_arguments(bad, match):
    args = dict(k=1, n=2, tolerated=0.1, resolution=0.1) | bad
    with pytest.raises(ValueError, match=match):
        VD.event(args.pop("k"), args.pop("n"), **args)


def test_every_case_rule():
    assert VD.every_case([True, True]).verdict is OK
    d = VD.every_case([True, False], "sweeps", ["sin seed 0: down"])
    assert d.verdict is BAD and "1/2 sweeps hold" in d.reason and "sin seed 0" in d.reason
    assert VD.every_case([]).verdict is OPEN


def test_cannot_analyse_is_inconclusive():
    d = VD.cannot_analyse("2 points; a fit needs 3")
    assert d.verdict is OPEN and d.reason == "2 points; a fit needs 3"


@pytest.mark.parametrize(
    "parts, expected",
    [
        ([], OPEN),  # nothing was shown
        (["consistent"], OK),
        (["consistent", "inconclusive"], OPEN),
        (["inconclusive", "inconsistent", "consistent"], BAD),
        ([OK, OK], OK),
    ],
)
def test_combine(parts, expected):
    assert VD.combine(parts) is expected


def test_combine_rejects_an_unknown_word():
    with pytest.raises(ValueError, match="'fine' is not a verdict"):
        VD.combine(["consistent", "fine"])


def test_the_rule_is_monotone_in_evidence():
    """Intervals that shrink around one estimate only leave "inconclusive", towards the side of the
    estimate relative to a + r, never to the other decided word."""
    for est, final in ((1.2, OK), (1.3, BAD), (0.9, OK)):
        seen = [
            VD.exponent(fit(est - h, est + h), 1.0, resolution=0.25).verdict for h in (1.0, 0.5, 0.2, 0.1, 0.04, 0.01)
        ]
        assert seen[-1] is final
        assert {OK, BAD} - set(seen) == {OK, BAD} - {final}, seen


def test_label_names_the_resolution_only_where_it_was_needed():
    assert VD.exponent(fit(0.5, 0.9), 1.0, resolution=0.25).label == "consistent"
    assert VD.exponent(fit(0.9, 1.1), 1.0, resolution=0.25).label == "consistent (at resolution 0.25)"
    assert VD.exponent(fit(0.9, 1.4), 1.0, resolution=0.25).label == "inconclusive"


def test_verdict_words_are_written_only_in_verdicts_py():
    import ast
    import pathlib

    import rnntheory

    root = pathlib.Path(rnntheory.__file__).parent
    offenders = []
    for p in root.rglob("*.py"):
        if p.name == "verdicts.py":
            continue
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.Constant) and node.value in VD.VERDICTS:
                offenders.append(f"{p.relative_to(root)}:{node.lineno}")
    assert offenders == [], f"verdict strings written outside verdicts.py: {offenders}"
