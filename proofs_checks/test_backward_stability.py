r"""Backward stability (paper.md sec. 4): at random initialisation, for every unit u in R^d,
||u^T Back_(i->j)|| <= poly(L) * sqrt(m/d); no exponential growth in j - i.

Measured (registry entry ``backward_stability``): for (L, m) in {(16, 256), (50, 1024)}, d = 2,
6 seeds, 2 sequences, one backward sweep gives ||e_s^T Back_(i->j)|| for every pair and output
coordinate; the value sqrt(d/m) * max over coordinates, sequences and pairs with the same
j - i + 1. Finding per (L, m): its exponent in j - i + 1 (cluster bootstrap over seeds, 99%
interval) must be at most 3 (the degree of the product bound it inherits, Back = B P); power-law
and exponential fits are both reported.

Measured on the default grid: exponents 0.03 [-0.05, 0.12] and 0.08 [-0.07, 0.25], smallest constant about 1.1: the
normalised norms stay near 1, as the norm-preserving N(0, 2/m) initialisation predicts.

False-failure rate: at most 0.5% if the true exponent were exactly 3; it sits about 2.9 below
with interval half-widths below 0.2, so the rate is far below 1e-6.
The check can fail: W with variance 4/m is rejected below.

Property test: sqrt(d/m) ||u^T Back_(i->j)|| <= 3 (j-i+1)^3 for random unit u on random small
networks; worst ratio found over 150 random configurations: 1.27, at j = i (the fluctuation of
sqrt(d/m) ||u^T B|| at small m).
"""

import torch
from hypothesis import given, target
from hypothesis import strategies as st

from proofs_checks._harness import device
from rnntheory import claims
from rnntheory.claims import Grid
from rnntheory import RNN, backward, sample_inputs
from rnntheory.strategies import seeds, unit_vectors

C_BACK = 3.0


def test_backward_stability_rejects_exploding_network():
    # an exploding network (W with variance 4/m) on the cheap points of the default grid (L <= 16)
    c = claims.get("backward_stability")
    g = c.grid()
    cheap = Grid(points=tuple(p for p in g.points if p["L"] <= 16), seeds=(0, 1, 2), fixed=g.fixed)
    res = c.run(cheap, device=device(), w_var=4.0)
    assert res.verdict == "inconsistent", str(res)


@given(L=st.integers(3, 10), m=st.integers(16, 256), d=st.integers(1, 3), data=st.data(), seed=seeds(), input_seed=seeds())
def test_backward_stability_per_instance(L, m, d, data, seed, input_seed):
    u = data.draw(unit_vectors(d))
    net = RNN.init(m, 5, d, seed=seed)
    tr = net.trace(sample_inputs(2, L, 5, 0.1, seed=input_seed))
    bn = backward.back_norms(net, tr, u) * (d / m) ** 0.5
    j, i = torch.tril_indices(L, L)
    k = (j - i + 1).to(torch.float64)
    ratio = float((bn[:, j, i] / k**3).max())
    target(ratio, label="sqrt(d/m) ||u^T Back|| / (j-i+1)^3")
    assert ratio <= C_BACK
