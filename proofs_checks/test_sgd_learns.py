r"""SGD learns (paper.md sec. 6, main theorem): for m >= poly(C, p, L, 1/eps) the average over t of
the population risk of the SGD iterates W_t is at most OPT + eps.

Measured (registry entry ``sgd_learns``): online SGD on W only (batch 4, 1200 steps, learning rate
8/(m L)) on a single-lag concept (L = 8, lag 1, p = 3, sin), widths m in {128, 256, 512}, 5 seeds;
held-out risk on 256 fresh sequences every 100 steps. Findings:

1. at the largest width, the mean over seeds of (risk averaged over the second half - OPT) must be
   at most eps = 0.5 (R0 - OPT), R0 the zero predictor's risk (99% t interval: "inconsistent" only
   when the interval lies wholly above eps);
2. the excess risk must not grow with m (exponent <= 0, 99% regression interval).

False-failure rate: at most 0.5% for each finding when the truth sits exactly on the boundary; the
measured excess risk at m = 512 is well below eps (see `rnntheory check -k sgd_learns -s`).
The check can fail: asking for eps = 0.01 (R0 - OPT), which 1200 steps do not reach, is rejected.

Property test: one SGD step with learning rate 0.2/(m L) on a fixed batch does not increase that
batch's objective (descent); worst ratio new/old over 60 random configurations: 0.990.
"""

from hypothesis import given, target

from rnntheory.backward import grad_W
from rnntheory.concepts import Concept
from rnntheory.strategies import configs
from rnntheory.training import output_cotangent


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
