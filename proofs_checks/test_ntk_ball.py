r"""SGD stays in the NTK ball (theory.md sec. 6): tau_t = sqrt(m) ||W_t - W_0||_F stays bounded
independently of m, and along the trajectory the fraction of changed signs and the coupling error
shrink as m grows.

Grid (registry entry ``ntk_ball``, default): the runs of ``sgd_learns`` (the same cells, measured
once), judged at L = 8 (``ref_L``): online SGD at lr0 in {1/256, 8} (5 seeds) and lr0 = 1 (10 seeds,
m in {128, 512}; its other lengths are sgd_learns's regime design), rate lr0 / (m L), m in
{128, 256, 512}, 1200 steps. Measured: tau at the last step and, averaged over the recorded steps
(every 100), the fraction of activation signs changed relative to W_0 and the RMS forward coupling
error y(W_t) - y(W_0) - pseudo(W_t - W_0) on held-out sequences. Every run is its own network, so the
exponents in m use the regression interval over the runs of a rate (99%); resolution 0.25.

Findings, measured on the default grid (exponent in m at most 0 for each):

* lr0 = 1/256 (coupling RMS 0.021 x the target's at m = 512: inside the regime): final tau -0.307
  [-0.76, 0.146], consistent (at resolution 0.25); sign fraction -0.921 [-1.37, -0.472] and coupling
  error -1.32 [-2.19, -0.443], consistent.
* lr0 = 1 (coupling RMS 0.62 x the target's at m = 512): final tau 0.112 [0.0516, 0.173], consistent
  (at resolution 0.25); sign fraction -0.345 [-0.511, -0.179], consistent; coupling error -0.459
  [-0.931, 0.0137], consistent (at resolution 0.25).
* lr0 = 8 (coupling RMS 3.9 x the target's: outside the regime): final tau 0.0864 [-0.0033, 0.176]
  and sign fraction -0.157 [-0.413, 0.1], consistent (at resolution 0.25); coupling error -0.185
  [-1.37, 1], inconclusive.
* no run diverges under the rate lr0 / (m L) (a quarter of the runs tolerated, resolution 0.25):
  110/110 runs, consistent.

Claim verdict: inconclusive: the undecided interval (the coupling error at lr0 = 8) contains 0.25, the
edge of its indifference zone; the report's "to decide" column puts it at about 5.7x the runs, and
`rnntheory report --budget` settles it with rounds of added seeds.

False-failure rates: at most 0.5% "inconsistent" per finding when its truth sits at the edge of its
indifference zone, and at most as often "consistent (at resolution r)" just beyond it (99%
intervals). The claim as a whole: at most 10 x 0.5% = 5% each way (union bound). Deterministic
seeds.

How the check can fail (negative controls): the too-strong claim "tau shrinks like m^(-1/2)" is
rejected, and so is a wrong normalisation (tau times sqrt(m)), by the tau finding of lr0 = 1 (and one
more).
Exponential growth in L cannot be detected here: the findings are trends in m at one length; the
runs' growth in L is sgd_learns's regime finding.

The verdict (against ``EXPECTED``), the three controls and the large grid are tested in
proofs_checks/test_claims.py.

Property test: at the end of a short SGD run, the fraction of changed signs is at most
L * (tau / sqrt(m))^(2/3) (the sign-change lemma with omega <= ||W'||_F = tau / sqrt(m)); worst ratio
over 12 random short runs: 0.039 (the poly(L) = L allowance is generous).
"""

from hypothesis import given, settings, target
from hypothesis import strategies as st

from rnntheory.learning.concepts import Concept
from rnntheory.learning.training import sgd
from rnntheory.network import RNN
from rnntheory.testing import seeds


@settings(max_examples=10)
@given(m=st.integers(32, 256), L=st.integers(3, 8), seed=seeds())
def test_sign_changes_follow_the_radius(m, L, seed):
    net = RNN.init(m, 6, 1, seed=seed)
    concept = Concept.single_lag(L, 6, 1, seed=seed)
    tj = sgd(
        net,
        concept=concept,
        test=concept.sample(32, seed=seed + 1),
        lr=2.0 / (m * L),
        steps=60,
        batch_size=4,
        record_every=60,
        seed=seed,
    )
    last = tj.record.iloc[-1]
    bound = L * (last["tau"] / m**0.5) ** (2 / 3)
    ratio = last["sign_frac"] / bound if bound > 0 else 0.0
    target(ratio, label="sign fraction / (L (tau/sqrt m)^(2/3))")
    assert ratio <= 1.0
