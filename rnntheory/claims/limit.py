r"""The infinite-width limit as an exact target (theory.md, section 8): the empirical W-only NTK of one
network, divided by m, against its closed form.

Per network the relative Frobenius error :math:`\|K_m/m - K_\infty\|_F / \|K_\infty\|_F` should fall like
:math:`m^{-1/2}` (finite-width fluctuations), and at a fixed width it grows with L: how fast it grows is
the measured form of the requirement :math:`m \ge \mathrm{poly}(L)`. Every cell is its own network
(one per width, length and seed), so the fits use regression intervals over independent points.
"""

from __future__ import annotations

from typing import Any

import torch

from ..checking.findings import too_strong, wrong_m
from ..checking.grid import Grid
from ..checking.specs import Exponent, Growth, J
from ..network import infinite as INF, kernel as K
from ..stats.verdicts import CannotAnalyse
from ._paper import claim
from .cells import make_inputs, make_net

__all__ = ["NTK_LIMIT"]


def _measure_ntk_limit(cell: dict[str, Any]) -> list[dict[str, Any]]:
    def _rel(a: torch.Tensor, b: torch.Tensor) -> float:  # the relative Frobenius error of a against b
        return float(torch.linalg.vector_norm(a - b) / torch.linalg.vector_norm(b))
    net, x = make_net(cell), make_inputs(cell)
    tr, fk = net.trace(x), INF.forward_kernel(x)
    h, p = tr.hidden.to(torch.float64), tr.pattern.to(torch.float64)
    return [{"ntk_err": _rel(K.ntk(net, tr).to(torch.float64) / net.m, INF.ntk(x, d=net.d)),
             "S_err": _rel(torch.einsum("alk,bpk->ablp", h, h), fk.S),
             "Sdot_err": _rel(torch.einsum("alk,bpk->ablp", p, p) / net.m, fk.Sdot)}]


def _sweep(x: str, by: str):
    r"""The rows of the sweep over ``x`` in the order of ``by``; none where ``x`` takes one value."""
    return lambda df, judging=None: (df[df["sweep"] == x].sort_values(by, kind="stable")
                                     if df[df["sweep"] == x][x].nunique() > 1 else df[:0])


_FINDINGS = (
    Exponent("||K_m/m - K_inf||_F / ||K_inf||_F per network shrinks like m^{m_exponent:g} (L = {L})", "m_exponent",
             rows=_sweep("m", "L"), per=("L",), x="m", y="ntk_err", claimed=J.m_exponent, resolution=J.m_resolution,
             end=J.end_points, groups=None, panel="relative error of the NTK / m"),
    Growth("at m = {m} the error grows polynomially, not exponentially, in L (the m >= poly(L) requirement)",
           "L_growth", rows=_sweep("L", "m"), per=("m",), x="L", y="ntk_err", factor=J.growth_factor, groups=None,
           panel="relative error of the NTK / m"),
)


def _analyse_ntk_limit(df, judging) -> list:
    if _sweep("m", "L")(df).empty and _sweep("L", "m")(df).empty:
        raise CannotAnalyse("ntk_limit: the data hold neither an m sweep (sweep='m', several m) "
                            "nor an L sweep (sweep='L', several L)")
    return []


NTK_LIMIT = claim(
    name="ntk_limit", dtype="float32", title="The empirical NTK converges to its infinite-width limit",
    reference="theory.md sec. 8 (the W-only recurrent NTK)",
    statement="The W-gradient kernel of one network divided by m converges to the closed-form limit kernel; "
    "its finite-width fluctuations are O(m^(-1/2)) per network and grow with L at fixed m, so the "
    "approach needs m >= poly(L).",
    quantity="relative Frobenius error ||K_m/m - K_inf||_F / ||K_inf||_F of the joint kernel over n = 4 "
    "sequences and positions 3..L (d = 1); also the errors of the hidden-state kernel S and the activation "
    "kernel Sdot (columns S_err, Sdot_err)",
    bound="error <= c * m^(-1/2) at fixed L; polynomial (not exponential) growth in L at fixed m",
    grids={"default": Grid(points=tuple({"sweep": "m", "m": m, "L": 6} for m in (64, 128, 256, 512, 1024, 2048))
                           + tuple({"sweep": "L", "m": 256, "L": L} for L in (4, 8, 16, 32)),
                           seeds=tuple(range(36)), fixed=dict(n=4, d_x=8, d=1, eps_x=0.1)),
           "large": Grid(points=tuple({"sweep": "m", "m": m, "L": L} for L in (6, 12)
                                      for m in (256, 512, 1024, 2048, 4096, 8192, 16384))
                         + tuple({"sweep": "L", "m": 2048, "L": L} for L in (4, 8, 12, 16, 24, 32, 48)),
                         seeds=tuple(range(12)), fixed=dict(n=4, d_x=8, d=1, eps_x=0.1))},
    measure=_measure_ntk_limit, findings=_FINDINGS, analyse=_analyse_ntk_limit,
    judging=dict(m_exponent=-0.5, m_resolution=0.25, growth_factor=2.0, end_points=3),
    # the exponential control is derived from the Growth finding (exp(c L) injected within each width)
    controls=(too_strong("the error shrinks like m^-1", m_exponent=-1.0), wrong_m("ntk_err")),
    plot={"x": "m", "y": "ntk_err", "hue": "L"},
)
