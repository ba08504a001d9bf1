"""Statistics against scipy and exact synthetic data (paper.md sec. 7)."""

import numpy as np
import pytest
from scipy import stats as sps

from rnntheory import stats as S


def test_fit_exponent_matches_linregress():
    rng = np.random.default_rng(0)
    x = np.repeat([1.0, 2, 4, 8, 16], 4)
    y = 3 * x**0.7 * np.exp(0.1 * rng.standard_normal(x.size))
    fit = S.fit_exponent(x, y, level=0.95)
    ref = sps.linregress(np.log(x), np.log(y))
    q = sps.t.ppf(0.975, x.size - 2)
    assert fit.exponent == pytest.approx(ref.slope, rel=1e-12)
    assert fit.intercept == pytest.approx(ref.intercept, rel=1e-12)
    assert fit.ci == pytest.approx((ref.slope - q * ref.stderr, ref.slope + q * ref.stderr), rel=1e-10)
    assert fit.r2 == pytest.approx(ref.rvalue**2, rel=1e-10)
    assert fit.predict([2.0]) == pytest.approx(np.exp(ref.intercept) * 2**ref.slope)


def test_fit_exact_power_and_rate():
    x = np.array([1.0, 2, 3, 5, 8])
    assert S.fit_exponent(x, 2 * x**1.5).exponent == pytest.approx(1.5, abs=1e-12)
    assert S.fit_rate(x, 2 * np.exp(0.3 * x)).slope == pytest.approx(0.3, abs=1e-12)


def test_regression_interval_coverage():
    """The 90% regression interval covers the true slope in about 90% of 400 synthetic data sets.
    Exact binomial test of coverage >= 0.85: false-failure rate <= 1e-6."""
    rng = np.random.default_rng(1)
    x = np.repeat([1.0, 2, 4, 8], 3)
    hits = 0
    for _ in range(400):
        y = x**-0.5 * np.exp(0.2 * rng.standard_normal(x.size))
        f = S.fit_exponent(x, y, level=0.9)
        hits += f.ci_low <= -0.5 <= f.ci_high
    assert S.binomial_decision(hits, 400, p0=0.85, alpha=1e-6).passed


def test_cluster_bootstrap_covers_when_points_are_correlated():
    """Each group (seed) has its own slope 1 + 0.3 z: points within a group are correlated, so the
    regression interval under-covers the population slope 1 while the cluster bootstrap does not.
    Over 300 data sets the 90% bootstrap interval covers 1 with rate >= 0.8 (exact binomial test,
    false-failure rate <= 1e-6), and the regression interval covers it less often."""
    rng = np.random.default_rng(2)
    xs = np.array([1.0, 2, 4, 8, 16, 32])
    boot_hits = reg_hits = 0
    for _ in range(300):
        slopes = 1.0 + 0.3 * rng.standard_normal(12)
        x = np.tile(xs, 12)
        g = np.repeat(np.arange(12), xs.size)
        y = x ** slopes[g] * np.exp(0.05 * rng.standard_normal(x.size))
        boot = S.fit_exponent(x, y, groups=g, level=0.9, n_boot=1000)
        reg = S.fit_exponent(x, y, level=0.9, method="regression")
        boot_hits += boot.ci_low <= 1.0 <= boot.ci_high
        reg_hits += reg.ci_low <= 1.0 <= reg.ci_high
    assert S.binomial_decision(boot_hits, 300, p0=0.8, alpha=1e-6).passed, boot_hits
    assert reg_hits < boot_hits


def test_compare_growth_tells_polynomial_from_exponential():
    x = np.arange(2, 40, dtype=float)
    rng = np.random.default_rng(3)
    noise = np.exp(0.02 * rng.standard_normal(x.size))
    poly = S.compare_growth(x, x**2 * noise)
    expo = S.compare_growth(x, np.exp(0.3 * x) * noise)
    assert poly.preferred == "polynomial" and poly.p_polynomial > 0.99
    assert expo.preferred == "exponential" and expo.p_polynomial < 0.01
    assert expo.exponential.slope == pytest.approx(0.3, abs=0.01)
    assert "fits better" in str(poly) and len(poly.to_frame()) == 2


def _fit(lo, hi, slope=None):
    slope = (lo + hi) / 2 if slope is None else slope
    return S.ExponentFit(slope, 0.0, lo, hi, 0.99, "regression", 10, 10, 1.0, 0.0)


@pytest.mark.parametrize(
    "lo, hi, claimed, bound, parameter, expected",
    [
        (0.1, 0.3, 0.5, "upper", "growing", "consistent"),  # wholly below: allowed for growing m
        (0.6, 0.9, 0.5, "upper", "growing", "inconsistent"),
        (0.4, 0.6, 0.5, "upper", "growing", "consistent"),  # straddles, narrow
        (-1.0, 2.0, 0.5, "upper", "growing", "inconclusive"),  # straddles, too wide
        (0.9, 1.1, 2 / 3, "upper", "shrinking", "consistent"),  # random flips vs omega^(2/3)
        (0.6, 0.7, 1.0, "upper", "shrinking", "inconsistent"),  # adversarial flips refute c*m*omega
        (0.6, 0.7, 1.0, "lower", "growing", "inconsistent"),
        (1.1, 1.3, 1.0, "lower", "growing", "consistent"),
        (1.1, 1.3, 1.0, "lower", "shrinking", "inconsistent"),
    ],
)
def test_exponent_verdict_sides(lo, hi, claimed, bound, parameter, expected):
    v = S.exponent_verdict(_fit(lo, hi), claimed, bound=bound, parameter=parameter)
    assert v.verdict == expected
    assert expected in str(v)


def test_combine_verdicts():
    assert S.combine_verdicts(["consistent", "inconclusive"]) == "inconclusive"
    assert S.combine_verdicts(["inconclusive", "inconsistent"]) == "inconsistent"
    assert S.combine_verdicts(["consistent"]) == "consistent"


@pytest.mark.parametrize("k, n", [(0, 10), (3, 10), (10, 10), (47, 50)])
def test_binomial_interval_is_clopper_pearson(k, n):
    lo, hi = S.binomial_interval(k, n, 0.95)
    exp_lo = 0.0 if k == 0 else sps.beta.ppf(0.025, k, n - k + 1)
    exp_hi = 1.0 if k == n else sps.beta.ppf(0.975, k + 1, n - k)
    assert (lo, hi) == pytest.approx((exp_lo, exp_hi), abs=1e-10)


def test_binomial_decision():
    d = S.binomial_decision(2, 10, p0=0.9, alpha=1e-6)
    assert d.p_value == pytest.approx(sps.binom.cdf(2, 10, 0.9), rel=1e-9)
    assert not d.passed and "FAILED" in str(d)
    assert S.binomial_decision(3, 10, p0=0.9, alpha=1e-6).passed
    assert S.binomial_decision(10, 10).fraction == 1.0


def test_smallest_constant():
    assert S.smallest_constant([1.0, 4.0, 3.0], [1.0, 2.0, 3.0]) == 2.0
