r"""Unit tests of rnntheory.learning.concepts: F* against a naive loop over components, the label layout, seeds,
noise and OPT, special cases, user distributions, and bad input."""

import math

import pytest
import sympy as sp
import torch
from hypothesis import given
from hypothesis import strategies as st

from rnntheory.complexity import c_eps
from rnntheory.learning.concepts import Concept
from rnntheory.learning.data import ball_sampler
from rnntheory.network import RNN, check_inputs
from rnntheory.testing import TOL, seeds

z = sp.Symbol("z")


def _naive(concept, xstar):
    """F* by the definition: a loop over sequences, components, neurons and coordinates (math module)."""
    n = xstar.shape[0]
    out = torch.zeros(n, concept.L, concept.d, dtype=torch.float64)
    for b in range(n):
        for c in concept.components:
            for r in range(c.p):
                for s in range(concept.d):
                    arg = float(c.w[r, s] @ xstar[b, c.i - 2])
                    f = sp.lambdify(c.phi[r][s].symbol, c.phi[r][s].expr, "math")
                    out[b, c.j - 1, s] += float(c.a[r, s]) * f(arg)
    return out


@given(
    L=st.integers(3, 6),
    d_x=st.integers(2, 5),
    d=st.integers(1, 3),
    p=st.integers(1, 3),
    seed=seeds(),
    phi=st.sampled_from(["sin", "tanh", "sigmoid", "exp", sp.exp(z) * sp.cos(z), [0.5, -1, 0, 0.25]]),
    pairs=st.sampled_from(["all", "single_lag"]),
)
def test_concept_matches_naive_loop(L, d_x, d, p, seed, phi, pairs):
    concept = Concept.random(L, d_x, d, p, phi=phi, pairs=pairs, lag=1 if pairs == "single_lag" else None, seed=seed)
    data = concept.sample(3, seed=seed + 1)
    actual = data.clean
    expected = _naive(concept, data.xstar)
    torch.testing.assert_close(actual, expected, **TOL[torch.float64])


def test_layout_mask_and_inputs():
    concept = Concept.random(7, 4, 2, 3, seed=0)
    data = concept.sample(5, seed=1, eps_x=0.2)
    assert data.x.shape == (5, 7, 4) and data.labels.shape == (5, 7, 2) and data.xstar.shape == (5, 6, 3)
    assert data.mask.tolist() == [False, False, True, True, True, True, True]
    assert bool((data.labels[:, :2] == 0).all()) and data.targets.shape == (5, 5, 2)
    check_inputs(data.x, eps_x=0.2)
    torch.testing.assert_close(data.x[:, 1:, :-1] / 0.2, data.xstar, **TOL[torch.float64])
    out = RNN.init(16, 4, 2, seed=0).outputs(data.x)
    assert out.shape == data.labels.shape  # aligned with the network outputs


def test_seeds_and_generators():
    c1 = Concept.random(6, 4, seed=3)
    c2 = Concept.random(6, 4, generator=torch.Generator().manual_seed(3))
    for a, b in zip(c1.components, c2.components):
        assert torch.equal(a.a, b.a) and torch.equal(a.w, b.w)
    d1, d2 = c1.sample(4, seed=5, noise=0.1), c1.sample(4, seed=5, noise=0.1)
    assert torch.equal(d1.labels, d2.labels)
    assert not torch.equal(d1.labels, c1.sample(4, seed=6, noise=0.1).labels)


def test_random_concept_constraints():
    concept = Concept.random(8, 5, 2, 4, seed=0)
    assert concept.pairs == [(i, j) for j in range(3, 9) for i in range(2, j)]
    for c in concept.components:
        assert float(c.a.abs().max()) <= 1
        torch.testing.assert_close(c.w.norm(dim=-1), torch.ones(4, 2, dtype=torch.float64), **TOL[torch.float64])


def test_special_cases():
    assert Concept.single_lag(10, 4, lag=3, seed=0).pairs == [(j - 3, j) for j in range(5, 11)]
    assert Concept.single_pair(10, 4, 2, 7, seed=0).pairs == [(2, 7)]
    data = Concept.single_pair(10, 4, 2, 7, seed=0).sample(6, seed=1)
    nonzero = data.clean.abs().sum(dim=(0, 2)) > 0
    assert nonzero.tolist() == [j == 7 for j in range(1, 11)]


@pytest.mark.parametrize("kind", ["gaussian", "rademacher"])
def test_noise_and_opt(kind):
    concept = Concept.random(6, 3, 2, 2, seed=0)
    data = concept.sample(20_000, seed=1, noise=0.3, noise_kind=kind)
    expected = 0.5 * 0.3**2 * 2 * 4
    assert data.opt == pytest.approx(expected, rel=1e-12)
    # empirical mean of a chi-square-like sum with 8 terms: relative standard error ~ 0.5% here, 6 sigma
    assert data.empirical_opt() == pytest.approx(expected, rel=0.04)
    if kind == "rademacher":
        assert torch.allclose(
            (data.labels - data.clean)[:, 2:].abs(), torch.full((20_000, 4, 2), 0.3, dtype=torch.float64)
        )


def test_user_distribution_and_ball():
    concept = Concept.random(5, 4, seed=0)
    data = concept.sample(50, seed=1, distribution=ball_sampler)
    assert float(data.xstar.norm(dim=-1).max()) <= 1
    fixed = lambda n, L1, k, g: torch.zeros(n, L1, k, dtype=torch.float64)  # noqa: E731
    zero = concept.sample(4, seed=1, distribution=fixed)
    expected = torch.zeros(4, 5, 1, dtype=torch.float64)
    expected[:, 2:] = sum(float(c.a.sum()) * 0 for c in concept.components)  # sin(0) = 0
    torch.testing.assert_close(zero.clean, expected, **TOL[torch.float64])


def test_explicit_components_and_per_neuron_functions():
    w = torch.tensor([[[1.0, 0.0]], [[0.0, 1.0]]], dtype=torch.float64)
    a = torch.tensor([[0.5], [-1.0]], dtype=torch.float64)
    concept = Concept(4, 3, 1, [(2, 4, a, w, ["sin", [0, 0, 1]])])
    xs = torch.zeros(1, 3, 2, dtype=torch.float64)
    xs[0, 0] = torch.tensor([0.6, 0.8], dtype=torch.float64)
    actual = concept(xs)[0, 3, 0]
    expected = torch.tensor(0.5 * math.sin(0.6) - 1.0 * 0.8**2, dtype=torch.float64)
    torch.testing.assert_close(actual, expected, **TOL[torch.float64])


def test_float32_and_complexity():
    concept = Concept.random(6, 4, seed=0, phi="exp")
    d64 = concept.sample(8, seed=1)
    d32 = concept.sample(8, seed=1, dtype=torch.float32)
    torch.testing.assert_close(d32.clean, d64.clean.float(), **TOL[torch.float32])
    actual = concept.complexity(eps=1e-3, C_star=10)
    expected = c_eps("exp", 1.0, 1e-3, 10)
    assert actual.value == expected.value


def _w(p=1, d=1, k=2):
    w = torch.zeros(p, d, k, dtype=torch.float64)
    w[..., 0] = 1
    return w


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: Concept(2, 3, 1, []), ValueError, r"Concept: L=2 must be an integer >= 3"),
        (lambda: Concept(5, 3, 1, []), ValueError, r"Concept: components is empty"),
        (
            lambda: Concept(5, 3, 1, [(1, 4, torch.ones(1, 1, dtype=torch.float64), _w(), "sin")]),
            ValueError,
            r"Concept: i=1",
        ),
        (
            lambda: Concept(5, 3, 1, [(4, 4, torch.ones(1, 1, dtype=torch.float64), _w(), "sin")]),
            ValueError,
            r"Concept: i=4 must be < j=4",
        ),
        (
            lambda: Concept(5, 3, 1, [(2, 6, torch.ones(1, 1, dtype=torch.float64), _w(), "sin")]),
            ValueError,
            r"Concept: j=6 must be at most L=5",
        ),
        (
            lambda: Concept(5, 3, 1, [(2, 4, 2 * torch.ones(1, 1, dtype=torch.float64), _w(), "sin")]),
            ValueError,
            r"\|a\*\| <= 1",
        ),
        (
            lambda: Concept(5, 3, 1, [(2, 4, torch.ones(1, 1, dtype=torch.float64), 2 * _w(), "sin")]),
            ValueError,
            r"unit directions",
        ),
        (
            lambda: Concept(5, 3, 1, [(2, 4, torch.ones(1, 1, dtype=torch.float64), _w(k=3), "sin")]),
            ValueError,
            r"Concept: w has shape",
        ),
        (
            lambda: Concept(5, 3, 1, [(2, 4, torch.full((1, 1), float("nan"), dtype=torch.float64), _w(), "sin")]),
            ValueError,
            r"NaN",
        ),
        (
            lambda: Concept(5, 3, 1, [(2, 4, torch.ones(1, 1, dtype=torch.float64), _w(), sp.Abs(z))]),
            ValueError,
            r"not analytic",
        ),
        (
            lambda: Concept(5, 3, 1, [(2, 4, torch.ones(1, 1, dtype=torch.float64), _w(), "sin")] * 2),
            ValueError,
            r"appears twice",
        ),
        (lambda: Concept.random(5, 3, seed=0, pairs="x"), ValueError, r"Concept.random: pairs='x'"),
        (lambda: Concept.random(5, 3, seed=0, pairs="single_lag"), ValueError, r"needs lag"),
        (lambda: Concept.random(5, 3, seed=0, pairs="single_lag", lag=4), ValueError, r"lag=4 leaves no pair"),
        (lambda: Concept.random(5, 3), ValueError, r"Concept.random: pass exactly one of seed= or generator="),
        (lambda: Concept.random(5, 3, seed=0).sample(0, seed=1), ValueError, r"Concept.sample: n=0"),
        (lambda: Concept.random(5, 3, seed=0).sample(2, seed=1, noise=-1.0), ValueError, r"Concept.sample: noise=-1.0"),
        (lambda: Concept.random(5, 3, seed=0).sample(2, seed=1, eps_x=0.0), ValueError, r"Concept.sample: eps_x=0.0"),
        (
            lambda: Concept.random(5, 3, seed=0).sample(2, seed=1, noise_kind="laplace"),
            ValueError,
            r"noise_kind='laplace'",
        ),
        (
            lambda: Concept.random(5, 3, seed=0).sample(2, seed=1, distribution="cube"),
            ValueError,
            r"distribution='cube'",
        ),
        (
            lambda: Concept.random(5, 3, seed=0).sample(
                2, seed=1, distribution=lambda n, L, k, g: 2 * torch.ones(n, L, k, dtype=torch.float64)
            ),
            ValueError,
            r"inputs_from_data: xstar\[0, 0\].*norm",
        ),
        (
            lambda: Concept.random(5, 3, seed=0).sample(
                2, seed=1, distribution=lambda n, L, k, g: torch.ones(n, L, k + 1, dtype=torch.float64)
            ),
            ValueError,
            r"Concept.sample: distribution output has shape",
        ),
        (
            lambda: Concept.random(5, 3, seed=0)(torch.zeros(2, 5, 2, dtype=torch.float64)),
            ValueError,
            r"Concept.__call__: xstar has shape",
        ),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
