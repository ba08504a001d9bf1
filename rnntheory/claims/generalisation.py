r"""Claims about the pseudo-network class of bounded radius (theory.md, section 6): it holds a solution
(``pseudo_solution``: a W* of radius tau* = poly(C, p, L), independent of m, reproduces the concept)
and it generalises (``generalisation``: its Rademacher complexity shrinks like tau poly(L) / sqrt(N),
and the test-train gap of SGD on N samples shrinks with N and does not grow with m).

The concept is the single-lag concept of :mod:`rnntheory.claims.sgd`; the trained gap runs are
:func:`rnntheory.claims.runs.trajectories` (the seeds of a cell trained together) on a fixed training set
of N noisy samples.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .. import checking as F
from ..checking.grid import Grid
from ..checking.results import Finding
from ..checking.specs import Event, Exponent, Growth, J
from ..learning.training import TrainingDiverged
from ..network import infinite as INF
from ..network import kernel as K
from ..seeds import stream_seed
from ._designs import CONCEPT
from ._paper import claim
from .cells import cell_concept, labelled_sample, make_net
from .runs import Run, sgd_batching, trajectories

__all__ = ["PSEUDO_SOLUTION", "GENERALISATION"]


# ---------------------------------------------------------------------- pseudo-network solution
def _measure_pseudo_solution(cell: dict[str, Any]) -> list[dict[str, Any]]:
    net = make_net({**cell, "d": 1})
    data = labelled_sample(cell_concept(cell), cell, cell["N"], "trainset")
    fit = K.min_norm_fit(net, net.trace(data.x), data.clean, ridge=cell["ridge"])
    limit = INF.min_norm_fit(data.x, data.clean, ridge=cell["ridge"])  # the same fit with the limit kernel
    return [
        {
            "tau_star": fit.tau_star,
            "tau_inf": limit.tau_star,
            "residual_rms": fit.residual_rms,
            "target_rms": fit.target_rms,
        }
    ]


_TAU = dict(y="tau_star", panel="tau*")
_BY_L = dict(rows={"m": J.m_ref}, x="L", label="m = {m_ref}", **_TAU)
_LIMIT = Exponent(
    lambda lim, j, _: (
        f"tau*_m approaches tau* of the infinite-width kernel (mean {lim['tau_inf'].mean():.3g}): "
        f"|tau*_m / tau*_inf - 1| shrinks at least like m^{j['limit_exponent']:g} (L = {j['L_ref']})"
    ),
    "tau_star_limit_m_exponent",
    x="m",
    y="tau_dev",
    claimed=J.limit_exponent,
    resolution=J.m_resolution,
    groups=None,
    panel="|tau*_m / tau*_inf - 1|",
    end=J.end_points,
    rows=lambda df, j: df[df["L"] == j["L_ref"]].assign(tau_dev=lambda d: (d["tau_star"] / d["tau_inf"] - 1).abs()),
    extra=lambda lim, j: [
        F.series(
            lim,
            "m",
            "tau_star",
            label=f"L = {j['L_ref']}",
            panel="tau*_m and its limit",
            reference="tau_inf",
            reference_label="tau* of the limit kernel",
        )
    ],
)
_PS_FIXED = dict(CONCEPT, noise=0.0, N=48, ridge=1e-10, w_var=2.0)

PSEUDO_SOLUTION = claim(
    name="pseudo_solution",
    dtype="float64",
    version=2,
    title="A pseudo-network solution of bounded radius exists",
    reference="theory.md sec. 6 (existence of a pseudo-network solution)",
    statement="Some W* with radius tau* = poly(C, p, L), independent of m, makes pseudo(x; W*) approximate F*; "
    "as m grows, tau* approaches the value of the infinite-width kernel (theory.md sec. 8).",
    quantity="tau* = sqrt(m) sqrt(alpha^T K alpha) of the minimum-norm fit of F* on N = 48 sequences (joint NTK over "
    "positions 3..L), and tau*_inf = sqrt(alpha^T K_inf alpha) of the same fit with the limit kernel K_inf",
    bound="tau* <= c m^0; |tau*/tau*_inf - 1| <= c m^(-1/2); tau* <= c L^3, not exponential in L",
    grids={
        "default": Grid(
            points=tuple(
                [{"m": m, "L": 6} for m in (64, 128, 256, 512, 1024)] + [{"m": 256, "L": L} for L in (4, 8, 10, 12)]
            ),
            seeds=tuple(range(5)),
            fixed=_PS_FIXED,
        ),
        "large": Grid(
            points=tuple(
                [{"m": m, "L": 8} for m in (128, 512, 2048, 8192)]
                + [{"m": 1024, "L": L} for L in (4, 6, 8, 12, 16, 24)]
            ),
            seeds=tuple(range(5)),
            fixed={**_PS_FIXED, "N": 96},
            judging={"L_ref": 8, "m_ref": 1024},
        ),
    },
    measure=_measure_pseudo_solution,
    findings=(
        Exponent(
            "tau* grows at most like m^{m_exponent:g} (L = {L_ref})",
            "tau_star_m_exponent",
            rows={"L": J.L_ref},
            x="m",
            groups=None,
            **_TAU,
        ),
        lambda df, j: _LIMIT.judge(df, j) if "tau_inf" in df else [],  # rows measured before it have no tau_inf
        Exponent(
            "tau* grows at most like L^{degree:g} (m = {m_ref})",
            "tau_star_L_exponent",
            claimed=J.degree,
            resolution=J.L_resolution,
            **_BY_L,
        ),
        Growth(
            "tau* grows polynomially, not exponentially, in L (m = {m_ref})",
            "tau_star_L_growth",
            **_BY_L,
        ),
        Event(
            "the fits reproduce the concept on the sample (relative residual <= {max_residual:g})",
            "fits_reproduce_event",
            rows=lambda df, j: df.assign(residual=df["residual_rms"] / df["target_rms"]),
            held=lambda df, j: df["residual"] <= j["max_residual"],
            what="fits",
            failures=lambda df, j: [
                f"L={r.L}, m={r.m}, seed {r.seed}: {r.residual:.2g}"
                for r in df.itertuples()
                if r.residual > j["max_residual"]
            ],
        ),
    ),
    judging=dict(
        L_ref=6,
        m_ref=256,
        m_exponent=0.0,
        limit_exponent=-0.5,
        degree=3.0,
        max_residual=1e-3,
        m_resolution=0.25,
        L_resolution=0.25,
        growth_factor=2.0,
        end_points=3,
    ),
    # too-strong given: tau* decays in m towards tau*_inf here, so the derived claim m^-0.5 would be no error
    controls=(F.too_strong("tau* shrinks like m^-1", m_exponent=-1.0),),
    plot={"x": "m", "y": "tau_star", "hue": "L"},
)


# ---------------------------------------------------------------------- generalisation
def _rademacher(cell: dict[str, Any]) -> list[dict[str, Any]]:
    r"""The row of a Rademacher cell: the Monte Carlo empirical Rademacher complexity at radius ``tau``."""
    net = make_net({**cell, "d": 1})
    data = labelled_sample(cell_concept(cell), cell, cell["N"], "trainset")
    value = K.rademacher(
        net, net.trace(data.x), cell["tau"], samples=cell["mc"], seed=stream_seed(cell["seed"], "mc")
    ).monte_carlo
    return [{"value": value, "diverged": False, "divergence": ""}]


def _gap_rows(run: Run | TrainingDiverged) -> list[dict[str, Any]]:
    r"""The row of a trained gap run: held-out minus training risk at its end (a diverged run: NaN, its message)."""
    if isinstance(run, TrainingDiverged):  # an outcome of the learning-rate rule, counted by the analysis
        return [{"value": float("nan"), "diverged": True, "divergence": str(run)}]
    value = float(run.trajectory.record["test_risk"].iloc[-1]) - run.train_risk
    return [{"value": value, "diverged": False, "divergence": ""}]


def _measure_generalisation_many(cells: list[dict[str, Any]]) -> list[Any]:
    r"""The outcomes of the cells of one group (cells that differ only in their seed): the gap runs trained
    together; the Rademacher cells one by one (an exception is that cell's outcome)."""
    if cells[0]["kind"] != "rademacher":
        return [_gap_rows(run) for run in trajectories(cells)]
    out: list[Any] = []
    for c in cells:
        try:
            out.append(_rademacher(c))
        except Exception as exc:  # noqa: BLE001 - a failing member fails only its own cell
            out.append(exc)
    return out


def _measure_generalisation(cell: dict[str, Any]) -> list[dict[str, Any]]:
    r"""The rows of one cell: its group of one, so that a cell measured alone and in a group are one computation."""
    (rows,) = _measure_generalisation_many([cell])
    if isinstance(rows, Exception):
        raise rows
    return rows


def _generalisation_size(cell: Mapping[str, Any]) -> int:
    r"""Gap runs group as the SGD claims' runs; a Rademacher cell is measured alone (nothing to batch)."""
    return 1 if cell["kind"] == "rademacher" else _GAP_BATCHING.size_for(cell)


_GAP_BATCHING = sgd_batching(_measure_generalisation_many)


def _gap(df: pd.DataFrame, j: Mapping[str, Any]) -> list[Finding]:
    gap, diverged = F.split_diverged(
        df[df["kind"] == "gap"], "SGD run of the gap", key="gap_no_divergence", level=j.level
    )
    if len(gap) == 0 or (gap["value"] <= 0).any():  # a log-log fit needs every gap (so every mean) positive
        low = float(gap["value"].min()) if len(gap) else float("nan")
        return [
            F.cannot_finding(
                "test-train gap of SGD shrinks with N and does not grow with m",
                f"a gap is not positive (smallest {low:.3g}); no log-log fit",
                key="gap",
            ),
            *diverged,
        ]
    # one network per (seed, m): the gap's N sweep is grouped by network
    gap, N = gap.assign(net=gap["seed"].astype(str) + "/" + gap["m"].astype(str)), int(gap["N"].min())
    kw = dict(y="value", claimed=0.0, resolution=j["gap_resolution"], level=j.level)
    return [
        F.exponent_finding(
            "test-train gap of SGD on N samples shrinks with N",
            gap,
            "N",
            groups="net",
            **kw,
            label="each m",
            panel="test risk - training risk",
            key="gap_N_exponent",
        ),
        F.exponent_finding(
            f"test-train gap does not grow with m (N = {N})",
            gap[gap["N"] == N],
            "m",
            **kw,
            groups=None,
            label=f"N = {N}",
            panel="test risk - training risk against m",
            key="gap_m_exponent",
        ),
        *diverged,
    ]


_RAD = dict(kind="rademacher", L=J.L_ref)
_GEN_FIXED = dict(
    CONCEPT, noise=0.2, n_test=256, lr0=8.0, steps=600, batch=4, record_every=600, w_var=2.0, tau=1.0, mc=2000
)

GENERALISATION = claim(
    name="generalisation",
    dtype="float64",  # reproducible across machines in float64 only (docs/reporting.md, precision)
    version=4,
    title="Generalisation: Rademacher complexity and the test-train gap",
    reference="theory.md sec. 6 (generalisation)",
    statement="The Rademacher complexity of {pseudo(.; W') : radius <= tau} is at most tau poly(L)/sqrt(N), "
    "independent of m; the test-train gap shrinks with N and does not grow with m.",
    quantity="Monte Carlo empirical Rademacher complexity at position L (tau = 1), and its constant Rademacher x "
    "sqrt(N) / tau against L; held-out minus training risk of SGD on N noisy samples",
    bound="Rademacher <= c tau poly(L) N^(-1/2) m^0; gap <= c N^0 m^0 (shrinking)",
    grids={
        "default": Grid(
            points=tuple(
                [{"kind": "rademacher", "m": 256, "N": N, "L": 8} for N in (16, 32, 64, 128, 256)]
                + [{"kind": "rademacher", "m": m, "N": 64, "L": 8} for m in (64, 128, 512, 1024)]
                + [{"kind": "rademacher", "m": 256, "N": 64, "L": L} for L in (4, 16)]
                + [{"kind": "gap", "m": m, "N": N, "L": 8} for m in (128, 512) for N in (8, 32, 128)]
            ),
            seeds=tuple(range(8)),
            fixed=_GEN_FIXED,
        ),
        "large": Grid(
            points=tuple(
                [{"kind": "rademacher", "m": 1024, "N": N, "L": 8} for N in (32, 64, 128, 256, 512)]
                + [{"kind": "rademacher", "m": m, "N": 64, "L": 8} for m in (128, 256)]
                + [{"kind": "rademacher", "m": 4096, "N": 64, "L": 8, "seeds": 2}]
                + [{"kind": "rademacher", "m": 1024, "N": 64, "L": L} for L in (4, 16, 32)]
                # trained gap runs to m = 1024 only: 2000 steps at m = 4096 take half an hour
                # on one CPU core (docs/reporting.md, the large grid)
                + [{"kind": "gap", "m": 256, "N": N, "L": 8} for N in (16, 64, 256)]
                + [{"kind": "gap", "m": 1024, "N": N, "L": 8, "seeds": 3} for N in (16, 64, 256)]
            ),
            seeds=tuple(range(5)),
            fixed={**_GEN_FIXED, "steps": 2000, "record_every": 2000},
            judging={"m_ref": 1024},
        ),
    },
    measure=_measure_generalisation,
    batching=replace(_GAP_BATCHING, size=_generalisation_size, nbytes=None),
    findings=(
        Exponent(
            "Rademacher complexity shrinks at least like N^{n_exponent:g} (m = {m_ref}, L = {L_ref})",
            "rademacher_N_exponent",
            rows={**_RAD, "m": J.m_ref},
            x="N",
            y="value",
            claimed=J.n_exponent,
            resolution=J.n_resolution,
            label="m = {m_ref}",
            panel="Rademacher complexity",
        ),
        Exponent(
            "Rademacher complexity does not grow with m (N = {N_ref}, L = {L_ref})",
            "rademacher_m_exponent",
            rows={**_RAD, "N": J.N_ref},
            x="m",
            y="value",
            claimed=0.0,
            groups=None,
            label="N = {N_ref}",
            panel="Rademacher complexity against m",
        ),
        Growth(
            "the constant Rademacher x sqrt(N) / tau grows polynomially, not exponentially, in L (m = {m_ref}, "
            "N = {N_ref})",
            "rademacher_L_growth",
            x="L",
            y="constant",
            rows=lambda df, j: (
                rad := df[(df["kind"] == "rademacher") & (df["m"] == j["m_ref"]) & (df["N"] == j["N_ref"])]
            ).assign(constant=rad["value"] * np.sqrt(rad["N"]) / rad["tau"]),
            panel="Rademacher x sqrt(N) / tau",
        ),
        _gap,
    ),
    judging=dict(
        m_ref=256,
        N_ref=64,
        L_ref=8,
        n_exponent=-0.5,
        n_resolution=0.25,
        m_resolution=0.25,
        growth_factor=2.0,
        gap_resolution=0.25,
    ),
    # the column the growth finding fits is computed from value, so these controls alter value (too-strong: derived)
    controls=(F.wrong_m("value"), F.exponential("L", "value")),
    plot={"x": "N", "y": "value", "hue": "kind"},
)
