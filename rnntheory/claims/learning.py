r"""Claims about learning (theory.md, section 6): SGD learns, stays in the NTK ball, a pseudo-network
solution of bounded radius exists, the class generalises, and the cost grows polynomially in L.
(Five claims of one section share their runs and concept helpers here, hence its length, a little
over 450 lines.)

Every run trains only W by vanilla SGD (:func:`rnntheory.learning.training.sgd`) with learning rate
``lr0 / (m L)`` (the gradient's size grows like m L) on a single-lag concept
(``Concept.single_lag(L, d_x, lag, p=3, phi="sin", seed=concept_seed)``): the same target for every
width and seed, so that only the network and the sample stream vary. "Reaching OPT + eps" uses
``eps = eps_frac * (R0 - OPT)``, where R0 is the held-out risk of the zero predictor; so
``eps_frac = 0.5`` asks SGD to remove half of the removable risk.

Two learning rates are run. ``lr0 = 8`` learns within the default budget but leaves the NTK regime:
along the run the forward coupling error of W_t - W_0 is several times the target's RMS and a fifth
of the signs flip, so it shows that SGD learns, not that it learns *through the pseudo-network* as
the theorem says. The small rate ``lr0_regime`` keeps the coupling RMS along the run at most a
tenth of the target's RMS at the largest width (the regime condition, checked as a finding), so
what happens there is what the theorem speaks of. ``sgd_learns`` and ``ntk_ball`` measure the same
runs: their cells are filed under one name (``sgd_run``), so a cache measures each run once.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping, NamedTuple

import numpy as np
import pandas as pd

from ..network import infinite as INF
from ..network import kernel as K
from ..learning.concepts import Concept
from ..learning.training import TrainingDiverged, Trajectory, risk, sgd
from .cells import INPUT_SEED_OFFSET, cell_concept, config, labelled_sample, make_net
from .findings import (cannot_detect, cannot_finding, event_finding, exponent_finding, exponential,
                        growth_finding, mean_finding, series, split_diverged, too_strong, wrong_m)
from ..stats.verdicts import Verdict
from ._registry import Claim, Finding, Grid, register, torch_dtype

TRAIN_SEED_OFFSET = 20_000
"""The training set (or sample stream) of a cell with seed s uses seed s + TRAIN_SEED_OFFSET."""



class Run(NamedTuple):
    r"""A training run: its trajectory, the zero predictor's held-out risk, the RMS of the clean target
    over positions 3..L of the held-out set, and (for a fixed training set) the final risk on that
    set (NaN for online runs)."""

    trajectory: Trajectory
    zero_risk: float
    target_rms: float
    train_risk: float


def trajectory(cell: Mapping[str, Any]) -> Run:
    r"""Train the cell's network: the trajectory, the zero predictor's held-out risk, the target's RMS
    and, for a fixed training set, the final training risk."""
    concept = cell_concept(cell)
    test = labelled_sample(concept, cell, cell["n_test"], cell["seed"] + INPUT_SEED_OFFSET)
    zero = float(0.5 * test.labels[:, 2:].pow(2).sum(dim=(1, 2)).mean())
    target_rms = float(test.clean[:, 2:].pow(2).mean().sqrt())
    net = make_net({**cell, "d": 1})
    source: dict[str, Any] = {"concept": concept, "eps_x": cell["eps_x"], "noise": cell["noise"]}
    if cell.get("N"):
        source = {"train": labelled_sample(concept, cell, cell["N"], cell["seed"] + TRAIN_SEED_OFFSET)}
    stop = None
    if cell.get("stop_frac") is not None:  # stop once the risk is below OPT + stop_frac (R0 - OPT)
        stop = test.opt + cell["stop_frac"] * (zero - test.opt)
    tj = sgd(net, test=test, lr=cell["lr0"] / (cell["m"] * cell["L"]), steps=cell["steps"], batch_size=cell["batch"],
             record_every=cell["record_every"], seed=cell["seed"] + TRAIN_SEED_OFFSET, stop_at=stop,
             coupling=cell.get("stop_frac") is None, **source)
    train_risk = risk(net.outputs(source["train"].x, tj.W), source["train"]) if "train" in source else float("nan")
    return Run(tj, zero, target_rms, train_risk)


# ---------------------------------------------------------------------- SGD learns / NTK ball
_SGD_VALUES = ("opt", "zero_risk", "init_risk", "avg_risk", "final_risk", "tau", "max_tau", "sign_frac", "coupling",
               "coupling_max", "target_rms")


def _measure_sgd(cell: dict[str, Any]) -> list[dict[str, Any]]:
    try:
        tj, zero, target_rms, _ = trajectory(cell)
    except TrainingDiverged as exc:  # a run that diverges is an outcome of the learning-rate rule, not an error
        return [{**config(cell, "m", "L", "seed", "lr0", "steps", "batch", "w_var"),
                 **{k: float("nan") for k in _SGD_VALUES}, "diverged": True, "divergence": str(exc)}]
    r = tj.record
    half = r[r["step"] >= cell["steps"] / 2]
    last = r.iloc[-1]
    return [{
        **config(cell, "m", "L", "seed", "lr0", "steps", "batch", "w_var"),
        "opt": float(last["opt"]),
        "zero_risk": zero,
        "init_risk": float(r["test_risk"].iloc[0]),
        "avg_risk": float(half["test_risk"].mean()),
        "final_risk": float(last["test_risk"]),
        "tau": float(last["tau"]),
        "max_tau": float(r["tau"].max()),
        "sign_frac": float(r["sign_frac"].iloc[1:].mean()),
        "coupling": float(r["coupling"].iloc[1:].mean()),
        "coupling_max": float(r["coupling"].iloc[1:].max()),
        "target_rms": target_rms,
        "diverged": False,
        "divergence": "",
    }]


def _regime(df: pd.DataFrame) -> str:
    ratio = float((df["coupling"] / df["target_rms"]).mean())
    where = "inside" if ratio <= 0.1 else "outside"
    return f"coupling RMS along the run {ratio:.2g} x the target's RMS: {where} the NTK regime"


def _analyse_learns(df: pd.DataFrame, js: Mapping[str, Any]) -> list[Finding]:
    df, diverged = split_diverged(df, "run")
    df = df.assign(excess=df["avg_risk"] - df["opt"], regime_ratio=df["coupling"] / df["target_rms"])
    findings = []
    for lr0, runs in sorted(df.groupby("lr0"), key=lambda kv: -kv[0] if kv[0] == js["lr0_regime"] else kv[0]):
        top = runs[runs["m"] == runs["m"].max()]
        m = int(top["m"].iloc[0])
        eps = js["eps_frac"] * float((top["zero_risk"] - top["opt"]).mean())
        tag = "small rate, meant to stay in the NTK regime" if lr0 == js["lr0_regime"] else "large rate"
        f = mean_finding(f"average held-out risk over the second half of SGD <= OPT + eps at m = {m}, lr0 = {lr0:g} "
                         f"({tag}; eps = {js['eps_frac']:g} x (R0 - OPT) = {eps:.3g})",
                         top["excess"], eps, what="excess risk", key=f"excess_risk[lr0={lr0:g}]",
                         resolution=js["risk_resolution"] * float((top["zero_risk"] - top["opt"]).mean()),
                         meaning=f"an excess risk {js['risk_resolution']:g} x (R0 - OPT) beyond eps",
                         points=series(runs, "m", "excess", np.ones(len(runs)), constant=eps, label=f"lr0 = {lr0:g}",
                                       panel="excess risk"))
        findings.append(replace(f, detail=f"{f.detail}; {_regime(top)}; held-out risk at W_0 "
                                f"{float(top['init_risk'].mean()):.3g} (the random initial output), of the zero predictor "
                                f"{float(top['zero_risk'].mean()):.3g}; final tau {float(top['tau'].mean()):.3g}"))
        if lr0 == js["lr0_regime"]:
            findings.append(mean_finding(
                f"the small rate lr0 = {lr0:g} stays in the NTK regime at m = {m}: coupling RMS along the run <= "
                f"{js['regime']:g} x the target's RMS", top["regime_ratio"], js["regime"], what="coupling / target RMS",
                key="in_regime", resolution=js["regime_resolution"]))
        else:
            findings.append(exponent_finding(f"excess risk does not grow with the width m (lr0 = {lr0:g})", runs, "m",
                                             "excess", 0.0, resolution=js["m_resolution"], groups=None, label=f"lr0 = {lr0:g}",
                                             panel="excess risk", key=f"excess_m_exponent[lr0={lr0:g}]"))
    return findings + diverged


def _analyse_ball(df: pd.DataFrame, js: Mapping[str, Any]) -> list[Finding]:
    df, diverged = split_diverged(df, "run")
    findings = []
    for lr0, runs in df.groupby("lr0"):
        tag = f"lr0 = {lr0:g}, {_regime(runs[runs['m'] == runs['m'].max()])} at the largest m"
        findings += [
            exponent_finding(f"final tau = sqrt(m) ||W_T - W_0||_F grows at most like m^{js['tau_exponent']:g} ({tag})",
                             runs, "m", "tau", js["tau_exponent"], resolution=js["m_resolution"], groups=None,
                             label=f"lr0 = {lr0:g}", key=f"tau_m_exponent[lr0={lr0:g}]",
                             panel="final tau"),
            exponent_finding(f"fraction of changed signs along the trajectory does not grow with m (lr0 = {lr0:g})",
                             runs, "m", "sign_frac", 0.0, resolution=js["m_resolution"], groups=None, label=f"lr0 = {lr0:g}",
                             panel="fraction of changed signs", key=f"sign_frac_m_exponent[lr0={lr0:g}]"),
            exponent_finding(f"forward coupling error of W_t - W_0 along the trajectory does not grow with m (lr0 = {lr0:g})",
                             runs, "m", "coupling", 0.0, resolution=js["m_resolution"], groups=None, label=f"lr0 = {lr0:g}",
                             panel="RMS coupling error", key=f"coupling_m_exponent[lr0={lr0:g}]"),
        ]
    return findings + diverged


_SGD_FIXED = dict(L=8, d_x=8, lag=1, p=3, phi="sin", concept_seed=0, eps_x=0.1, noise=0.0, n_test=128,
                  steps=1200, batch=4, record_every=100, N=0, w_var=2.0)
_LR_REGIME, _LR_LARGE = 1.0 / 256.0, 8.0
_SGD_DEFAULT = Grid.product({"lr0": [_LR_REGIME, _LR_LARGE], "m": [128, 256, 512]}, seeds=5, **_SGD_FIXED)
# On one CPU core a step at m = 4096 costs about 1 s (W is read some 25 times per step), so a run of 4000 steps
# is over an hour: the large grid stops at m = 1024 (3 seeds) so that it fits about two hours on two cores;
# wider runs belong on a GPU (a grid file can add {"lr0": 0.00390625, "m": 4096})
_SGD_LARGE = Grid(points=({"lr0": _LR_REGIME, "m": 256}, {"lr0": _LR_REGIME, "m": 512, "seeds": 3},
                          {"lr0": _LR_REGIME, "m": 1024, "seeds": 3},
                          {"lr0": _LR_LARGE, "m": 256}, {"lr0": _LR_LARGE, "m": 1024, "seeds": 3}),
                  seeds=tuple(range(5)), fixed={**_SGD_FIXED, "steps": 4000, "L": 12})
_ONE_LENGTH = ("the runs use one length (L = 8 on the default grid); growth in L is the subject of length_scaling "
               "and pseudo_solution")

SGD_LEARNS = register(Claim(
    name="sgd_learns",
    dtype="float32",
    precision="float32 and float64 give the same verdicts on the default grid and no finding's estimate moves by more than 0.01 of its resolution (docs/reporting.md)",
    expected=(Verdict.INCONSISTENT, 'inside the NTK regime (lr0 = 1/256) SGD does not reach OPT + eps within 1200 samples at m = 512: excess risk 0.72 [0.51, 0.94], beyond eps plus the resolution (0.20)'),
    title="SGD on W learns the concept",
    reference="theory.md sec. 6 (main theorem)",
    statement="For m >= poly(C, p, L, 1/eps), the average over t of the population risk of W_t is at most OPT + eps, "
              "with SGD inside the NTK regime.",
    quantity="held-out risk (128 fresh sequences) averaged over the recorded steps of the second half of online SGD "
             "(1200 steps of 4 samples), at a rate inside the NTK regime and at a large rate outside it",
    bound="avg risk <= OPT + eps, eps = 0.5 (R0 - OPT); excess risk non-increasing in m",
    grids={"default": _SGD_DEFAULT, "large": _SGD_LARGE},
    measure=_measure_sgd,
    analyse=_analyse_learns,
    judging=dict(eps_frac=0.5, lr0_regime=_LR_REGIME, regime=0.1, risk_resolution=0.1, regime_resolution=0.05,
                 m_resolution=0.25),
    controls=(
        too_strong("eps = 0.01 (R0 - OPT), which the runs do not reach", eps_frac=0.01),
        wrong_m("avg_risk", "opt", "zero_risk"),
        cannot_detect("exponential", "exponential growth in L", _ONE_LENGTH),
    ),
    version=4,
    cache_group="sgd_run",
    plot={"x": "m", "y": "avg_risk"},
))

NTK_BALL = register(Claim(
    name="ntk_ball",
    dtype="float32",
    precision="float32 and float64 give the same verdicts on the default grid and no finding's estimate moves by more than 0.01 of its resolution (docs/reporting.md)",
    expected=(Verdict.INCONCLUSIVE, 'the m exponents of tau, the sign fraction and the coupling over m = 128..512 (5 runs a width) need about 1.1x to 3.5x the runs'),
    title="SGD stays in the NTK ball",
    reference="theory.md sec. 6 (SGD stays in the NTK ball), sec. 3",
    statement="tau_t = sqrt(m) ||W_t - W_0||_F stays bounded independently of m; the fraction of changed signs and "
              "the coupling error shrink as m grows.",
    quantity="the runs of sgd_learns (both rates): tau at the end; averaged over the recorded steps, the fraction of "
             "changed signs and the RMS forward coupling error",
    bound="tau <= c m^0; sign fraction and coupling <= c m^0",
    grids={"default": _SGD_DEFAULT, "large": _SGD_LARGE},
    measure=_measure_sgd,
    analyse=_analyse_ball,
    judging=dict(tau_exponent=0.0, m_resolution=0.25),
    controls=(
        too_strong("tau shrinks like m^-0.5", tau_exponent=-0.5),
        wrong_m("tau"),
        cannot_detect("exponential", "exponential growth in L", _ONE_LENGTH),
    ),
    version=4,
    cache_group="sgd_run",
    plot={"x": "m", "y": "tau"},
))


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


def _analyse_pseudo_solution(df: pd.DataFrame, js: Mapping[str, Any]) -> list[Finding]:
    by_m = df[df["L"] == js["L_ref"]]
    by_L = df[df["m"] == js["m_ref"]]
    deg = js["degree"]
    rel = (df["residual_rms"] / df["target_rms"]).to_numpy()
    worst = [f"L={r.L}, m={r.m}, seed {r.seed}: {v:.2g}" for r, v in zip(df.itertuples(), rel) if v > js["max_residual"]]
    findings = [
        exponent_finding(f"tau* grows at most like m^{js['m_exponent']:g} (L = {js['L_ref']})",
                         by_m, "m", "tau_star", js["m_exponent"], resolution=js["m_resolution"], groups=None,
                         panel="tau*", key="tau_star_m_exponent"),
        exponent_finding(f"tau* grows at most like L^{deg:g} (m = {js['m_ref']})", by_L, "L", "tau_star", deg,
                         label=f"m = {js['m_ref']}", panel="tau*", key="tau_star_L_exponent",
                         resolution=js["L_resolution"]),
        growth_finding(f"tau* grows polynomially, not exponentially, in L (m = {js['m_ref']})", by_L, "L", "tau_star",
                       factor=js["growth_factor"], label=f"m = {js['m_ref']}", panel="tau*", key="tau_star_L_growth"),
        event_finding(f"the fits reproduce the concept on the sample (relative residual <= {js['max_residual']:g})",
                      rel <= js["max_residual"], key="fits_reproduce_event", what="fits", failures=worst),
    ]
    if "tau_inf" in df:  # rows measured before the limit was recorded have no tau_inf
        lim = by_m.assign(tau_dev=(by_m["tau_star"] / by_m["tau_inf"] - 1).abs())
        b = js["limit_exponent"]
        findings.insert(1, exponent_finding(
            f"tau*_m approaches tau* of the infinite-width kernel (mean {lim['tau_inf'].mean():.3g}): "
            f"|tau*_m / tau*_inf - 1| shrinks at least like m^{b:g} (L = {js['L_ref']})",
            lim, "m", "tau_dev", b, resolution=js["m_resolution"], groups=None, panel="|tau*_m / tau*_inf - 1|",
            key="tau_star_limit_m_exponent", end=js["end_points"],
            extra=[series(lim, "m", "tau_star", label=f"L = {js['L_ref']}", panel="tau*_m and its limit",
                          reference="tau_inf", reference_label="tau* of the limit kernel")]))
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


def _analyse_generalisation(df: pd.DataFrame, js: Mapping[str, Any]) -> list[Finding]:
    rad = df[df["kind"] == "rademacher"].assign(constant=lambda d: d["value"] * np.sqrt(d["N"]) / d["tau"])
    gap, diverged = split_diverged(df[df["kind"] == "gap"], "SGD run of the gap", key="gap_no_divergence")
    m0, N0, L0 = js["m_ref"], js["N_ref"], js["L_ref"]
    base = rad[(rad["L"] == L0)]
    f = [
        exponent_finding(f"Rademacher complexity shrinks at least like N^{js['n_exponent']:g} (m = {m0}, L = {L0})",
                         base[base["m"] == m0], "N", "value", js["n_exponent"], resolution=js["n_resolution"],
                         label=f"m = {m0}", panel="Rademacher complexity", key="rademacher_N_exponent"),
        exponent_finding(f"Rademacher complexity does not grow with m (N = {N0}, L = {L0})",
                         base[base["N"] == N0], "m", "value", 0.0, resolution=js["m_resolution"], groups=None,
                         label=f"N = {N0}", panel="Rademacher complexity against m", key="rademacher_m_exponent"),
        growth_finding(f"the constant Rademacher x sqrt(N) / tau grows polynomially, not exponentially, in L "
                       f"(m = {m0}, N = {N0})", rad[(rad["m"] == m0) & (rad["N"] == N0)], "L", "constant",
                       factor=js["growth_factor"], panel="Rademacher x sqrt(N) / tau", key="rademacher_L_growth"),
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
                              resolution=js["gap_resolution"], groups="net", label="each m",
                              panel="test risk - training risk", key="gap_N_exponent"))
    small = gap[gap["N"] == gap["N"].min()]
    f.append(exponent_finding(f"test-train gap does not grow with m (N = {int(small['N'].iloc[0])})", small, "m",
                              "value", 0.0, resolution=js["gap_resolution"], groups=None,
                              label=f"N = {int(small['N'].iloc[0])}",
                              panel="test risk - training risk against m", key="gap_m_exponent"))
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


# ---------------------------------------------------------------------- length scaling
def _measure_length(cell: dict[str, Any]) -> list[dict[str, Any]]:
    base = config(cell, "m", "L", "seed", "w_var", "batch", "lr0")
    try:
        tj, zero, _, _ = trajectory(cell)
    except TrainingDiverged as exc:  # a run that diverges is an outcome of the learning-rate rule, not an error
        return [{**base, "samples": float("nan"), "reached": False, "threshold": float("nan"), "diverged": True,
                 "divergence": str(exc)}]
    r = tj.record
    opt = float(r["opt"].iloc[0])
    threshold = opt + cell["stop_frac"] * (zero - opt)
    hit = r[(r["step"] > 0) & (r["test_risk"] <= threshold)]
    reached = len(hit) > 0
    step = int(hit["step"].iloc[0]) if reached else int(cell["steps"])
    return [{**base, "samples": step * cell["batch"], "reached": reached, "threshold": threshold, "diverged": False,
             "divergence": ""}]


def _analyse_length(df: pd.DataFrame, js: Mapping[str, Any]) -> list[Finding]:
    deg = js["degree"]
    ran, diverged = split_diverged(df, "run")
    reached = ran["reached"].to_numpy(bool)
    missed = f"; {int((~reached).sum())} runs did not reach the target (counted at the cap)" if not reached.all() else ""
    fs = [exponent_finding(f"samples to reach OPT + eps grow at most like L^{deg:g}", ran, "L", "samples", deg,
                           key="samples_L_exponent", resolution=js["L_resolution"]),
          growth_finding("samples to reach OPT + eps grow polynomially, not exponentially, in L", ran, "L", "samples",
                         factor=js["growth_factor"], key="samples_L_growth")]
    fs.append(event_finding("every run reaches OPT + eps within the step budget", reached, key="reached_event",
                            what="runs"))
    return [replace(f, detail=f.detail + missed) for f in fs] + diverged


_LEN_FIXED = dict(d_x=8, lag=1, p=3, phi="sin", concept_seed=0, eps_x=0.1, noise=0.0, n_test=128, lr0=8.0,
                  steps=3000, batch=4, record_every=25, N=0, w_var=2.0, stop_frac=0.5)
LENGTH_SCALING = register(Claim(
    name="length_scaling",
    dtype="float32",
    precision="float32 and float64 give the same verdicts on the default grid and no finding's estimate moves by more than 0.09 of its resolution (docs/reporting.md)",
    expected=(Verdict.INCONSISTENT, 'the samples to reach OPT + eps grow exponentially in L over L = 4..14 at m = 256, lr0 = 8 (outside the NTK regime): nested rate 0.28 [0.14, 0.43], beyond log(2) / 10'),
    title="Samples needed grow polynomially in L",
    reference="theory.md sec. 6 (length; the main theorem is polynomial in L)",
    statement="The number of samples (and SGD steps) needed to reach OPT + eps grows polynomially in L for these concepts.",
    quantity="fresh samples consumed by online SGD (lr0 = 8, outside the NTK regime: see sgd_learns) until the held-out "
             "risk first falls below OPT + 0.5 (R0 - OPT)",
    bound="samples <= c L^3; polynomial, not exponential",
    grids={
        "default": Grid.product({"L": [4, 6, 8, 11, 14]}, seeds=10, m=256, **_LEN_FIXED),
        # lr0 = 2 on the large grid: at m = 1024 the rate 8 / (m L) diverges within 60 steps for 2 of 4 seeds at
        # L = 24 and 4 / (m L) for 1 of 4 at L = 32; 2 / (m L) for none (docs/learning.md)
        "large": Grid(points=tuple({"L": L} for L in (4, 6, 8, 12, 16)) + ({"L": 24, "seeds": 2}, {"L": 32, "seeds": 1}),
                      seeds=tuple(range(4)), fixed={**_LEN_FIXED, "m": 1024, "steps": 10000, "lr0": 2.0}),
    },
    measure=_measure_length,
    analyse=_analyse_length,
    judging=dict(degree=3.0, L_resolution=0.25, growth_factor=2.0),
    controls=(
        too_strong("samples grow at most like L^0.25", degree=0.25),
        cannot_detect("wrong_m", "a wrong normalisation in m",
                      "the runs use one width (m = 256 on the default grid): the number of samples is a count that "
                      "the theorem bounds only logarithmically in m, and no width is swept here"),
        exponential("L", "samples"),
    ),
    version=3,
    plot={"x": "L", "y": "samples"},
))
