r"""Sign changes (theory.md sec. 4): for ||W'||_2 <= omega,
||D_l(W0+W') - D_l(W0)||_0 <= poly(L) * m * omega^(2/3); the adversarial construction reaches the
exponent 2/3, random and gradient directions flip about m * omega.

Grid (registry entry ``sign_changes``, default): m in {512, 1024, 2048}, 6 seeds, L = 8,
8 sequences, eps_x = 0.1; omega in {0.002, 0.004, 0.008, 0.016, 0.032}. Random and gradient
directions: flips per position, averaged over positions 2..L and sequences for the exponents (the
bound's constant comes from the largest single count). Adversarial: one rank-one W' per sequence
aimed at position 2, flips counted there (where the construction is exact). Fits in omega and in
the position use one line per seed and the t interval of the mean on G - 1 = 5 df (99%); fits in m
(one network per cell) the regression interval over 18 cells. omega shrinks, so an upper bound
c m omega^b needs the exponent at least b.

Findings, measured on the default grid (m = 512, 1024, 2048):

1. the bound, exponent in omega >= 2/3 for every direction and width (resolution 0.1): random
   1.02 [0.814, 1.23], 0.99 [0.828, 1.15], 0.991 [0.901, 1.08]; gradient 1.02 [0.903, 1.13], 1.00
   [0.931, 1.07], 0.997 [0.947, 1.05]; adversarial 0.696 [0.667, 0.724], 0.679 [0.648, 0.709],
   0.667 [0.644, 0.690]: all consistent (the last two at resolution 0.1).
2. attainment: the adversarial exponent <= 2/3 (a lower bound on the count; resolution 0.1), leaving
   out omega values whose mean count is below 20 flips (rounding a small count down to whole flips
   steepens the curve): 2, 1 and 0 values left out; 0.689 [0.660, 0.718], 0.678 [0.653, 0.702],
   0.667 [0.644, 0.690]: consistent (at resolution 0.1).
3. random and gradient directions stay well below the worst case, exponent >= 5/6 (resolution
   0.1): random at m = 512 and 1024 inconclusive (intervals above), at 2048 consistent; gradient
   consistent at every width.
4. at omega = 0.008, flips grow at most like m^1 (resolution 0.25): random 1.05 [0.927, 1.18],
   gradient 0.936 [0.843, 1.03], adversarial 0.954 [0.901, 1.01]: consistent (at resolution 0.25).
5. at m = 2048, omega = 0.008, flips per position grow polynomially, not exponentially, in l
   (nested fit over positions 2..8, resolution log(2) / 6 = 0.116): rate -0.081 [-0.186, 0.023]
   (random), -0.262 [-0.549, 0.026] (gradient): inconclusive.

Claim verdict: inconclusive (19 of 23 findings consistent; the undecided ones need more sequences or
seeds).

False-failure rates: at most 0.5% per finding when the truth sits exactly on the claimed value. The
adversarial exponent sits on 2/3 by construction (its bound and attainment findings), the flips are
linear in m and the rate in l is 0; the random and gradient bound findings sit far inside. The
claim as a whole: at most 23 x 0.5% = 11.5% (union bound); simulated on synthetic data that follow
every claimed shape exactly, the whole claim read "inconsistent" in up to 6% of draws
(docs/conventions.md). Deterministic seeds.

How the check can fail (negative controls): the too-strong bound flips <= c m omega (exponent 1,
refuted by the adversarial construction) is rejected by the adversarial bound findings; a wrong
normalisation (counts times sqrt(m)) by the attainment and flips-in-m findings; injected exponential
growth in the position (counts times exp(c l), 10 times over positions 2..8) by the nested fit of
finding 5.

The verdict (against ``EXPECTED``), the three controls and the large grid are tested in
proofs_checks/test_claims.py.

Property test (Hypothesis, profile ci): flips at any position <= C * m * omega^(2/3) for random and
adversarial directions with m in [64, 1024], omega in [1e-3, 0.1]; worst ratio found: WORST below.
"""

from hypothesis import given, target
from hypothesis import strategies as st

from rnntheory import RNN, sample_inputs
from rnntheory import perturbation as P
from rnntheory.strategies import seeds

C = 2.0  # max_l flips_l <= C * m * omega^(2/3)
WORST = 1.04  # largest ratio found by the property test (profile ci)


@given(m=st.integers(64, 1024), L=st.integers(3, 8), om=st.floats(1e-3, 0.1), seed=seeds(),
       adversarial=st.booleans())
def test_sign_changes_per_instance(m, L, om, seed, adversarial):
    net = RNN.init(m, 6, 1, seed=seed)
    tr = net.trace(sample_inputs(2, L, 6, 0.1, seed=seed + 1))
    Wp = (P.adversarial_direction(net, tr, l=2, omega=om) if adversarial
          else P.random_direction(net, omega=om, seed=seed + 2))
    ratio = float(P.sign_changes(net, None, Wp, tr=tr).max()) / (m * om ** (2 / 3))
    target(ratio, label="flips / (m omega^(2/3))")
    assert ratio <= C
