"""The Hypothesis strategies produce what they promise, checked against independent references."""

import math

import mpmath
import torch
from hypothesis import given
from hypothesis import strategies as st

from rnntheory import complexity
from rnntheory.network import RNN
from rnntheory.testing import displacements, polynomial_coefficients, smooth_functions

NET = RNN.init(24, 4, 1, seed=0)


@given(data=st.data())
def test_displacements_have_the_requested_spectral_size(data):
    Wp = data.draw(displacements(NET, omega=(1e-3, 1e-1)))
    actual = float(torch.linalg.matrix_norm(Wp, ord=2))
    assert 1e-3 * (1 - 1e-9) <= actual <= 1e-1 * (1 + 1e-9)
    assert Wp.shape == (24, 24) and Wp.dtype == NET.dtype


@given(coeffs=polynomial_coefficients(), R=st.floats(0.1, 3.0))
def test_c_s_of_polynomials_equals_the_direct_sum(coeffs, R):
    C = 7.0
    expected = C * math.fsum((i + 1) ** 1.75 * R**i * abs(c) for i, c in enumerate(coeffs))
    actual = float(complexity.c_s(coeffs, R, C_star=C).value)
    assert math.isclose(actual, expected, rel_tol=1e-12, abs_tol=1e-300)


@given(phi=smooth_functions(), r=st.floats(0.05, 0.45))
def test_c_s_is_finite_inside_the_radius_and_monotone_in_R(phi, r):
    rho = complexity.radius_of_convergence(phi)
    rho = 4.0 if rho == mpmath.inf or float(rho) == math.inf else float(rho)
    small = complexity.c_s(phi, r * rho, C_star=3.0)
    large = complexity.c_s(phi, 2 * r * rho, C_star=3.0)
    assert not small.divergent and not large.divergent
    assert small.value <= large.value
