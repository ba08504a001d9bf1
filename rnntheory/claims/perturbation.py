r"""Claims about perturbations of the initialisation (paper.md, section 4): hidden-state change and sign changes.

Both are measured for three displacement directions of prescribed spectral size :math:`\omega`
(rnntheory.perturbation): a Gaussian direction, the descent direction of the squared loss against
random labels, and the adversarial rank-one construction that pushes the smallest pre-activations of one
position across zero. Random and gradient directions are drawn once per cell at :math:`\omega = 1`
and scaled, so every :math:`\omega` of a cell uses the same direction; the adversarial one is rebuilt for
each :math:`\omega` (it is not linear in :math:`\omega`).

Exponents in :math:`\omega` are judged for a *shrinking* parameter (paper.md section 7): an upper bound
:math:`c\,\omega^b` holds asymptotically when the measured exponent is at least b.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

import pandas as pd
import torch

from .. import perturbation as P
from .. import stats as S
from ._common import config, exponent_finding, make_inputs, make_net
from ._registry import Claim, Finding, Grid, register, torch_dtype

DIRECTION_SEED_OFFSET = 20_000
"""The Gaussian direction of a cell with seed s is drawn with seed s + DIRECTION_SEED_OFFSET."""
LABEL_SEED_OFFSET = 30_000
"""The random labels that define the gradient direction of a cell with seed s use seed s + LABEL_SEED_OFFSET."""

DIRECTIONS = ("random", "gradient", "adversarial")


def unit_directions(cell: Mapping[str, Any], net, tr) -> dict[str, torch.Tensor]:
    r"""The cell's random and gradient directions at spectral size 1 (scale them by omega)."""
    dt = torch_dtype(cell["dtype"])
    gen = torch.Generator().manual_seed(cell["seed"] + LABEL_SEED_OFFSET)
    labels = torch.randn(tr.n, tr.L, net.d, generator=gen, dtype=torch.float64).to(net.device, dt)
    return {
        "random": P.random_direction(net, omega=1.0, seed=cell["seed"] + DIRECTION_SEED_OFFSET),
        "gradient": P.gradient_direction(net, tr, targets=labels, omega=1.0),
    }


# ---------------------------------------------------------------------- hidden-state perturbation
def _measure_hidden(cell: dict[str, Any]) -> list[dict[str, Any]]:
    net = make_net(cell)
    tr = net.trace(make_inputs(cell))
    units = unit_directions(cell, net, tr)
    base = config(cell, "m", "L", "n", "seed")
    rows = []
    for om in cell["omegas"]:
        mats = {k: om * v for k, v in units.items()}
        mats["adversarial"] = P.adversarial_direction(net, tr, l=cell["adv_l"], omega=om)
        for name, Wp in mats.items():
            hc = P.hidden_change(net, None, Wp, tr=tr)
            rows.append({**base, "direction": name, "omega": om, "change": float(hc.max()), "mean_change": float(hc.mean())})
    return rows


def _analyse_hidden(df: pd.DataFrame, fixed: Mapping[str, Any]) -> list[Finding]:
    b = fixed["exponent"]
    # the lemma is a supremum over every W' with ||W'||_2 <= omega: judge the worst of the three directions
    worst = df.groupby(["seed", "omega"], as_index=False)["change"].max()
    f = exponent_finding(f"max over directions and l of ||h_l(W0+W') - h_l(W0)|| <= c * omega^{b:g} (L={fixed['L']}, m={fixed['m']})",
                         worst, "omega", "change", b, parameter="shrinking")
    per = []
    for name in DIRECTIONS:
        part = df[df["direction"] == name]
        fit = S.fit_exponent(part["omega"], part["change"], groups=part["seed"], variable="omega")
        c = S.smallest_constant(part["change"], part["omega"].to_numpy(float) ** b)
        per.append(f"{name}: exponent {fit.slope:.3g} [{fit.ci_low:.3g}, {fit.ci_high:.3g}], c = {c:.3g}")
    f = replace(f, detail=f.detail + "; per direction: " + "; ".join(per),
                series=replace(f.series, label="worst of the three directions"))
    return [f]


_HIDDEN_FIXED = dict(m=512, L=8, n=4, d_x=8, d=1, eps_x=0.1, adv_l=2, exponent=1.0,
                     omegas=(1e-6, 1e-5, 1e-4, 1e-3))

HIDDEN_PERTURBATION = register(
    Claim(
        name="hidden_perturbation",
        title="Hidden-state perturbation is linear in omega",
        reference="paper.md sec. 4 (hidden-state perturbation; Allen-Zhu, Li, Song 2019)",
        statement="For ||W'||_2 <= omega small, ||h_l(W0+W') - h_l(W0)|| <= poly(L) * omega for every l <= L.",
        quantity="max over positions l and sequences of ||h_l(W0+W') - h_l(W0)||, for random, gradient and adversarial W' of spectral size omega",
        bound="max_l ||delta h_l|| <= c * omega^1 at fixed L (c absorbs poly(L))",
        grids={
            "default": Grid(points=({},), seeds=tuple(range(4)), fixed=_HIDDEN_FIXED),
            "large": Grid(points=({"m": 1024}, {"m": 4096}), seeds=tuple(range(8)), fixed={**_HIDDEN_FIXED, "L": 16}),
        },
        measure=_measure_hidden,
        analyse=_analyse_hidden,
        plot={"x": "omega", "y": "change", "hue": "direction"},
    )
)


# ---------------------------------------------------------------------- sign changes
def _measure_signs(cell: dict[str, Any]) -> list[dict[str, Any]]:
    net = make_net(cell)
    tr = net.trace(make_inputs(cell))
    units = unit_directions(cell, net, tr)
    base = config(cell, "m", "L", "n", "seed")
    l = cell["adv_l"]
    singles = [net.trace(tr.x[s : s + 1], check=False) for s in range(tr.n)]
    rows = []
    for om in cell["omegas"]:
        for name, U in units.items():
            sc = P.sign_changes(net, None, om * U, tr=tr).to(torch.float64)[:, 1:]  # (n, L-1): positions 2..L
            rows.append({**base, "direction": name, "omega": om, "flips": float(sc.mean()), "flips_max": float(sc.max())})
        # one adversarial displacement per sequence, aimed at position l of that sequence and counted on it
        own = []
        for s, tr_s in enumerate(singles):
            Wp = P.adversarial_direction(net, tr_s, l=l, omega=om)
            own.append(P.sign_changes(net, None, Wp, tr=tr_s)[0].to(torch.float64))
        own_t = torch.stack(own)  # (n, L)
        rows.append({**base, "direction": "adversarial", "omega": om, "flips": float(own_t[:, l - 1].mean()),
                     "flips_max": float(own_t.max())})
    return rows


def _analyse_signs(df: pd.DataFrame, fixed: Mapping[str, Any]) -> list[Finding]:
    b, m = fixed["exponent"], fixed["m"]
    findings = []
    for name in DIRECTIONS:
        part = df[df["direction"] == name]
        shape = m * part["omega"].to_numpy(float) ** b
        f = exponent_finding(
            f"max_l ||D_l(W0+W') - D_l(W0)||_0 <= c * m * omega^{b:.3g}, {name} directions (m={m}, L={fixed['L']})",
            part, "omega", "flips", b, parameter="shrinking", shape=shape, label=name)
        # the bound is per position: its constant comes from the largest count at any position and sequence
        const = S.smallest_constant(part["flips_max"].to_numpy(float), shape)
        findings.append(replace(f, constant=const, series=replace(f.series, bound=tuple((const * shape).tolist()))))
    adv = df[df["direction"] == "adversarial"]
    f = exponent_finding(
        f"the adversarial construction attains the worst case: flips >= c * m * omega^{fixed['attain_exponent']:.3g}",
        adv, "omega", "flips", fixed["attain_exponent"], bound="lower", parameter="shrinking", label="adversarial",
        shape=m * adv["omega"].to_numpy(float) ** fixed["attain_exponent"])
    findings.append(f)
    t = fixed["typical_exponent"]
    for name in ("random", "gradient"):
        part = df[df["direction"] == name]
        findings.append(exponent_finding(
            f"{name} directions stay well below the worst case: flips <= c * m * omega^{t:.3g} (midway between 2/3 and 1)",
            part, "omega", "flips", t, parameter="shrinking", shape=m * part["omega"].to_numpy(float) ** t, label=name))
    return findings


_SIGN_FIXED = dict(m=2048, L=8, n=2, d_x=8, d=1, eps_x=0.1, adv_l=2, exponent=2.0 / 3.0,
                   attain_exponent=2.0 / 3.0, typical_exponent=5.0 / 6.0,
                   omegas=(0.002, 0.004, 0.008, 0.016, 0.032))

SIGN_CHANGES = register(
    Claim(
        name="sign_changes",
        title="Sign changes are at most m * omega^(2/3)",
        reference="paper.md sec. 4 (sign changes; Allen-Zhu, Li, Song 2019)",
        statement="For ||W'||_2 <= omega, ||D_l(W0+W') - D_l(W0)||_0 <= poly(L) * m * omega^(2/3); the adversarial "
        "construction reaches omega^(2/3), random and gradient directions flip about m * omega.",
        quantity="flipped signs per position (mean over positions 2..L and sequences; the constant uses the largest count), "
        "for W' of spectral size omega; adversarial: one rank-one W' per sequence, counted at its target position adv_l",
        bound="flips <= c * m * omega^(2/3) at fixed m and L",
        grids={
            "default": Grid(points=({},), seeds=tuple(range(4)), fixed=_SIGN_FIXED),
            "large": Grid(points=({"m": 4096},), seeds=tuple(range(8)),
                          fixed={**_SIGN_FIXED, "omegas": (0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064)}),
        },
        measure=_measure_signs,
        analyse=_analyse_signs,
        plot={"x": "omega", "y": "flips", "hue": "direction"},
    )
)

__all__ = ["HIDDEN_PERTURBATION", "SIGN_CHANGES", "unit_directions", "DIRECTIONS",
           "DIRECTION_SEED_OFFSET", "LABEL_SEED_OFFSET"]
