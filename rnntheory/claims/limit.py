r"""The infinite-width limit as an exact target (theory.md, section 8): the empirical W-only NTK of one
network, divided by m, against its closed form.

Per network the relative Frobenius error :math:`\|K_m/m - K_\infty\|_F / \|K_\infty\|_F` should fall like
:math:`m^{-1/2}` (finite-width fluctuations), and at a fixed width it grows with L: how fast it grows is
the measured form of the requirement :math:`m \ge \mathrm{poly}(L)`. Every cell is its own network
(one per width, length and seed), so the fits use regression intervals over independent points.
"""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd
import torch

from ..network import infinite as INF
from ..network import kernel as K
from ..stats import verdicts as VD
from .cells import config, make_inputs, make_net
from ..checking.findings import exponent_finding, exponential, growth_finding, too_strong, wrong_m
from ..stats.verdicts import Verdict
from ..checking.claim import Claim
from ..checking.grid import Grid
from ..checking.registry import register
from ..checking.results import Finding

__all__ = ["NTK_LIMIT"]


def _rel(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(torch.linalg.vector_norm(a - b) / torch.linalg.vector_norm(b))


def _measure_ntk_limit(cell: dict[str, Any]) -> list[dict[str, Any]]:
    net = make_net(cell)
    x = make_inputs(cell)
    tr = net.trace(x)
    m = net.m
    fk = INF.forward_kernel(x)
    hidden = tr.hidden.to(torch.float64)
    pattern = tr.pattern.to(torch.float64)
    S = torch.einsum("alk,bpk->ablp", hidden, hidden)
    Sdot = torch.einsum("alk,bpk->ablp", pattern, pattern) / m
    ntk = K.ntk(net, tr).to(torch.float64) / m
    return [{
        **config(cell, "m", "L", "n", "seed", "sweep"),
        "ntk_err": _rel(ntk, INF.ntk(x, d=net.d)),
        "S_err": _rel(S, fk.S),
        "Sdot_err": _rel(Sdot, fk.Sdot),
    }]


def _analyse_ntk_limit(df: pd.DataFrame, judging: Mapping[str, Any]) -> list[Finding]:
    a = judging["m_exponent"]
    findings = []
    ms = df[df["sweep"] == "m"]
    for L, part in ms.groupby("L", sort=True) if ms["m"].nunique() > 1 else ():
        findings.append(exponent_finding(
            f"||K_m/m - K_inf||_F / ||K_inf||_F per network shrinks like m^{a:g} (L = {L})",
            part, "m", "ntk_err", a, resolution=judging["m_resolution"], groups=None, label=f"L = {L}",
            key=f"m_exponent[L={L}]", end=judging["end_points"],
            panel="relative error of the NTK / m", level=judging.level))
    ls = df[df["sweep"] == "L"]
    for m, part in ls.groupby("m", sort=True) if ls["L"].nunique() > 1 else ():
        findings.append(growth_finding(
            f"at m = {m} the error grows polynomially, not exponentially, in L (the m >= poly(L) requirement)",
            part, "L", "ntk_err", factor=judging["growth_factor"], groups=None, label=f"m = {m}",
            key=f"L_growth[m={m}]", panel="relative error of the NTK / m", level=judging.level))
    if not findings:
        raise VD.CannotAnalyse("ntk_limit: the data hold neither an m sweep (sweep='m', several m) "
                               "nor an L sweep (sweep='L', several L)")
    return findings


_FIXED = dict(n=4, d_x=8, d=1, eps_x=0.1)


def _points(ms: tuple[int, ...], Ls_m: tuple[int, ...], Ls: tuple[int, ...], m_L: int) -> tuple[dict[str, Any], ...]:
    return tuple([{"sweep": "m", "m": m, "L": L} for L in Ls_m for m in ms]
                 + [{"sweep": "L", "m": m_L, "L": L} for L in Ls])


NTK_LIMIT = register(
    Claim(
        name="ntk_limit",
        dtype="float32",
        precision="float32 and float64 give the same verdicts on the default grid and no finding's estimate moves by more than 0.000 of its resolution (docs/reporting.md)",
        expected=(Verdict.INCONCLUSIVE, "at m = 256 the growth of the NTK's error in L = 4..32 is undecided: rate 0.062 [-0.014, 0.138] contains log(2) / 28 = 0.025 (about 4x the networks)"),
        title="The empirical NTK converges to its infinite-width limit",
        reference="theory.md sec. 8 (the W-only recurrent NTK)",
        statement="The W-gradient kernel of one network divided by m converges to the closed-form limit kernel; "
        "its finite-width fluctuations are O(m^(-1/2)) per network and grow with L at fixed m, so the "
        "approach needs m >= poly(L).",
        quantity="relative Frobenius error ||K_m/m - K_inf||_F / ||K_inf||_F of the joint kernel over n = 4 "
        "sequences and positions 3..L (d = 1); also the errors of the hidden-state kernel S and the activation "
        "kernel Sdot (columns S_err, Sdot_err)",
        bound="error <= c * m^(-1/2) at fixed L; polynomial (not exponential) growth in L at fixed m",
        grids={
            "default": Grid(points=_points((64, 128, 256, 512, 1024, 2048), (6,), (4, 8, 16, 32), 256),
                            seeds=tuple(range(36)), fixed=_FIXED),
            "large": Grid(points=_points((256, 512, 1024, 2048, 4096, 8192, 16384), (6, 12), (4, 8, 12, 16, 24, 32, 48),
                                         2048),
                          seeds=tuple(range(12)), fixed=_FIXED),
        },
        measure=_measure_ntk_limit,
        analyse=_analyse_ntk_limit,
        judging=dict(m_exponent=-0.5, m_resolution=0.25, growth_factor=2.0, end_points=3),
        controls=(
            too_strong("the error shrinks like m^-1", m_exponent=-1.0),
            wrong_m("ntk_err"),
            exponential("L", "ntk_err"),
        ),
        plot={"x": "m", "y": "ntk_err", "hue": "L"},
    )
)
