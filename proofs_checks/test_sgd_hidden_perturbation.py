r"""Hidden-state change along SGD (theory.md sec. 9 with sec. 4): for SGD's own displacement,
||h_l(W_t) - h_l(W_0)|| <= poly(L) omega_t.

Grid: the runs of ``sgd_forward_coupling`` (registry entry ``sgd_hidden_perturbation``, the same
``sgd_along`` cells): lr0 = 1, 400 steps of 4 samples, L = 8, m in {128, 256, 512, 1024}, 16 seeds.

Findings, measured on the default grid (regression interval over the 64 runs, 99%):

1. The largest change / omega_t over the run stays bounded as m grows: per-width means 3.6, 4.1,
   3.6, 3.9; exponent 0.0282 [-0.0709, 0.127], consistent (at resolution 0.25: the interval lies
   below 0.25, the edge of the indifference zone).
2. The change at the last step shrinks as m grows: -0.365 [-0.485, -0.245], consistent.
3. No run diverges (a quarter of the runs tolerated, resolution 0.25): 64/64 runs, P(held) in
   [0.921, 1], consistent.

Described, not judged: along a run the change grew like omega_t^0.639 [0.544, 0.734], less than
linearly; the largest ratio comes early in the run (the rule for a shrinking parameter does not apply
along a run whose direction turns; docs/conventions.md). At the same omega_t and m = 1024 (last
step) SGD changes the hidden state by 0.25, a Gaussian W' by 0.074 and the sign-flipping
construction by 0.067: SGD's W_t - W_0 is built from the hidden states themselves (sum of
delta h^T), so it moves them about as much as its spectral norm allows.

Claim verdict: consistent (docs/findings.md).

False-failure rates: at most 0.5% per finding at the edge of its indifference zone, each way; the
claim at most 1.5%.

How the check can fail (negative controls): the too-strong bound omega_t^2 (the largest ratio then
grows like m^0.606 [0.362, 0.851]) and a wrong normalisation (the change times sqrt(m)) are rejected,
both by the largest ratio's exponent in m.
Exponential growth in L cannot be detected: every run has L = 8.
"""

import pytest

from proofs_checks._harness import run_claim

pytestmark = pytest.mark.trained  # the default grid trains 64 networks: its own step (pytest -m trained)


def test_hidden_change_against_omega_squared_is_never_accepted():
    """The too-strong bound omega_t^2 makes the ratio grow like m^0.5: on the default grid's 12 runs the
    interval reaches into the indifference zone (it is not accepted), and the finding says how many
    runs would reject it."""
    res = run_claim("sgd_hidden_perturbation")
    alt = res.rejudge(size_exponent=2.0)
    assert alt.verdict != "consistent", str(alt)
    (f,) = [f for f in alt.findings if f.key == "max_ratio_m_exponent"]
    assert f.verdict == "inconsistent" or (f.verdict == "inconclusive" and 1 < f.needs < 20), str(f)
