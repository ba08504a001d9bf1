r"""Hidden-state perturbation (paper.md sec. 4): for ||W'||_2 <= omega small,
||h_l(W0+W') - h_l(W0)|| <= poly(L) * omega for every l <= L.

Measured (registry entry ``hidden_perturbation``): m = 512, L = 8, 4 sequences, eps_x = 0.1, 4 seeds;
omega in {1e-6, 1e-5, 1e-4, 1e-3}; three directions per seed (Gaussian, descent direction of the squared
loss against random labels, adversarial rank-one aimed at position 2). The finding fits the exponent in
omega of the worst change over directions and positions (cluster bootstrap over seeds, 99% interval)
and requires it to be at least 1 (omega shrinks; paper.md sec. 7); per-direction exponents and constants
are in the detail. The grid sits in the small-omega regime on purpose: at omega ~ 1e-2 the change is
slightly sub-linear (local exponent 0.95-0.99: flipped coordinates stop moving), which a fit over a
wide range would misread as a violation (docs/pseudo_and_perturbation.md).

False-failure rate: at most 0.5% when the true exponent is exactly 1 (one-sided 99% interval), and the
grid's seeds are fixed, so the run is deterministic.

The check can fail: the too-strong shape c * omega^1.5 is rejected on the same data.

Property test (Hypothesis, profile ci): max_l ||delta h_l|| <= C * L * omega for random and adversarial
directions with m in [32, 256], L in [3, 8], omega in [1e-4, 0.1]; worst ratio found: WORST below.
"""

from hypothesis import given, target
from hypothesis import strategies as st

from rnntheory import RNN, sample_inputs
from rnntheory import perturbation as P
from rnntheory.strategies import seeds

C = 2.0  # max_l ||delta h_l|| <= C * L * omega
WORST = 0.40  # largest ratio measured / (L * omega) found by the property test (profile ci)


@given(m=st.integers(32, 256), L=st.integers(3, 8), om=st.floats(1e-4, 0.1), seed=seeds(),
       adversarial=st.booleans())
def test_hidden_perturbation_per_instance(m, L, om, seed, adversarial):
    net = RNN.init(m, 6, 1, seed=seed)
    tr = net.trace(sample_inputs(2, L, 6, 0.1, seed=seed + 1))
    Wp = (P.adversarial_direction(net, tr, l=2, omega=om) if adversarial
          else P.random_direction(net, omega=om, seed=seed + 2))
    ratio = float(P.hidden_change(net, None, Wp, tr=tr).max()) / (L * om)
    target(ratio, label="max ||delta h_l|| / (L omega)")
    assert ratio <= C
