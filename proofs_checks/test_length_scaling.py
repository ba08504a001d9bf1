r"""Length scaling (theory.md sec. 6): the number of samples (and SGD steps) needed to reach
OPT + eps grows polynomially in L, where earlier bounds grew exponentially.

Grid (registry entry ``length_scaling``, default): online SGD (m = 256, batch 4, learning rate
8/(m L), outside the NTK regime: see sgd_learns, up to 3000 steps) on the single-lag concept at
L in {4, 6, 8, 11, 14}, 10 seeds (50 runs); the number of fresh samples consumed until the held-out
risk (128 sequences, checked every 25 steps) first falls below OPT + 0.5 (R0 - OPT). A run whose
objective turns non-finite is a recorded outcome (counted by finding 4) and is left out of the fits.
Fits in L use one line per seed and the t interval of the mean on G - 1 = 9 df (99%).

Findings, measured on the default grid (1 and 2 are descriptions of the one width m = 256, not
verdicts: the theorem needs m >= poly(L), theory.md sec. 10):

1. samples grow at most like L^3: exponent 0.96 [0.675, 1.25], consistent.
2. samples grow polynomially, not exponentially, in L (nested fit log q = a + b log L + c L,
   resolution log(2) / 10 = 0.0693): exponent -0.0933 [-1.06, 0.873], rate 0.133 [0.0213, 0.245]:
   the rate lies above 0 but its interval contains 0.0693, the edge of the indifference zone,
   inconclusive (about 2.4x the networks would decide it; as a description, the pure exponential fits
   closer over L = 4..14).
3. every run reaches OPT + eps within the step budget (a tolerated failure fraction 0.1, resolution
   0.1): 50/50 runs, P(held) in [0.899, 1], consistent (at resolution 0.1).
4. no run diverges under the rate 8/(m L) (a quarter of the runs tolerated, resolution 0.25): 50/50
   runs, P(held) in [0.899, 1], consistent.

Claim verdict: from findings 3 and 4 (consistent). The growth of finding 2 (as a description, closer to
an exponential than to a power of L) is a fact about m = 256 outside the NTK regime (lr0 = 8); whether
it persists at larger widths is the large grid's
question (m = 1024, L to 32; docs/findings.md), and the regime findings of sgd_learns measure how the
width must grow with L.

False-failure rates: at most 0.5% "inconsistent" per finding when its truth sits at the edge of its
indifference zone (claimed value plus resolution; a power law has rate 0 exactly, one resolution
inside), and at most as often "consistent (at resolution r)" just beyond it; findings 3 and 4 are
judged on the exact 99% binomial interval of their frequencies, with the same rates. The claim as a
whole (its two judged findings): at most 2 x 0.5% = 1% each way (union bound). Deterministic seeds.

How the check can fail (negative controls): none of the three can be seen by the judged findings, and
the claim says why: the growth in L is measured at one width (a description), and the theorem bounds
the number of samples only logarithmically in m, with no width swept here. The growth finding itself
still tells polynomial from exponential counts (the synthetic check below).

The verdict (against ``EXPECTED``), the three controls and the large grid are tested in
proofs_checks/test_claims.py.

Synthetic check: over 100 fixed draws of counts c L^a (a in [0, 3]) and c exp(r L) (r in [0.4, 1])
with 10% noise, the growth finding raises at most 6 false alarms (a binomial bound at the nominal
0.5%) and detects at least 98 exponentials (measured: 0 false alarms, 100 detections).
"""

import numpy as np
import pytest

from proofs_checks._harness import run_claim


@pytest.mark.trained  # measures the claim's default grid of SGD runs: its own step
def test_growth_decision_on_synthetic_counts():
    """Frequencies, not single draws: a 99% rate interval wholly above the zone's edge happens by
    chance in at most 0.5% of polynomial draws, so one draw per example could fail a run of 20
    examples up to about one time in ten. Over 100 fixed draws (a in [0, 3], r in [0.4, 1], 10%
    noise, 3 seeds of 9 lengths each) the growth finding may read "inconsistent" on at most 6
    polynomial ones (P(X >= 7) < 1e-6 at the nominal 0.5%) and must read "inconsistent" on at least
    98 exponential ones. Measured: 0 and 100."""
    res = run_claim("length_scaling")
    L = np.repeat(np.arange(4, 30, 3), 3)
    base = res.data.iloc[[0] * L.size].reset_index(drop=True)
    seeds = np.tile([0, 1, 2], L.size // 3)
    false_alarms = detected = 0
    for draw in range(100):
        rng = np.random.default_rng([2024, draw])
        a, r = rng.uniform(0.0, 3.0), rng.uniform(0.4, 1.0)
        noise = np.exp(0.1 * rng.standard_normal(L.size))
        poly = base.assign(L=L, seed=seeds, samples=40 * L**a * noise, reached=True, diverged=False)
        expo = base.assign(L=L, seed=seeds, samples=40 * np.exp(r * L) * noise, reached=True, diverged=False)
        false_alarms += res.rejudge(poly).findings[1].verdict == "inconsistent"
        detected += res.rejudge(expo).findings[1].verdict == "inconsistent"
    assert false_alarms <= 6 and detected >= 98, (false_alarms, detected)
