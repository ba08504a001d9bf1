r"""Claims about the target class: the complexity of smooth functions (theory.md section 5; Allen-Zhu, Li and
Liang 2019).

* ``complexity_monotone``: :math:`C_\varepsilon(\Phi, R)` and :math:`C_s(\Phi, R)` are non-decreasing in
  R, and :math:`C_\varepsilon` is non-decreasing in :math:`1/\varepsilon` (a divergent value counts as
  larger than every finite one).
* ``complexity_eps_growth``: :math:`C_\varepsilon(\Phi, 1)` grows polynomially in :math:`1/\varepsilon`
  for sin and exp at fixed :math:`C^*`, and faster for functions that need truncation (tanh, sigmoid,
  truncated at the smallest degree whose error on [-1, 1] is at most eps).
* ``complexity_divergence``: divergence is reported exactly at the radius of convergence (tanh: pi/2,
  sigmoid: pi, log1p: 1, and a generic expression 1/(1+z^2): 1, computed), and approaching the radius
  :math:`C_s` blows up like :math:`\delta^{-(1.75 + \text{pole order})}` with :math:`\delta = 1 - R/\rho`.

Computations are deterministic; "seeds" randomise the points of the R and eps sweeps.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Mapping

import mpmath
import numpy as np
import pandas as pd

from .. import complexity as CX
from ..checking.controls import cannot_detect, too_strong
from ..checking.findings import exponent_finding
from ..checking.grid import Grid
from ..checking.results import Finding
from ..checking.specs import EveryCase
from ..stats import verdicts as VD
from ._paper import claim

__all__ = ["COMPLEXITY_MONOTONE", "COMPLEXITY_EPS_GROWTH", "COMPLEXITY_DIVERGENCE"]

_EXACT = dict(replicable=False, dtype="float64")  # exact arithmetic (sympy/mpmath): the dtype does not enter
_NO_M = cannot_detect(
    "wrong_m",
    "a wrong normalisation in m",
    "the complexity of a function does not involve the width m, so there is no m-normalisation to get wrong",
)


# ---------------------------------------------------------------------- monotonicity
def _measure_monotone(cell: dict[str, Any]) -> list[dict[str, Any]]:
    rng = np.random.default_rng(cell["seed"])
    f, C, n = CX.smooth(cell["function"]), float(cell["C_star"]), cell["points"]
    rho = float(f.radius) if f.radius != mpmath.inf else math.inf
    # R sweeps reach 1.5 times the radius so that finite and divergent values are compared too
    tops = (1.5 * rho / C, 1.5 * rho) if math.isfinite(rho) else (cell["R_max"], cell["R_max"])
    rows = []
    for sweep, top in zip(("C_eps vs R", "C_s vs R"), tops):
        for R in np.sort(np.exp(rng.uniform(np.log(top / 50), np.log(top), n))):
            c = CX.c_eps(f, R, cell["eps"], C) if sweep == "C_eps vs R" else CX.c_s(f, R, C)
            rows.append(dict(sweep=sweep, x=float(R), log10=c.log10))
    R_fixed = 0.5 * rho / C if math.isfinite(rho) else 1.0
    return rows + [
        dict(sweep="C_eps vs 1/eps", x=float(inv), log10=CX.c_eps(f, R_fixed, 1.0 / inv, C).log10)
        for inv in np.sort(np.exp(rng.uniform(np.log(1.5), np.log(1e12), n)))
    ]


def _monotone(part: pd.DataFrame, judging: Mapping[str, Any]) -> tuple[list[bool], list[str]]:
    r"""Per sweep (function, seed): whether log10 moves in the claimed direction, and where it does not."""
    sign = 1.0 if judging["direction"] == "nondecreasing" else -1.0
    oks, fails = [], []
    for (fn, seed), g in part.groupby(["function", "seed"], sort=False):
        x, y = g.sort_values("x")[["x", "log10"]].to_numpy(float).T
        with np.errstate(invalid="ignore"):
            steps = sign * np.diff(y)
        # inf - inf (two divergent values) is a tie; rounding at 30 digits allows 1e-20 in log10
        oks.append(bool(np.all(np.isnan(steps) | (steps >= -1e-20))))
        if not oks[-1]:
            k = int(np.nanargmin(steps))
            fails.append(f"{fn} seed {seed}: log10 {y[k]:.6g} -> {y[k + 1]:.6g} at x {x[k]:.4g} -> {x[k + 1]:.4g}")
    return oks, fails


_MONO_FIXED = dict(C_star=10.0, eps=1e-3, points=6, R_max=2.0)
_MONO_FUNCS = ["sin", "exp", "cos", "erf", "log1p", "tanh", "sigmoid", "z**3 - 2*z + 1"]

COMPLEXITY_MONOTONE = claim(
    name="complexity_monotone",
    streams=False,  # exact computations: nothing random
    **_EXACT,
    title="Complexity is monotone in R and in 1/eps",
    reference="theory.md sec. 5 (C_eps, C_s; Allen-Zhu, Li, Liang 2019)",
    statement="C_eps(Phi, R) and C_s(Phi, R) are non-decreasing in R, and C_eps is non-decreasing in 1/eps "
    "(every summand is; divergent values count as larger than finite ones).",
    quantity="log10 of C_eps and C_s along random sorted sweeps of R (up to 1.5 x the radius) and of 1/eps",
    bound="differences of consecutive values >= 0",
    grids={
        "default": Grid.product({"function": _MONO_FUNCS}, seeds=2, **_MONO_FIXED),
        "large": Grid.product(
            {"function": _MONO_FUNCS + ["sinh", "cosh", "1/(1+z**2)"]}, seeds=8, **{**_MONO_FIXED, "points": 12}
        ),
    },
    measure=_measure_monotone,
    findings=tuple(
        EveryCase(
            f"{q} is {{direction}} in {v}",
            f"monotone[{q} vs {v}]",
            rows={"sweep": f"{q} vs {v}"},
            ok=lambda d, j: _monotone(d, j)[0],
            failures=lambda d, j: _monotone(d, j)[1],
            what="sweeps (function, seed)",
        )
        for q, v in (("C_eps", "R"), ("C_s", "R"), ("C_eps", "1/eps"))
    ),
    judging=dict(direction="nondecreasing"),
    controls=(
        too_strong("the complexity is non-increasing", direction="nonincreasing"),
        _NO_M,
        cannot_detect("exponential", "exponential growth", "the claim is monotonicity only; it makes no growth claim"),
    ),
    plot={"x": "x", "y": "log10", "hue": "function", "facet": "sweep", "logy": False},
)


# ---------------------------------------------------------------------- growth in 1/eps
def _measure_growth(cell: dict[str, Any]) -> list[dict[str, Any]]:
    f = CX.smooth(cell["function"])
    truncated = cell["function"] in cell["truncated"]
    rows = []
    for eps in (10.0 ** (-k) for k in cell["eps_exponents"]):
        degree = CX.choose_truncation(f, cell["R"], eps).k if truncated else None
        c = CX.c_eps(f, cell["R"], eps, cell["C_star"], degree=degree)
        rows.append(
            dict(
                truncated=truncated,
                degree=degree,
                inv_eps=1.0 / eps,
                log10=c.log10,
                value=10.0 ** min(c.log10, 300.0),
                terms=c.terms,
            )
        )
    return rows


def _analyse_growth(df: pd.DataFrame, judging: Mapping[str, Any]) -> list[Finding]:
    r"""Per (C*, function): the exponent in 1/eps of the entire functions (<= degree), then of the truncated
    ones, which must lie wholly above the entire ones' at that C*."""
    findings, entire_hi = [], {}
    deg, kw = judging["degree"], dict(groups=None, resolution=judging["resolution"], level=judging.level)
    for (C, fn), part in df[~df["truncated"]].groupby(["C_star", "function"], sort=False):
        huge = part["log10"].max() > 300
        if huge:  # beyond float range: fit on log10 directly
            part = part.assign(value=10.0 ** (part["log10"] - part["log10"].min()))
        f = exponent_finding(
            f"C_eps({fn}, 1) grows at most like (1/eps)^{deg:g} (C*={C:g})",
            part,
            "inv_eps",
            "value",
            deg,
            label=f"{fn}, C*={C:g}",
            key=f"eps_exponent[{fn},C*={C:g}]",
            **kw,
            panel="C_eps(Phi, 1) / its smallest value" if huge else "C_eps(Phi, 1)",
        )
        local = np.diff(part["log10"].to_numpy()) / np.diff(np.log10(part["inv_eps"].to_numpy()))
        findings.append(replace(f, detail=f"{f.detail}; local exponents {np.round(local, 3).tolist()}"))
        entire_hi[C] = max(entire_hi.get(C, -math.inf), f.fit.ci_high)
    for (C, fn), part in df[df["truncated"]].groupby(["C_star", "function"], sort=False):
        hi = entire_hi.get(C, math.nan)
        if not math.isfinite(hi):
            raise VD.CannotAnalyse(f"complexity_eps_growth: no entire function at C*={C:g} to compare {fn} with")
        rho, R = float(CX.radius_of_convergence(fn)), float(part["R"].iloc[0])
        predicted = math.log(C * R / rho) / math.log(rho / R) if math.isfinite(rho) and rho > R else math.nan
        f = exponent_finding(
            f"C_eps({fn} truncated to error eps, 1) grows faster in 1/eps than the entire functions (C*={C:g})",
            part.assign(value=10.0 ** (part["log10"] - part["log10"].min())),
            "inv_eps",
            "value",
            hi,
            bound="lower",
            key=f"truncated_eps_exponent[{fn},C*={C:g}]",
            label=f"{fn} (truncated), C*={C:g}",
            panel="C_eps(Phi, 1) / its smallest value",
            **kw,
        )
        findings.append(
            replace(
                f,
                detail=f"{f.detail}; entire functions' exponents at most {hi:.3g}; predicted "
                f"log(C*R/rho)/log(rho/R) = {predicted:.3g}; degrees {part['degree'].tolist()}",
            )
        )
    return findings


_GROWTH_FIXED = dict(R=1.0, eps_exponents=tuple(range(1, 13)), truncated=("tanh", "sigmoid"))

COMPLEXITY_EPS_GROWTH = claim(
    name="complexity_eps_growth",
    streams=False,  # exact computations: nothing random
    **_EXACT,
    title="C_eps(Phi, 1) is polynomial in 1/eps for sin and exp, faster for truncated series",
    reference="theory.md sec. 5 (known anchors; Allen-Zhu, Li, Liang 2019)",
    statement="For fixed C*, C_eps(sin, 1) and C_eps(exp, 1) are poly(1/eps); functions whose series must be "
    "truncated (tanh, sigmoid; degree k ~ log(1/eps)) grow with a larger power of 1/eps.",
    quantity="C_eps(Phi, 1) for eps = 10^-1..10^-12 (truncated functions: smallest degree with rigorous "
    "truncation error <= eps on [-1, 1])",
    bound="C_eps(Phi, 1) <= c * (1/eps)^1 (degree 1: docs/complexity.md) for sin and exp",
    grids={
        "default": Grid.product({"function": ["sin", "exp", "tanh", "sigmoid"]}, seeds=1, C_star=10.0, **_GROWTH_FIXED),
        "large": Grid.product(
            {"function": ["sin", "exp", "cos", "tanh", "sigmoid"], "C_star": [10.0, 100.0]},
            seeds=1,
            **{**_GROWTH_FIXED, "eps_exponents": tuple(range(1, 21))},
        ),
    },
    measure=_measure_growth,
    analyse=_analyse_growth,
    judging=dict(degree=1.0, resolution=0.02),
    controls=(
        too_strong("C_eps(Phi, 1) grows at most like (1/eps)^0.1", degree=0.1),
        _NO_M,
        cannot_detect(
            "exponential",
            "exponential growth in 1/eps",
            "1/eps spans twelve decades, so a factor exp(c/eps) that adds 10x over the range sits in "
            "the last point alone and a straight-line fit cannot tell it from a power; faster-than-"
            "polynomial growth is checked directly by the truncated functions' findings, which must "
            "grow faster",
        ),
    ),
    plot={"x": "inv_eps", "y": "log10", "hue": "function"},
)


# ---------------------------------------------------------------------- divergence at the radius
def _measure_divergence(cell: dict[str, Any]) -> list[dict[str, Any]]:
    f, C = CX.smooth(cell["function"]), float(cell["C_star"])
    rho = mpmath.mpf(cell["radii"][cell["function"]])
    base = dict(claimed_radius=float(rho), reported_radius=float(f.radius), radius_gap=float(abs(f.radius - rho) / rho))
    rows = []  # (delta, R / rho, where): inside at rho (1 - delta), then at rho and beyond it
    for delta, factor, where in [(d, 1 - d, "inside") for d in cell["deltas"]] + [
        (1 - k, k, w) for w, k in (("at", 1.0), ("beyond", 1.0 + cell["deltas"][0]))
    ]:
        s, e = CX.c_s(f, float(rho * factor), C), CX.c_eps(f, float(rho * factor) / C, cell["eps"], C)
        rows.append(
            {
                **base,
                "delta": delta,
                "where": where,
                "c_s_divergent": s.divergent,
                "c_eps_divergent": e.divergent,
                "log10_c_s": s.log10,
                "converged": s.converged,
            }
        )
    return rows


def _flags(df: pd.DataFrame) -> tuple[list[bool], list[str]]:
    r"""Each row's divergence flags against where it lies, then each function's reported radius."""
    want = df["where"] != "inside"
    ok = (df["c_s_divergent"].astype(bool) == want) & (df["c_eps_divergent"].astype(bool) == want)
    fails = [
        f"{r.function} at R = rho*(1-{r.delta:.3g}) with claimed rho = {r.claimed_radius:.6g}: C_s divergent="
        f"{r.c_s_divergent}, C_eps divergent={r.c_eps_divergent} (expected {r.where != 'inside'})"
        for r in df[~ok].itertuples()
    ]
    gap = df.groupby("function")["radius_gap"].max()
    return (
        ok.tolist() + [False] * int((gap > 1e-20).sum()),
        fails
        + [
            f"{fn}: reported radius differs from the claimed one by {g:.3g} (relative)"
            for fn, g in gap[gap > 1e-20].items()
        ],
    )


def _blowups(df: pd.DataFrame, judging: Mapping[str, Any]) -> list[Finding]:
    r"""The blow-up exponent of each function judging["blowup"] names (by its pole order), where it has 3 points."""
    out = []
    for fn, order in judging["blowup"].items():
        part = df[(df["function"] == fn) & (df["where"] == "inside") & df["converged"]]
        claimed = -(judging["blowup_base"] + order)
        out += (
            [
                exponent_finding(
                    f"C_s({fn}, rho (1 - delta)) blows up no faster than delta^{claimed:g} (pole order {order:g})",
                    part.assign(value=10.0 ** part["log10_c_s"]),
                    "delta",
                    "value",
                    claimed,
                    parameter="shrinking",
                    groups=None,
                    resolution=judging["delta_resolution"],
                    label=fn,
                    panel="C_s(Phi, rho (1 - delta))",
                    key=f"blowup_exponent[{fn}]",
                    end=judging["end_points"],
                    level=judging.level,
                )
            ]
            if len(part) >= 3
            else []
        )
    return out


_RADII = {"tanh": float(mpmath.pi / 2), "sigmoid": float(mpmath.pi), "log1p": 1.0, "1/(1+z**2)": 1.0}
_DIV_FIXED = dict(C_star=10.0, eps=1e-3, radii=_RADII, deltas=(0.2, 0.1, 0.05, 0.02, 0.01, 0.005))

COMPLEXITY_DIVERGENCE = claim(
    name="complexity_divergence",
    streams=False,  # exact computations: nothing random
    **_EXACT,
    title="Divergence of C_eps and C_s exactly at the radius of convergence",
    reference="theory.md sec. 5 (divergent series, truncation remedy)",
    statement="C_s(Phi, R) is finite for R < rho and divergent for R >= rho; C_eps(Phi, R) is finite for "
    "C* R < rho and divergent for C* R >= rho (rho: pi/2 for tanh, pi for sigmoid, 1 for log1p and 1/(1+z^2)); "
    "as R -> rho, C_s grows like (1 - R/rho)^-(1.75 + pole order).",
    quantity="divergence flags at R = rho (1 - delta), rho, rho (1 + delta); C_s(Phi, rho (1 - delta))",
    bound="flags exactly as stated; C_s <= c * delta^-(1.75 + pole order)",
    grids={
        "default": Grid.product({"function": ["tanh", "sigmoid", "log1p"]}, seeds=1, **_DIV_FIXED),
        "large": Grid.product({"function": ["tanh", "sigmoid", "log1p", "1/(1+z**2)"]}, seeds=1, **_DIV_FIXED),
    },
    measure=_measure_divergence,
    findings=(
        EveryCase(
            "divergence is reported exactly at the radius of convergence (C_s at R = rho, C_eps at C* R = "
            "rho), finite values just inside",
            "divergence_at_radius",
            what="cases",
            ok=lambda d, j: _flags(d)[0],
            failures=lambda d, j: _flags(d)[1],
        ),
    ),
    analyse=_blowups,
    judging=dict(
        blowup={"tanh": 1.0, "sigmoid": 1.0, "log1p": 0.0}, blowup_base=1.75, delta_resolution=0.25, end_points=3
    ),
    controls=(
        too_strong("C_s blows up no faster than delta^-(0.75 + pole order)", blowup_base=0.75),
        _NO_M,
        cannot_detect(
            "exponential",
            "exponential growth",
            "the blow-up is a power of 1/delta by the pole's order; the check makes no polynomial-in-size claim",
        ),
    ),
    plot={"x": "delta", "y": "log10_c_s", "hue": "function"},
)
