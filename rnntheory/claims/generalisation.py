r"""Claims about the pseudo-network class of bounded radius (theory.md, section 6): it holds a solution
(``pseudo_solution``: a W* of radius tau* = poly(C, p, L), independent of m, reproduces the concept)
and it generalises (``generalisation``: its Rademacher complexity shrinks like tau poly(L) / sqrt(N),
and the test-train gap of SGD on N samples shrinks with N and does not grow with m).

The concept is the single-lag concept of :mod:`rnntheory.claims.sgd`; the trained gap runs are
its :func:`~rnntheory.claims.sgd.trajectory` on a fixed training set of N noisy samples.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..network import infinite as INF
from ..network import kernel as K
from ..learning.training import TrainingDiverged
from .cells import INPUT_SEED_OFFSET, cell_concept, config, labelled_sample, make_net
from ..checking.findings import (cannot_finding, event_finding, exponent_finding, exponential, growth_finding, series,
                       split_diverged, too_strong, wrong_m)
from ..stats.verdicts import Verdict
from ..checking.claim import Claim
from ..checking.grid import Grid
from ..checking.registry import register
from ..checking.results import Finding
from .sgd import trajectory

__all__ = ["PSEUDO_SOLUTION", "GENERALISATION"]


# ---------------------------------------------------------------------- pseudo-network solution
def _measure_pseudo_solution(cell: dict[str, Any]) -> list[dict[str, Any]]:
    net = make_net({**cell, "d": 1})
    concept = cell_concept(cell)
    data = labelled_sample(concept, cell, cell["N"], cell["seed"] + INPUT_SEED_OFFSET)
    tr = net.trace(data.x)
    fit = K.min_norm_fit(net, tr, data.clean, ridge=cell["ridge"])
    limit = INF.min_norm_fit(data.x, data.clean, ridge=cell["ridge"])  # the same fit with the limit kernel
    return [{**config(cell, "m", "L", "N", "seed", "w_var"), "tau_star": fit.tau_star, "tau_inf": limit.tau_star,
             "residual_rms": fit.residual_rms, "target_rms": fit.target_rms}]


def _analyse_pseudo_solution(df: pd.DataFrame, judging: Mapping[str, Any]) -> list[Finding]:
    by_m = df[df["L"] == judging["L_ref"]]
    by_L = df[df["m"] == judging["m_ref"]]
    deg = judging["degree"]
    rel = (df["residual_rms"] / df["target_rms"]).to_numpy()
    worst = [f"L={r.L}, m={r.m}, seed {r.seed}: {v:.2g}" for r, v in zip(df.itertuples(), rel)
             if v > judging["max_residual"]]
    findings = [
        exponent_finding(f"tau* grows at most like m^{judging['m_exponent']:g} (L = {judging['L_ref']})",
                         by_m, "m", "tau_star", judging["m_exponent"], resolution=judging["m_resolution"], groups=None,
                         panel="tau*", key="tau_star_m_exponent", level=judging.level),
        exponent_finding(f"tau* grows at most like L^{deg:g} (m = {judging['m_ref']})", by_L, "L", "tau_star", deg,
                         label=f"m = {judging['m_ref']}", panel="tau*", key="tau_star_L_exponent",
                         resolution=judging["L_resolution"], level=judging.level),
        growth_finding(f"tau* grows polynomially, not exponentially, in L (m = {judging['m_ref']})", by_L, "L",
                       "tau_star", factor=judging["growth_factor"], label=f"m = {judging['m_ref']}", panel="tau*",
                       key="tau_star_L_growth", level=judging.level),
        event_finding(f"the fits reproduce the concept on the sample (relative residual <= "
                      f"{judging['max_residual']:g})",
                      rel <= judging["max_residual"], key="fits_reproduce_event", what="fits", failures=worst, level=judging.level),
    ]
    if "tau_inf" in df:  # rows measured before the limit was recorded have no tau_inf
        lim = by_m.assign(tau_dev=(by_m["tau_star"] / by_m["tau_inf"] - 1).abs())
        b = judging["limit_exponent"]
        findings.insert(1, exponent_finding(
            f"tau*_m approaches tau* of the infinite-width kernel (mean {lim['tau_inf'].mean():.3g}): "
            f"|tau*_m / tau*_inf - 1| shrinks at least like m^{b:g} (L = {judging['L_ref']})",
            lim, "m", "tau_dev", b, resolution=judging["m_resolution"], groups=None, panel="|tau*_m / tau*_inf - 1|",
            key="tau_star_limit_m_exponent", end=judging["end_points"],
            extra=[series(lim, "m", "tau_star", label=f"L = {judging['L_ref']}", panel="tau*_m and its limit",
                          reference="tau_inf", reference_label="tau* of the limit kernel")], level=judging.level))
    return findings


_PS_FIXED = dict(d_x=8, lag=1, p=3, phi="sin", concept_seed=0, eps_x=0.1, noise=0.0, N=48, ridge=1e-10, w_var=2.0)
_PS_JUDGING = dict(L_ref=6, m_ref=256, m_exponent=0.0, limit_exponent=-0.5, degree=3.0, max_residual=1e-3,
                   m_resolution=0.25, L_resolution=0.25, growth_factor=2.0, end_points=3)
PSEUDO_SOLUTION = register(Claim(
    name="pseudo_solution",
    dtype="float64",
    precision="an interpolation with ridge 1e-10: its residual is at rounding level (1e-8 in float64, 1e-4 in float32) and tau* moves by 4% in float32",
    title="A pseudo-network solution of bounded radius exists",
    reference="theory.md sec. 6 (existence of a pseudo-network solution)",
    statement="Some W* with radius tau* = poly(C, p, L), independent of m, makes pseudo(x; W*) approximate F*; "
    "as m grows, tau* approaches the value of the infinite-width kernel (theory.md sec. 8).",
    quantity="tau* = sqrt(m) sqrt(alpha^T K alpha) of the minimum-norm fit of F* on N = 48 sequences (joint NTK over "
    "positions 3..L), and tau*_inf = sqrt(alpha^T K_inf alpha) of the same fit with the limit kernel K_inf",
    bound="tau* <= c m^0; |tau*/tau*_inf - 1| <= c m^(-1/2); tau* <= c L^3, not exponential in L",
    grids={
        "default": Grid(points=tuple([{"m": m, "L": 6} for m in (64, 128, 256, 512, 1024)]
                                     + [{"m": 256, "L": L} for L in (4, 8, 10, 12)]),
                        seeds=tuple(range(5)), fixed=_PS_FIXED),
        "large": Grid(points=tuple([{"m": m, "L": 8} for m in (128, 512, 2048, 8192)]
                                   + [{"m": 1024, "L": L} for L in (4, 6, 8, 12, 16, 24)]),
                      seeds=tuple(range(5)), fixed={**_PS_FIXED, "N": 96}, judging={"L_ref": 8, "m_ref": 1024}),
    },
    measure=_measure_pseudo_solution,
    analyse=_analyse_pseudo_solution,
    judging=_PS_JUDGING,
    version=2,
    controls=(
        too_strong("tau* shrinks like m^-1", m_exponent=-1.0),
        wrong_m("tau_star"),
        exponential("L", "tau_star"),
    ),
    plot={"x": "m", "y": "tau_star", "hue": "L"},
))


# ---------------------------------------------------------------------- generalisation
def _measure_generalisation(cell: dict[str, Any]) -> list[dict[str, Any]]:
    kind = cell["kind"]
    if kind == "rademacher":
        net = make_net({**cell, "d": 1})
        data = labelled_sample(cell_concept(cell), cell, cell["N"], cell["seed"] + INPUT_SEED_OFFSET)
        est = K.rademacher(net, net.trace(data.x), cell["tau"], samples=cell["mc"], seed=cell["seed"])
        value = est.monte_carlo
    else:
        try:
            run = trajectory(cell)
        except TrainingDiverged as exc:  # an outcome of the learning-rate rule, counted by the analysis
            return [{**config(cell, "m", "N", "L", "seed", "w_var", "tau", "lr0"), "kind": kind, "value": float("nan"),
                     "diverged": True, "divergence": str(exc)}]
        value = float(run.trajectory.record["test_risk"].iloc[-1]) - run.train_risk
    return [{**config(cell, "m", "N", "L", "seed", "w_var", "tau", "lr0"), "kind": kind, "value": value,
             "diverged": False, "divergence": ""}]


def _analyse_generalisation(df: pd.DataFrame, judging: Mapping[str, Any]) -> list[Finding]:
    rad = df[df["kind"] == "rademacher"].assign(constant=lambda d: d["value"] * np.sqrt(d["N"]) / d["tau"])
    gap, diverged = split_diverged(df[df["kind"] == "gap"], "SGD run of the gap", key="gap_no_divergence", level=judging.level)
    m0, N0, L0 = judging["m_ref"], judging["N_ref"], judging["L_ref"]
    base = rad[(rad["L"] == L0)]
    f = [
        exponent_finding(f"Rademacher complexity shrinks at least like N^{judging['n_exponent']:g} "
                         f"(m = {m0}, L = {L0})",
                         base[base["m"] == m0], "N", "value", judging["n_exponent"], resolution=judging["n_resolution"],
                         label=f"m = {m0}", panel="Rademacher complexity", key="rademacher_N_exponent", level=judging.level),
        exponent_finding(f"Rademacher complexity does not grow with m (N = {N0}, L = {L0})",
                         base[base["N"] == N0], "m", "value", 0.0, resolution=judging["m_resolution"], groups=None,
                         label=f"N = {N0}", panel="Rademacher complexity against m", key="rademacher_m_exponent", level=judging.level),
        growth_finding(f"the constant Rademacher x sqrt(N) / tau grows polynomially, not exponentially, in L "
                       f"(m = {m0}, N = {N0})", rad[(rad["m"] == m0) & (rad["N"] == N0)], "L", "constant",
                       factor=judging["growth_factor"], panel="Rademacher x sqrt(N) / tau", key="rademacher_L_growth", level=judging.level),
    ]
    mean_gap = gap.groupby(["N", "m"], as_index=False)["value"].mean()
    if len(gap) == 0 or (mean_gap["value"] <= 0).any() or (gap["value"] <= 0).any():
        low = float(gap["value"].min()) if len(gap) else float("nan")
        f.append(cannot_finding("test-train gap of SGD shrinks with N and does not grow with m",
                                f"a gap is not positive (smallest {low:.3g}); no log-log fit", key="gap"))
        return f + diverged
    # one network per (seed, m): the gap's N sweep is grouped by network
    gap = gap.assign(net=gap["seed"].astype(str) + "/" + gap["m"].astype(str))
    f.append(exponent_finding("test-train gap of SGD on N samples shrinks with N", gap, "N", "value", 0.0,
                              resolution=judging["gap_resolution"], groups="net", label="each m",
                              panel="test risk - training risk", key="gap_N_exponent", level=judging.level))
    small = gap[gap["N"] == gap["N"].min()]
    f.append(exponent_finding(f"test-train gap does not grow with m (N = {int(small['N'].iloc[0])})", small, "m",
                              "value", 0.0, resolution=judging["gap_resolution"], groups=None,
                              label=f"N = {int(small['N'].iloc[0])}",
                              panel="test risk - training risk against m", key="gap_m_exponent", level=judging.level))
    return f + diverged


_GEN_FIXED = dict(d_x=8, lag=1, p=3, phi="sin", concept_seed=0, eps_x=0.1, noise=0.2, n_test=256, lr0=8.0,
                  steps=600, batch=4, record_every=600, w_var=2.0, tau=1.0, mc=2000)
_GEN_JUDGING = dict(m_ref=256, N_ref=64, L_ref=8, n_exponent=-0.5, n_resolution=0.25, m_resolution=0.25,
                    growth_factor=2.0, gap_resolution=0.25)
GENERALISATION = register(Claim(
    name="generalisation",
    dtype="float32",
    precision="float32 and float64 give the same verdicts on the default grid and no finding's estimate moves by more than 0.01 of its resolution (docs/reporting.md)",
    expected=(Verdict.INCONCLUSIVE, 'growth of the Rademacher constant in L over three lengths is undecided (about 1.2x the networks)'),
    title="Generalisation: Rademacher complexity and the test-train gap",
    reference="theory.md sec. 6 (generalisation)",
    statement="The Rademacher complexity of {pseudo(.; W') : radius <= tau} is at most tau poly(L)/sqrt(N), independent of m; "
              "the test-train gap shrinks with N and does not grow with m.",
    quantity="Monte Carlo empirical Rademacher complexity at position L (tau = 1), and its constant Rademacher x sqrt(N) / tau "
             "against L; held-out minus training risk of SGD on N noisy samples",
    bound="Rademacher <= c tau poly(L) N^(-1/2) m^0; gap <= c N^0 m^0 (shrinking)",
    grids={
        "default": Grid(points=tuple([{"kind": "rademacher", "m": 256, "N": N, "L": 8} for N in (16, 32, 64, 128, 256)]
                                     + [{"kind": "rademacher", "m": m, "N": 64, "L": 8} for m in (64, 128, 512, 1024)]
                                     + [{"kind": "rademacher", "m": 256, "N": 64, "L": L} for L in (4, 16)]
                                     + [{"kind": "gap", "m": m, "N": N, "L": 8} for m in (128, 512) for N in (8, 32, 128)]),
                        seeds=tuple(range(8)), fixed=_GEN_FIXED),
        "large": Grid(points=tuple([{"kind": "rademacher", "m": 1024, "N": N, "L": 8} for N in (32, 64, 128, 256, 512)]
                                   + [{"kind": "rademacher", "m": m, "N": 64, "L": 8} for m in (128, 256)]
                                   + [{"kind": "rademacher", "m": 4096, "N": 64, "L": 8, "seeds": 2}]
                                   + [{"kind": "rademacher", "m": 1024, "N": 64, "L": L} for L in (4, 16, 32)]
                                   # trained gap runs to m = 1024 only: 2000 steps at m = 4096 take half an hour
                                   # on one CPU core (docs/reporting.md, the large grid)
                                   + [{"kind": "gap", "m": 256, "N": N, "L": 8} for N in (16, 64, 256)]
                                   + [{"kind": "gap", "m": 1024, "N": N, "L": 8, "seeds": 3} for N in (16, 64, 256)]),
                      seeds=tuple(range(5)), fixed={**_GEN_FIXED, "steps": 2000, "record_every": 2000},
                      judging={"m_ref": 1024}),
    },
    measure=_measure_generalisation,
    analyse=_analyse_generalisation,
    judging=_GEN_JUDGING,
    controls=(
        too_strong("Rademacher complexity shrinks like N^-1", n_exponent=-1.0),
        wrong_m("value"),
        exponential("L", "value"),
    ),
    version=3,
    plot={"x": "N", "y": "value", "hue": "kind"},
))
