"""Random streams of a cell (rnntheory.seeds): injective by construction, checked exhaustively over the range
the done-criterion names, and against torch's own use of a seed."""

import numpy as np
import pytest
import torch

from rnntheory import seeds as S


def _fmix32_inverse(h: np.ndarray) -> np.ndarray:
    r"""The inverse of MurmurHash3's finaliser, written independently: undo each xor-shift and multiply by
    the inverse of each odd constant modulo 2^32."""
    mask = np.uint64(0xFFFFFFFF)

    def unshift(v, k):  # x ^ (x >> k) inverted by repeated xor-shift
        out = v.copy()
        for _ in range(32 // k + 1):
            out = v ^ (out >> np.uint64(k))
        return out & mask

    inv1, inv2 = pow(0x85EBCA6B, -1, 2**32), pow(0xC2B2AE35, -1, 2**32)
    h = unshift(h.astype(np.uint64), 16)
    h = (h * np.uint64(inv2)) & mask
    h = unshift(h, 13)
    h = (h * np.uint64(inv1)) & mask
    return unshift(h, 16)


def test_the_finaliser_is_a_bijection_on_a_large_sample():
    x = np.random.default_rng(0).integers(0, 2**32, size=1_000_000, dtype=np.uint64)
    assert np.array_equal(_fmix32_inverse(S.fmix32(x)), x)
    edges = np.array([0, 1, 2**32 - 1, 2**31, 12345], dtype=np.uint64)
    assert np.array_equal(_fmix32_inverse(S.fmix32(edges)), edges)


def test_no_two_streams_of_any_cells_share_a_seed():
    """Seed offsets 0..10^6 with up to 10^5 seeds: cell seeds 0..1.1e6, every stream of each, all distinct."""
    cells = np.arange(0, 10**6 + 10**5 + 1)
    drawn = np.concatenate([S.stream_seeds(cells, name) for name in S.STREAMS])
    assert drawn.size == cells.size * len(S.STREAMS)
    drawn.sort()  # a sort and a neighbour test: np.unique's hash path takes 20 s on these 12 million
    assert (drawn[1:] != drawn[:-1]).all()
    assert drawn.max() < 2**32  # torch's CPU generator keeps 32 bits of its seed


def test_the_scalar_and_the_vector_forms_agree():
    for name in S.STREAMS:
        for seed in (0, 1, 9999, 10_000, 2**28 - 1):
            assert S.stream_seed(seed, name) == int(S.stream_seeds([seed], name)[0])


def test_torch_keeps_only_32_bits_of_a_cpu_seed():
    """The reason stream seeds are 32-bit: two seeds equal modulo 2^32 draw the same numbers."""
    a = torch.randn(4, generator=torch.Generator().manual_seed(5))
    b = torch.randn(4, generator=torch.Generator().manual_seed(5 + 2**32))
    assert torch.equal(a, b)


def test_the_generator_draws_its_stream():
    a = torch.randn(3, generator=S.generator(7, "labels"))
    b = torch.randn(3, generator=torch.Generator().manual_seed(S.stream_seed(7, "labels")))
    assert torch.equal(a, b)


def test_a_cell_draws_independent_objects_from_its_streams():
    """The network and the inputs of a cell come from different streams; cells with other seeds or seed
    offsets never reuse one (the former seed + offset scheme made seed 10000's network the inputs of seed 0)."""
    from rnntheory.claims.cells import make_inputs, make_net

    cell = {"m": 32, "d_x": 4, "d": 1, "L": 3, "n": 2, "eps_x": 0.1, "device": "cpu", "dtype": "float64"}
    nets = {s: make_net({**cell, "seed": s}).W for s in (0, 1, 10_000)}
    assert not torch.equal(nets[0], nets[1]) and not torch.equal(nets[0], nets[10_000])
    a, b = make_inputs({**cell, "seed": 0}), make_inputs({**cell, "seed": 10_000})
    assert not torch.equal(a, b)


@pytest.mark.parametrize("bad", [-1, S.SEED_LIMIT, 2**40])
def test_a_seed_outside_the_injective_range_is_an_error(bad):
    with pytest.raises(ValueError, match="must lie in"):
        S.stream_seed(bad, "network")


def test_an_unknown_stream_is_named():
    with pytest.raises(ValueError, match="unknown stream 'weights'"):
        S.stream_seed(0, "weights")
    with pytest.raises(TypeError):
        S.stream_seed(1.5, "network")
