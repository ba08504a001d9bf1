r"""Sign changes along SGD (theory.md sec. 9 with sec. 4): for SGD's own displacement,
||D_l(W_t) - D_l(W_0)||_0 <= poly(L) m omega_t^(2/3), omega_t = ||W_t - W_0||_2.

Grid: the runs of ``sgd_forward_coupling`` (registry entry ``sgd_sign_changes``, the same
``sgd_along`` cells): lr0 = 1, 400 steps of 4 samples, L = 8, m in {128, 256, 512, 1024}, 16 seeds;
omega_t at the last step 0.214, 0.139, 0.110, 0.077 (about m^-0.46 at this fixed number of samples).

Findings, measured on the default grid (regression interval over the 64 runs, 99%):

1. The largest flips / (m omega_t^(2/3)) over the run stays bounded as m grows: per-width means
   0.76, 0.65, 0.57, 0.53; exponent -0.172 [-0.238, -0.105], consistent.
2. The fraction of changed signs at the last step shrinks as m grows: -0.416 [-0.507, -0.326],
   consistent.
3. No run diverges (a quarter of the runs tolerated, resolution 0.25): 64/64 runs, P(held) in
   [0.921, 1], consistent.

Where SGD lies between the typical and the worst case, at the same omega_t and m = 1024 (mean over 16
seeds of the worst position and probe sequence): at step 100 SGD flips 62, a Gaussian W' 18 and the
adversarial construction 123; at step 400, 95, 31 and 179. SGD flips 3.1 times the random direction
and a little over half the worst case; at m = 128 it comes closer to the worst case (30 against 43).
Described, not judged: along a run the flips grew like omega_t^0.682 [0.577, 0.786].

Claim verdict: consistent (docs/findings.md).

False-failure rates: at most 0.5% per finding at the edge of its indifference zone, each way; the
claim at most 1.5%.

How the check can fail (negative controls): the too-strong bound m omega_t^2 (exponent of the largest
ratio 0.565 [0.307, 0.824]) and a wrong normalisation (the counts times sqrt(m)) are rejected, both by
the largest ratio's exponent in m. The bound m omega_t^(4/3) is not rejected on this grid: the largest
ratio's exponent is 0.174 [0.0344, 0.314], inconclusive (at a fixed number of samples omega_t falls only
like m^-0.46, so a power 2/3 too strong adds only about 0.3 to the exponent in m over a factor 8 of
widths); it is never judged consistent. Exponential growth in L cannot be detected: every run has L = 8.
"""

import pytest

from proofs_checks._harness import run_claim

pytestmark = pytest.mark.trained  # the default grid trains 64 networks: its own step (pytest -m trained)


def test_too_strong_power_of_omega_is_rejected():
    res = run_claim("sgd_sign_changes")
    assert res.rejudge(size_exponent=2.0).verdict == "inconsistent"


def test_a_power_four_thirds_is_never_judged_consistent():
    res = run_claim("sgd_sign_changes")
    assert res.rejudge(size_exponent=4.0 / 3.0).verdict != "consistent"


def test_sgd_lies_between_random_and_adversarial_directions():
    df = run_claim("sgd_sign_changes").data
    top = df[(df["m"] == df["m"].max()) & (df["position"] >= 2)]
    top = top[top["step"].isin(top[top["direction"] == "random"]["step"].unique())]
    flips = {
        name: top[(top["direction"] == name) & (top["matched"].isin(["", "omega"]))]
        .groupby(["step", "seed"])["signs"]
        .max()
        .groupby("step")
        .mean()
        for name in ("random", "sgd", "adversarial")
    }
    assert (flips["random"] < flips["sgd"]).all() and (flips["sgd"] < flips["adversarial"]).all(), flips
