r"""Helpers shared by the claim definitions: building networks and inputs from a grid cell."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .. import stats as S
from ..model import RNN, sample_inputs
from ._registry import Finding, Series, torch_dtype

INPUT_SEED_OFFSET = 10_000
"""Inputs of a cell with seed s are drawn with seed s + INPUT_SEED_OFFSET (the network uses s)."""


def make_net(cell: Mapping[str, Any]) -> RNN:
    r"""The cell's network: ``RNN.init(m, d_x, d, seed)``; when ``w_var`` differs from 2 the recurrent
    matrix is rescaled to variance ``w_var / m`` (a deliberately broken network for failure tests)."""
    net = RNN.init(cell["m"], cell["d_x"], cell["d"], seed=cell["seed"], dtype=torch_dtype(cell["dtype"]), device=cell["device"])
    w_var = float(cell.get("w_var", 2.0))
    if w_var != 2.0:
        net = net.with_W(net.W * (w_var / 2.0) ** 0.5)
    return net


def make_inputs(cell: Mapping[str, Any], L: int | None = None, n: int | None = None):
    r"""The cell's inputs: ``sample_inputs(n, L, d_x, eps_x, seed + INPUT_SEED_OFFSET)``."""
    return sample_inputs(
        cell["n"] if n is None else n,
        cell["L"] if L is None else L,
        cell["d_x"],
        cell["eps_x"],
        seed=cell["seed"] + INPUT_SEED_OFFSET,
        dtype=torch_dtype(cell["dtype"]),
        device=cell["device"],
    )


def config(cell: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """The named configuration entries of a cell (for the rows of a tidy table)."""
    return {k: cell[k] for k in keys}


def exponent_finding(
    name: str,
    df: pd.DataFrame,
    x: str,
    y: str,
    claimed: float,
    *,
    bound: str = "upper",
    parameter: str = "growing",
    max_width: float = 1.0,
    shape: np.ndarray | None = None,
    groups: str | None = "seed",
    level: float = 0.99,
    label: str = "",
    panel: str = "",
) -> Finding:
    r"""Fit the exponent of ``y`` in ``x`` (cluster bootstrap over ``groups``), judge it against
    ``claimed`` and report the smallest constant for ``y <= c * shape`` (default shape ``x**claimed``).
    The points and the bound ``c * shape`` go into the finding's :class:`Series` (``label`` and
    ``panel`` as there; for a lower bound the series uses the largest ``c`` with ``y >= c * shape``)."""
    g = None if groups is None else df[groups].to_numpy()
    fit = S.fit_exponent(df[x].to_numpy(), df[y].to_numpy(), groups=g, level=level, variable=x)
    v = S.exponent_verdict(fit, claimed, bound=bound, parameter=parameter, max_width=max_width)
    if shape is None:
        shape = df[x].to_numpy(dtype=float) ** claimed
    const = S.smallest_constant(df[y].to_numpy(), shape) if bound == "upper" else None
    return Finding(name, v.verdict, f"{fit}; {v.reason}", fit, const, f"exponent {v.allowed} {claimed:.3g}",
                   series(df, x, y, shape, bound=bound, label=label, panel=panel))


def series(df: pd.DataFrame, x: str, y: str, shape: np.ndarray | None = None, *, bound: str = "upper",
           label: str = "", panel: str = "", constant: float | None = None) -> Series:
    r"""The :class:`Series` of ``y`` against ``x`` in ``df`` with the bound ``c * shape`` (``c``: the
    given ``constant``, else the smallest constant for an upper bound, the largest for a lower one)."""
    xs = df[x].to_numpy(dtype=float)
    ys = df[y].to_numpy(dtype=float)
    line = None
    if shape is not None:
        sh = np.asarray(shape, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            c = constant if constant is not None else (np.max(ys / sh) if bound == "upper" else np.min(ys / sh))
        line = tuple(float(v) for v in c * sh)
    return Series(x, y, tuple(xs.tolist()), tuple(ys.tolist()), line, bound, label, panel)


def event_finding(name: str, held: np.ndarray, *, p0: float = 0.9, alpha: float = 1e-6, what: str = "") -> Finding:
    r"""Exact binomial decision on how often an event held (one entry per seed or cell)."""
    held = np.asarray(held, bool)
    dec = S.binomial_decision(int(held.sum()), int(held.size), p0=p0, alpha=alpha)
    verdict = "consistent" if dec.passed else "inconsistent"
    return Finding(name, verdict, f"{what}: {dec}", dec, None, f"P(event) >= {p0:g}")


def with_growth(f: Finding, df: pd.DataFrame, x: str, y: str, *, variable: str, groups: str = "seed") -> Finding:
    r"""``f`` with the power-law-versus-exponential comparison of ``y`` in ``x`` (paper.md sec. 7)
    attached as its fit and summarised in its detail; the verdict is unchanged."""
    cmp = S.compare_growth(df[x], df[y], groups=df[groups], variable=variable)
    e = cmp.exponential
    note = f"; {cmp.preferred} growth fits better (exponential rate {e.slope:.3g} [{e.ci_low:.3g}, {e.ci_high:.3g}])"
    return replace(f, detail=f.detail + note, fit=cmp)
