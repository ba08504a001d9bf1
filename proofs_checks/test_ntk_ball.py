r"""SGD stays in the NTK ball (paper.md sec. 6): tau_t = sqrt(m) ||W_t - W_0||_F stays bounded
independently of m, and along the trajectory the fraction of changed signs and the coupling error
shrink as m grows.

Measured (registry entry ``ntk_ball``): online SGD as in ``sgd_learns`` but with the smaller rate
2/(m L) (the small-rate regime of the theorem), m in {128, 256, 512}, 5 seeds, 1200 steps: tau at the
last step and, averaged over the recorded steps (every 100), the fraction of activation signs
changed relative to W_0 and the RMS forward coupling error y(W_t) - y(W_0) - pseudo(W_t - W_0) on
held-out sequences. Findings: the exponents in m of tau (must be <= 0: bounded), of the sign
fraction and of the coupling error (must be <= 0), 99% regression intervals.

What it finds at these widths (a finite-width discrepancy, reported, not tuned away): the final tau
grows slightly with m, exponent 0.14 [0.05, 0.23], so the registry verdict is "inconsistent"; the
changed-sign fraction shrinks like m^(-0.30) [-0.51, -0.08]; the coupling error's exponent, about
-0.28, has an interval too wide to decide ("inconclusive"). With the larger rate 8/(m L) of
``sgd_learns`` tau grows further (about 14-21 at m = 512, 16-23 at 1024, 19-24 at 2048) and neither
the sign fraction nor the coupling shrinks: at these widths the network is not yet in the regime
where SGD's radius is width-independent. The tests below pin these findings; the large grid
(m up to 4096) is where the asymptotic claim can show itself.

False-failure rate: at most 0.5% per finding at the boundary (99% intervals).
The check can fail (and does, above); it also rejects the too-strong claim "tau shrinks like
m^(-1/2)".

Property test: at the end of a short SGD run, the fraction of changed signs is at most
L * (tau / sqrt(m))^(2/3) (the sign-change lemma with omega <= ||W'||_F = tau / sqrt(m)); worst ratio
over 12 random short runs: 0.039 (the poly(L) = L allowance is generous).
"""

from hypothesis import given, settings, target
from hypothesis import strategies as st

from rnntheory import RNN
from rnntheory.concepts import Concept
from rnntheory.strategies import seeds
from rnntheory.training import sgd


@settings(max_examples=10)
@given(m=st.integers(32, 256), L=st.integers(3, 8), seed=seeds())
def test_sign_changes_follow_the_radius(m, L, seed):
    net = RNN.init(m, 6, 1, seed=seed)
    concept = Concept.single_lag(L, 6, 1, seed=seed)
    tj = sgd(net, concept=concept, test=concept.sample(32, seed=seed + 1), lr=2.0 / (m * L), steps=60,
             batch_size=4, record_every=60, seed=seed)
    last = tj.record.iloc[-1]
    bound = L * (last["tau"] / m**0.5) ** (2 / 3)
    ratio = last["sign_frac"] / bound if bound > 0 else 0.0
    target(ratio, label="sign fraction / (L (tau/sqrt m)^(2/3))")
    assert ratio <= 1.0
