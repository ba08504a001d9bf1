r"""Random streams of a cell that cannot collide: one generator seed per (cell seed, stream name).

A cell (one network of a claim's grid) draws several independent random objects: the network, its
inputs, a displacement direction, random labels, a training stream, a test set, probe sequences, a
Monte Carlo sample. Each is drawn from its own **stream**, seeded by :func:`stream_seed`::

    stream_seed(seed, stream) = fmix32(seed * 16 + STREAMS.index(stream))

``fmix32`` is MurmurHash3's 32-bit finaliser, a bijection of the 32-bit integers (xor-shifts and
multiplications by odd constants are invertible modulo 2^32). The map is therefore injective on
``0 <= seed < 2**28`` and the 16 stream slots: **no two streams of any two cells share a seed**, for any seed
offset and any number of seeds in that range (tests/test_seeds.py draws every stream of offsets 0..10^6 and
10^5 seeds and finds none alike). Nearby cells get unrelated seeds (the finaliser mixes every input bit
into every output bit).

Why 32 bits: torch's CPU generator (a Mersenne Twister) keeps only the low 32 bits of the seed it is
given (``manual_seed(s)`` and ``manual_seed(s + 2**32)`` draw the same numbers), so seeds of 64 bits,
e.g. from a hash or :class:`numpy.random.SeedSequence`, would collide there with birthday probability (about
9,000 pairs among the 9 million streams above). An injective map into 32 bits cannot.

The former scheme, ``seed + fixed offset`` per stream (10000 for the inputs, 20000 for directions and for
training samples, ...), made streams of different cells and even of one cell coincide; docs/conventions.md
records the change.

>>> stream_seed(0, "network") != stream_seed(0, "inputs") != stream_seed(1, "network")
True
>>> generator(3, "inputs").initial_seed() == stream_seed(3, "inputs")
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = ["STREAMS", "SEED_LIMIT", "stream_seed", "stream_seeds", "generator", "fmix32"]

STREAMS = (
    "network",  # W0, A, B of the cell's RNN
    "inputs",  # the input sequences (also the held-out test set of a learning claim)
    "direction",  # Gaussian displacement directions
    "labels",  # random labels defining the descent direction
    "train",  # SGD's sample stream: fresh samples (online) or the order of minibatches (a fixed set)
    "trainset",  # a fixed training set of N samples
    "test",  # a held-out labelled test set
    "probe",  # probe sequences measured along an SGD run
    "star",  # the direction W* of the inner-product form of backward coupling
    "mc",  # Monte Carlo samples (Rademacher signs)
    "concept",  # the target function's random coefficients (keyed by the concept's own seed)
    "jitter",  # a perturbation of W0 at the unit roundoff (the sensitivity of a cell's numbers to rounding)
)
"""The stream names, in the order of their slots (a new stream is appended, so old slots keep their seeds)."""

_SLOTS = 16
SEED_LIMIT = 2**32 // _SLOTS
"""Cell seeds lie in ``0 <= seed < SEED_LIMIT`` (2^28): the range on which :func:`stream_seed` is injective."""

_MASK = 0xFFFFFFFF


def fmix32(h: Any) -> Any:
    r"""MurmurHash3's 32-bit finaliser: a bijection of ``0 <= h < 2**32`` (an int, or a numpy array of
    uint64 holding 32-bit values)."""
    if isinstance(h, np.ndarray):
        h = h.astype(np.uint64) & np.uint64(_MASK)
        h ^= h >> np.uint64(16)
        h = (h * np.uint64(0x85EBCA6B)) & np.uint64(_MASK)
        h ^= h >> np.uint64(13)
        h = (h * np.uint64(0xC2B2AE35)) & np.uint64(_MASK)
        return h ^ (h >> np.uint64(16))
    h &= _MASK
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK
    return h ^ (h >> 16)


def _slot(stream: str) -> int:
    try:
        return STREAMS.index(stream)
    except ValueError:
        raise ValueError(f"stream_seed: unknown stream {stream!r}; the streams are {', '.join(STREAMS)}") from None


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"stream_seed: seed={seed!r} must be an integer")
    if not 0 <= int(seed) < SEED_LIMIT:
        raise ValueError(
            f"stream_seed: seed={int(seed)} (seed plus seed offset) must lie in [0, {SEED_LIMIT}), where the "
            "streams of distinct cells provably differ"
        )
    return int(seed)


def stream_seed(seed: int, stream: str) -> int:
    r"""The generator seed (32 bits) of stream ``stream`` of the cell with seed ``seed`` (the seed offset
    included): ``fmix32(seed * 16 + slot)``. Distinct (seed, stream) pairs give distinct results."""
    return fmix32(_check_seed(seed) * _SLOTS + _slot(stream))


def stream_seeds(seeds: Any, stream: str) -> np.ndarray:
    r""":func:`stream_seed` of many cell seeds at once (a numpy array of uint64), for tests and audits."""
    s = np.asarray(seeds, dtype=np.int64)
    if s.size and (s.min() < 0 or s.max() >= SEED_LIMIT):
        raise ValueError(f"stream_seeds: seeds must lie in [0, {SEED_LIMIT})")
    return fmix32(s.astype(np.uint64) * np.uint64(_SLOTS) + np.uint64(_slot(stream)))


def generator(seed: int, stream: str) -> torch.Generator:
    r"""A CPU ``torch.Generator`` seeded with :func:`stream_seed` (draw on the CPU, then move: one seed gives
    the same numbers on every device)."""
    return torch.Generator().manual_seed(stream_seed(seed, stream))
