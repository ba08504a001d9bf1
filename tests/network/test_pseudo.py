r"""The pseudo-network and the coupling errors (rnntheory.network.pseudo) against independent references:
``torch.func.jvp`` of ``net.outputs`` in W, the explicit sum over i of Back_{i->j} D_i W' h_{i-1}, and the
Jacobian of ``net.outputs`` by ``torch.func.jacrev``."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from rnntheory.network import RNN, pseudo, sample_inputs
from rnntheory.network.backward import back_vectors
from rnntheory.testing import TOL, configs, rel_err, seeds


def _setup(m=12, L=5, n=3, d=2, d_x=4, seed=0, dtype=torch.float64):
    net = RNN.init(m, d_x, d, seed=seed, dtype=dtype)
    x = sample_inputs(n, L, d_x, 0.3, seed=seed + 1, dtype=dtype)
    return net, x, net.trace(x)


def _disp(m, seed, scale=1.0, k=None, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    shape = (m, m) if k is None else (k, m, m)
    return (torch.randn(*shape, generator=g, dtype=torch.float64) * scale / m**0.5).to(dtype)


@pytest.mark.parametrize("m,L,n,d", [(8, 3, 1, 1), (16, 6, 3, 2), (40, 9, 2, 3)])
def test_outputs_equal_jvp(m, L, n, d):
    net, x, tr = _setup(m, L, n, d)
    Wp = _disp(m, 3)
    actual = pseudo.outputs(net, tr, Wp)
    _, expected = torch.func.jvp(lambda W: net.outputs(x, W), (net.W,), (Wp,))
    assert rel_err(actual, expected) <= 1e-10


def test_outputs_equal_explicit_sum_over_pairs():
    net, x, tr = _setup(10, 5, 2, 2)
    Wp = _disp(10, 4)
    b = back_vectors(net, tr, torch.eye(2, dtype=torch.float64))  # (n, L, L, d, m): [s, j-1, i-1, r] = Back^T e_r
    drive = tr.pattern * (tr.hidden[:, :-1] @ Wp.T)  # (n, L, m): [s, i-1] = D_i W' h_{i-1}
    expected = torch.einsum("sjirm,sim->sjr", b, drive)  # sum over i <= j (b is 0 for i > j)
    actual = pseudo.outputs(net, tr, Wp)
    torch.testing.assert_close(actual, expected, **TOL[torch.float64])


def test_outputs_batched_displacements_match_single():
    net, x, tr = _setup()
    Wk = _disp(12, 5, k=3)
    actual = pseudo.outputs(net, tr, Wk)
    expected = torch.stack([pseudo.outputs(net, tr, Wk[q]) for q in range(3)])
    assert actual.shape == (3, 3, 5, 2)
    torch.testing.assert_close(actual, expected, **TOL[torch.float64])


def test_outputs_float32_matches_float64():
    net, x, tr = _setup()
    Wp = _disp(12, 6)
    expected = pseudo.outputs(net, tr, Wp)
    net32 = net.to(dtype=torch.float32)
    actual = pseudo.outputs(net32, net32.trace(x.float()), Wp.float())
    torch.testing.assert_close(actual.double(), expected, **TOL[torch.float32])


def test_forward_coupling_definition_and_trace_reuse():
    net, x, tr = _setup()
    Wp = _disp(12, 7, scale=0.3)
    expected = net.outputs(x, net.W + Wp) - net.outputs(x) - pseudo.outputs(net, tr, Wp)
    torch.testing.assert_close(pseudo.forward_coupling(net, x, Wp), expected, **TOL[torch.float64])
    torch.testing.assert_close(pseudo.forward_coupling(net, None, Wp, tr=tr), expected, **TOL[torch.float64])


def test_forward_coupling_is_second_order():
    r"""Away from sign flips (tiny W', checked: no pattern changes) the error shrinks 4x when W' halves."""
    net, x, tr = _setup(m=64, L=6, n=2, d=1)
    Wp = _disp(64, 8, scale=1e-5)
    e1 = pseudo.forward_coupling(net, None, Wp, tr=tr)
    e2 = pseudo.forward_coupling(net, None, Wp / 2, tr=tr)
    assert torch.equal(net.trace(x, net.W + Wp).pattern, tr.pattern)
    ratio = float(e1.norm() / e2.norm())
    assert 3.8 <= ratio <= 4.2, ratio


def test_backward_coupling_against_jacobian():
    net, x, tr = _setup(m=9, L=4, n=2, d=2)
    Wp = _disp(9, 9, scale=0.5)
    Ws = _disp(9, 10)
    res = pseudo.backward_coupling(net, x, Wp, W_star=Ws)
    J0 = torch.func.jacrev(lambda W: net.outputs(x, W))(net.W)  # (n, L, d, m, m)
    J1 = torch.func.jacrev(lambda W: net.outputs(x, W))(net.W + Wp)
    expected_dist = (J1 - J0).flatten(3).norm(dim=-1).norm(dim=-1)
    expected_norm = J0.flatten(3).norm(dim=-1).norm(dim=-1)
    expected_inner = ((J1 - J0) * Ws).sum(dim=(-1, -2)).norm(dim=-1)
    torch.testing.assert_close(res.distance, expected_dist, **TOL[torch.float64])
    torch.testing.assert_close(res.grad_norm, expected_norm, **TOL[torch.float64])
    torch.testing.assert_close(res.inner, expected_inner, **TOL[torch.float64])
    torch.testing.assert_close(res.relative[:, 1:], (expected_dist / expected_norm)[:, 1:], **TOL[torch.float64])
    u = torch.tensor([0.6, -0.8], dtype=torch.float64)
    res_u = pseudo.backward_coupling(net, None, Wp, tr=tr, u=u)
    Ju0, Ju1 = torch.einsum("sjrab,r->sjab", J0, u), torch.einsum("sjrab,r->sjab", J1, u)
    torch.testing.assert_close(res_u.distance, (Ju1 - Ju0).flatten(2).norm(dim=-1), **TOL[torch.float64])


def test_backward_coupling_zero_displacement():
    net, x, tr = _setup()
    res = pseudo.backward_coupling(net, None, torch.zeros(12, 12, dtype=torch.float64), tr=tr)
    assert float(res.distance.abs().max()) <= TOL[torch.float64]["atol"]


@given(cfg=configs(m=(2, 24), L=(3, 6)), s1=seeds(), s2=seeds(), a=st.floats(-3, 3), b=st.floats(-3, 3))
def test_pseudo_is_linear(cfg, s1, s2, a, b):
    net, x = cfg.net(), cfg.inputs()
    tr = net.trace(x)
    U, V = _disp(cfg.m, s1), _disp(cfg.m, s2)
    actual = pseudo.outputs(net, tr, a * U + b * V)
    expected = a * pseudo.outputs(net, tr, U) + b * pseudo.outputs(net, tr, V)
    scale = float(pseudo.outputs(net, tr, U).abs().max() + pseudo.outputs(net, tr, V).abs().max()) * 4 + 1e-300
    assert float((actual - expected).abs().max()) <= 1e-12 * scale


@given(cfg=configs(m=(2, 24), L=(3, 6)))
def test_pseudo_and_coupling_vanish_at_zero(cfg):
    net, x = cfg.net(), cfg.inputs()
    tr = net.trace(x)
    Z = torch.zeros(cfg.m, cfg.m, dtype=torch.float64)
    assert torch.equal(pseudo.outputs(net, tr, Z), torch.zeros(cfg.n, cfg.L, cfg.d, dtype=torch.float64))
    assert float(pseudo.forward_coupling(net, None, Z, tr=tr).abs().max()) == 0.0


# ---------------------------------------------------------------------- bad input
_NET, _X, _TR = _setup()
_W = _disp(12, 1)
_BAD = [
    (
        "outputs",
        lambda: pseudo.outputs(_NET, _TR, torch.zeros(11, 11, dtype=torch.float64)),
        ValueError,
        "W_prime has shape (11, 11)",
    ),
    (
        "outputs",
        lambda: pseudo.outputs(_NET, _TR, torch.zeros(12, 12, 2, dtype=torch.float64)),
        ValueError,
        "W_prime has shape",
    ),
    ("outputs", lambda: pseudo.outputs(_NET, _TR, _W.float()), TypeError, "W_prime has dtype torch.float32"),
    ("outputs", lambda: pseudo.outputs(_NET, _TR, _W.to("meta")), ValueError, "W_prime is on device meta"),
    (
        "outputs",
        lambda: pseudo.outputs(_NET, _TR, torch.full((12, 12), float("nan"), dtype=torch.float64)),
        ValueError,
        "W_prime contains 144 NaN",
    ),
    ("outputs", lambda: pseudo.outputs(_NET, _TR, _W.numpy()), TypeError, "W_prime="),
    ("outputs", lambda: pseudo.outputs(_NET, "trace", _W), TypeError, "tr='trace'"),
    (
        "forward_coupling",
        lambda: pseudo.forward_coupling(_NET, _X[:, :4], _W, tr=_TR),
        ValueError,
        "differs from the inputs",
    ),
    ("forward_coupling", lambda: pseudo.forward_coupling(_NET, _X.float(), _W), TypeError, "x has dtype torch.float32"),
    (
        "backward_coupling",
        lambda: pseudo.backward_coupling(_NET, _X, _W, u=torch.ones(3, dtype=torch.float64)),
        ValueError,
        "u has shape (3,)",
    ),
    (
        "backward_coupling",
        lambda: pseudo.backward_coupling(_NET, _X, _W, W_star=torch.zeros(3, 3, dtype=torch.float64)),
        ValueError,
        "W_star has shape (3, 3)",
    ),
]


@pytest.mark.parametrize("fn,call,exc,text", _BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(_BAD)])
def test_bad_input_is_rejected_with_a_message(fn, call, exc, text):
    with pytest.raises(exc) as info:
        call()
    assert f"pseudo.{fn}" in str(info.value)
    assert text in str(info.value)
