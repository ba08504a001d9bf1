r"""SGD learns (theory.md sec. 6, main theorem; sec. 10, the regime m >= poly(L)): for m >= poly(C, p, L, 1/eps)
the average over t of the population risk of the SGD iterates W_t is at most OPT + eps, with SGD inside the
NTK regime. In the checkable form of the premise: the width m*(L; delta) at which the run of a rate that
learns enters the regime grows polynomially, not exponentially, in L.

Grid (registry entry ``sgd_learns``, default): online SGD on W only (batch 4, 1200 steps, learning rate
lr0 / (m L)) on a single-lag concept (lag 1, p = 3, sin). At L = 8: lr0 in {1/256, 8} (a small rate that
stays in the NTK regime, and a large one that leaves it), m in {128, 256, 512}, 5 seeds. The rate that
learns, lr0 = 1, on a joint (L, m) design: L in {4, 5, 6, 8}, m in {128, 512}, 10 seeds (110 runs in all).
Measured: the held-out risk on 128 fresh sequences every 100 steps, and along the run the forward coupling
error of W_t - W_0 against the target's RMS (the coupling ratio q). ``ntk_ball`` judges the same runs (their
cells are filed under one name, ``sgd_run``). eps = 0.5 (R0 - OPT), 0.235 to 0.239 at m = 512, R0 the zero
predictor's held-out risk.

Findings, measured on the default grid (seed offset 0; every run its own network: regressions over runs,
99%):

1.-2. The premise, per accuracy delta in {0.1, 0.5} (the judged findings): m*(L; delta), the smallest width
   with E q <= delta, from a power law in m per length inverted at delta (Fieller intervals), and the nested
   fit log m* = a + k log L + c L over the lengths, judged on its rate c (resolution log 2 / 4 = 0.173).
   delta = 0.5: m* = 46 (extrapolated below m = 128..512, unbounded interval), 152 [15.5, 269], 314 [124,
   4230] at L = 4, 5, 6 and 851 (extrapolated beyond, unbounded interval) at L = 8: two lengths with a
   bounded interval, fewer than the three the nested fit needs: inconclusive (more networks of this design
   would not decide it; widths around the thresholds would). delta = 0.1: m* = 7140 to 28500, every length
   extrapolated beyond m = 128..512, two bounded intervals: inconclusive likewise.
3. Described: q collapses onto L^k / m with k = 3.5 [2.02, 6.58] and q ~ (L^k / m)^0.425 (lack of collapse
   not rejected, p = 0.95); the deep fully connected ReLU network's k = 1 is a reference, not a claim.
4.-9. At L = 8, per rate. Described (fixed-width slices, outside the verdict): the excess risk at m = 512
   against eps: 0.92 [0.452, 1.39] at lr0 = 1/256 (inconsistent as a slice: 1200 samples do not reach
   OPT + eps inside the regime), 0.305 [0.273, 0.338] at lr0 = 1 (the coupling ratio 0.62; inconclusive as
   a slice), 0.126 [0.0866, 0.166] at lr0 = 8 (the ratio 3.9); the small rate's regime condition 0.0207
   [0.00713, 0.0625] against 0.1; the small rate's excess risk against m, -0.121 [-0.489, 0.246] (the
   samples it needs do not fall as m grows). Judged: the excess risk does not grow with m at lr0 = 1
   (m^-0.129 [-0.216, -0.0416]) and lr0 = 8 (m^-0.384 [-0.613, -0.154]): consistent.
10. no run diverges under the rate lr0 / (m L): 110/110 runs, consistent.

Claim verdict: inconclusive: the degree of m*(L) in L is undecided at both accuracies on a CPU's widths
(too few lengths with a bounded m*).

False-failure rates: at most 0.5% "inconsistent" per judged finding when its truth sits at the edge of its
indifference zone (99% intervals); the claim as a whole at most 5 x 0.5% = 2.5% each way (union bound).
Deterministic seeds.

How the check can fail (negative controls): an exponential m*(L) (the coupling ratio times exp(c L), a
factor 8 over L = 4..8 at every width) is not yet rejected: the altered analysis reads inconclusive, and
more networks of this design cannot decide it (widths around the thresholds would). A wrong
normalisation in m (the risks times sqrt(m)) is rejected by the excess-risk exponent at lr0 = 1. A
too-strong claimed rate cannot be detected: no judged finding claims a rate to make stronger.

The verdict (against ``EXPECTED``), the three controls and the large grid are tested in
proofs_checks/test_claims.py; the regime findings and the descriptions below.

Property test: one SGD step with learning rate 0.2/(m L) on a fixed batch does not increase that
batch's objective (descent); worst ratio new/old over 60 random configurations: 0.990.
"""

import math

import pytest
from hypothesis import given, target

from proofs_checks._harness import run_claim
from rnntheory.learning.concepts import Concept
from rnntheory.learning.objective import output_cotangent
from rnntheory.network.backward import grad_W
from rnntheory.testing import configs


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


@pytest.mark.trained  # measures the claim's default grid of SGD runs: its own step
def test_the_premise_is_judged_by_the_regime_findings():
    res = run_claim("sgd_learns")
    deltas = res.settings["regime_deltas"]
    regime = {f.key: f for f in res.findings if f.key.startswith("learn_regime")}
    assert list(regime) == [f"learn_regime_degree[delta={d:g}]" for d in deltas] + ["learn_regime_collapse"]
    for d in deltas:
        f = regime[f"learn_regime_degree[delta={d:g}]"]
        # judged, with m*_learn(L) at every length (inside the widths or extrapolated, with its interval)
        assert f.judged and "L=8: " in f.detail, str(f)
        # the degree k of m* ~ L^k with its interval where 3 lengths have a bounded m*; else "inconclusive",
        # naming them (on the default grid each length's decay in m is a few standard errors from 0, so
        # an independent replication may bound fewer than 3)
        if f.decision.rule == "growth":
            k = f.fit.degree.k
            assert math.isfinite(k.value) and k.ci_low <= k.value <= k.ci_high, str(f)
        else:
            assert f.verdict == "inconclusive" and "a finite m* and a bounded 99% interval" in f.detail, str(f)
    assert not regime["learn_regime_collapse"].judged


@pytest.mark.trained  # measures the claim's default grid of SGD runs: its own step
def test_fixed_width_slices_are_descriptions():
    res = run_claim("sgd_learns")
    fixed = [f for f in res.findings if f.key.startswith("excess_risk[") or f.key == "in_regime"]
    assert len(fixed) == 1 + res.data["lr0"].nunique() and not any(f.judged for f in fixed), str(res)


@pytest.mark.trained  # measures the claim's default grid of SGD runs: its own step
def test_the_exponential_control_is_rejected_or_says_what_would_reject_it():
    (o,) = [o for o in run_claim("sgd_learns").controls() if o.kind == "exponential"]
    assert o.rejected or (o.status == "undecided" and "to reject it" in o.detail), str(o)
