r"""Symbolic check (sympy) of the initialisation's variance (theory.md sec. 1): for a centred Gaussian
g ~ N(0, 2/m), E[relu(g)^2] = 1/m, so with W_ij ~ N(0, 2/m) and any fixed h,
E||relu(W h)||^2 = ||h||^2: the initialisation preserves squared norms in expectation.

Derived, not restated: the moment is integrated from the Gaussian density; the per-coordinate
variance of (W h)_k is derived from independence; the factor 2 is shown to be the only variance
that preserves norms. A seeded Monte-Carlo estimate cross-checks the closed form.
"""

import sympy as sp
import torch


def _relu_second_moment(variance):
    x = sp.Symbol("x", real=True)
    density = sp.exp(-(x**2) / (2 * variance)) / sp.sqrt(2 * sp.pi * variance)
    return sp.simplify(sp.integrate(x**2 * density, (x, 0, sp.oo)))


def test_relu_of_gaussian_with_variance_2_over_m_has_second_moment_1_over_m():
    m = sp.Symbol("m", positive=True)
    actual = _relu_second_moment(2 / m)
    expected = 1 / m
    assert sp.simplify(actual - expected) == 0


def test_initialisation_preserves_squared_norm_in_expectation():
    m, c, n2 = sp.symbols("m c n2", positive=True)  # n2 stands for ||h||^2 > 0
    h = sp.symbols("h1:5", real=True)
    # (W h)_k = sum_l W_kl h_l with independent W_kl ~ N(0, c/m): the variances add up
    var_k = sum((c / m) * hl**2 for hl in h)
    assert sp.simplify(var_k - (c / m) * sum(hl**2 for hl in h)) == 0
    per_coordinate = _relu_second_moment((c / m) * n2)
    total = sp.simplify(m * per_coordinate)  # m identically distributed coordinates
    assert sp.simplify(total.subs(c, 2) - n2) == 0
    # 2 is the only variance factor that preserves the norm
    assert sp.solve(sp.Eq(total, n2), c) == [2]


def test_second_moment_matches_monte_carlo():
    m = 64
    g = torch.randn(2_000_000, generator=torch.Generator().manual_seed(0), dtype=torch.float64) * (2 / m) ** 0.5
    actual = float((torch.relu(g) ** 2).mean())
    expected = float(_relu_second_moment(sp.Rational(2, m)))
    # standard error of the mean of relu(g)^2 is about sqrt(E relu^4) / sqrt(n) ~ 3.5e-6 here: 6 sigma
    assert abs(actual - expected) < 6 * (3 * (2 / m) ** 2 / 2) ** 0.5 / 2_000_000**0.5
