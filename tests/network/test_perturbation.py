r"""Displacement directions, hidden-state change, sign changes and decoupling correlations against plain
recomputations (rnntheory.network.perturbation, rnntheory.network.decoupling)."""

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from rnntheory.network import RNN, decoupling, sample_inputs, sizes
from rnntheory.network import perturbation as P
from rnntheory.network.backward import back_vectors, grad_W
from rnntheory.testing import TOL, configs, seeds


def _setup(m=16, L=5, n=3, d=1, seed=0):
    net = RNN.init(m, 4, d, seed=seed)
    x = sample_inputs(n, L, 4, 0.2, seed=seed + 1)
    return net, x, net.trace(x)


def test_sizes_and_scaling():
    net, x, tr = _setup(m=300)
    for om in (0.01, 0.5):
        Wp = P.random_direction(net, omega=om, seed=3)
        expected = torch.linalg.svdvals(Wp)[0]
        torch.testing.assert_close(sizes.spectral_norm(Wp), expected, **TOL[torch.float64])
        torch.testing.assert_close(expected, torch.tensor(om, dtype=torch.float64), **TOL[torch.float64])
    Wk = P.random_direction(net, tau=2.0, seed=4, k=2)
    actual = sizes.ntk_radius(Wk)
    expected = torch.linalg.matrix_norm(Wk, ord="fro") * math.sqrt(300)
    torch.testing.assert_close(actual, expected, **TOL[torch.float64])
    torch.testing.assert_close(actual, torch.full((2,), 2.0, dtype=torch.float64), **TOL[torch.float64])


def test_lanczos_spectral_norm_of_low_rank_matrix():
    g = torch.Generator().manual_seed(0)
    M = torch.randn(400, 5, generator=g, dtype=torch.float64) @ torch.randn(5, 400, generator=g, dtype=torch.float64)
    torch.testing.assert_close(sizes.spectral_norm(M), torch.linalg.svdvals(M)[0], **TOL[torch.float64])


def test_gradient_direction_is_scaled_descent_direction():
    net, x, tr = _setup()
    targets = torch.randn(3, 5, 1, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    actual = P.gradient_direction(net, tr, targets=targets, tau=1.5)
    W = net.W.clone().requires_grad_(True)
    y = net.outputs(x, W)
    loss = 0.5 * ((y - targets)[:, 2:] ** 2).sum()
    (g,) = torch.autograd.grad(loss, W)
    expected = -g / (g.norm() * 16**0.5) * 1.5
    torch.testing.assert_close(actual, expected, **TOL[torch.float64])
    dy = torch.zeros(3, 5, 1, dtype=torch.float64)
    dy[:, 3] = 1.0
    torch.testing.assert_close(
        P.gradient_direction(net, tr, dy, omega=1.0),
        sizes.scale_to(-grad_W(net, tr, dy), omega=1.0),
        **TOL[torch.float64],
    )


def test_adversarial_direction_flips_the_planned_set_at_position_2():
    net = RNN.init(2048, 4, 1, seed=5)
    tr = net.trace(sample_inputs(1, 4, 4, 0.1, seed=6))
    for om in (0.002, 0.02):
        Wp = P.adversarial_direction(net, tr, l=2, omega=om)
        assert abs(float(sizes.spectral_norm(Wp)) - om) <= 1e-12
        h = tr.hidden[0, 1]
        torch.testing.assert_close(Wp, torch.outer(Wp @ h, h) / (h @ h), **TOL[torch.float64])  # rank one, W'h = v
        g = tr.pre[0, 1]
        budget = (om * float(tr.hidden[0, 1].norm())) ** 2
        expected = int(((g.abs().sort().values ** 2).cumsum(0) * 1.01**2 <= budget).sum())
        actual = int(P.sign_changes(net, None, Wp, tr=tr)[0, 1])
        assert actual == expected
        assert 0.7 <= actual / P.adversarial_flip_estimate(2048, om) <= 1.3


def test_hidden_and_sign_changes_agree_with_plain_recomputation():
    net, x, tr = _setup()
    Wk = P.random_direction(net, omega=0.3, seed=7, k=2)
    hc = P.hidden_change(net, x, Wk)
    sc = P.sign_changes(net, None, Wk, tr=tr)
    for q in range(2):
        h0 = torch.zeros(3, 16, dtype=torch.float64)
        h1 = torch.zeros(3, 16, dtype=torch.float64)
        for l in range(5):
            g0 = h0 @ net.W.T + x[:, l] @ net.A.T
            g1 = h1 @ (net.W + Wk[q]).T + x[:, l] @ net.A.T
            h0, h1 = torch.relu(g0), torch.relu(g1)
            torch.testing.assert_close(hc[q, :, l], (h1 - h0).norm(dim=-1), **TOL[torch.float64])
            assert torch.equal(sc[q, :, l], ((g0 > 0) != (g1 > 0)).sum(dim=-1))


def test_hidden_change_matches_finite_difference_of_the_pseudo_network():
    r"""For a tiny W' the hidden change is the pseudo-network's hidden state z_l (first order)."""
    net, x, tr = _setup(m=32)
    Wp = P.random_direction(net, omega=1e-7, seed=8)
    z = torch.zeros(3, 32, dtype=torch.float64)
    for l in range(5):
        z = tr.pattern[:, l] * (z @ net.W.T + tr.hidden[:, l] @ Wp.T)
        assert abs(float(P.hidden_change(net, x, Wp)[:, l].sum() - z.norm(dim=-1).sum())) <= 1e-6 * 1e-7 + 1e-13


def test_decoupling_correlations_against_explicit_vectors():
    net, x, tr = _setup(m=20, L=4, n=2, d=2)
    u = torch.tensor([0.6, 0.8], dtype=torch.float64)
    b = back_vectors(net, tr, u)  # (n, L, L, m): [s, j-1, i-1]
    C = decoupling.back_correlations(net, tr, u)
    s, i, j1, j2 = 1, 2, 3, 4
    v1, v2 = b[s, j1 - 1, i - 1], b[s, j2 - 1, i - 1]
    torch.testing.assert_close(C[s, i - 1, j1 - 1, j2 - 1], v1 @ v2 / (v1.norm() * v2.norm()), **TOL[torch.float64])
    assert torch.isnan(C[s, 2, 0, 3])  # j = 1 < i = 3
    F, pairs = decoupling.feature_correlations(net, tr, u)
    p, q = pairs.index((2, 3)), pairs.index((3, 4))
    blk = lambda i, j: torch.outer(tr.pattern[s, i - 1] * b[s, j - 1, i - 1], tr.hidden[s, i - 1])  # noqa: E731
    B1, B2 = blk(2, 3), blk(3, 4)
    torch.testing.assert_close(F[s, p, q], (B1 * B2).sum() / (B1.norm() * B2.norm()), **TOL[torch.float64])
    summary = decoupling.decoupling(net, tr, u)
    assert summary.back_rms.shape == (2,) and float(summary.feature_max.max()) <= 1.0 + 1e-12
    assert list(summary.to_frame().columns) == ["seq", "back_rms", "back_max", "feature_rms", "feature_max", "m"]


@given(cfg=configs(m=(4, 32), L=(3, 6)), s=seeds(), om=st.floats(1e-4, 1.0))
def test_sign_changes_bounded_by_width_and_zero_at_zero(cfg, s, om):
    net, x = cfg.net(), cfg.inputs()
    tr = net.trace(x)
    Wp = P.random_direction(net, omega=om, seed=s)
    sc = P.sign_changes(net, None, Wp, tr=tr)
    assert sc.shape == (cfg.n, cfg.L) and int(sc.max()) <= cfg.m and int(sc[:, 0].max()) == 0
    Z = torch.zeros(cfg.m, cfg.m, dtype=torch.float64)
    assert int(P.sign_changes(net, None, Z, tr=tr).max()) == 0
    assert float(P.hidden_change(net, None, Z, tr=tr).max()) == 0.0


_NET, _X, _TR = _setup()
_BAD = [
    (
        "scale_to",
        lambda: sizes.scale_to(torch.ones(4, 4, dtype=torch.float64), omega=1.0, tau=1.0),
        ValueError,
        "exactly one of omega= and tau=",
    ),
    (
        "scale_to",
        lambda: sizes.scale_to(torch.zeros(4, 4, dtype=torch.float64), omega=1.0),
        ValueError,
        "the direction is zero",
    ),
    ("random_direction", lambda: P.random_direction(_NET, omega=-1.0, seed=0), ValueError, "omega=-1.0"),
    ("random_direction", lambda: P.random_direction(_NET, omega=float("nan"), seed=0), ValueError, "omega=nan"),
    ("adversarial_direction", lambda: P.adversarial_direction(_NET, _TR, l=1, omega=0.1), ValueError, "l=1"),
    ("adversarial_direction", lambda: P.adversarial_direction(_NET, _TR, l=9, omega=0.1), ValueError, "l=9"),
    (
        "adversarial_direction",
        lambda: P.adversarial_direction(_NET, _TR, l=2, omega=0.1, sequence=5),
        ValueError,
        "sequence=5",
    ),
    (
        "gradient_direction",
        lambda: P.gradient_direction(_NET, _TR, omega=1.0),
        ValueError,
        "exactly one of dy= and targets=",
    ),
    (
        "gradient_direction",
        lambda: P.gradient_direction(_NET, _TR, torch.zeros(3, 5, 2, dtype=torch.float64), omega=1.0),
        ValueError,
        "dy has shape (3, 5, 2)",
    ),
    (
        "sign_changes",
        lambda: P.sign_changes(_NET, _X, torch.ones(16, 16)),
        TypeError,
        "W_prime has dtype torch.float32",
    ),
    (
        "hidden_change",
        lambda: P.hidden_change(_NET, _X, torch.full((16, 16), float("inf"), dtype=torch.float64)),
        ValueError,
        "W_prime contains 256 NaN",
    ),
    (
        "hidden_change",
        lambda: P.hidden_change(_NET, _X, torch.zeros(16, 16, dtype=torch.float64, device="meta")),
        ValueError,
        "W_prime is on device meta",
    ),
    (
        "back_correlations",
        lambda: decoupling.back_correlations(_NET, _TR, torch.zeros(1, dtype=torch.float64)),
        ValueError,
        "u is the zero vector",
    ),
]


@pytest.mark.parametrize("fn,call,exc,text", _BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(_BAD)])
def test_bad_input_is_rejected_with_a_message(fn, call, exc, text):
    with pytest.raises(exc) as info:
        call()
    assert fn in str(info.value)
    assert text in str(info.value)
