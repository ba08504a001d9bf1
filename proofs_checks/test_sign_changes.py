r"""Sign changes (paper.md sec. 4): for ||W'||_2 <= omega,
||D_l(W0+W') - D_l(W0)||_0 <= poly(L) * m * omega^(2/3); the adversarial construction reaches the
exponent 2/3, random and gradient directions flip about m * omega.

Measured (registry entry ``sign_changes``): m = 2048, L = 8, 2 sequences, eps_x = 0.1, 4 seeds; omega in
{0.002, 0.004, 0.008, 0.016, 0.032}. Random and gradient directions: flips per position, averaged over
positions 2..L and sequences. Adversarial: one rank-one W' per sequence aimed at position 2, flips counted
there. Findings (cluster bootstrap over seeds, 99% intervals; omega shrinks, so an upper bound needs the
exponent at least the claimed one): every direction's exponent >= 2/3; the adversarial exponent <= 2/3
(the construction attains the worst case); random and gradient exponents >= 5/6 (well below the worst case).
Measured: random 0.965 [0.89, 1.05], gradient 1.01 [0.96, 1.09], adversarial 0.654 [0.631, 0.669].
At m = 1024 the adversarial counts are small (16 to 100) and rounding down to whole flips steepens the
curve: 0.689 [0.669, 0.707], which the attainment finding would call inconsistent; hence m = 2048.

False-failure rate: each finding at most 0.5% when the true exponent sits exactly on its claimed value;
the adversarial exponent sits there by construction, so its two findings together fail with probability
at most 1% under the claim. The grid's seeds are fixed, so the run is deterministic.

The check can fail: the too-strong bound "adversarial flips <= c * m * omega" (exponent 1) is rejected.

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
