r"""Hidden-state perturbation (theory.md sec. 4): for ||W'||_2 <= omega small,
||h_l(W0+W') - h_l(W0)|| <= poly(L) * omega for every l <= L.

Grid (registry entry ``hidden_perturbation``, default): m in {128, 256, 512, 1024}, 16 seeds,
4 sequences, eps_x = 0.1; one trace of length 32 whose prefixes give L in {4, 8, 16, 32}; omega in
{1e-3, 3e-3, 1e-2, 3e-2, 0.1}, from nearly linear (a few flipped signs) to where about 240 signs
flip. Three directions per seed: Gaussian and the descent direction of the squared loss against
random labels (each drawn once and scaled), and the adversarial rank-one construction aimed at
position 2 (rebuilt for each omega). The quantity is the worst over the directions of the maximum
over l <= L and sequences of ||delta h_l||. Fits in omega or L use one line per seed and the t
interval of the mean on G - 1 = 15 df (99%); the m sweep (one network per cell) the regression
interval over the 48 cells of the three largest widths (the local slope at the limiting end).

Findings, measured on the default grid:

1. at m = 512, L = 8, the exponent in omega on the three smallest omega must be at least 1 (omega
   shrinks, so an upper bound c omega^b needs the exponent >= b; resolution 0.1): 0.992
   [0.989, 0.995], consistent (at resolution 0.1). Over the whole range the change is slightly
   sub-linear (random 0.994, gradient 0.957, adversarial 0.965: flipped coordinates stop moving),
   which a fit over the whole range would misread; hence the next finding.
2. at m = 512, L = 8, the constant ||delta h|| / omega stays within 1.05 times its value at the
   smallest omega at every omega up to 0.1 (an event with a tolerated failure fraction 0.1,
   resolution 0.1): 80/80 (seed, omega) points, P(held) in [0.936, 1], consistent.
3. at m = 512, omega = 1e-3, the constant grows polynomially, not exponentially, in L (nested fit
   log q = a + b log L + c L over L = 4..32, resolution log(2) / 28 = 0.0248): exponent 1.84
   [1.62, 2.06], rate -0.0316 [-0.0641, 0.000947], consistent (at resolution 0.0248).
4. at L = 8, omega = 1e-3, the change does not grow with m (exponent <= 0, resolution 0.25; the
   local slope over m = 256..1024): -0.108 [-0.254, 0.0386], consistent (at resolution 0.25).

Claim verdict: consistent (4 of 4 findings, 3 at resolution).

False-failure rates: at most 0.5% "inconsistent" per finding when its truth sits at the edge of its
indifference zone (claimed value plus resolution), and at most as often "consistent (at resolution
r)" just beyond it; the claimed values (exponent 1 in omega, rate 0, exponent 0 in m) sit one
resolution inside. Finding 2 is judged on the exact 99% binomial interval of its frequency, with the
same rates. The claim as a whole: at most 4 x 0.5% = 2% each way (union bound). Deterministic seeds.

How the check can fail (negative controls): a too-strong shape c * omega^1.5 is rejected by
finding 1. Injected exponential growth in L (the change times exp(c L), 8 times over L = 4..32) and a
wrong normalisation (change times sqrt(m)) are undecided: the altered analyses read inconclusive, not
accepted, and about 2.8x and 1.1x the networks would reject them.

The verdict (against ``EXPECTED``), the three controls and the large grid are tested in
proofs_checks/test_claims.py.

Property test (Hypothesis, profile ci): max_l ||delta h_l|| <= C * L * omega for random and adversarial
directions with m in [32, 256], L in [3, 8], omega in [1e-4, 0.1]; worst ratio found: WORST below.
"""

from hypothesis import given, target
from hypothesis import strategies as st

from rnntheory.network import RNN, sample_inputs
from rnntheory.network import perturbation as P
from rnntheory.testing import seeds

C = 2.0  # max_l ||delta h_l|| <= C * L * omega
WORST = 0.40  # largest ratio measured / (L * omega) found by the property test (profile ci)


@given(m=st.integers(32, 256), L=st.integers(3, 8), om=st.floats(1e-4, 0.1), seed=seeds(), adversarial=st.booleans())
def test_hidden_perturbation_per_instance(m, L, om, seed, adversarial):
    net = RNN.init(m, 6, 1, seed=seed)
    tr = net.trace(sample_inputs(2, L, 6, 0.1, seed=seed + 1))
    Wp = (
        P.adversarial_direction(net, tr, l=2, omega=om)
        if adversarial
        else P.random_direction(net, omega=om, seed=seed + 2)
    )
    ratio = float(P.hidden_change(net, None, Wp, tr=tr).max()) / (L * om)
    target(ratio, label="max ||delta h_l|| / (L omega)")
    assert ratio <= C
