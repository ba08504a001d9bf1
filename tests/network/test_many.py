"""Traces of many networks in one product (rnntheory.network.many) against the single-network path: one
``RNN.trace`` per network, in float64 to 1e-12 relative and float32 to the float32 tolerance."""

from __future__ import annotations

import pytest
import torch

from rnntheory.network import RNN
from rnntheory.network.inputs import sample_inputs
from rnntheory.network.many import check_nets, many_traces, stack
from rnntheory.testing import TOL


def _nets(K=5, m=48, d=2, dtype=torch.float64):
    return [RNN.init(m, 6, d, seed=s, dtype=dtype) for s in range(K)]


FIELDS = ("pre", "hidden", "outputs")


def _assert_trace(got, want, dtype):
    for f in FIELDS:
        torch.testing.assert_close(getattr(got, f), getattr(want, f), **TOL[dtype])
    # a sign may flip only where the pre-activation is zero to rounding
    differ = got.pattern != want.pattern
    assert bool((want.pre[differ].abs() <= 1e-5).all())
    assert torch.equal(got.x, want.x) and torch.equal(got.W, want.W)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_many_traces_equal_one_trace_per_network_on_shared_inputs(dtype):
    nets = _nets(dtype=dtype)
    x = sample_inputs(3, 7, 6, seed=1, dtype=dtype)
    for got, net in zip(many_traces(nets, x), nets):
        _assert_trace(got, net.trace(x), dtype)


def test_many_traces_equal_one_trace_per_network_on_its_own_inputs_and_matrix():
    nets = _nets(K=4)
    xs = [sample_inputs(2, 6, 6, seed=10 + q) for q in range(4)]
    g = torch.Generator().manual_seed(3)
    W = torch.stack([n.W for n in nets]) + 0.01 * torch.randn(4, 48, 48, generator=g, dtype=torch.float64)
    for q, (got, net) in enumerate(zip(many_traces(nets, xs, W), nets)):
        _assert_trace(got, net.trace(xs[q], W[q]), torch.float64)
    stacked = many_traces(nets, torch.stack(xs))
    for q, net in enumerate(nets):
        _assert_trace(stacked[q], net.trace(xs[q]), torch.float64)


def test_many_traces_checks_its_arguments():
    nets = _nets(K=2)
    x = sample_inputs(2, 5, 6, seed=1)
    with pytest.raises(ValueError, match="same m"):
        many_traces([nets[0], RNN.init(32, 6, 2, seed=0)], x)
    with pytest.raises(TypeError, match="non-empty"):
        many_traces([], x)
    with pytest.raises(ValueError, match="one per network"):
        many_traces(nets, [x, x, x])
    with pytest.raises(ValueError):
        many_traces(nets, x, torch.zeros(3, 48, 48, dtype=torch.float64))
    with pytest.raises(ValueError):
        many_traces(nets, x * 10)  # off the input normalisation
    W, A, B = stack(nets)
    assert W.shape == (2, 48, 48) and A.shape == (2, 48, 6) and B.shape == (2, 2, 48)
    assert check_nets("f", nets[0]) == [nets[0]]
