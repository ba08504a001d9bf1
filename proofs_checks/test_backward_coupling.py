r"""Backward coupling (theory.md sec. 3 and sec. 10): the gradient of the real network at W0 + W' stays close
to the pseudo-network's gradient (the gradient at W0); the distance vanishes as m grows at fixed tau, for
m >= poly(L).

Grid (registry entry ``backward_coupling``, default): a joint (L, m) design at tau = 1, each length on
widths around its threshold: L = 8 on m = 128..1024 (where the exponents in m are judged), L = 4 on
16..256, L = 6 on 64..512, L = 12 on 256..1024, L = 16 on 512 and 1024; 24 seeds, 4 sequences,
eps_x = 0.1, three directions (Gaussian, descent direction against random labels, adversarial rank-one).
Quantities, averaged over positions j = 2..L and sequences: the relative Frobenius distance
||grad y_j(W0+W') - grad y_j(W0)||_F / ||grad y_j(W0)||_F and |<grad y_j(W0+W') - grad y_j(W0), W*>| for
a Gaussian W* of radius 1. One network per cell, so every fit uses the regression interval over the
cells (99%). The paper gives no rate, so "decays" is checked against exponent 0 with the small
resolution 0.1 of the coupling errors (docs/conventions.md): an interval that contains 0.1 is
inconclusive.

Findings, measured on the default grid:

1. at L = 8 (the local slope over m = 256..1024, 72 cells): relative distance random -0.388
   [-0.557, -0.219], gradient -0.232 [-0.273, -0.19], adversarial -0.21 [-0.254, -0.167]; inner form
   random -1.51, gradient -1.21, adversarial -1.23: all six consistent.
2. the premise m >= poly(L) for the relative distance along the descent direction (theory.md sec. 10):
   per accuracy delta the width m*(L; delta) at which its mean falls to delta grows polynomially, not
   exponentially, in L (nested fit over L = 4..16, resolution log(2) / 12 = 0.058 on the rate). The
   distance falls only like m^-0.23, so m* spreads widely: delta = 0.4: m* = 29, 86, 187, 858 and 2660
   (L = 16 extrapolated beyond 1024), k = 3.27 [2.89, 3.65], rate 0.17 [-0.0271, 0.367]: inconclusive
   (about 3x the networks would decide it); delta = 0.3: m* = 107 to 11000 (L = 12 and 16
   extrapolated), k = 3.39 [2.73, 4.05], rate 0.206 [-0.14, 0.552]: inconclusive (about 5.1x the
   networks would decide it). Described: the distance collapses onto L^k / m with k = 3.2 [2.97, 3.46].

Claim verdict: inconclusive (finding 2).

False-failure rates: at most 0.5% "inconsistent" per finding if its true exponent sat at the edge
of its indifference zone (0.1), and at most as often "consistent (at resolution 0.1)" just beyond
it (docs/regime.md calibrates the regime findings); the measured exponents sit far below 0. The claim
as a whole: at most 8 x 0.5% = 4% each way (union bound). Deterministic seeds.

How the check can fail (negative controls): a too-strong decay (m^-1.5) is rejected (five findings);
a wrong normalisation (both quantities times sqrt(m)) is rejected by the gradient direction's
relative distance (and one more). An exponential m*(L) (the distance times exp(c L), 8x over
L = 4..16) is undecided on the default grid; the control says how many networks would reject it.

The verdict (against ``EXPECTED``), the three controls and the large grid are tested in
proofs_checks/test_claims.py; the regime findings here.

Property test (Hypothesis, profile ci): relative distance <= C * tau^(1/3) * m^(-1/6) (that is,
(||W'||_F)^(1/3): the fraction of flipped signs is at most omega^(2/3) and a gradient moves like its
square root) for random and adversarial W', m in [32, 256], L in [3, 5], tau in [0.1, 4]; worst ratio: WORST.
"""

from hypothesis import given, target
from hypothesis import strategies as st

from proofs_checks._harness import run_claim
from rnntheory import claims
from rnntheory.network import RNN, pseudo, sample_inputs
from rnntheory.network import perturbation as P
from rnntheory.testing import seeds

C = 4.0  # max_j relative distance <= C * tau^(1/3) * m^(-1/6)
WORST = 2.79  # largest ratio found by the property test (profile ci)


@given(m=st.integers(32, 256), L=st.integers(3, 5), tau=st.floats(0.1, 4.0), seed=seeds(), adversarial=st.booleans())
def test_backward_coupling_per_instance(m, L, tau, seed, adversarial):
    net = RNN.init(m, 6, 1, seed=seed)
    tr = net.trace(sample_inputs(2, L, 6, 0.1, seed=seed + 1))
    Wp = (
        P.adversarial_direction(net, tr, l=2, tau=tau)
        if adversarial
        else P.random_direction(net, tau=tau, seed=seed + 2)
    )
    rel = float(pseudo.backward_coupling(net, None, Wp, tr=tr).relative[:, 1:].max())
    ratio = rel / (tau ** (1 / 3) * m ** (-1 / 6))
    target(ratio, label="relative / (tau^(1/3) m^(-1/6))")
    assert ratio <= C


def test_backward_coupling_judges_the_regime_not_a_fixed_width():
    r"""The premise m >= poly(L) is judged by the regime findings: one per accuracy, each with the degree k of
    m*(L) and its interval over at least three lengths, the thresholds per length in its detail; the collapse
    is a description; the exponential control (derived from the regime) is rejected, or says what would reject it."""
    res = run_claim("backward_coupling")
    deltas = claims.get("backward_coupling").settings()["regime_deltas"]
    degrees = [f for f in res.findings if f.key.startswith("regime_degree[")]
    assert [f.key for f in degrees] == [f"regime_degree[delta={d:g}]" for d in deltas], str(res)
    for f in degrees:
        k = f.fit.degree.k
        assert f.judged and f.decision.rule == "growth" and k.ci_low <= k.value <= k.ci_high, str(f)
        assert len(f.fit.degree.lengths) >= 3 and "m*(L) L=" in f.detail, str(f)
    assert [f.described for f in res.findings if f.key == "regime_collapse"] != [""], str(res)
    (control,) = [o for o in res.controls() if o.kind == "exponential"]
    assert control.rejected or (control.status == "undecided" and "to reject it" in control.detail), str(control)
