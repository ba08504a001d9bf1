r"""Claims about the random initialisation (theory.md, section 4): forward, product and backward stability.

The paper's bounds hold for widths ``m >= poly(L)``. At a fixed width the hidden-state norm of the
recurrent network performs a random walk in log scale whose spread grows about like
``L * m^(-0.4)`` (measured; docs/conventions.md), so at fixed m and large L the norms drift by large
factors. The grids therefore tie the width to the length, ``m = L^2`` (the "diagonal"), wherever a
growth in L is measured, and measure concentration in m at a fixed L separately.

The premise itself is checked in the form of theory.md sec. 10 (docs/regime.md): forward stability measures
every network (one width) at every length of a joint (L, m) design, and for each accuracy delta the threshold
width m*(L; delta), at which the mean RMS of log(||h_l||^2 / S_ll) over l <= L falls to delta, must grow
polynomially, not exponentially, in L; its degree k (m* ~ L^k) and the collapse onto L^k / m are reported.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd
import torch

from ..checking.controls import exponential, too_strong, wrong_m
from ..checking.grid import Grid
from ..checking.results import Finding
from ..checking.specs import Event, Exponent, Growth, J, Regime
from ..network import backward as BK
from ..network.many import many_traces
from ..run.records import Batching
from ._paper import claim
from .cells import make_inputs, make_net, stacked_bytes

__all__ = ["FORWARD_STABILITY", "PRODUCT_STABILITY", "BACKWARD_STABILITY"]


# ---------------------------------------------------------------------- forward stability
def _forward_rows(cell: Mapping[str, Any], x: torch.Tensor, hn: torch.Tensor) -> list[dict[str, Any]]:
    r"""The rows of one network: ``hn`` its hidden norms ``(n, Lmax)`` on the inputs ``x``; prefixes of one trace
    give every shorter L."""
    # the exact infinite-width value of ||h_l||^2: S_ll = S_(l-1)(l-1) + ||x_l||^2 (theory.md, section 8)
    S_ll = x.to(torch.float64).pow(2).sum(-1).cumsum(1)
    rows = []
    for L in cell["Ls"]:
        h = hn[:, :L]
        expected = 0.5 * np.log1p((L - 1) * cell["eps_x"] ** 2)  # log of sqrt(E||h_L||^2) = sqrt(1 + (L-1) eps_x^2)
        rows.append(
            {
                "L": L,
                "max_norm": float(h.max()),
                "min_norm": float(h.min()),
                "log_dev": float((h[:, -1].log() - expected).abs().mean()),
                "S_logdev": float((h.to(torch.float64).pow(2) / S_ll[:, :L]).log().pow(2).mean().sqrt()),
            }
        )
    return rows


def _measure_forward_many(cells: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    r"""The rows of the cells of one group (cells that differ only in their seed), their networks traced together
    (:func:`~rnntheory.network.many.many_traces`: a network's trace has the same bits in a group of any size)."""
    xs = [make_inputs(c, L=max(c["Ls"])) for c in cells]
    traces = many_traces([make_net(c) for c in cells], xs)
    return [_forward_rows(c, x, tr.hidden_norms()) for c, x, tr in zip(cells, xs, traces)]


def _measure_forward(cell: dict[str, Any]) -> list[dict[str, Any]]:
    r"""The rows of one cell: its group of one, so that a cell measured alone and in a group are one computation."""
    return _measure_forward_many([cell])[0]


TRACE_GROUP_BYTES = 4 * 2**20
"""The most bytes of stacked recurrent matrices in one group of traced networks (4 MiB: 16 networks up to m = 256
in float32, 4 at m = 512, one from m = 1024 on). ``rnntheory bench`` (forward-stability rows, one torch thread as
cells are measured, 2-core CPU): 16 networks traced together against 16 traces gain 1.29x at m = 256 (6.8x at
m = 64 and 4.2x at m = 128 with two threads); at m = 512 4 gain 1.3x and 16 lose (0.77x); at m = 1024 every group
loses (0.6x to 0.75x): one trace already streams W from memory."""

FORWARD_BATCHING = Batching(
    _measure_forward_many, size=16, nbytes=stacked_bytes, max_bytes=TRACE_GROUP_BYTES, max_seconds=20.0
)
"""How forward stability's cells are measured together: up to 16 networks of one width (cells that differ only in
their seed) traced in one batched product per position, at most :data:`TRACE_GROUP_BYTES` of stacked W's."""


def _diagonal(df: pd.DataFrame, judging: Mapping[str, Any]) -> pd.DataFrame:
    r"""The cells on the diagonal m = m_per_L2 * L^2 (each its own network: regression intervals)."""
    return df[df["m"] == judging["m_per_L2"] * df["L"] ** 2]


def _networks(df: pd.DataFrame, judging: Mapping[str, Any]) -> pd.DataFrame:
    r"""Every row labelled with its network: a cell (m, seed) is one network, measured at every L."""
    return df.assign(network=df["m"].astype(str) + "/" + df["seed"].astype(str))


_DIAG = "along m = {m_per_L2:g} L^2"
_FWD_FIXED = dict(Ls=(8, 16, 32, 64), n=4, d_x=8, d=1, eps_x=0.1, w_var=2.0)
_DOUBLING = tuple(64 * 2**k for k in range(11))  # m = 64, 128, ..., 65536

FORWARD_STABILITY = claim(
    name="forward_stability",
    dtype="float32",
    title="Forward stability of hidden states",
    reference="theory.md sec. 4 (forward stability; Allen-Zhu, Li, Song 2019)",
    statement="At random initialisation, ||h_l|| stays within constant bounds for every l <= L, "
    "growing at most polynomially (never exponentially) in L, w.h.p. when m >= poly(L); in the checkable form of "
    "that premise (theory.md sec. 10), the width m*(L; delta) at which ||h_l||^2 is within delta of its "
    "infinite-width value S_ll (RMS of the log ratio) grows polynomially in L.",
    quantity="max_l ||h_l|| and min_l ||h_l|| over l <= L and n sequences; the RMS over l <= L and sequences of "
    "log(||h_l||^2 / S_ll), with S_ll the exact infinite-width value (theory.md sec. 8; the log keeps the "
    "out-of-regime blow-ups of small m at large L from dominating the fit); per accuracy delta, the threshold width "
    "m*(L; delta) at which the mean of that RMS over networks falls to delta, from a power law in m per L",
    bound="||h_l|| <= c * L^1 (degree 1: docs/conventions.md), no exponential growth in L, ||h_l|| >= c_low, "
    "log(||h_l||^2 / S_ll) = O(m^(-1/2)), and m*(L; delta) <= poly(L) (no exponential growth in L)",
    grids={
        # every network is measured at every L (prefixes of one trace), so a network costs what its width and
        # longest L cost: on one CPU core about 1 s at m = 4096 (L = 64), 110 s at m = 16384 (L = 128)
        "default": Grid.product({"m": list(_DOUBLING[:7])}, seeds=30, **_FWD_FIXED),
        "large": Grid(
            points=(*({"m": m} for m in _DOUBLING[:8]), {"m": 16384, "seeds": 8}),
            seeds=tuple(range(24)),
            fixed={**_FWD_FIXED, "Ls": (8, 16, 32, 64, 128)},
        ),
        # one GPU (device="cuda"): W is drawn on the CPU in float64 (about 20 ns a sample: 90 s and 34 GB of host
        # memory at m = 65536, against a second for the trace), so few networks at the widest points, about 3 min
        "gpu": Grid(
            points=(
                *({"m": m} for m in _DOUBLING[2:8]),
                {"m": 16384, "seeds": 4},
                {"m": 32768, "seeds": 2},
                {"m": 65536, "seeds": 1},
            ),
            seeds=tuple(range(8)),
            fixed={**_FWD_FIXED, "Ls": (8, 16, 32, 64, 128)},
        ),
    },
    measure=_measure_forward,
    batching=FORWARD_BATCHING,
    findings=(
        Exponent(
            f"max_l ||h_l|| grows at most like L^{{degree:g}} {_DIAG}",
            "norm_L_exponent",
            rows=_diagonal,
            x="L",
            y="max_norm",
            claimed=J.degree,
            groups=None,
        ),
        Growth(
            f"max_l ||h_l|| does not grow exponentially in L {_DIAG}",
            "norm_L_growth",
            rows=_diagonal,
            x="L",
            y="max_norm",
            groups=None,
        ),
        Exponent(
            "||h_l||^2 approaches its infinite-width value S_ll = sum_(t<=l) ||x_t||^2: the RMS of "
            "log(||h_l||^2 / S_ll) over l <= L shrinks like m^{m_exponent:g} at L = {conc_L}",
            "limit_m_exponent",
            rows={"L": J.conc_L},
            x="m",
            y="S_logdev",
            end=J.end_points,
            groups=None,
            panel="RMS of log(||h_l||^2 / S_ll)",
        ),
        Event(
            "{c_low:g} <= ||h_l|| <= {c_high:g} for all l <= L (m = L^2 cells)",
            "norm_bounds_event",
            rows=_diagonal,
            held=lambda d, j: (d["min_norm"] >= j["c_low"]) & (d["max_norm"] <= j["c_high"]),
            what="(L, seed) cells",
        ),
        Regime(
            "the RMS of log(||h_l||^2 / S_ll) over l <= L",
            "regime",
            rows=_networks,
            y="S_logdev",
            seeds="network",
        ),
    ),
    # the accuracies put m*(L) inside the default grid's widths at L = 8..32 for delta = 0.5 and beyond them from
    # L = 32 on for delta = 0.2 (an extrapolation each finding names); regime_deltas and growth_factor only judge
    judging=dict(
        degree=1.0,
        L_resolution=0.25,
        m_per_L2=1,
        conc_L=16,
        c_low=0.25,
        c_high=4.0,
        growth_factor=2.0,
        m_exponent=-0.5,
        m_resolution=0.25,
        end_points=5,
        regime_deltas=(0.5, 0.2),
    ),
    version=2,
    controls=(too_strong("||h_l|| decays like L^-1/2", degree=-0.5), wrong_m("max_norm", "min_norm", "S_logdev")),
    plot={"x": "L", "y": "max_norm", "hue": "m", "diagonal": "m_per_L2"},
)


# ---------------------------------------------------------------------- product and backward stability
def _lag_pairs(L: int) -> list[tuple[int, int]]:
    lags = sorted({0, *(2**k for k in range(int(np.log2(L - 1)) + 1)), L - 1})
    return [(1, 1 + k) for k in lags if k <= L - 1]


def _measure_products(cell: dict[str, Any]) -> list[dict[str, Any]]:
    net = make_net(cell)
    tr = net.trace(make_inputs(cell))
    pn = BK.product_norms(net, tr, _lag_pairs(cell["L"]), block=cell["block"], tol=cell["tol"], seed=cell["seed"])
    df = pn.to_frame()
    df["factors"] = df["b"] - df["a"] + 1
    out = df.groupby("factors", as_index=False).agg(norm=("norm", "max"), converged=("converged", "all"))
    return out.to_dict("records")


def _measure_backward(cell: dict[str, Any]) -> list[dict[str, Any]]:
    net = make_net(cell)
    tr = net.trace(make_inputs(cell))
    # every output coordinate u = e_s, normalised by sqrt(d/m); max over coordinates and sequences
    bn = BK.back_norms(net, tr, None).amax(dim=(0, 3)) * (net.d / net.m) ** 0.5  # (L, L): [j-1, i-1]
    j, i = torch.tril_indices(tr.L, tr.L)
    vals, lag = bn[j, i], (j - i + 1).to(torch.float64)
    return [
        {"factors": k, "norm": float(vals[lag == k].max()), "mean_norm": float(vals[lag == k].mean())}
        for k in range(1, tr.L + 1)
    ]


def _geometric_mean(df: pd.DataFrame, judging: Mapping[str, Any]) -> pd.DataFrame:
    r"""At L = m_sweep_L, per network (every cell is its own, independent across m: a regression over cells),
    the geometric mean of the norm over the lags."""
    return (
        df[df["L"] == judging["m_sweep_L"]]
        .assign(log_norm=lambda d: np.log(d["norm"]))
        .groupby(["seed", "m"], as_index=False)["log_norm"]
        .mean()
        .assign(norm=lambda d: np.exp(d["log_norm"]))
    )


def _lags(what: str, lag: str):
    r"""The findings shared by product and backward stability: per (L, m), the exponent in the number of
    factors (<= degree) and the nested polynomial-versus-exponential fit; at the reference length, the
    norm of the longest product does not grow with m."""
    # one network at a point whose grid measures several elsewhere (the large grid's widest, longest point): no
    # interval over networks exists there, so the regression interval over its lags is used and the finding says
    # so; a frame of one network everywhere cannot be analysed
    pair = {}
    for alone, named in ((False, ""), (True, ", one network: interval over its lags, not over networks")):
        kw = dict(per=("L", "m"), x="factors", y="norm", groups=None if alone else "seed")
        pair[alone] = (
            Exponent(
                f"{what} grows at most like ({lag})^{{degree:g}} (L={{L}}, m={{m}}{named})",
                "factors_exponent",
                claimed=J.degree,
                resolution=J.factors_resolution,
                **kw,
            ),
            Growth(
                f"{what} does not grow exponentially in {lag} (L={{L}}, m={{m}}{named})",
                "factors_growth",
                **kw,
            ),
        )
    in_m = Exponent(
        f"{what}, geometric mean over the lags, does not grow with m (L = {{m_sweep_L}})",
        "m_exponent",
        rows=_geometric_mean,
        x="m",
        y="norm",
        claimed=0.0,
        groups=None,
        panel=f"{what}, mean over lags",
    )

    def analyse(df: pd.DataFrame, judging: Mapping[str, Any]) -> list[Finding]:
        several = df["seed"].nunique() > 1
        return [
            f
            for _, part in df.groupby(["L", "m"])
            for spec in pair[several and part["seed"].nunique() == 1]
            for f in spec.judge(part, judging)
        ] + in_m.judge(df, judging)

    return analyse


_LAG = dict(
    dtype="float32",
    judging=dict(degree=3.0, factors_resolution=0.25, growth_factor=2.0, m_sweep_L=8, m_resolution=0.25),
    plot={"x": "factors", "y": "norm", "hue": "m"},
)
_LAG_POINTS = ({"L": 8, "m": 64}, {"L": 8, "m": 256}, {"L": 8, "m": 1024}, {"L": 16, "m": 256}, {"L": 50, "m": 1024})
_PROD_FIXED = dict(n=2, d_x=8, d=1, eps_x=0.1, w_var=2.0, block=4, tol=1e-3)
_BACK_FIXED = dict(n=2, d_x=8, d=2, eps_x=0.1, w_var=2.0)
_IN_FACTORS = exponential("factors", "norm", by=("L", "m"))

PRODUCT_STABILITY = claim(
    name="product_stability",
    title="Stability of intermediate products P_(a,b)",
    reference="theory.md sec. 4 (product stability; Allen-Zhu, Li, Song 2019: O(L^3))",
    statement="At random initialisation, ||D_b W ... D_a W||_2 <= poly(L) (O(L^3)), independent of m; "
    "no exponential growth in b - a.",
    quantity="spectral norm of P_(a,b) for a = 1 and b - a in {0, 1, 2, 4, ..., L-1} (max over sequences), by "
    "subspace iteration",
    bound="||P_(a,b)||_2 <= c * (b-a+1)^3, not exponential, m^0",
    grids={
        "default": Grid(points=_LAG_POINTS, seeds=tuple(range(6)), fixed=_PROD_FIXED),
        # at tol 1e-6 one network at m = 4096 costs 8 min (L = 16) to 30 min (L = 64) on one core
        "large": Grid(
            points=(
                {"L": 16, "m": 256},
                {"L": 16, "m": 1024},
                {"L": 16, "m": 4096, "seeds": 3},
                {"L": 32, "m": 1024},
                {"L": 64, "m": 4096, "seeds": 1},
            ),
            seeds=tuple(range(12)),
            fixed={**_PROD_FIXED, "tol": 1e-6},
            judging={"m_sweep_L": 16},
        ),
    },
    measure=_measure_products,
    analyse=_lags("||P_(a,b)||_2", "b-a+1"),
    controls=(
        too_strong("the norm stays bounded by a constant: exponent 0 in the number of factors", degree=0.0),
        wrong_m("norm"),
        _IN_FACTORS,
    ),
    **_LAG,
)

BACKWARD_STABILITY = claim(
    name="backward_stability",
    title="Backward stability of Back_(i->j)",
    reference="theory.md sec. 4 (backward stability; Allen-Zhu, Li, Song 2019)",
    statement="At random initialisation, for every unit u, ||u^T Back_(i->j)|| <= poly(L) * sqrt(m/d); no exponential "
    "growth in j - i.",
    quantity="sqrt(d/m) * max over output coordinates u = e_s, sequences and pairs with the same j - i of "
    "||u^T Back_(i->j)||",
    bound="sqrt(d/m) ||u^T Back_(i->j)|| <= c * (j-i+1)^3, not exponential, m^0 (the sqrt(m/d) factor of the bound)",
    grids={
        "default": Grid(points=_LAG_POINTS, seeds=tuple(range(10)), fixed=_BACK_FIXED),
        "large": Grid(
            points=(
                {"L": 16, "m": 256},
                {"L": 16, "m": 1024},
                {"L": 16, "m": 4096},
                {"L": 32, "m": 1024},
                {"L": 64, "m": 4096},
            ),
            seeds=tuple(range(12)),
            fixed=_BACK_FIXED,
            judging={"m_sweep_L": 16},
        ),
    },
    measure=_measure_backward,
    analyse=_lags("sqrt(d/m) ||u^T Back_(i->j)||", "j-i+1"),
    controls=(
        too_strong("the normalised norm decays like (j-i+1)^-1/2", degree=-0.5),
        wrong_m("norm", what="the sqrt(d/m) normalisation dropped (norm times sqrt(m))"),
        _IN_FACTORS,
    ),
    **_LAG,
)
