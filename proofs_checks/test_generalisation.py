r"""Generalisation (paper.md sec. 6): the Rademacher complexity of {pseudo(.; W') : radius <= tau}
is at most tau poly(L) / sqrt(N), independent of m; the test-train gap shrinks with N and does not
grow with m.

Measured (registry entry ``generalisation``), 3 seeds: the empirical Rademacher complexity of the
position-L class (tau = 1), Monte Carlo over 2000 sign vectors of the exact supremum
(tau / (sqrt(m) N)) sqrt(sigma^T K_L sigma), for N in {16, ..., 256} at m = 256 and m in
{64, 256, 1024} at N = 64; and the held-out minus training risk of SGD (600 steps) on N in
{8, 32, 128} noisy samples (noise 0.2) at m in {128, 512}. Findings: the exponent in N of the
Rademacher complexity must be <= -1/2; in m <= 0; the mean gap's exponent in N <= 0; the gap's
exponent in m <= 0 (99% regression intervals; "inconclusive" when an interval straddles and is wider
than 1, or 2 for the noisier gap).

False-failure rate: at most 0.5% per finding when the true exponent is on the boundary (the
Rademacher exponent in N is -1/2 exactly in expectation, so this is the rate that applies there).
The check can fail: the too-strong claim "Rademacher shrinks like 1/N" is rejected.

Property test: the closed-form bound (tau / (sqrt(m) N)) sqrt(tr K_L) is at most 2 tau L / sqrt(N)
for widths m >= 4 L^2 and eps_x <= 0.1, the regime of the lemmas (the poly(L) is checked at degree 1
with constant 2). Outside it the inequality fails: Hypothesis found ratio 1.27 at m = 24, L = 6,
eps_x = 1 (hidden norms grow like sqrt(1 + (l-1) eps_x^2)) and 1.07 at m = 24, L = 8, eps_x = 0.06
(width far below L^2, where hidden norms fluctuate by large factors).
"""

import dataclasses

from hypothesis import given, target

from rnntheory import kernel
from rnntheory.strategies import configs


@given(cfg=configs(m=(0, 256), L=(3, 8), n=(2, 8), d=(1, 1), eps_x=(0.01, 0.1)))
def test_rademacher_bound_per_instance(cfg):
    cfg = dataclasses.replace(cfg, m=4 * cfg.L**2 + cfg.m)  # widths m >= 4 L^2, as the lemmas need m >= poly(L)
    net, x = cfg.net(), cfg.inputs()
    est = kernel.rademacher(net, net.trace(x), 1.0, samples=200, seed=cfg.seed)
    ratio = est.bound / (2 * cfg.L / cfg.n**0.5)
    target(ratio, label="Rademacher bound / (2 L / sqrt(N))")
    assert ratio <= 1.0
