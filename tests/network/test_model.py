"""RNN, Trace and inputs against plain loops and the paper's definitions (theory.md sec. 1)."""

import math

import pytest
import torch
from hypothesis import given
from scipy import stats as sps

from rnntheory.network import RNN, check_inputs, data_vectors, inputs_from_data, sample_inputs
from rnntheory.network.model import base_trace, check_displacements, check_trace, perturbed_traces
from rnntheory.testing import TOL, configs, input_sequences, rel_err


def plain_loop(net, x, W=None):
    """Reference forward pass: one sequence and one position at a time, matrix-vector products."""
    W = net.W if W is None else W
    n, L, _ = x.shape
    pre = torch.zeros(n, L, net.m, dtype=x.dtype)
    hid = torch.zeros(n, L + 1, net.m, dtype=x.dtype)
    out = torch.zeros(n, L, net.d, dtype=x.dtype)
    for s in range(n):
        h = torch.zeros(net.m, dtype=x.dtype)
        for l in range(L):
            g = W @ h + net.A @ x[s, l]
            h = torch.clamp(g, min=0)
            pre[s, l], hid[s, l + 1], out[s, l] = g, h, net.B @ h
    return pre, hid, out


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@given(cfg=configs())
def test_trace_matches_plain_loop(cfg, dtype):
    net, x = cfg.net(dtype), cfg.inputs(dtype)
    tr = net.trace(x)
    pre, hid, out = plain_loop(net, x)
    tol = TOL[dtype]
    torch.testing.assert_close(tr.pre, pre, **tol)
    torch.testing.assert_close(tr.hidden, hid, **tol)
    torch.testing.assert_close(tr.outputs, out, **tol)
    assert torch.equal(tr.pattern, tr.pre > 0)
    assert torch.equal(tr.hidden[:, 0], torch.zeros_like(tr.hidden[:, 0]))
    assert tr.W is net.W and tr.x is x


@given(cfg=configs())
def test_outputs_match_trace_for_any_W(cfg):
    net, x = cfg.net(), cfg.inputs()
    W = (
        net.W
        + 0.3
        * torch.randn(net.m, net.m, generator=torch.Generator().manual_seed(cfg.seed), dtype=net.dtype)
        / net.m**0.5
    )
    actual = net.outputs(x, W)
    expected = plain_loop(net, x, W)[2]
    assert rel_err(actual, expected) <= TOL[torch.float64]["rtol"]
    torch.testing.assert_close(net.trace(x, W).outputs, expected, **TOL[torch.float64])


def test_time_major_views_share_memory():
    net = RNN.init(16, 4, 2, seed=0)
    tr = net.trace(sample_inputs(3, 5, 4, seed=1))
    assert tr.time_major("hidden").is_contiguous() and tr.time_major("pre").shape == (5, 3, 16)
    assert tr.hidden_norms().shape == (3, 5)
    assert "Trace(n=3, L=5, m=16" in repr(tr)


def test_init_is_reproducible_and_dtype_consistent():
    a = RNN.init(32, 4, 2, seed=7)
    b = RNN.init(32, 4, 2, seed=7)
    c = RNN.init(32, 4, 2, seed=7, dtype=torch.float32)
    assert torch.equal(a.W, b.W) and torch.equal(a.A, b.A) and torch.equal(a.B, b.B)
    assert torch.equal(c.W, a.W.float())  # the float32 network is the float64 one rounded
    g = torch.Generator().manual_seed(7)
    d = RNN.init(32, 4, 2, generator=g)
    assert torch.equal(d.W, a.W)
    assert not torch.equal(RNN.init(32, 4, 2, seed=8).W, a.W)


@pytest.mark.parametrize("name, var", [("W", lambda m, d: 2 / m), ("A", lambda m, d: 2 / m), ("B", lambda m, d: 1 / d)])
def test_init_variances(name, var):
    """Entries have mean 0 and the paper's variance. Chi-square test on the sample variance;
    false-failure rate 2e-6 (two-sided, alpha = 1e-6 per side), and a z-test of the mean, 1e-6."""
    m, d = 400, 3
    net = RNN.init(m, 6, d, seed=123)
    t = getattr(net, name).flatten()
    N, s2 = t.numel(), var(m, d)
    stat = float((t**2).sum()) / s2  # chi-square with N degrees of freedom under the null (mean 0)
    assert sps.chi2.ppf(1e-6, N) < stat < sps.chi2.ppf(1 - 1e-6, N)
    z = float(t.mean()) / math.sqrt(s2 / N)
    assert abs(z) < sps.norm.ppf(1 - 0.5e-6)


@given(cfg=configs())
def test_sample_inputs_normalisation(cfg):
    x = cfg.inputs()
    e = torch.zeros(cfg.d_x, dtype=x.dtype)
    e[-1] = 1
    assert torch.equal(x[:, 0], e.expand(cfg.n, -1))
    assert torch.equal(x[:, 1:, -1], torch.zeros_like(x[:, 1:, -1]))
    norms = x[:, 1:].norm(dim=-1)
    torch.testing.assert_close(norms, torch.full_like(norms, cfg.eps_x), **TOL[torch.float64])
    check_inputs(x, eps_x=cfg.eps_x)  # no error


def test_sample_inputs_ball_is_inside_and_uses_the_radius_law():
    x = sample_inputs(2000, 3, 4, 0.5, seed=0, norm="ball")
    r = x[:, 1:].norm(dim=-1).flatten() / 0.5
    assert float(r.max()) <= 1 + 1e-12
    # uniform in the 3-ball: P(r <= t) = t^3. Kolmogorov-Smirnov, false-failure rate 1e-6.
    assert sps.kstest(r.numpy(), lambda t: t**3).pvalue > 1e-6


@given(x=input_sequences(3, 5, 4))
def test_inputs_from_data_round_trip(x):
    eps = float(x[:, 1:].norm(dim=-1).max())
    if eps == 0:
        return
    xs = data_vectors(x, eps)
    actual = inputs_from_data(xs, eps)
    torch.testing.assert_close(actual, x, **TOL[torch.float64])


def test_to_and_with_W():
    net = RNN.init(8, 3, 1, seed=0)
    f = net.to(dtype=torch.float32)
    assert f.dtype == torch.float32 and f.m == 8
    W2 = torch.zeros(8, 8, dtype=torch.float64)
    assert torch.equal(net.with_W(W2).W, W2) and net.with_W(W2).A is net.A


def test_trace_unchecked_equals_trace():
    net = RNN.init(8, 3, 2, seed=0)
    x = sample_inputs(2, 5, 3, seed=1)
    W = net.W + 0.01
    a, b = net.trace(x, W), net.trace_unchecked(x, W)
    for name in ("pre", "hidden", "pattern", "outputs"):
        assert torch.equal(getattr(a, name), getattr(b, name))
    assert b.W is W and b.x is x


def test_check_trace_accepts_own_trace_and_rejects_others():
    net = RNN.init(6, 3, 2, seed=0)
    tr = net.trace(sample_inputs(2, 4, 3, seed=1))
    assert check_trace("f", net, tr) is tr
    with pytest.raises(TypeError, match=r"f: net='net' must be an rnntheory.RNN"):
        check_trace("f", "net", tr)
    with pytest.raises(TypeError, match=r"f: tr=3 must be an rnntheory.network.Trace"):
        check_trace("f", net, 3)
    with pytest.raises(ValueError, match=r"f: tr has m=6, d=2; expected a trace of this network \(m=7, d=2\)"):
        check_trace("f", RNN.init(7, 3, 2, seed=0), tr)
    with pytest.raises(ValueError, match=r"f: tr is torch.float64 on cpu; expected torch.float32"):
        check_trace("f", net.to(dtype=torch.float32), tr)


def test_a_trace_of_another_network_of_the_same_shape_is_refused_everywhere():
    """A trace computed with another A or B (same m, d, dtype) would give wrong numbers without an error (the
    coupling error of another network's trace is of order 1, against 1e-7): every function taking (net, tr)
    refuses it. A trace of the same network at another W is the base point W_0 = tr.W, and is accepted."""
    from rnntheory.network import backward, kernel, pseudo
    from rnntheory.network import perturbation as P

    net = RNN.init(16, 3, 2, seed=0)
    x = sample_inputs(3, 5, 3, seed=1)
    Wp = P.random_direction(net, omega=1e-3, seed=2)
    for other in (RNN.init(16, 3, 2, seed=5), RNN(W=net.W, A=net.A.flip(0), B=net.B), RNN(W=net.W, A=net.A, B=-net.B)):
        tr = other.trace(x)
        for call in (
            lambda: pseudo.forward_coupling(net, None, Wp, tr=tr),
            lambda: pseudo.outputs(net, tr, Wp),
            lambda: backward.grad_W(net, tr, torch.zeros(3, 5, 2, dtype=net.dtype)),
            lambda: backward.back_norms(net, tr),
            lambda: P.hidden_change(net, None, Wp, tr=tr),
            lambda: kernel.ntk(net, tr),
        ):
            with pytest.raises(ValueError, match=r"tr was computed with another A or B than net's"):
                call()
    moved = net.with_W(net.W + Wp).trace(x)
    assert check_trace("f", net, moved) is moved


def test_check_displacements_batches_one_matrix_and_passes_a_batch():
    net = RNN.init(4, 3, 1, seed=0)
    one = torch.ones(4, 4, dtype=torch.float64)
    Wp, single = check_displacements("f", net, one)
    assert single and Wp.shape == (1, 4, 4) and Wp.data_ptr() == one.data_ptr()
    batch = torch.ones(3, 4, 4, dtype=torch.float64)
    Wp, single = check_displacements("f", net, batch)
    assert not single and Wp is batch
    with pytest.raises(ValueError, match=r"f: W_star has shape \(4, 5\); expected \(4, 4\) or \(k, 4, 4\)"):
        check_displacements("f", net, torch.ones(4, 5, dtype=torch.float64), "W_star")
    with pytest.raises(TypeError, match="f: W_prime has dtype torch.float32"):
        check_displacements("f", net, one.float())


def test_base_trace_reuses_a_given_trace_or_computes_one():
    net = RNN.init(6, 3, 1, seed=0)
    x = sample_inputs(2, 4, 3, seed=1)
    tr = net.trace(x)
    assert base_trace("f", net, None, tr) is tr
    assert base_trace("f", net, x.clone(), tr) is tr
    fresh = base_trace("f", net, x)
    assert fresh.x is x and torch.equal(fresh.outputs, tr.outputs)
    with pytest.raises(ValueError, match="f: x=.* differs from the inputs of tr"):
        base_trace("f", net, sample_inputs(2, 4, 3, seed=2), tr)
    with pytest.raises(ValueError, match=r"f: x\[0, 0\]"):
        base_trace("f", net, x * 2)
    assert base_trace("f", net, x * 2, check=False).x.shape == x.shape


def test_perturbed_traces_are_traces_at_the_moved_matrices():
    net = RNN.init(6, 3, 1, seed=0)
    x = sample_inputs(2, 4, 3, seed=1)
    tr = net.trace(x)
    Wp = torch.randn(2, 6, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(3)) * 0.1
    traces = perturbed_traces(net, tr, Wp)
    assert len(traces) == 2
    for q, t in enumerate(traces):
        torch.testing.assert_close(t.outputs, net.trace(x, net.W + Wp[q]).outputs, rtol=0, atol=0)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_trace_matches_cpu():
    net = RNN.init(64, 4, 2, seed=0)
    x = sample_inputs(3, 6, 4, seed=1)
    cpu = net.trace(x)
    gpu = net.to(device="cuda").trace(x.cuda())
    torch.testing.assert_close(gpu.outputs.cpu(), cpu.outputs, **TOL[torch.float64])


def test_dtypes_by_name_and_a_mismatch_named_after_w():
    """The network helpers take a dtype by name as the command line and Claim.run do; a network built from
    tensors of two dtypes names W as the reference the others must match."""
    net = RNN.init(8, 3, 1, seed=0, dtype="float32")
    assert net.dtype == torch.float32 and net.to(dtype="float64").dtype == torch.float64
    assert sample_inputs(2, 3, 3, seed=0, dtype="float32").dtype == torch.float32
    with pytest.raises(TypeError, match=r"dtype='float16' must be torch.float32 or torch.float64 \(or 'float32'"):
        RNN.init(8, 3, 1, seed=0, dtype="float16")
    with pytest.raises(TypeError, match=r"A has dtype torch.float64; expected torch.float32 to match W \(torch"):
        RNN(W=net.W, A=net.A.double(), B=net.B)
