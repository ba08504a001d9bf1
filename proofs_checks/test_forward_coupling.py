r"""Forward coupling (paper.md sec. 3): err_j = y_j(W0+W') - y_j(W0) - pseudo_j(W') vanishes as m grows at
fixed NTK radius tau; in the worst case it is O(poly(L) tau^(4/3) m^(-1/6)).

Measured (registry entry ``forward_coupling``): L = 8, 4 sequences, eps_x = 0.1, 4 seeds, three directions
(Gaussian, descent direction against random labels, adversarial rank-one at position 2). The quantity is
the largest over positions of the root mean square over sequences of ||err_j||. Sweep in m at tau = 1:
m in {256, 512, 1024, 2048}, exponent must be at most -1/6 (m grows). Sweep in tau at m = 512:
tau in {0.125, ..., 4}, exponent must be at least 4/3 (tau shrinks). Cluster bootstrap over seeds, 99%.
Measured: in m, random -1.45 [-1.54, -1.4], gradient -0.54 [-0.78, -0.28], adversarial -0.64 [-0.9, -0.45];
in tau, random 1.42 [1.01, 1.77], gradient 1.7 [1.57, 1.78], adversarial 1.27 [1.19, 1.35].
At m = 1024 the adversarial exponent in tau is 1.14 [1.08, 1.20], below 4/3 (reported in
docs/pseudo_and_perturbation.md: a rank-one W' spends its budget on flipped coordinates, so its error has
a part linear in tau, about tau / sqrt(m), that dominates tau^(4/3) m^(-1/6) when tau is small).

False-failure rate: each finding at most 0.5% when the true exponent sits exactly on the claimed value;
deterministic seeds.

The check can fail: the too-strong shapes err <= c tau^(4/3) / m (exponent -1 in m) and
err <= c tau^3 are rejected on the same data.

Property test (Hypothesis, profile ci): max_j ||err_j|| <= C * tau^(4/3) * m^(-1/6) for random and
adversarial directions, m in [64, 512], L in [3, 6], tau in [0.1, 4]; worst ratio found: WORST below.
"""

from hypothesis import given, target
from hypothesis import strategies as st

from rnntheory import RNN, pseudo, sample_inputs
from rnntheory import perturbation as P
from rnntheory.strategies import seeds

C = 2.0  # max_j ||err_j|| <= C * tau^(4/3) * m^(-1/6)
WORST = 0.33  # largest ratio found by the property test (profile ci)


@given(m=st.integers(64, 512), L=st.integers(3, 6), tau=st.floats(0.1, 4.0), seed=seeds(), adversarial=st.booleans())
def test_forward_coupling_per_instance(m, L, tau, seed, adversarial):
    net = RNN.init(m, 6, 1, seed=seed)
    tr = net.trace(sample_inputs(2, L, 6, 0.1, seed=seed + 1))
    Wp = (P.adversarial_direction(net, tr, l=2, tau=tau) if adversarial
          else P.random_direction(net, tau=tau, seed=seed + 2))
    err = float(pseudo.forward_coupling(net, None, Wp, tr=tr).norm(dim=-1).max())
    ratio = err / (tau ** (4 / 3) * m ** (-1 / 6))
    target(ratio, label="err / (tau^(4/3) m^(-1/6))")
    assert ratio <= C
