r"""Forward stability (theory.md sec. 4): at random initialisation ||h_l|| stays within constant
bounds, growing at most polynomially in L, w.h.p. when m >= poly(L).

Grid (registry entry ``forward_stability``, default): widths m in {64, 256, 1024, 4096}, 30 seeds;
per cell one network and 4 input sequences of length 64 (eps_x = 0.1), whose prefixes give
L in {8, 16, 32, 64}. Growth in L is read along the diagonal m = L^2 (120 cells, one per (L, seed));
concentration in m at L = 16 (120 cells, judged on the 90 of the three largest widths). Every cell
is its own network, so every fit uses the regression t interval over independent cells (99%, n - 2
df; n - 3 for the nested fit).

Findings, measured on the default grid:

1. max_l ||h_l|| grows at most like L^1 along m = L^2 (the degree at which "poly(L)" is checked;
   docs/conventions.md): exponent 0.0476 [-0.127, 0.222], consistent.
2. no exponential growth in L along m = L^2: nested fit log q = a + b log L + c L, rate
   c = 0.00854 [-0.0137, 0.0308]; it contains 0.0124 = log(2) / 56, the edge of the indifference
   zone (an exponential that adds a factor 2 over L = 8..64): inconclusive (about 33x the networks
   would decide it).
3. at L = 16, ||h_l||^2 approaches its exact infinite-width value S_ll = sum_(t<=l) ||x_t||^2
   (theory.md sec. 8): the RMS of log(||h_l||^2 / S_ll) over l <= L shrinks like m^-1/2 (resolution
   0.25; the local slope over m = 256..4096, the three widths nearest the limit): -0.392
   [-0.584, -0.2], inconclusive (it contains -0.25, the edge of the indifference zone; about 1.8x
   the networks would decide it).
4. the event 1/4 <= ||h_l|| <= 4 for all l <= L holds on the diagonal cells with probability
   >= 0.9 (a tolerated failure fraction 0.1, resolution 0.1, judged on the exact 99% binomial
   interval): 110/120, P(held) in [0.83, 0.968], consistent (at resolution 0.1).

Claim verdict: inconclusive (findings 2 and 3 undecided; the report's "to decide" column says how
many networks would decide them, and `rnntheory report --budget` settles them with rounds of added
seeds).

False-failure rates: each finding reads "inconsistent" with probability at most 0.5% when its truth
sits at the edge of its indifference zone (claimed value plus resolution), and "consistent (at
resolution r)" at most as often when it sits just beyond that edge. Finding 1 sits far inside
(about 0 against 1), finding 3 on its claimed -1/2 by construction, finding 2 on its claimed 0 for
any power law. The claim as a whole: at most 4 x 0.5% = 2% each way (union bound). The grid's
seeds are fixed, so the run is deterministic.

How the check can fail (negative controls, re-analyses of the same measurements): a too-strong claim
(||h_l|| decays like L^-1/2) is rejected by finding 1; a wrong normalisation in m (the norms and the
deviation times sqrt(m)) by finding 3 (and one more); injected exponential growth (max_l ||h_l||
times exp(c L), 8 times over L = 8..64) by finding 2 (and one more). Broken networks, W with
variance 4/m (hidden states grow like 2^(l/2)) and 1/m (they collapse onto the input drive,
||h_l|| ~ 0.13), are rejected below.

The verdict (against ``EXPECTED``), the three controls and the large grid are tested in
proofs_checks/test_claims.py.

Property test: max_l ||h_l|| <= 2 L and min_l ||h_l|| >= 1/4 for m >= 4 L^2, L <= 16. Worst case
found over 150 random configurations: max_l ||h_l|| / L = 0.40 and min_l ||h_l|| = 0.47.
"""

import pytest
from hypothesis import given, target
from hypothesis import strategies as st

from proofs_checks._harness import device
from rnntheory.network import RNN, sample_inputs
from rnntheory import claims
from rnntheory.checking import Grid
from rnntheory.testing import seeds

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
