r"""Every core quantity of rnntheory.network against an independent reference, in every branch the code
has, in float64 and float32, on the CPU and (``pytest.mark.cuda``, skipped cleanly without one) on CUDA.

The other files of tests/network check each function in its main cell (mostly float64 on the CPU);
this file fills the rest of the matrix (function x branch x dtype x device):

=======================  ======================================  ==========================================
function                 branches                                reference
=======================  ======================================  ==========================================
sizes.spectral_norm      m <= 256 (eigvalsh of M^T M), m > 256   ``torch.linalg.matrix_norm(ord=2)`` of
                         (Lanczos); one matrix or a batch        full-rank Gaussian matrices, in float64
sizes.ntk_radius         one matrix or a batch                   sqrt(m) * sqrt(sum of squares), a loop
sizes.scale_to           omega / tau; both spectral branches     ``torch.linalg.svdvals``, the Frobenius norm
backward.back_norms,     u: one, several, every coordinate       B D_j W ... D_{i+1} W formed matrix by
back_vectors, back_apply                                         matrix for every pair (i, j)
backward.grad_W          --                                      autograd
backward.product_norms   --                                      ``matrix_norm(ord=2)`` of the formed product
batched.traces           dense, scaled, rank-one displacements   a position-by-position loop at W0 + W'_q
pseudo.outputs           dense, structured displacements         ``torch.func.jvp`` of ``net.outputs``
pseudo.forward_coupling  --                                      y(W0 + W') - y(W0) - jvp, from net.outputs
pseudo.backward_coupling --                                      ``torch.func.jacrev`` at both matrices
perturbation.sign_changes,  dense, batch                         the loop's patterns and hidden states
hidden_change
kernel.ntk               factor, explicit, auto (both sides)     Gram matrix of jacrev gradients
kernel.solve_min_norm    Cholesky, least-squares fallback        ``torch.linalg.pinv``
infinite.*               CPU, CUDA (computed in float64)         the CPU result
=======================  ======================================  ==========================================

References are computed in float64 from the tensors the implementation saw (a float32 network's
tensors upcast, its own activation patterns), so the float32 cells measure the implementation's own
rounding against the float32 row of rnntheory.testing.TOL.
"""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from rnntheory.network import backward, infinite, kernel, perturbation, pseudo, sizes
from rnntheory.network.batched import Displacements, traces
from rnntheory.network.inputs import sample_inputs
from rnntheory.network.model import RNN
from rnntheory.testing import TOL, configs, rel_err, seeds

f64, f32 = torch.float64, torch.float32
DTYPES = [f64, f32]
CUDA = pytest.param(
    "cuda", marks=[pytest.mark.cuda, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")]
)
DEVICES = ["cpu", CUDA]
LANCZOS_FROM = sizes._LANCZOS_FROM  # the width above which spectral_norm switches to Lanczos


def _gaussian(shape, seed, dtype=f64, device="cpu"):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=f64).to(device, dtype)


def _setup(m, L=5, n=3, d=2, d_x=4, seed=0, dtype=f64, device="cpu"):
    net = RNN.init(m, d_x, d, seed=seed, dtype=dtype, device=device)
    x = sample_inputs(n, L, d_x, 0.3, seed=seed + 1, dtype=dtype, device=device)
    return net, x, net.trace(x)


def _close(actual, expected, dtype, why=""):
    r"""``actual`` (any device and dtype) against a float64 CPU ``expected`` at the tolerance of ``dtype``."""
    torch.testing.assert_close(
        actual.detach().cpu().to(f64), expected.detach().cpu().to(f64), **TOL[dtype], msg=why or None
    )


def _loop(net, x, W):
    r"""The paper's recursion position by position in float64: (pre, hidden, pattern, outputs)."""
    W, A, B, x = (t.detach().cpu().to(f64) for t in (W, net.A, net.B, x))
    n, L, _ = x.shape
    m = W.shape[0]
    h = torch.zeros(n, m, dtype=f64)
    pre, hid, pat, out = [], [torch.zeros(n, m, dtype=f64)], [], []
    for l in range(L):
        g = torch.stack([W @ h[s] + A @ x[s, l] for s in range(n)])
        h = torch.clamp(g, min=0.0)
        pre.append(g), hid.append(h), pat.append(g > 0), out.append(h @ B.T)
    return torch.stack(pre, 1), torch.stack(hid, 1), torch.stack(pat, 1), torch.stack(out, 1)


def _naive_back(net, tr, s, i, j):
    r"""Back_{i->j} = B D_j W D_{j-1} W ... D_{i+1} W, matrix by matrix, in float64 (1-based i <= j)."""
    W, P = tr.W.cpu().to(f64), net.B.cpu().to(f64)
    for c in range(j, i, -1):
        P = P @ torch.diag(tr.pattern[s, c - 1].cpu().to(f64)) @ W
    return P


# ---------------------------------------------------------------------- sizes
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m", [3, 17, 64, LANCZOS_FROM, LANCZOS_FROM + 1, 400])
def test_spectral_norm_is_the_largest_singular_value_on_both_sides_of_the_threshold(m, dtype, device):
    r"""Full-rank Gaussian matrices, whose Frobenius norm (about sqrt(m) sigma) is far from the spectral
    norm (about 2 sigma): a branch returning the wrong norm cannot pass."""
    M = _gaussian((m, m), seed=m, dtype=dtype, device=device) / math.sqrt(m)
    expected = torch.linalg.matrix_norm(M.cpu().to(f64), ord=2)
    actual = sizes.spectral_norm(M)
    assert actual.dtype == dtype and actual.device == M.device and actual.shape == ()
    _close(actual, expected, dtype)
    if m >= 17:
        assert float(torch.linalg.matrix_norm(M.cpu().to(f64), ord="fro")) > 1.5 * float(expected)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m", [24, LANCZOS_FROM + 44])
def test_spectral_norm_of_a_batch_is_each_matrix_norm(m, dtype, device):
    Ms = (
        _gaussian((3, m, m), seed=m + 1, dtype=dtype, device=device)
        * torch.tensor([0.1, 1.0, 7.0], dtype=f64).to(device, dtype)[:, None, None]
    )
    expected = torch.linalg.matrix_norm(Ms.cpu().to(f64), ord=2)
    actual = sizes.spectral_norm(Ms)
    assert actual.shape == (3,) and actual.dtype == dtype
    _close(actual, expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@given(m=st.integers(1, 48), rank=st.integers(1, 48), seed=seeds())
def test_spectral_norm_of_small_matrices_of_any_rank(m, rank, seed, dtype):
    r = min(rank, m)
    M = (_gaussian((m, r), seed) @ _gaussian((r, m), seed + 1)).to(dtype)
    expected = torch.linalg.svdvals(M.to(f64))[0]
    _close(sizes.spectral_norm(M), expected, dtype)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m", [5, 40, LANCZOS_FROM + 1])
def test_ntk_radius_is_sqrt_m_times_the_frobenius_norm(m, dtype, device):
    Ms = _gaussian((2, m, m), seed=m, dtype=dtype, device=device)
    C = Ms.cpu().to(f64)
    expected = (
        torch.tensor(
            [
                math.sqrt(m) * math.sqrt(sum(float(C[q, i, j]) ** 2 for i in range(m) for j in range(m)))
                for q in range(2)
            ],
            dtype=f64,
        )
        if m <= 40
        else math.sqrt(m) * C.pow(2).sum((1, 2)).sqrt()
    )
    _close(sizes.ntk_radius(Ms), expected, dtype)
    _close(sizes.ntk_radius(Ms[1]), expected[1], dtype)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m", [12, LANCZOS_FROM + 1])
def test_scale_to_reaches_the_size_in_both_measures_and_keeps_the_direction(m, dtype, device):
    Ms = _gaussian((2, m, m), seed=3 * m, dtype=dtype, device=device)
    scaled = sizes.scale_to(Ms, omega=0.25)
    _close(torch.linalg.svdvals(scaled.cpu().to(f64))[:, 0], torch.full((2,), 0.25, dtype=f64), dtype)
    scaled = sizes.scale_to(Ms, tau=3.0)
    _close(
        math.sqrt(m) * torch.linalg.matrix_norm(scaled.cpu().to(f64), ord="fro"),
        torch.full((2,), 3.0, dtype=f64),
        dtype,
    )
    ratio = (scaled / Ms).cpu().to(f64)  # a positive multiple of each direction, one factor per matrix
    for q in range(2):
        assert float(ratio[q].min()) > 0
        _close(ratio[q], torch.full_like(ratio[q], float(ratio[q].mean())), dtype)


# ---------------------------------------------------------------------- backward products
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["vector", "matrix", "none"])
def test_back_norms_vectors_and_apply_match_the_formed_products(kind, dtype, device):
    net, x, tr = _setup(10, L=5, n=2, d=2, seed=4, dtype=dtype, device=device)
    U = _gaussian((2, 2), seed=5)
    u = {"vector": U[0], "matrix": U, "none": None}[kind]
    rows = {"vector": U[:1], "matrix": U, "none": torch.eye(2, dtype=f64)}[kind]
    uu = None if u is None else u.to(device, dtype)
    norms, vecs = backward.back_norms(net, tr, uu), backward.back_vectors(net, tr, uu)
    if kind == "vector":
        norms, vecs = norms[..., None], vecs[..., None, :]
    expected_v = torch.zeros(2, 5, 5, rows.shape[0], 10, dtype=f64)
    for s in range(2):
        for j in range(1, 6):
            for i in range(1, j + 1):
                expected_v[s, j - 1, i - 1] = rows @ _naive_back(net, tr, s, i, j)
    _close(vecs, expected_v, dtype)
    _close(norms, expected_v.norm(dim=-1), dtype)
    v = _gaussian((2, 2), seed=6)
    applied = backward.back_apply(net, tr, v.to(device, dtype), 4)
    expected_a = torch.stack(
        [torch.stack([_naive_back(net, tr, s, i, 4).T @ v[s] for i in range(1, 5)]) for s in range(2)]
    )
    _close(applied, expected_a, dtype)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_grad_W_matches_autograd_and_the_pair_sum(dtype, device):
    net, x, tr = _setup(14, L=6, n=3, d=2, seed=7, dtype=dtype, device=device)
    dy = _gaussian((3, 6, 2), seed=8, dtype=dtype, device=device)
    W = net.W.clone().requires_grad_(True)
    (net.outputs(x, W) * dy).sum().backward()
    actual = backward.grad_W(net, tr, dy)
    assert rel_err(actual.cpu().to(f64), W.grad.cpu().to(f64)) <= TOL[dtype]["rtol"]
    # sum_j sum_{i<=j} D_i Back_{i->j}^T dy_j h_{i-1}^T, pair by pair, in float64
    expected = torch.zeros(14, 14, dtype=f64)
    for s in range(3):
        for j in range(1, 7):
            for i in range(1, j + 1):
                col = tr.pattern[s, i - 1].cpu().to(f64) * (
                    _naive_back(net, tr, s, i, j).T @ dy[s, j - 1].cpu().to(f64)
                )
                expected += torch.outer(col, tr.hidden[s, i - 1].cpu().to(f64))
    assert rel_err(actual.cpu().to(f64), expected) <= TOL[dtype]["rtol"]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_product_norms_match_the_formed_products(dtype, device):
    net, x, tr = _setup(12, L=4, n=2, d=1, seed=9, dtype=dtype, device=device)
    # float32: the iteration stops once a float32 estimate stops moving; 1e-5 relative is its resolution
    tol = 1e-12 if dtype == f64 else 1e-6
    pn = backward.product_norms(net, tr, tol=tol, max_iter=5000)
    W = tr.W.cpu().to(f64)
    for p, (a, b) in enumerate(pn.pairs):
        for s in range(2):
            P = torch.eye(12, dtype=f64)
            for c in range(a, b + 1):
                P = torch.diag(tr.pattern[s, c - 1].cpu().to(f64)) @ W @ P
            expected = torch.linalg.matrix_norm(P, ord=2)
            rtol = 1e-6 if dtype == f64 else 1e-4  # override: subspace iteration converges from below
            assert abs(float(pn.norms[s, p]) - float(expected)) <= rtol * float(expected) + 1e-12, (a, b, s)


# ---------------------------------------------------------------------- batched traces
def _displacement_batch(m, dtype, device, seed=10):
    g = _gaussian((2, m, m), seed, dtype, device) / m
    v, u = _gaussian((2, m), seed + 1, dtype, device), _gaussian((2, m), seed + 2, dtype, device) / m
    dense = _gaussian((1, m, m), seed + 3, dtype, device) * 0.3 / math.sqrt(m)
    return Displacements.cat(
        [Displacements.scaled(g, [0.01, 0.5]), Displacements.rank_one(v, u), Displacements.dense(dense)]
    )


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_batched_traces_match_the_loop_at_every_moved_matrix(dtype, device):
    net, x, tr = _setup(24, L=6, n=3, d=2, seed=11, dtype=dtype, device=device)
    disp = _displacement_batch(24, dtype, device)
    got = traces(net, tr, disp)
    mats = disp.materialise()
    for q in range(disp.k):
        pre, hid, pat, out = _loop(net, x, tr.W + mats[q])
        _close(got.pre[q], pre, dtype)
        _close(got.hidden[q], hid, dtype)
        _close(got.outputs[q], out, dtype)
        clear = pre.abs() > 1e-4  # signs agree wherever a pre-activation is not within rounding of zero
        assert bool((got.pattern[q].cpu() == pat)[clear].all())
        assert int((got.pattern[q].cpu() != pat).sum()) == int((got.pattern[q].cpu() != pat)[~clear].sum())


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_sign_and_hidden_changes_match_the_loop(dtype, device):
    net, x, tr = _setup(20, L=5, n=3, d=1, seed=12, dtype=dtype, device=device)
    Wk = _gaussian((2, 20, 20), seed=13, dtype=dtype, device=device) * 0.4 / math.sqrt(20)
    sc = perturbation.sign_changes(net, None, Wk, tr=tr)
    hc = perturbation.hidden_change(net, x, Wk)
    _, h0, s0, _ = _loop(net, x, tr.W)
    for q in range(2):
        _, h1, s1, _ = _loop(net, x, tr.W + Wk[q])
        assert torch.equal(sc[q].cpu(), (s1 != s0).sum(-1)), q
        _close(hc[q], (h1 - h0)[:, 1:].norm(dim=-1), dtype)
    assert torch.equal(perturbation.sign_changes(net, None, Wk[0], tr=tr), sc[0])


# ---------------------------------------------------------------------- the pseudo-network
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("form", ["dense", "batch", "structured"])
def test_pseudo_outputs_and_forward_coupling_equal_the_jvp(form, dtype, device):
    net, x, tr = _setup(16, L=6, n=2, d=2, seed=14, dtype=dtype, device=device)
    disp = _displacement_batch(16, dtype, device, seed=15)
    mats = disp.materialise()
    W_prime = {"dense": mats[0], "batch": mats, "structured": disp}[form]
    actual = pseudo.outputs(net, tr, W_prime)
    coupling = pseudo.forward_coupling(net, None, W_prime, tr=tr)
    if form == "dense":
        actual, coupling = actual[None], coupling[None]
    net64, x64 = net.to(dtype=f64, device="cpu"), x.cpu().to(f64)
    for q in range(actual.shape[0]):
        Wq = mats[q].cpu().to(f64)
        _, expected = torch.func.jvp(lambda W: net64.outputs(x64, W), (net64.W,), (Wq,))
        assert rel_err(actual[q].cpu().to(f64), expected) <= TOL[dtype]["rtol"], q
        y0 = net64.outputs(x64)
        real = net64.outputs(x64, net64.W + Wq) - y0
        # override: the error is a difference of outputs, so its rounding is relative to the outputs' size
        atol = TOL[dtype]["atol"] * float(y0.abs().max())
        torch.testing.assert_close(coupling[q].cpu().to(f64), real - expected, rtol=TOL[dtype]["rtol"], atol=atol)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_backward_coupling_equals_the_jacobian_difference(dtype, device):
    net, x, tr = _setup(8, L=4, n=2, d=2, seed=16, dtype=dtype, device=device)
    Wp = _gaussian((2, 8, 8), seed=17, dtype=dtype, device=device) * 0.5 / math.sqrt(8)
    Ws = _gaussian((8, 8), seed=18, dtype=dtype, device=device)
    res = pseudo.backward_coupling(net, None, Wp, tr=tr, W_star=Ws)
    net64, x64 = net.to(dtype=f64, device="cpu"), x.cpu().to(f64)
    J0 = torch.func.jacrev(lambda W: net64.outputs(x64, W))(net64.W)  # (n, L, d, m, m)
    norm = J0.flatten(2).norm(dim=-1)
    _close(res.grad_norm, norm, dtype)
    for q in range(2):
        J1 = torch.func.jacrev(lambda W: net64.outputs(x64, W))(net64.W + Wp[q].cpu().to(f64))
        dist = (J1 - J0).flatten(2).norm(dim=-1)
        # override: a distance of gradients that are O(|J|): float32 rounding is relative to |J|
        atol = TOL[dtype]["atol"] * float(norm.max())
        torch.testing.assert_close(res.distance[q].cpu().to(f64), dist, rtol=TOL[dtype]["rtol"], atol=atol)
        torch.testing.assert_close(
            res.relative[q, :, 1:].cpu().to(f64), (dist / norm)[:, 1:], rtol=TOL[dtype]["rtol"], atol=TOL[dtype]["atol"]
        )
        inner = ((J1 - J0) * Ws.cpu().to(f64)).sum(dim=(-1, -2)).norm(dim=-1)
        torch.testing.assert_close(
            res.inner[q].cpu().to(f64),
            inner,
            rtol=TOL[dtype]["rtol"],
            atol=TOL[dtype]["atol"] * float(norm.max()) * float(Ws.norm()),
        )


@given(cfg=configs(m=(2, 20), L=(3, 6), d=(1, 3), n=(1, 3)), s=seeds(), scale=st.floats(0.01, 2.0))
def test_backward_coupling_over_random_shapes(cfg, s, scale):
    net, x = cfg.net(), cfg.inputs()
    tr = net.trace(x)
    Wp = _gaussian((cfg.m, cfg.m), s) * scale / math.sqrt(cfg.m)
    res = pseudo.backward_coupling(net, None, Wp, tr=tr)
    J0 = torch.func.jacrev(lambda W: net.outputs(x, W))(net.W)
    J1 = torch.func.jacrev(lambda W: net.outputs(x, W))(net.W + Wp)
    atol = TOL[f64]["atol"] * max(float(J0.abs().max()), 1.0)
    torch.testing.assert_close(res.distance, (J1 - J0).flatten(2).norm(dim=-1), rtol=1e-9, atol=atol)
    torch.testing.assert_close(res.grad_norm, J0.flatten(2).norm(dim=-1), rtol=1e-9, atol=atol)


# ---------------------------------------------------------------------- kernels
def _gradients(net, x, positions):
    net64, x64 = net.to(dtype=f64, device="cpu"), x.cpu().to(f64)
    J = torch.func.jacrev(lambda W: net64.outputs(x64, W))(net64.W)
    return J[:, [p - 1 for p in positions]].reshape(x.shape[0], len(positions), net.d, -1)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("method, m", [("factor", 9), ("explicit", 9), ("auto", 3), ("auto", 12)])
def test_ntk_is_the_gram_matrix_of_the_gradients(method, m, dtype, device):
    r"""``auto`` picks the explicit gradients when m^2 is at most the number of factor rows (m = 3: 9 <= 12
    rows of positions 3..5 at d = 1) and the factors otherwise (m = 12)."""
    net, x, tr = _setup(m, L=5, n=3, d=1, seed=19, dtype=dtype, device=device)
    x2 = sample_inputs(2, 5, 4, 0.3, seed=20, dtype=dtype, device=device)
    G1, G2 = _gradients(net, x, [3, 4, 5]), _gradients(net, x2, [3, 4, 5])
    expected = torch.einsum("ajcm,bkem->ajcbke", G1, G2)
    actual = kernel.ntk(net, tr, net.trace(x2), method=method, chunk=2)
    assert rel_err(actual.cpu().to(f64), expected) <= TOL[dtype]["rtol"]


@pytest.mark.parametrize("rank", [12, 4])
def test_solve_min_norm_is_the_pseudo_inverse_solution_in_both_branches(rank):
    r"""A full-rank kernel takes the Cholesky branch; a rank-4 one of size 12 (exactly singular at ridge 0)
    the least-squares fallback; both give the minimum-norm solution pinv(K) y and alpha^T K alpha."""
    F = _gaussian((12, rank), seed=21)
    K = F @ F.T
    y = K @ _gaussian((12,), seed=22) if rank < 12 else _gaussian((12,), seed=22)  # y in the range of K
    alpha, fitted, norm_sq, lam = kernel.solve_min_norm(K, y, 0.0)
    expected = torch.linalg.pinv(K, hermitian=True) @ y
    assert lam == 0.0
    assert rel_err(fitted, y) <= 1e-8  # override: pinv of a singular kernel costs digits
    assert norm_sq == pytest.approx(float(y @ expected), rel=1e-8)
    if rank == 12:
        assert rel_err(alpha, expected) <= 1e-8


# ---------------------------------------------------------------------- the infinite-width limit on CUDA
@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_infinite_width_limits_on_cuda_equal_the_cpu_ones():
    x, x2 = sample_inputs(3, 5, 4, 0.5, seed=23), sample_inputs(2, 5, 4, 0.5, seed=24)
    fk, gk = infinite.forward_kernel(x, x2), infinite.forward_kernel(x.cuda(), x2.cuda())
    _close(gk.S, fk.S, f64)
    _close(gk.Sdot, fk.Sdot, f64)
    _close(infinite.ntk(x.cuda(), x2.cuda(), d=2), infinite.ntk(x, x2, d=2), f64)
    _close(infinite.backward_correlation(x.cuda(), d=2), infinite.backward_correlation(x, d=2), f64)
