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

from ..checking.findings import (cannot_finding, exponent_finding, exponential, series, split_diverged, too_strong,
                                 wrong_m)
from ..checking.grid import Grid
from ..checking.results import Finding
from ..checking.specs import Event, Exponent, Growth, J, judge_all
from ..learning.training import TrainingDiverged
from ..network import infinite as INF, kernel as K
from ._paper import claim
from .cells import INPUT_SEED_OFFSET, cell_concept, labelled_sample, make_net
from .sgd import trajectory

__all__ = ["PSEUDO_SOLUTION", "GENERALISATION"]


# ---------------------------------------------------------------------- pseudo-network solution
def _measure_pseudo_solution(cell: dict[str, Any]) -> list[dict[str, Any]]:
    net = make_net({**cell, "d": 1})
    data = labelled_sample(cell_concept(cell), cell, cell["N"], cell["seed"] + INPUT_SEED_OFFSET)
    fit = K.min_norm_fit(net, net.trace(data.x), data.clean, ridge=cell["ridge"])
    limit = INF.min_norm_fit(data.x, data.clean, ridge=cell["ridge"])  # the same fit with the limit kernel
    return [{"tau_star": fit.tau_star, "tau_inf": limit.tau_star, "residual_rms": fit.residual_rms,
             "target_rms": fit.target_rms}]


def _residual(df: pd.DataFrame) -> np.ndarray:
    return (df["residual_rms"] / df["target_rms"]).to_numpy()


_TAU = dict(y="tau_star", panel="tau*")
_BY_L = dict(rows={"m": J.m_ref}, x="L", label="m = {m_ref}", **_TAU)
# after the limit's finding (analyse), whose title carries the measured limit
_PS_AFTER = (
    Exponent("tau* grows at most like L^{degree:g} (m = {m_ref})", "tau_star_L_exponent", claimed=J.degree,
             resolution=J.L_resolution, **_BY_L),
    Growth("tau* grows polynomially, not exponentially, in L (m = {m_ref})", "tau_star_L_growth",
           factor=J.growth_factor, **_BY_L),
    Event("the fits reproduce the concept on the sample (relative residual <= {max_residual:g})",
          "fits_reproduce_event", held=lambda df, j: _residual(df) <= j["max_residual"], what="fits",
          failures=lambda df, j: [f"L={r.L}, m={r.m}, seed {r.seed}: {v:.2g}"
                                  for r, v in zip(df.itertuples(), _residual(df)) if v > j["max_residual"]]),
)


def _analyse_pseudo_solution(df: pd.DataFrame, judging: Mapping[str, Any]) -> list[Finding]:
    L0, b, out = judging["L_ref"], judging["limit_exponent"], []
    if "tau_inf" in df:  # rows measured before the limit was recorded have no tau_inf
        lim = df[df["L"] == L0].assign(tau_dev=lambda d: (d["tau_star"] / d["tau_inf"] - 1).abs())
        out.append(exponent_finding(
            f"tau*_m approaches tau* of the infinite-width kernel (mean {lim['tau_inf'].mean():.3g}): "
            f"|tau*_m / tau*_inf - 1| shrinks at least like m^{b:g} (L = {L0})", lim, "m", "tau_dev", b,
            resolution=judging["m_resolution"], groups=None, panel="|tau*_m / tau*_inf - 1|",
            key="tau_star_limit_m_exponent", end=judging["end_points"], level=judging.level,
            extra=[series(lim, "m", "tau_star", label=f"L = {L0}", panel="tau*_m and its limit", reference="tau_inf",
                          reference_label="tau* of the limit kernel")]))
    return out + judge_all(_PS_AFTER, df, judging)


_PS_FIXED = dict(d_x=8, lag=1, p=3, phi="sin", concept_seed=0, eps_x=0.1, noise=0.0, N=48, ridge=1e-10, w_var=2.0)

PSEUDO_SOLUTION = claim(
    name="pseudo_solution",
    dtype="float64",
    title="A pseudo-network solution of bounded radius exists",
    reference="theory.md sec. 6 (existence of a pseudo-network solution)",
    statement="Some W* with radius tau* = poly(C, p, L), independent of m, makes pseudo(x; W*) approximate F*; "
    "as m grows, tau* approaches the value of the infinite-width kernel (theory.md sec. 8).",
    quantity="tau* = sqrt(m) sqrt(alpha^T K alpha) of the minimum-norm fit of F* on N = 48 sequences (joint NTK over "
    "positions 3..L), and tau*_inf = sqrt(alpha^T K_inf alpha) of the same fit with the limit kernel K_inf",
    bound="tau* <= c m^0; |tau*/tau*_inf - 1| <= c m^(-1/2); tau* <= c L^3, not exponential in L",
    grids={"default": Grid(points=tuple([{"m": m, "L": 6} for m in (64, 128, 256, 512, 1024)]
                                        + [{"m": 256, "L": L} for L in (4, 8, 10, 12)]),
                           seeds=tuple(range(5)), fixed=_PS_FIXED),
           "large": Grid(points=tuple([{"m": m, "L": 8} for m in (128, 512, 2048, 8192)]
                                      + [{"m": 1024, "L": L} for L in (4, 6, 8, 12, 16, 24)]),
                         seeds=tuple(range(5)), fixed={**_PS_FIXED, "N": 96}, judging={"L_ref": 8, "m_ref": 1024})},
    measure=_measure_pseudo_solution,
    findings=(Exponent("tau* grows at most like m^{m_exponent:g} (L = {L_ref})", "tau_star_m_exponent",
                       rows={"L": J.L_ref}, x="m", claimed=J.m_exponent, resolution=J.m_resolution, groups=None,
                       **_TAU),),
    analyse=_analyse_pseudo_solution,
    judging=dict(L_ref=6, m_ref=256, m_exponent=0.0, limit_exponent=-0.5, degree=3.0, max_residual=1e-3,
                 m_resolution=0.25, L_resolution=0.25, growth_factor=2.0, end_points=3),
    version=2,
    controls=(too_strong("tau* shrinks like m^-1", m_exponent=-1.0), wrong_m("tau_star"), exponential("L", "tau_star")),
    plot={"x": "m", "y": "tau_star", "hue": "L"},
)


# ---------------------------------------------------------------------- generalisation
def _measure_generalisation(cell: dict[str, Any]) -> list[dict[str, Any]]:
    if cell["kind"] == "rademacher":
        net = make_net({**cell, "d": 1})
        data = labelled_sample(cell_concept(cell), cell, cell["N"], cell["seed"] + INPUT_SEED_OFFSET)
        value = K.rademacher(net, net.trace(data.x), cell["tau"], samples=cell["mc"], seed=cell["seed"]).monte_carlo
    else:
        try:
            run = trajectory(cell)
        except TrainingDiverged as exc:  # an outcome of the learning-rate rule, counted by the analysis
            return [{"value": float("nan"), "diverged": True, "divergence": str(exc)}]
        value = float(run.trajectory.record["test_risk"].iloc[-1]) - run.train_risk
    return [{"value": value, "diverged": False, "divergence": ""}]


def _rad(df: pd.DataFrame, judging: Mapping[str, Any]) -> pd.DataFrame:
    r"""The Rademacher rows at m_ref and N_ref, with the constant Rademacher x sqrt(N) / tau."""
    rad = df[(df["kind"] == "rademacher") & (df["m"] == judging["m_ref"]) & (df["N"] == judging["N_ref"])]
    return rad.assign(constant=rad["value"] * np.sqrt(rad["N"]) / rad["tau"])


_RAD = dict(kind="rademacher", L=J.L_ref)


def _analyse_gap(df: pd.DataFrame, judging: Mapping[str, Any]) -> list[Finding]:
    gap, diverged = split_diverged(df[df["kind"] == "gap"], "SGD run of the gap", key="gap_no_divergence",
                                   level=judging.level)
    if len(gap) == 0 or (gap["value"] <= 0).any():  # a log-log fit needs every gap (so every mean) positive
        low = float(gap["value"].min()) if len(gap) else float("nan")
        return [cannot_finding("test-train gap of SGD shrinks with N and does not grow with m",
                               f"a gap is not positive (smallest {low:.3g}); no log-log fit", key="gap"), *diverged]
    # one network per (seed, m): the gap's N sweep is grouped by network
    gap = gap.assign(net=gap["seed"].astype(str) + "/" + gap["m"].astype(str))
    small = gap[gap["N"] == gap["N"].min()]
    N = int(small["N"].iloc[0])
    kw = dict(resolution=judging["gap_resolution"], level=judging.level)
    return [exponent_finding("test-train gap of SGD on N samples shrinks with N", gap, "N", "value", 0.0, groups="net",
                             label="each m", panel="test risk - training risk", key="gap_N_exponent", **kw),
            exponent_finding(f"test-train gap does not grow with m (N = {N})", small, "m", "value", 0.0, groups=None,
                             label=f"N = {N}", panel="test risk - training risk against m", key="gap_m_exponent", **kw),
            *diverged]


_GEN_FIXED = dict(d_x=8, lag=1, p=3, phi="sin", concept_seed=0, eps_x=0.1, noise=0.2, n_test=256, lr0=8.0,
                  steps=600, batch=4, record_every=600, w_var=2.0, tau=1.0, mc=2000)

GENERALISATION = claim(
    name="generalisation",
    dtype="float32",
    title="Generalisation: Rademacher complexity and the test-train gap",
    reference="theory.md sec. 6 (generalisation)",
    statement="The Rademacher complexity of {pseudo(.; W') : radius <= tau} is at most tau poly(L)/sqrt(N), "
    "independent of m; the test-train gap shrinks with N and does not grow with m.",
    quantity="Monte Carlo empirical Rademacher complexity at position L (tau = 1), and its constant Rademacher x "
    "sqrt(N) / tau against L; held-out minus training risk of SGD on N noisy samples",
    bound="Rademacher <= c tau poly(L) N^(-1/2) m^0; gap <= c N^0 m^0 (shrinking)",
    grids={
        "default": Grid(points=tuple([{"kind": "rademacher", "m": 256, "N": N, "L": 8} for N in (16, 32, 64, 128, 256)]
                                     + [{"kind": "rademacher", "m": m, "N": 64, "L": 8} for m in (64, 128, 512, 1024)]
                                     + [{"kind": "rademacher", "m": 256, "N": 64, "L": L} for L in (4, 16)]
                                     + [{"kind": "gap", "m": m, "N": N, "L": 8}
                                        for m in (128, 512) for N in (8, 32, 128)]),
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
    findings=(
        Exponent("Rademacher complexity shrinks at least like N^{n_exponent:g} (m = {m_ref}, L = {L_ref})",
                 "rademacher_N_exponent", rows={**_RAD, "m": J.m_ref}, x="N", y="value", claimed=J.n_exponent,
                 resolution=J.n_resolution, label="m = {m_ref}", panel="Rademacher complexity"),
        Exponent("Rademacher complexity does not grow with m (N = {N_ref}, L = {L_ref})", "rademacher_m_exponent",
                 rows={**_RAD, "N": J.N_ref}, x="m", y="value", claimed=0.0, resolution=J.m_resolution, groups=None,
                 label="N = {N_ref}", panel="Rademacher complexity against m"),
        Growth("the constant Rademacher x sqrt(N) / tau grows polynomially, not exponentially, in L (m = {m_ref}, "
               "N = {N_ref})", "rademacher_L_growth", rows=_rad, x="L", y="constant", factor=J.growth_factor,
               panel="Rademacher x sqrt(N) / tau"),
    ),
    analyse=_analyse_gap,
    judging=dict(m_ref=256, N_ref=64, L_ref=8, n_exponent=-0.5, n_resolution=0.25, m_resolution=0.25,
                 growth_factor=2.0, gap_resolution=0.25),
    # the column the growth finding fits is computed from value, so the controls alter value (none derived)
    controls=(too_strong("Rademacher complexity shrinks like N^-1", n_exponent=-1.0), wrong_m("value"),
              exponential("L", "value")),
    version=3,
    plot={"x": "N", "y": "value", "hue": "kind"},
)
