"""Backward products, gradient and product norms against naive references (theory.md sec. 2)."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from rnntheory.network import RNN, backward, sample_inputs
from rnntheory.testing import TOL, configs, rel_err


def naive_back(net, tr, s, i, j):
    """Back_{i->j} = B D_j W D_{j-1} W ... D_{i+1} W formed explicitly (1-based i <= j)."""
    P = net.B.clone()
    for c in range(j, i, -1):
        P = P @ torch.diag(tr.pattern[s, c - 1].to(net.dtype)) @ tr.W
    return P


def naive_product(net, tr, s, a, b):
    P = torch.eye(net.m, dtype=net.dtype)
    for c in range(a, b + 1):
        P = torch.diag(tr.pattern[s, c - 1].to(net.dtype)) @ tr.W @ P
    return P


@given(cfg=configs(m=(2, 24), L=(3, 6)), kind=st.sampled_from(["vector", "matrix", "none"]))
def test_back_norms_and_vectors_match_naive(cfg, kind):
    net, x = cfg.net(), cfg.inputs()
    tr = net.trace(x)
    g = torch.Generator().manual_seed(cfg.seed)
    U = {
        "vector": torch.randn(1, net.d, generator=g, dtype=net.dtype),
        "matrix": torch.randn(2, net.d, generator=g, dtype=net.dtype),
        "none": torch.eye(net.d, dtype=net.dtype),
    }[kind]
    u = {"vector": U[0], "matrix": U, "none": None}[kind]
    norms = backward.back_norms(net, tr, u)
    vecs = backward.back_vectors(net, tr, u)
    if kind == "vector":
        norms, vecs = norms[..., None], vecs[..., None, :]
    expected_n = torch.zeros(cfg.n, cfg.L, cfg.L, U.shape[0], dtype=net.dtype)
    expected_v = torch.zeros(cfg.n, cfg.L, cfg.L, U.shape[0], net.m, dtype=net.dtype)
    for s in range(cfg.n):
        for j in range(1, cfg.L + 1):
            for i in range(1, j + 1):
                rows = U @ naive_back(net, tr, s, i, j)
                expected_v[s, j - 1, i - 1] = rows
                expected_n[s, j - 1, i - 1] = rows.norm(dim=-1)
    torch.testing.assert_close(norms, expected_n, **TOL[torch.float64])
    torch.testing.assert_close(vecs, expected_v, **TOL[torch.float64])


@given(cfg=configs(m=(2, 24), L=(3, 6)), data=st.data())
def test_back_apply_matches_naive(cfg, data):
    net, x = cfg.net(), cfg.inputs()
    tr = net.trace(x)
    j = data.draw(st.integers(1, cfg.L))
    v = torch.randn(cfg.n, net.d, generator=torch.Generator().manual_seed(cfg.seed), dtype=net.dtype)
    actual = backward.back_apply(net, tr, v, j)
    expected = torch.stack(
        [torch.stack([naive_back(net, tr, s, i, j).T @ v[s] for i in range(1, j + 1)]) for s in range(cfg.n)]
    )
    torch.testing.assert_close(actual, expected, **TOL[torch.float64])


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@given(cfg=configs(m=(2, 40), L=(3, 8)))
def test_grad_W_matches_autograd(cfg, dtype):
    net, x = cfg.net(dtype), cfg.inputs(dtype)
    dy = torch.randn(cfg.n, cfg.L, net.d, generator=torch.Generator().manual_seed(cfg.seed), dtype=torch.float64).to(
        dtype
    )
    W = net.W.clone().requires_grad_(True)
    (net.outputs(x, W) * dy).sum().backward()
    expected = W.grad
    actual = backward.grad_W(net, net.trace(x), dy)
    assert rel_err(actual, expected) <= TOL[dtype]["rtol"]  # float64: 1e-10, as the issue asks


def test_grad_W_matches_paper_formula():
    """sum_j sum_{i<=j} D_i Back_{i->j}^T dy_j h_{i-1}^T, formed pair by pair (theory.md sec. 2)."""
    net = RNN.init(12, 4, 2, seed=3)
    x = sample_inputs(2, 5, 4, 0.3, seed=4)
    tr = net.trace(x)
    dy = torch.randn(2, 5, 2, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    expected = torch.zeros(12, 12, dtype=torch.float64)
    for s in range(2):
        for j in range(1, 6):
            for i in range(1, j + 1):
                col = tr.pattern[s, i - 1].double() * (naive_back(net, tr, s, i, j).T @ dy[s, j - 1])
                expected += torch.outer(col, tr.hidden[s, i - 1])
    actual = backward.grad_W(net, tr, dy)
    assert rel_err(actual, expected) <= 1e-10


def test_grad_factors_multiply_to_the_autograd_gradient_with_or_without_a_kept_transpose():
    net = RNN.init(16, 4, 2, seed=6)
    x = sample_inputs(3, 6, 4, 0.3, seed=7)
    dy = torch.randn(3, 6, 2, generator=torch.Generator().manual_seed(8), dtype=torch.float64)
    W = net.W.clone().requires_grad_(True)
    (net.outputs(x, W) * dy).sum().backward()
    tr = net.trace(x)
    delta, H = backward.grad_factors(net, tr, dy)
    assert delta.shape == H.shape == (18, 16)
    assert rel_err(delta.T @ H, W.grad) <= 1e-10
    delta_t, H_t = backward.grad_factors(net, tr, dy, net.W.T.contiguous())
    assert rel_err(delta_t.T @ H_t, W.grad) <= 1e-10


@given(cfg=configs(m=(2, 20), L=(3, 5), n=(1, 2)))
def test_product_norms_match_matrix_norm(cfg):
    net, x = cfg.net(), cfg.inputs()
    tr = net.trace(x)
    pn = backward.product_norms(net, tr, tol=1e-12, max_iter=5000)
    for p, (a, b) in enumerate(pn.pairs):
        for s in range(cfg.n):
            expected = float(torch.linalg.matrix_norm(naive_product(net, tr, s, a, b), ord=2))
            actual = float(pn.norms[s, p])
            # subspace iteration converges from below; 1e-6 relative is far above its stopping rule
            assert actual <= expected * (1 + 1e-10) + 1e-12
            assert abs(actual - expected) <= 1e-6 * max(expected, 1e-12)


def test_product_norms_frame_and_subset():
    net = RNN.init(32, 4, 1, seed=0)
    tr = net.trace(sample_inputs(2, 6, 4, seed=1))
    pn = backward.product_norms(net, tr, [(1, 1), (2, 6)])
    df = pn.to_frame()
    assert list(df.columns) == ["seq", "a", "b", "lag", "norm", "converged"]
    assert len(df) == 4 and set(df["lag"]) == {0, 4}
    assert backward.all_pairs(3) == [(1, 1), (1, 2), (1, 3), (2, 2), (2, 3), (3, 3)]
