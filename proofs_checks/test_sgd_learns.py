r"""SGD learns (theory.md sec. 6, main theorem): for m >= poly(C, p, L, 1/eps) the average over t of
the population risk of the SGD iterates W_t is at most OPT + eps.

Grid (registry entry ``sgd_learns``, default): online SGD on W only (batch 4, 1200 steps, learning
rate lr0 / (m L)) on a single-lag concept (L = 8, lag 1, p = 3, sin), lr0 in {1/256, 8} (a small
rate meant to stay in the NTK regime, and a large one that leaves it), widths m in {128, 256, 512},
5 seeds (30 runs); held-out risk on 128 fresh sequences every 100 steps, and along the run the
forward coupling error of W_t - W_0 against the target's RMS. ``ntk_ball`` judges the same runs
(their cells are filed under one name, ``sgd_run``). eps = 0.5 (R0 - OPT) = 0.166, R0 the zero
predictor's held-out risk.

Findings, measured on the default grid (means over the 5 seeds at m = 512 with the t interval of
the mean on 4 df, 99%; the m sweep with the regression interval over 15 runs):

1. lr0 = 1/256: excess risk (held-out risk averaged over the second half, minus OPT) at most eps
   (resolution 0.0332 = 0.1 (R0 - OPT)): 0.722 [0.509, 0.936], wholly above eps plus the resolution
   (0.1993): inconsistent (the held-out risk at W_0 is 2.5, from the random initial output, against
   0.332 for the zero predictor).
2. lr0 = 1/256 stays in the NTK regime: coupling RMS along the run at most 0.1 x the target's RMS
   (resolution 0.05): 0.0742 [-0.0546, 0.203], which contains 0.15, the edge of the indifference
   zone: inconclusive.
3. lr0 = 8: excess risk at most eps: 0.0742 [0.0337, 0.115], consistent (outside the regime: the
   coupling RMS is 3.7 times the target's).
4. lr0 = 8: the excess risk does not grow with m (exponent <= 0, resolution 0.25): -0.54
   [-0.751, -0.33], consistent.
5. no run diverges under the rate lr0 / (m L) (a quarter of the runs tolerated, resolution 0.25):
   30/30 runs, P(held) in [0.838, 1], consistent.

Claim verdict: inconsistent. At m <= 512 no run both stays in the regime and learns within 1200
steps: what learns here is SGD outside the regime (docs/findings.md, docs/learning.md).

False-failure rates: at most 0.5% "inconsistent" per finding when its truth sits at the edge of its
indifference zone (claimed value plus resolution; 99% intervals), and at most as often "consistent
(at resolution r)" just beyond it. The claim as a whole: at most 5 x 0.5% = 2.5% each way (union
bound). Deterministic seeds.

How the check can fail (negative controls): asking for eps = 0.01 (R0 - OPT), which the runs do not
reach, and a wrong normalisation (the risks times sqrt(m)) are moot: the claim already reads
inconsistent and the altered analyses add no new inconsistent finding. Exponential growth in L
cannot be detected: the runs use one length; growth in L is the subject of length_scaling and
pseudo_solution.

The verdict (against ``EXPECTED``), the three controls and the large grid are tested in
proofs_checks/test_claims.py.

Property test: one SGD step with learning rate 0.2/(m L) on a fixed batch does not increase that
batch's objective (descent); worst ratio new/old over 60 random configurations: 0.990.
"""

from hypothesis import given, target

from rnntheory.network.backward import grad_W
from rnntheory.learning.concepts import Concept
from rnntheory.testing import configs
from rnntheory.learning.training import output_cotangent


@given(cfg=configs(m=(16, 128), L=(3, 8), n=(1, 4)))
def test_one_small_step_descends(cfg):
    net = cfg.net()
    data = Concept.single_lag(cfg.L, cfg.d_x, 1, d=cfg.d, seed=cfg.seed).sample(cfg.n, seed=cfg.input_seed)
    tr = net.trace(data.x)
    old, dy = output_cotangent(tr.outputs, data.labels)
    W = net.W - 0.2 / (net.m * cfg.L) * grad_W(net, tr, dy)
    new, _ = output_cotangent(net.outputs(data.x, W), data.labels)
    ratio = float(new.sum() / old.sum().clamp_min(1e-300))
    target(ratio, label="objective after / before")
    assert ratio <= 1.0
