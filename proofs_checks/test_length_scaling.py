r"""Length scaling (paper.md sec. 6): the number of samples (and SGD steps) needed to reach
OPT + eps grows polynomially in L, where earlier bounds grew exponentially.

Measured (registry entry ``length_scaling``): online SGD (m = 256, batch 4, learning rate 8/(m L))
on the single-lag concept at L in {4, 6, 8, 11, 14}, 2 seeds; the number of fresh samples consumed
until the held-out risk (128 sequences, checked every 25 steps) first falls below
OPT + 0.5 (R0 - OPT). A power law and an exponential are fitted to the same points (paper.md sec. 7);
"consistent" unless the power-law exponent's interval lies wholly above 3 or the exponential wins
in >= 99% of resamples with a positive rate; "inconclusive" when some run hit the step cap.

False-failure rate: at most 0.5% for the exponent part at the boundary, at most 1% for the
model-choice part when the two models fit equally well; measured values are far from both.
The check can fail: the same analysis applied to exponentially growing counts is rejected.

Property test: on synthetic counts c L^a (a in [0, 3]) with 10% noise the analysis says
"consistent", and on c exp(r L) (r in [0.4, 1]) it says "inconsistent".
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs_checks._harness import run_claim


@settings(max_examples=20)
@given(a=st.floats(0.0, 3.0), r=st.floats(0.4, 1.0), seed=st.integers(0, 2**31 - 1))
def test_growth_decision_on_synthetic_counts(a, r, seed):
    res = run_claim("length_scaling")
    rng = np.random.default_rng(seed)
    L = np.repeat(np.arange(4, 30, 3), 3)
    base = res.data.iloc[[0] * L.size].reset_index(drop=True)
    noise = np.exp(0.1 * rng.standard_normal(L.size))
    seeds = np.tile([0, 1, 2], L.size // 3)
    poly = base.assign(L=L, seed=seeds, samples=40 * L**a * noise, reached=True)
    expo = base.assign(L=L, seed=seeds, samples=40 * np.exp(r * L) * noise, reached=True)
    assert res.reanalyse(poly).findings[1].verdict != "inconsistent"  # the growth finding raises no false alarm
    assert res.reanalyse(expo).findings[1].verdict == "inconsistent"
