r"""Forward stability (theory.md sec. 4): at random initialisation ||h_l|| stays within constant
bounds, growing at most polynomially in L, w.h.p. when m >= poly(L).

Grid (registry entry ``forward_stability``, default): widths m in {64, 256, 1024, 4096}, 10 seeds;
per cell one network and 4 input sequences of length 64 (eps_x = 0.1), whose prefixes give
L in {8, 16, 32, 64}. Growth in L is read along the diagonal m = L^2 (40 cells, one per (L, seed));
concentration in m at L = 16 (40 cells). Every cell is its own network, so every fit uses the
regression t interval over independent cells (99%, n - 2 df; n - 3 for the nested fit).

Findings, measured on the default grid:

1. max_l ||h_l|| grows at most like L^1 along m = L^2 (the degree at which "poly(L)" is checked;
   docs/conventions.md): exponent -0.026 [-0.276, 0.224], consistent.
2. no exponential growth in L along m = L^2: nested fit log q = a + b log L + c L, rate
   c = -0.019 [-0.050, 0.013]; it straddles 0 and is wider than the resolution log(2) / 56 = 0.012
   (an exponential that adds at most a factor 2 over L = 8..64): inconclusive.
3. at L = 16, ||h_l||^2 approaches its exact infinite-width value S_ll = sum_(t<=l) ||x_t||^2
   (theory.md sec. 8): the RMS of log(||h_l||^2 / S_ll) over l <= L shrinks like m^-1/2 (resolution
   0.25): -0.517 [-0.753, -0.282], inconclusive (straddles -1/2, wider than 0.25: one network per
   cell and a per-network spread of about 0.5 on log scale).
4. the event 1/4 <= ||h_l|| <= 4 for all l <= L holds on the diagonal cells with probability
   >= 0.9 (exact binomial test, alpha = 1e-6): 37/40 (95% interval [0.80, 0.98]), consistent.

Claim verdict: inconclusive (findings 2 and 3 undecided; the large grid, 24 seeds and L to 128, is
where they can be decided).

False-failure rates: findings 1-3 at most 0.5% each when the truth sits exactly on the claimed value
(one side of a 99% interval); finding 2 sits there for any power law (c = 0), findings 1 and 3 far
inside (about 0 against 1); finding 3 sits on its claimed -1/2 by construction. Finding 4 at most
1e-6 when the event's probability is >= 0.9. The claim as a whole: at most 3 x 0.5% + 1e-6, about
1.5% (union bound). The grid's seeds are fixed, so the run is deterministic.

How the check can fail (negative controls, re-analyses of the same measurements): a too-strong claim
(||h_l|| decays like L^-1/2) is rejected by finding 1; a wrong normalisation in m (the norms and the
deviation times sqrt(m)) and injected exponential growth (max_l ||h_l|| times exp(c L), 10 times
over L = 8..64) are both rejected by the event of finding 4. Broken networks, W with variance 4/m
(hidden states grow like 2^(l/2)) and 1/m (they collapse onto the input drive, ||h_l|| ~ 0.13), are
rejected below.

The verdict (against ``EXPECTED``), the three controls and the large grid are tested in
proofs_checks/test_claims.py.

Property test: max_l ||h_l|| <= 2 L and min_l ||h_l|| >= 1/4 for m >= 4 L^2, L <= 16. Worst case
found over 150 random configurations: max_l ||h_l|| / L = 0.40 and min_l ||h_l|| = 0.47.
"""

import pytest
from hypothesis import given, target
from hypothesis import strategies as st

from proofs_checks._harness import device
from rnntheory import RNN, claims, sample_inputs
from rnntheory.claims import Grid
from rnntheory.strategies import seeds

C_UPPER = 2.0  # max_l ||h_l|| <= C_UPPER * L
C_LOWER = 0.25  # min_l ||h_l|| >= C_LOWER


@pytest.mark.parametrize("w_var", [4.0, 1.0], ids=["exploding-4/m", "vanishing-1/m"])
def test_forward_stability_rejects_broken_network(w_var):
    # widths up to 1024 (the diagonal m = L^2 to L = 32) are enough to see a broken network
    c = claims.get("forward_stability")
    g = c.grid()
    cheap = Grid(points=tuple(p for p in g.points if p["m"] <= 1024), seeds=(0, 1, 2), fixed=g.fixed)
    res = c.run(cheap, device=device(), w_var=w_var)
    assert res.verdict == "inconsistent", str(res)


@given(L=st.integers(3, 16), extra=st.integers(0, 512), seed=seeds(), input_seed=seeds())
def test_forward_stability_per_instance(L, extra, seed, input_seed):
    m = 4 * L * L + extra
    net = RNN.init(m, 6, 1, seed=seed)
    hn = net.trace(sample_inputs(3, L, 6, 0.1, seed=input_seed)).hidden_norms()
    ratio = float(hn.max()) / L
    target(ratio, label="max ||h_l|| / L")
    target(-float(hn.min()), label="-min ||h_l||")
    assert ratio <= C_UPPER
    assert float(hn.min()) >= C_LOWER
