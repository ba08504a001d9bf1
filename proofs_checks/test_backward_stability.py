r"""Backward stability (theory.md sec. 4): at random initialisation, for every unit u in R^d,
||u^T Back_(i->j)|| <= poly(L) * sqrt(m/d); no exponential growth in j - i.

Grid (registry entry ``backward_stability``, default): (L, m) in {(8, 64), (8, 256), (8, 1024),
(16, 256), (50, 1024)}, d = 2, 10 seeds, 2 sequences; one backward sweep gives ||e_s^T Back_(i->j)||
for every pair and output coordinate; the value is sqrt(d/m) * the maximum over coordinates,
sequences and pairs with the same k = j - i + 1. Fits in k use one line per seed and the t interval
of the mean slope on G - 1 = 9 df (99%); the m sweep (one network per cell) the regression interval
over cells.

Findings, measured on the default grid:

1. per (L, m), the normalised norm grows at most like k^3 (the degree of the product bound it
   inherits, Back = B P): exponents 0.00321 [-0.121, 0.127], 0.0267 [-0.0423, 0.0958], 0.0347
   [-0.0147, 0.0842], 0.0947 [0.0167, 0.173], 0.0463 [-0.147, 0.239] (in the order above), all
   consistent: the normalised norms stay near 1, as the norm-preserving N(0, 2/m) initialisation
   predicts (smallest constants 1.04 to 1.26).
2. per (L, m), no exponential growth in k (rate c of the nested fit, resolution log(2) / (k_max -
   k_min)): -0.168 [-0.258, -0.0773] and -0.065 [-0.122, -0.00792] (consistent), -0.0224 [-0.0503,
   0.00547] (consistent at resolution 0.099), -0.0215 [-0.0457, 0.00262] (consistent at resolution
   0.0462), -0.00507 [-0.0186, 0.00845] (consistent at resolution 0.0141).
3. at L = 8, the geometric mean over the lags does not grow with m (64 to 1024; regression over
   30 cells, resolution 0.25): -0.0592 [-0.109, -0.00899], consistent.

Claim verdict: consistent (11 of 11 findings, 3 at resolution).

False-failure rates: at most 0.5% "inconsistent" per finding when its truth sits at the edge of its
indifference zone (claimed value plus resolution), and at most as often "consistent (at resolution
r)" just beyond it; the exponents sit about 2.9 below 3, where the rate is far below 1e-6, while the
nested rates and the m finding sit one resolution inside. The claim as a whole: at most
11 x 0.5% = 5.5% each way (union bound). Deterministic seeds.

How the check can fail (negative controls): a too-strong claim (the normalised norm decays like
k^-1/2) is rejected by all five exponent findings; dropping the sqrt(d/m) normalisation (norm times
sqrt(m)) by finding 3; injected exponential growth (norm times exp(c k), 8 times over the range of
k) by the nested fits at every (L, m) but (8, 64). An exploding network (W with variance 4/m) on the
cheap points (L <= 16, 3 seeds) is rejected below.

The verdict (against ``EXPECTED``), the three controls and the large grid are tested in
proofs_checks/test_claims.py.

Property test: sqrt(d/m) ||u^T Back_(i->j)|| <= 3 (j-i+1)^3 for random unit u on random small
networks; worst ratio found over 150 random configurations: 1.27, at j = i (the fluctuation of
sqrt(d/m) ||u^T B|| at small m).
"""

import torch
from hypothesis import given, target
from hypothesis import strategies as st

from proofs_checks._harness import device
from rnntheory import claims
from rnntheory.checking import Grid
from rnntheory.network import RNN, backward, sample_inputs
from rnntheory.testing import seeds, unit_vectors

C_BACK = 3.0


def test_backward_stability_rejects_exploding_network():
    # an exploding network (W with variance 4/m) on the cheap points of the default grid (L <= 16)
    c = claims.get("backward_stability")
    g = c.grid()
    cheap = Grid(points=tuple(p for p in g.points if p["L"] <= 16), seeds=(0, 1, 2), fixed=g.fixed)
    res = c.run(cheap, device=device(), w_var=4.0)
    assert res.verdict == "inconsistent", str(res)


@given(
    L=st.integers(3, 10), m=st.integers(16, 256), d=st.integers(1, 3), data=st.data(), seed=seeds(), input_seed=seeds()
)
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
