r"""Decoupling (the paper, section 4): backward vectors and feature blocks of (input token, output
token) pairs nearly decouple. For fixed i the vectors Back_(i->j)^T u for different j are nearly orthogonal,
and so are the feature blocks D_i Back_(i->j)^T u h_(i-1)^T of pairs (i, j) whose lags j - i differ:
normalised correlations shrink like m^(-1/2). Pairs with equal lags keep a nonzero correlation in
the infinite-width limit (a product of (pi - theta)/pi factors), so theirs does not vanish.

Grid (registry entry ``decoupling``, default): m in {128, 256, 512, 1024, 2048}, L = 8,
2 sequences, eps_x = 0.1, d = 1, u = 1, 6 seeds (blocks with i = 1 vanish since h_0 = 0 and are left
out). The root mean square of the off-diagonal correlations, by kind: (1) Back_(i->j)^T u for
j != j' at fixed i; feature blocks of pairs (2) sharing i, (3) sharing j, (4) with different i, j
and different lags, (5) with different i, j and equal lags. One row per cell (one network), so the
exponents in m use the regression interval over 30 cells (99%).

Findings, measured on the default grid:

1.-4. different lags, exponent at most -1/2 (resolution 0.25): (1) -0.474 [-0.551, -0.397],
   (2) -0.456 [-0.534, -0.377], (3) -0.496 [-0.576, -0.415], (4) -0.473 [-0.538, -0.408]: each
   straddles -1/2 and is narrower than 0.25: consistent (at resolution 0.25).
5. equal lags do not vanish: exponent at least -1/4 (a lower bound): +0.028 [-0.035, 0.091],
   consistent. Their RMS correlation stays about 0.3 at every width: the left factors are images of
   the same vector B^T u through statistically alike products, and the right factors h_(i-1),
   h_(i'-1) correlate at 0.3-0.7 at every width (every hidden state carries the drive of
   x_1 = e_(d_x)).

Claim verdict: consistent.

False-failure rates: at most 0.5% per finding when the truth sits exactly on the claimed value;
findings 1-4 sit there by construction (-1/2), finding 5 far inside (about 0 against -1/4). The
claim as a whole: at most 5 x 0.5% = 2.5% (union bound). Deterministic seeds.

How the check can fail (negative controls): a too-strong decay (correlations of different lags
shrink like m^-1) is rejected by findings 1-4; a wrong normalisation (their RMS times sqrt(m)) is
rejected by findings 1-4. Exponential growth in L cannot be detected: the check runs at one length
(L = 8) and the poly(L) factor is not swept.

The verdict (against ``EXPECTED``), the three controls and the large grid are tested in
proofs_checks/test_claims.py.

Property test (Hypothesis, profile ci): RMS correlation of kind (1) <= C / sqrt(m) for m in [32, 512],
L in [3, 6]; worst ratio found: WORST below.
"""

from hypothesis import given, target
from hypothesis import strategies as st

from rnntheory import RNN, decoupling, sample_inputs
from rnntheory.strategies import seeds

C = 6.0  # back_rms <= C / sqrt(m)
WORST = 2.88  # largest ratio found by the property test (profile ci)


@given(m=st.integers(32, 512), L=st.integers(3, 6), seed=seeds())
def test_decoupling_per_instance(m, L, seed):
    net = RNN.init(m, 6, 1, seed=seed)
    tr = net.trace(sample_inputs(2, L, 6, 0.1, seed=seed + 1))
    ratio = float(decoupling.decoupling(net, tr).back_rms.max()) * m**0.5
    target(ratio, label="sqrt(m) * RMS correlation")
    assert ratio <= C
