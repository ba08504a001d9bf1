"""Batched traces (rnntheory.network.batched) against the per-network path: one ``RNN.trace`` at ``W0 + W'_q``
per displacement (rnntheory.network.model.perturbed_traces), in float64, to 1e-12 relative."""

from __future__ import annotations

import pytest
import torch

from rnntheory.network import RNN
from rnntheory.network import perturbation as P
from rnntheory.network import pseudo as PS
from rnntheory.network.batched import Displacements, traces
from rnntheory.network.inputs import sample_inputs
from rnntheory.network.model import perturbed_traces

REL = 1e-12


def _net(m=96, d=2, seed=0, dtype=torch.float64):
    net = RNN.init(m, 6, d, seed=seed, dtype=dtype)
    tr = net.trace(sample_inputs(3, 7, 6, 0.1, seed=seed + 1, dtype=dtype))
    return net, tr


def _rel(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(torch.linalg.vector_norm(a - b) / torch.linalg.vector_norm(b).clamp_min(1e-300))


def _batch(net, seed=3):
    g = torch.Generator().manual_seed(seed)
    m = net.m
    U = torch.randn(2, m, m, generator=g, dtype=torch.float64) / m
    v = torch.randn(3, m, generator=g, dtype=torch.float64)
    u = torch.randn(3, m, generator=g, dtype=torch.float64) / m
    Wd = torch.randn(2, m, m, generator=g, dtype=torch.float64) * 0.05 / m**0.5
    return Displacements.cat(
        [Displacements.scaled(U, [1e-3, 1e-1, 1.0]), Displacements.rank_one(v, u), Displacements.dense(Wd)]
    )


def test_every_form_equals_one_trace_per_network():
    net, tr = _net()
    disp = _batch(net)
    assert disp.k == 6 + 3 + 2
    got = traces(net, tr, disp)
    ref = perturbed_traces(net, tr, disp.materialise())
    assert len(got) == disp.k
    for q in range(disp.k):
        t, r = got[q], ref[q]
        for name in ("pre", "hidden", "outputs"):
            assert _rel(getattr(t, name), getattr(r, name)) < REL, (q, name)
        # signs agree wherever the pre-activation is not within rounding of zero
        clear = r.pre.abs() > 1e-10
        assert bool((t.pattern == r.pattern)[clear].all())
        assert torch.equal(t.W, r.W) or _rel(t.W, r.W) < REL
    ch = got.hidden_change(tr)
    ref_ch = torch.stack([torch.linalg.vector_norm(r.hidden[:, 1:] - tr.hidden[:, 1:], dim=-1) for r in ref])
    assert _rel(ch, ref_ch) < 1e-9  # a difference of nearly equal traces on the reference side


def test_scaled_index_and_direction_major_order():
    net, _ = _net(m=32)
    U = torch.randn(2, 32, 32, dtype=torch.float64)
    a = Displacements.scaled(U, [1.0, 2.0]).materialise()
    assert torch.equal(a[1], 2.0 * U[0]) and torch.equal(a[2], U[1])
    b = Displacements.scaled(U, [3.0, 4.0], index=[1, 0]).materialise()
    assert torch.equal(b[0], 3.0 * U[1]) and torch.equal(b[1], 4.0 * U[0])
    with pytest.raises(ValueError, match="index"):
        Displacements.scaled(U, [1.0], index=[2])


def test_paired_sequences_equal_single_sequence_traces():
    net, tr = _net()
    fac = [P.adversarial_factors(net, tr, l=2, omega=0.05, sequence=s) for s in range(tr.n)]
    disp = Displacements.rank_one(torch.stack([v for v, _ in fac]), torch.stack([u for _, u in fac]))
    got = traces(net, tr, disp, sequences=range(tr.n))
    flips = got.sign_changes(tr)
    for s in range(tr.n):
        W = tr.W + P.adversarial_direction(net, tr, l=2, omega=0.05, sequence=s)
        r = net.trace(tr.x[s : s + 1], W, check=False)
        assert _rel(got[s].hidden, r.hidden) < REL
        assert torch.equal(flips[s], (r.pattern != tr.pattern[s : s + 1]).sum(-1))


def test_zero_displacement_is_exactly_the_base_trace():
    net, tr = _net()
    got = traces(net, tr, Displacements.scaled(torch.zeros(net.m, net.m, dtype=torch.float64), [0.0, 1.0]))
    assert torch.equal(got.hidden[0], tr.hidden) and torch.equal(got.hidden[1], tr.hidden)
    assert int(got.sign_changes(tr).max()) == 0 and float(got.hidden_change(tr).max()) == 0.0


def test_public_functions_take_a_batch_and_agree_with_dense():
    net, tr = _net()
    disp = _batch(net)
    dense = disp.materialise()
    assert torch.equal(P.sign_changes(net, None, disp, tr=tr), P.sign_changes(net, None, dense, tr=tr))
    assert _rel(P.hidden_change(net, None, disp, tr=tr), P.hidden_change(net, None, dense, tr=tr)) < 1e-12
    assert _rel(PS.outputs(net, tr, disp), PS.outputs(net, tr, dense)) < REL
    err_b, err_d = PS.forward_coupling(net, None, disp, tr=tr), PS.forward_coupling(net, None, dense, tr=tr)
    scale = float(PS.outputs(net, tr, dense).abs().max())
    assert float((err_b - err_d).abs().max()) < 1e-12 * scale


def test_float32_batches_run():
    net, tr = _net(dtype=torch.float32)
    U = torch.randn(net.m, net.m, dtype=torch.float32) / net.m
    got = traces(net, tr, Displacements.scaled(U, [0.5]))
    ref = net.trace(tr.x, tr.W + 0.5 * U, check=False)
    assert _rel(got[0].hidden, ref.hidden) < 1e-5


def test_bad_batches_are_named_errors():
    net, tr = _net()
    with pytest.raises(ValueError, match="expected 96 x 96"):
        traces(net, tr, torch.zeros(2, 8, 8, dtype=torch.float64))
    with pytest.raises(TypeError, match="dtype"):
        traces(net, tr, torch.zeros(96, 96, dtype=torch.float32))
    with pytest.raises(ValueError, match="NaN"):
        traces(net, tr, torch.full((96, 96), float("nan"), dtype=torch.float64))
    with pytest.raises(ValueError, match="sequences"):
        traces(net, tr, torch.zeros(2, 96, 96, dtype=torch.float64), sequences=[0])
    with pytest.raises(ValueError, match="equal"):
        Displacements.rank_one(torch.zeros(2, 4), torch.zeros(3, 4))
    with pytest.raises(IndexError):
        _batch(net).matrix(99)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_batched_traces_on_cuda_equal_the_cpu_ones():
    net, tr = _net()
    disp = _batch(net)
    cpu = traces(net, tr, disp)
    gnet = net.to(device="cuda")
    gtr = gnet.trace(tr.x.to("cuda"))
    gdisp = Displacements(tuple((p[0], *(t.to("cuda") for t in p[1:])) for p in disp.parts))
    gpu = traces(gnet, gtr, gdisp)
    assert _rel(gpu.hidden.cpu(), cpu.hidden) < 1e-10


def test_borderline_flips_are_the_flips_within_the_margin_counted_one_by_one():
    """Against a loop over displacements, sequences, positions and coordinates of single-network traces."""
    from rnntheory.network.batched import BORDERLINE_FACTOR

    torch.manual_seed(0)
    net = RNN.init(48, 4, 1, seed=3, dtype=torch.float32)
    x = sample_inputs(3, 5, 4, 0.1, seed=4, dtype=torch.float32)
    tr = net.trace(x)
    Wp = torch.randn(4, 48, 48, dtype=torch.float32) * torch.tensor([1e-7, 1e-6, 1e-4, 1e-2]).view(4, 1, 1)
    moved = traces(net, tr, Wp)
    got = moved.borderline_flips(tr, factor=1e5)  # a wide margin, so that some flips are borderline
    u = torch.finfo(torch.float32).eps / 2
    want = torch.zeros_like(got)
    for q in range(4):
        t = net.trace(x, tr.W + Wp[q])
        for s in range(3):
            for l in range(5):
                margin = 1e5 * u * float(tr.hidden[s, l].abs().sum())
                for k in range(48):
                    flip = bool(t.pattern[s, l, k]) != bool(tr.pattern[s, l, k])
                    near = min(abs(float(moved.pre[q, s, l, k])), abs(float(tr.pre[s, l, k]))) <= margin
                    want[q, s, l] += int(flip and near)
    assert torch.equal(got, want)
    assert bool((got <= moved.sign_changes(tr)).all()) and int(got.sum()) > 0
    assert BORDERLINE_FACTOR == 8.0
