"""Empirical NTK, minimum-norm fits and Rademacher complexity against explicit gradients (theory.md sec. 6)."""

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from rnntheory.network import RNN, kernel, pseudo, sample_inputs
from rnntheory.testing import TOL, configs, rel_err


def explicit_gradients(net, x, positions):
    """Reference: flattened gradients of every output (n, J, d, m*m) by torch.func.jacrev."""
    J = torch.func.jacrev(lambda W: net.outputs(x, W))(net.W)  # (n, L, d, m, m)
    return J[:, [p - 1 for p in positions]].reshape(x.shape[0], len(positions), net.d, -1)


@pytest.mark.parametrize("method", ["factor", "explicit"])
@given(cfg=configs(m=(2, 10), L=(3, 5), d=(1, 2), n=(1, 4)), data=st.data())
def test_ntk_equals_gram_of_explicit_gradients(cfg, method, data):
    net, x = cfg.net(), cfg.inputs()
    x2 = sample_inputs(2, cfg.L, cfg.d_x, cfg.eps_x, seed=cfg.input_seed + 1)
    positions = sorted(data.draw(st.sets(st.integers(1, cfg.L), min_size=1)))
    G1, G2 = explicit_gradients(net, x, positions), explicit_gradients(net, x2, positions)
    expected = torch.einsum("ajcm,bkem->ajcbke", G1, G2)
    actual = kernel.ntk(net, net.trace(x), net.trace(x2), positions=positions, method=method, chunk=2)
    torch.testing.assert_close(actual, expected, **TOL[torch.float64])


def test_position_kernel_is_the_diagonal_block():
    net = RNN.init(12, 4, 1, seed=0)
    tr = net.trace(sample_inputs(4, 5, 4, 0.3, seed=1))
    K = kernel.ntk(net, tr)
    Kj = kernel.ntk(net, tr, positions=[5])[:, 0, 0, :, 0, 0]
    torch.testing.assert_close(kernel.position_kernel(K, -1, 0), Kj, **TOL[torch.float64])


def test_min_norm_fit_equals_least_squares_on_explicit_features():
    """The dual solution equals the minimum-norm least-squares solution on flattened gradients."""
    net = RNN.init(9, 4, 1, seed=3)
    x = sample_inputs(4, 5, 4, 0.5, seed=4)
    tr = net.trace(x)
    y = torch.randn(4, 5, 1, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    fit = kernel.min_norm_fit(net, tr, y, ridge=0.0)
    G = explicit_gradients(net, x, [3, 4, 5]).reshape(12, -1)
    w = torch.linalg.lstsq(G, y[:, 2:].reshape(-1, 1), driver="gelsd").solution[:, 0]
    assert fit.norm_sq == pytest.approx(float(w @ w), rel=1e-8)
    actual = fit.W_star(net, tr).flatten()
    assert rel_err(actual, w) <= 1e-8  # both are the minimum-norm solution; conditioning costs digits
    assert fit.tau_star == pytest.approx(math.sqrt(9) * math.sqrt(float(w @ w)), rel=1e-8)


@given(cfg=configs(m=(16, 40), L=(3, 5), n=(2, 4)))
def test_tau_star_of_a_pseudo_network_target_is_at_most_its_radius(cfg):
    """Targets pseudo(W*) are fitted exactly by a displacement of norm at most ||W*||_F (min-norm)."""
    net, x = cfg.net(), cfg.inputs()
    tr = net.trace(x)
    g = torch.Generator().manual_seed(cfg.seed)
    Ws = torch.randn(net.m, net.m, generator=g, dtype=net.dtype) / net.m
    target = pseudo.outputs(net, tr, Ws)
    fit = kernel.min_norm_fit(net, tr, target, ridge=0.0)
    radius = math.sqrt(net.m) * float(Ws.norm())
    assert fit.tau_star <= radius * (1 + 1e-6)
    assert fit.residual_rms <= 1e-6 * max(fit.target_rms, 1e-12)
    # the fitted displacement reproduces the targets through the pseudo-network
    actual = pseudo.outputs(net, tr, fit.W_star(net, tr))[:, 2:]
    assert rel_err(actual, target[:, 2:]) <= 1e-6


def test_rademacher_matches_direct_supremum_and_bound():
    """sup over the Frobenius ball of sum_x sigma_x <W', G_x> is r ||sum_x sigma_x G_x||_F."""
    net = RNN.init(8, 4, 1, seed=0)
    x = sample_inputs(6, 4, 4, 0.5, seed=1)
    tr = net.trace(x)
    est = kernel.rademacher(net, tr, tau=2.0, samples=4000, seed=3)
    G = explicit_gradients(net, x, [4]).reshape(6, -1)
    g = torch.Generator().manual_seed(3)
    sig = (2 * torch.randint(0, 2, (4000, 6), generator=g) - 1).to(torch.float64)
    r = 2.0 / math.sqrt(8)
    expected = float((r * (sig @ G).norm(dim=1)).mean()) / 6
    assert est.monte_carlo == pytest.approx(expected, rel=1e-9)
    assert est.bound == pytest.approx(r * float(G.norm()) / 6, rel=1e-9)
    assert est.monte_carlo <= est.bound
