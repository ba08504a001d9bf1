r"""Existence of a pseudo-network solution (theory.md sec. 6): some W* of radius tau* = poly(C, p, L),
independent of m, makes pseudo(x; W*) approximate F*; as m grows, tau* approaches tau*_inf of the
infinite-width kernel (theory.md sec. 8).

Grid (registry entry ``pseudo_solution``, default): the minimum-norm fit of F* (single-lag concept,
p = 3, sin) on N = 48 sequences by kernel regression with the joint empirical NTK over positions
3..L (ridge 1e-10 relative), tau* = sqrt(m) sqrt(alpha^T K alpha); 5 seeds; m in
{64, 128, 256, 512, 1024} at L = 6, and L in {4, 6, 8, 10, 12} at m = 256 (45 cells).

Findings, measured on the default grid:

1. tau* grows at most like m^0 at L = 6 (one network per cell: regression interval over 25 cells,
   99%; resolution 0.25): -0.488 [-0.569, -0.406], consistent (tau* falls as the empirical kernel
   converges from above).
1b. tau* approaches tau*_inf = sqrt(alpha^T K_inf alpha) of the same fit with the limit kernel (mean
   10.2 at L = 6): |tau*_m / tau*_inf - 1| shrinks at least like m^-1/2 (the local slope over
   m = 256..1024, regression interval over 15 cells; resolution 0.25): -0.945 [-1.33, -0.556],
   consistent (the second-order, positive, O(1/m) term of inverting a nearly singular kernel
   dominates the O(m^-1/2) fluctuation).
2. tau* grows at most like L^3 at m = 256 (one line per seed, t interval on 4 df): 0.406
   [0.192, 0.619], consistent.
3. tau* grows polynomially, not exponentially, in L (nested fit log q = a + b log L + c L per seed,
   resolution log(2) / 8 = 0.0866): exponent 0.943 [0.129, 1.76], rate -0.0747 [-0.182, 0.0324],
   consistent (at resolution 0.0866).
4. the fits reproduce F* on the sample (relative residual <= 1e-3; an event with a tolerated
   failure fraction 0.1, resolution 0.1): 45/45, P(held) in [0.889, 1], consistent (at resolution
   0.1).

Claim verdict: consistent.

False-failure rates: at most 0.5% "inconsistent" per finding when its truth sits at the edge of its
indifference zone (claimed value plus resolution), and at most as often "consistent (at resolution
r)" just beyond it; the measured values sit far inside. The claim as a whole: at most 5 x 0.5% =
2.5% each way (union bound). Deterministic seeds.

How the check can fail (negative controls): the too-strong claim "tau* shrinks like 1/m" is rejected
by finding 1; a wrong normalisation (tau* times sqrt(m)) by finding 1b: the ratio to the limit then
grows. (Finding 1 alone cannot see it: tau* falls like m^-0.49 at these widths, so a sqrt(m) factor
leaves it about constant in m.) Injected exponential growth (tau* times exp(c L), 8 times over
L = 4..12) is undecided: the altered analysis reads inconclusive, not accepted, and about 1.2x the
networks would reject it.

The verdict (against ``EXPECTED``), the three controls and the large grid are tested in
proofs_checks/test_claims.py.

Property test: the minimum-norm radius can only grow when samples are added (the interpolant of a
superset is feasible for the subset), so tau*(first half) <= tau*(all); ratio <= 1 + 1e-6. Worst
ratio over 30 random configurations: 1.000 (equality when the extra samples cost nothing).
"""

from hypothesis import given, target

from rnntheory.learning.concepts import Concept
from rnntheory.network import kernel
from rnntheory.testing import configs


@given(cfg=configs(m=(48, 160), L=(3, 6), n=(2, 6), d=(1, 1)))
def test_radius_grows_with_the_sample(cfg):
    net = cfg.net()
    data = Concept.single_lag(cfg.L, cfg.d_x, 1, seed=cfg.seed).sample(2 * cfg.n, seed=cfg.input_seed)
    tr = net.trace(data.x)
    full = kernel.min_norm_fit(net, tr, data.clean, ridge=0.0)
    half = kernel.min_norm_fit(net, kernel.subtrace(tr, slice(0, cfg.n)), data.clean[: cfg.n], ridge=0.0)
    ratio = half.tau_star / max(full.tau_star, 1e-300)
    target(ratio, label="tau*(half) / tau*(all)")
    assert ratio <= 1 + 1e-6
