r"""Product stability (paper.md sec. 4): at random initialisation the intermediate products
P_(a,b) = D_b W ... D_a W have spectral norm at most poly(L) (the companion paper proves O(L^3));
no exponential growth in b - a.

Measured (registry entry ``product_stability``): for (L, m) in {(16, 256), (50, 1024)}, 6 seeds,
2 sequences, the spectral norms of P_(1,b) with b - 1 in {0, 1, 2, 4, ..., L-1} by block subspace
iteration (block 4, relative tolerance 1e-4), maximum over sequences. Finding per (L, m): the
exponent of ||P|| in the number of factors b - a + 1 (cluster bootstrap over seeds, 99% interval)
must be at most 3; the power-law and exponential fits are both reported.

Measured on the default grid: exponents 0.47 [0.39, 0.57] and 0.52 [0.39, 0.72] (the sqrt(e k) growth of the top singular value
of a product of k independent Gaussian matrices is the reference shape).

False-failure rate: at most 0.5% if the true exponent were exactly 3; the measured exponent sits
about 2.5 below it with interval half-widths below 0.2, so the rate is far below 1e-6.
The check can fail: W with variance 4/m (products grow like 2^(k/2)) is rejected below.

Property test: ||P_(a,b)||_2 <= 4 (b-a+1)^3 for every pair on random small networks; worst ratio
found over 100 random configurations: 2.6, reached by single factors (k = 1) at m near 16.
"""

import torch
from hypothesis import given, target
from hypothesis import strategies as st

from proofs_checks._harness import device
from rnntheory import claims
from rnntheory.claims import Grid
from rnntheory import RNN, backward, sample_inputs
from rnntheory.strategies import seeds

C_PRODUCT = 4.0


def test_product_stability_rejects_exploding_network():
    # an exploding network (W with variance 4/m) on the cheap points of the default grid (L <= 16)
    c = claims.get("product_stability")
    g = c.grid()
    cheap = Grid(points=tuple(p for p in g.points if p["L"] <= 16), seeds=(0, 1, 2), fixed=g.fixed)
    res = c.run(cheap, device=device(), w_var=4.0)
    assert res.verdict == "inconsistent", str(res)


@given(L=st.integers(3, 8), m=st.integers(16, 128), seed=seeds(), input_seed=seeds())
def test_product_stability_per_instance(L, m, seed, input_seed):
    net = RNN.init(m, 5, 1, seed=seed)
    tr = net.trace(sample_inputs(1, L, 5, 0.1, seed=input_seed))
    pn = backward.product_norms(net, tr, tol=1e-6)
    k = torch.tensor([b - a + 1 for a, b in pn.pairs], dtype=torch.float64)
    ratio = float((pn.norms[0] / k**3).max())
    target(ratio, label="||P_(a,b)|| / (b-a+1)^3")
    assert ratio <= C_PRODUCT
