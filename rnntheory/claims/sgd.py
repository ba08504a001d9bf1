r"""Claims that SGD learns (theory.md, sections 6 and 10): SGD on W reaches OPT + eps inside the NTK regime
once m >= poly(L) (``sgd_learns``) and stays in the NTK ball (``ntk_ball``).

Every run is a training run of :mod:`rnntheory.claims.runs` (the runs of cells that differ only in their seed
train together, each to the same bits as alone): only W is trained, by vanilla SGD at rate ``lr0 / (m L)``, on a
single-lag concept (``Concept.single_lag(L, d_x, lag, p=3, phi="sin", seed=concept_seed)``): the same target for
every width and seed, so that only the network and the sample stream vary. "Reaching OPT + eps" uses
``eps = eps_frac * (R0 - OPT)``, where R0 is the held-out risk of the zero predictor; so
``eps_frac = 0.5`` asks SGD to remove half of the removable risk.

Three learning rates are run. ``lr0 = 8`` learns within the default budget but leaves the NTK regime:
along the run the forward coupling error of W_t - W_0 is several times the target's RMS and a fifth
of the signs flip, so it shows that SGD learns, not that it learns *through the pseudo-network* as
the theorem says. The small rate ``lr0_regime`` stays in the regime (its coupling RMS along the run
about a tenth of the target's) and does not learn within 1200 samples at these widths. ``lr0 = 1``
learns with enough samples (docs/findings.md: 16000 samples on a GPU) and approaches the regime as m
grows: its coupling ratio (coupling RMS along the run over the target's RMS) falls like about
m^-0.45. The theorem's premise in its checkable form (theory.md sec. 10, "Learning"): the width
m*(L; delta) at which the run of ``lr0 = 1`` enters the regime (ratio <= delta) grows polynomially, not
exponentially, in L, from a joint (L, m) design of its runs (the regime findings, with the degree k of
m* ~ L^k). The excess risk and the regime condition at the largest width are fixed-width slices:
descriptions, outside the verdict. ``sgd_learns`` and ``ntk_ball`` measure the same runs: their cells
are filed under one name (``sgd_run``), so a cache measures each run once; both judge their per-rate
findings at one length (``ref_L``).

The other claims of section 6 are in :mod:`rnntheory.claims.generalisation` (a pseudo-network solution
exists, the class generalises) and :mod:`rnntheory.claims.length` (the samples needed grow polynomially in L).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..checking.controls import cannot_detect, too_strong, wrong_m
from ..checking.findings import cannot_finding, exponent_finding, mean_finding, series, split_diverged
from ..checking.grid import Grid
from ..checking.results import Finding, described
from ..checking.specs import Regime
from ..learning.training import TrainingDiverged
from ._designs import CONCEPT, rays
from ._paper import claim
from .runs import Run, sgd_batching, trajectories

__all__ = ["SGD_LEARNS", "NTK_BALL"]


# ---------------------------------------------------------------------- SGD learns / NTK ball
_SGD_VALUES = (
    "opt",
    "zero_risk",
    "init_risk",
    "avg_risk",
    "final_risk",
    "tau",
    "max_tau",
    "sign_frac",
    "coupling",
    "coupling_max",
    "target_rms",
)


def _sgd_rows(cell: Mapping[str, Any], run: Run | TrainingDiverged) -> list[dict[str, Any]]:
    r"""The rows of ``sgd_learns`` and ``ntk_ball`` of one run (a diverged run: NaN values and its message)."""
    if isinstance(run, TrainingDiverged):  # a run that diverges is an outcome of the learning-rate rule, not an error
        return [{**dict.fromkeys(_SGD_VALUES, float("nan")), "diverged": True, "divergence": str(run)}]
    tj, zero, target_rms, _ = run
    r = tj.record
    last, along = r.iloc[-1], r.iloc[1:]
    return [
        {
            "opt": float(last["opt"]),
            "zero_risk": zero,
            "init_risk": float(r["test_risk"].iloc[0]),
            "avg_risk": float(r.loc[r["step"] >= cell["steps"] / 2, "test_risk"].mean()),
            "final_risk": float(last["test_risk"]),
            "tau": float(last["tau"]),
            "max_tau": float(r["tau"].max()),
            "sign_frac": float(along["sign_frac"].mean()),
            "coupling": float(along["coupling"].mean()),
            "coupling_max": float(along["coupling"].max()),
            "target_rms": target_rms,
            "diverged": False,
            "divergence": "",
        }
    ]


def _measure_sgd_many(cells: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    r"""The rows of the cells of one group (cells that differ only in their seed), their runs trained together."""
    return [_sgd_rows(c, run) for c, run in zip(cells, trajectories(cells))]


def _measure_sgd(cell: dict[str, Any]) -> list[dict[str, Any]]:
    r"""The rows of one cell: its group of one, so that a cell measured alone and in a group are one computation."""
    return _measure_sgd_many([cell])[0]


def _regime(df: pd.DataFrame) -> str:
    ratio = float((df["coupling"] / df["target_rms"]).mean())
    where = "inside" if ratio <= 0.1 else "outside"
    return f"coupling RMS along the run {ratio:.2g} x the target's RMS: {where} the NTK regime"


def _learning(df: pd.DataFrame, judging: Mapping[str, Any]) -> pd.DataFrame:
    r"""The runs of the rate that learns, with ``coupling`` over the target's RMS: the regime's quantity."""
    runs = df[df["lr0"] == judging["lr0_learn"]]
    return runs.assign(coupling=runs["coupling"] / runs["target_rms"])


# the paper's learning premise in its checkable form (theory.md sec. 10, "Learning"). Every run is its own network
# (the runs of one seed at other widths share only the sample stream, and their ratios showed no common seed
# effect), so the fits are regressions over runs (seeds=None)
class _Regime(Regime):
    r"""A :class:`Regime` that reads "inconclusive" on rows without a run of the rate that learns (a grid of other
    rates), where :func:`rnntheory.checking.regime.regime_findings` would fit no length at all."""

    def judge(self, df: pd.DataFrame, judging: Mapping[str, Any]) -> list[Finding]:
        if _learning(df, judging).empty:
            return [
                cannot_finding(
                    f"{self.title.format(**judging)}: threshold widths m*(L; delta)",
                    f"no run at lr0 = {judging['lr0_learn']:g}",
                    key=f"{self.key}_degree",
                )
            ]
        return super().judge(df, judging)


_LEARN = (
    _Regime(
        "SGD at lr0 = {lr0_learn:g}, a rate that learns, enters the NTK regime (coupling: its coupling RMS "
        "along the run over the target's RMS)",
        "learn_regime",
        rows=_learning,
        y="coupling",
        seeds=None,
    ),
)
_SAMPLES = (
    "the samples the in-regime rate needs, as m grows (theory.md sec. 10, Learning): its excess risk after a "
    "fixed number of samples against m describes them, a number that need not reach OPT + eps at any width"
)


def _analyse_learns(df: pd.DataFrame, judging: Mapping[str, Any]) -> list[Finding]:
    r"""Per rate at the length ``ref_L`` (the small one first): the excess risk at the largest width against
    eps and, for the small rate, the regime condition there (fixed-width slices: descriptions); the
    excess risk's exponent in m (for the small rate a description of the samples it needs)."""
    df, diverged = split_diverged(df, "run", level=judging.level)
    df = df[df["L"] == judging["ref_L"]]
    df = df.assign(excess=df["avg_risk"] - df["opt"], regime_ratio=df["coupling"] / df["target_rms"])
    small, findings = judging["lr0_regime"], []
    for lr0, runs in sorted(df.groupby("lr0"), key=lambda kv: -kv[0] if kv[0] == small else kv[0]):
        top = runs[runs["m"] == runs["m"].max()]
        m, gap = int(top["m"].iloc[0]), float((top["zero_risk"] - top["opt"]).mean())
        eps = judging["eps_frac"] * gap
        tag = "small rate, meant to stay in the NTK regime" if lr0 == small else "large rate"
        f = mean_finding(
            f"average held-out risk over the second half of SGD <= OPT + eps at m = {m}, lr0 = {lr0:g} "
            f"({tag}; eps = {judging['eps_frac']:g} x (R0 - OPT) = {eps:.3g})",
            top["excess"],
            eps,
            what="excess risk",
            key=f"excess_risk[lr0={lr0:g}]",
            resolution=judging["risk_resolution"] * gap,
            level=judging.level,
            meaning=f"an excess risk {judging['risk_resolution']:g} x (R0 - OPT) beyond eps",
            points=series(
                runs, "m", "excess", np.ones(len(runs)), constant=eps, label=f"lr0 = {lr0:g}", panel="excess risk"
            ),
        )
        findings.append(
            described(
                replace(
                    f,
                    detail=f"{f.detail}; {_regime(top)}; held-out risk at W_0 "
                    f"{float(top['init_risk'].mean()):.3g} (the random initial output), of the "
                    f"zero predictor {float(top['zero_risk'].mean()):.3g}; final tau "
                    f"{float(top['tau'].mean()):.3g}",
                )
            )
        )
        if lr0 == small:
            findings.append(
                described(
                    mean_finding(
                        f"the small rate lr0 = {lr0:g} stays in the NTK regime at m = {m}: "
                        "coupling RMS along the run <= "
                        f"{judging['regime']:g} x the target's RMS",
                        top["regime_ratio"],
                        judging["regime"],
                        what="coupling / target RMS",
                        key="in_regime",
                        resolution=judging["regime_resolution"],
                        level=judging.level,
                        positive=True,  # a ratio of RMS values: its interval stays at or above 0
                    )
                )
            )
        name = (
            f"excess risk after {int(runs['steps'].iloc[0] * runs['batch'].iloc[0])} samples against the width m, "
            f"at the in-regime rate lr0 = {lr0:g}"
            if lr0 == small
            else f"excess risk does not grow with the width m (lr0 = {lr0:g})"
        )
        f = exponent_finding(
            name,
            runs,
            "m",
            "excess",
            0.0,
            resolution=judging["m_resolution"],
            groups=None,
            label=f"lr0 = {lr0:g}",
            panel="excess risk",
            key=f"excess_m_exponent[lr0={lr0:g}]",
            level=judging.level,
        )
        findings.append(described(f, _SAMPLES) if lr0 == small else f)
    return findings + diverged


_BALL = (
    ("tau", "final tau = sqrt(m) ||W_T - W_0||_F grows at most like m^{tau_exponent:g} ({tag})", "final tau"),
    (
        "sign_frac",
        "fraction of changed signs along the trajectory does not grow with m (lr0 = {lr0:g})",
        "fraction of changed signs",
    ),
    (
        "coupling",
        "forward coupling error of W_t - W_0 along the trajectory does not grow with m (lr0 = {lr0:g})",
        "RMS coupling error",
    ),
)


def _analyse_ball(df: pd.DataFrame, judging: Mapping[str, Any]) -> list[Finding]:
    r"""Per rate at the length ``ref_L``: the exponents in m of the final tau (<= tau_exponent), the sign
    fraction and the coupling (<= 0)."""
    df, diverged = split_diverged(df, "run", level=judging.level)
    findings = []
    for lr0, runs in df[df["L"] == judging["ref_L"]].groupby("lr0"):
        tag = f"lr0 = {lr0:g}, {_regime(runs[runs['m'] == runs['m'].max()])} at the largest m"
        for y, title, panel in _BALL:
            claimed = judging["tau_exponent"] if y == "tau" else 0.0
            findings.append(
                exponent_finding(
                    title.format(**judging, lr0=lr0, tag=tag),
                    runs,
                    "m",
                    y,
                    claimed,
                    resolution=judging["m_resolution"],
                    groups=None,
                    label=f"lr0 = {lr0:g}",
                    panel=panel,
                    key=f"{y}_m_exponent[lr0={lr0:g}]",
                    level=judging.level,
                )
            )
    return findings + diverged


_SGD_FIXED = dict(L=8, **CONCEPT, noise=0.0, n_test=128, steps=1200, batch=4, record_every=100, N=0, w_var=2.0)
_LR_REGIME, _LR_LEARN, _LR_LARGE = 1.0 / 256.0, 1.0, 8.0
_REF_L = 8  # the length of the per-rate findings on the default grid (a grid's judging may name another)


# the two rates at L = 8 (3 widths x 5 seeds), then the rate that learns on 4 lengths x 2 widths x 10 seeds: about
# 100 s of compute on the reference 2-core machine. Its coupling ratio scatters by a factor e^0.5 between runs and
# falls like m^-0.45, so two widths a factor 4 apart give each length's decay its most precise slope for the time
_SGD_DEFAULT = Grid(
    points=(
        *({"lr0": r, "m": m} for r in (_LR_REGIME, _LR_LARGE) for m in (128, 256, 512)),
        *rays(dict.fromkeys((4, 5, 6, 8), (128, 512)), lr0=_LR_LEARN, seeds=10),
    ),
    seeds=tuple(range(5)),
    fixed=_SGD_FIXED,
)
# On one CPU core a step at m = 4096 costs about 1 s (W is read some 25 times per step), so a run of 4000 steps
# is over an hour: the large grid stops at m = 1024 (3 seeds) so that the two rates fit about two hours on two
# cores, and the rate that learns adds 5 lengths x 3 widths x 8 seeds (about 50 min of compute);
# wider runs belong on a GPU (a grid file can add {"lr0": 0.00390625, "m": 4096})
_SGD_LARGE = Grid(
    points=(
        {"lr0": _LR_REGIME, "m": 256},
        {"lr0": _LR_REGIME, "m": 512, "seeds": 3},
        {"lr0": _LR_REGIME, "m": 1024, "seeds": 3},
        {"lr0": _LR_LARGE, "m": 256},
        {"lr0": _LR_LARGE, "m": 1024, "seeds": 3},
        *rays(dict.fromkeys((4, 6, 8, 12, 16), (128, 512, 1024)), lr0=_LR_LEARN, seeds=8),
    ),
    seeds=tuple(range(5)),
    fixed={**_SGD_FIXED, "steps": 4000, "L": 12},
    judging={"ref_L": 12},
)
# one GPU: the rate that learns at m = 16384 and 32768 on 3 lengths, 2 runs each, near its thresholds at delta =
# 0.1. A step reads W some 30 times (1 GB in float32 at m = 16384): on an H100 a 1200-step run at L = 8 takes
# about 12 s at m = 16384 and 48 s at 32768 (the 3.5 ms a step measured at m = 8192 on an H200 in float64,
# scaled by m^2 and the bandwidth), so the grid takes about 4 min. m = 65536 (a 17 GB W) would cost about
# 3 min a run at L = 8 by itself: a grid file can add it
_SGD_GPU = Grid(
    points=rays(dict.fromkeys((4, 5, 6), (16384, 32768)), lr0=_LR_LEARN, seeds=2),
    seeds=(0, 1),
    fixed=_SGD_FIXED,
    judging={"ref_L": 6},
)
_GRIDS = {"default": _SGD_DEFAULT, "large": _SGD_LARGE, "gpu": _SGD_GPU}
_RUNS = dict(
    dtype="float32",
    measure=_measure_sgd,
    batching=sgd_batching(_measure_sgd_many),
    version=5,
    cache_group="sgd_run",
)


def _at_ref_length(grid: Grid, ref_L: int) -> Grid:
    r"""The points of ``grid`` at the length ``ref_L``: the runs ntk_ball reads (its findings are at one length),
    so that measuring it alone, or growing it in a budgeted round, trains no run it does not read. Its cells are
    sgd_learns's cells at that length (the same cache keys, measured once when both run)."""
    return replace(grid, points=tuple(p for p in grid.points if p.get("L", grid.fixed["L"]) == ref_L))


SGD_LEARNS = claim(
    name="sgd_learns",
    **_RUNS,
    grids=_GRIDS,
    title="SGD on W learns the concept",
    reference="theory.md sec. 6 (main theorem), sec. 10 (the regime m >= poly(L))",
    statement="For m >= poly(C, p, L, 1/eps), the average over t of the population risk of W_t is at most OPT + eps, "
    "with SGD inside the NTK regime; in the checkable form of the premise m >= poly(L), the width m*(L) at "
    "which the run of a rate that learns enters the regime grows polynomially, not exponentially, in L.",
    quantity="online SGD (1200 steps of 4 samples): for lr0 = 1 on L = 4, 5, 6, 8 and m = 128, 512, the coupling "
    "RMS along the run over the target's RMS; at L = 8, the held-out risk (128 fresh sequences) averaged "
    "over the second half, for lr0 = 1/256 (inside the regime), 1 and 8",
    bound="m*(L; delta) <= c L^k, not exponential in L, for delta = 0.1 and 0.5 (the coupling ratio E q <= delta); "
    "excess risk non-increasing in m; at m = 512 avg risk <= OPT + eps, eps = 0.5 (R0 - OPT) (described)",
    findings=_LEARN,
    analyse=_analyse_learns,
    judging=dict(
        eps_frac=0.5,
        lr0_regime=_LR_REGIME,
        regime=0.1,
        risk_resolution=0.1,
        regime_resolution=0.05,
        m_resolution=0.25,
        lr0_learn=_LR_LEARN,
        regime_deltas=(0.1, 0.5),
        growth_factor=2.0,
        ref_L=_REF_L,
    ),
    controls=(
        cannot_detect(
            "too_strong",
            "a claimed rate stronger than the truth",
            "no judged finding claims a rate to make stronger: the regime findings judge polynomial "
            "against exponential growth of m*(L) (their exponential control stands for that error), "
            "the excess risk is claimed not to grow with m and already falls with it, and a smaller "
            "eps moves only the fixed-width descriptions",
        ),
        wrong_m("avg_risk", "opt", "zero_risk"),
    ),
    plot={"x": "m", "y": "avg_risk"},
)

NTK_BALL = claim(
    name="ntk_ball",
    **_RUNS,
    grids={name: _at_ref_length(g, g.judging.get("ref_L", _REF_L)) for name, g in _GRIDS.items()},
    title="SGD stays in the NTK ball",
    reference="theory.md sec. 6 (SGD stays in the NTK ball), sec. 3",
    statement="tau_t = sqrt(m) ||W_t - W_0||_F stays bounded independently of m; the fraction of changed signs and "
    "the coupling error shrink as m grows.",
    quantity="the runs of sgd_learns at L = 8 (every rate): tau at the end; averaged over the recorded steps, the "
    "fraction of changed signs and the RMS forward coupling error",
    bound="tau <= c m^0; sign fraction and coupling <= c m^0",
    analyse=_analyse_ball,
    judging=dict(tau_exponent=0.0, m_resolution=0.25, ref_L=_REF_L),
    controls=(
        too_strong("tau shrinks like m^-0.5", tau_exponent=-0.5),
        wrong_m("tau"),
        cannot_detect(
            "exponential",
            "exponential growth in L",
            "the findings are trends in m at one length "
            "(L = 8 on the default grid); the runs' growth in L is sgd_learns's regime finding",
        ),
    ),
    plot={"x": "m", "y": "tau"},
)
