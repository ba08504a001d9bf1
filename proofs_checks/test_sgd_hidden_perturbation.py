r"""Hidden-state change along SGD (theory.md sec. 9 with sec. 4): for SGD's own displacement,
||h_l(W_t) - h_l(W_0)|| <= poly(L) omega_t.

Grid: the runs of ``sgd_forward_coupling`` (registry entry ``sgd_hidden_perturbation``, the same
``sgd_along`` cells): lr0 = 1, 400 steps of 4 samples, L = 8, m in {128, 256, 512, 1024}, 3 seeds.

Findings, measured on the default grid (regression interval over the 12 runs, 99%):

1. The largest change / omega_t over the run stays bounded as m grows: per-width means 3.7, 3.7,
   4.0, 4.2; exponent 0.091 [-0.288, 0.469], inconclusive (width 0.76 > resolution 0.25: the
   largest ratio varies by a factor 2 between seeds).
2. The change at the last step shrinks as m grows: -0.325 [-0.693, 0.042], inconclusive.
3. No run diverged.

Described, not judged: along a run the change grew like omega_t^0.74 [0.53, 0.95], less than
linearly; the largest ratio comes early in the run (the rule for a shrinking parameter does not apply
along a run whose direction turns; docs/conventions.md). At the same omega_t and m = 1024 (last
step) SGD changes the hidden state by 0.27, a Gaussian W' by 0.066 and the sign-flipping
construction by 0.068: SGD's W_t - W_0 is built from the hidden states themselves (sum of
delta h^T), so it moves them about as much as its spectral norm allows.

Claim verdict: inconclusive (docs/findings.md).

False-failure rates: at most 0.5% per finding at the boundary; the claim at most 1%.

How the check can fail (negative controls): the too-strong bound omega_t^2 is rejected (the largest
ratio then grows like m^0.5), and so is a wrong normalisation (the change times sqrt(m)).
Exponential growth in L cannot be detected: every run has L = 8.
"""

from proofs_checks._harness import run_claim


def test_hidden_change_against_omega_squared_is_never_accepted():
    """The too-strong bound omega_t^2 makes the ratio grow like m^0.5: on the default grid's 12 runs the
    interval reaches into the indifference zone (it is not accepted), and the finding says how many
    runs would reject it."""
    res = run_claim("sgd_hidden_perturbation")
    alt = res.reanalyse(size_exponent=2.0)
    assert alt.verdict != "consistent", str(alt)
    (f,) = [f for f in alt.findings if f.key == "max_ratio_m_exponent"]
    assert f.verdict == "inconsistent" or (f.verdict == "inconclusive" and 1 < f.needs < 20), str(f)
