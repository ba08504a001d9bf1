r"""What a claim's ``measure`` function builds from its grid cell: the network, the inputs, the
displacement directions, the concept and its labelled samples. One job: turning a cell (a dict of
measuring settings with ``seed``, ``device`` and ``dtype``) into the objects a measurement needs.

Public, for the paper's claims and claims defined anywhere else (docs/new_claim.md). Every random object
of a cell is drawn from the cell's seed plus a fixed offset, so that the network, the inputs, the
directions and the labels of one cell are independent and reproducible.

>>> from rnntheory.claims.cells import make_inputs, make_net
>>> cell = {"m": 64, "d_x": 8, "d": 1, "L": 5, "n": 2, "eps_x": 0.1, "seed": 0, "device": "cpu", "dtype": "float64"}
>>> make_net(cell).trace(make_inputs(cell)).hidden.shape
torch.Size([2, 6, 64])
"""

from __future__ import annotations

from typing import Any, Mapping

import torch

from ..checking.grid import torch_dtype
from ..learning.concepts import Concept
from ..network import perturbation as P
from ..network.inputs import sample_inputs
from ..network.model import RNN

__all__ = [
    "INPUT_SEED_OFFSET",
    "DIRECTION_SEED_OFFSET",
    "LABEL_SEED_OFFSET",
    "DIRECTIONS",
    "make_net",
    "make_inputs",
    "config",
    "unit_directions",
    "cell_concept",
    "labelled_sample",
]

INPUT_SEED_OFFSET = 10_000
"""Inputs of a cell with seed s are drawn with seed s + INPUT_SEED_OFFSET (the network uses s)."""
DIRECTION_SEED_OFFSET = 20_000
"""The Gaussian direction of a cell with seed s is drawn with seed s + DIRECTION_SEED_OFFSET."""
LABEL_SEED_OFFSET = 30_000
"""The random labels that define the gradient direction of a cell with seed s use seed s + LABEL_SEED_OFFSET."""

DIRECTIONS = ("random", "gradient", "adversarial")
"""The displacement directions of the perturbation and coupling claims."""


def make_net(cell: Mapping[str, Any]) -> RNN:
    r"""The cell's network: ``RNN.init(m, d_x, d, seed)``; when ``w_var`` differs from 2 the recurrent
    matrix is rescaled to variance ``w_var / m`` (a deliberately broken network for failure tests)."""
    net = RNN.init(
        cell["m"], cell["d_x"], cell["d"], seed=cell["seed"], dtype=torch_dtype(cell["dtype"]), device=cell["device"]
    )
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


def unit_directions(cell: Mapping[str, Any], net: RNN, tr, *, scale: str = "omega") -> dict[str, torch.Tensor]:
    r"""The cell's random and gradient directions at size 1: spectral norm 1 (``scale="omega"``) or NTK
    radius 1 (``scale="tau"``); scale them by omega or tau. The gradient direction is the descent
    direction of the squared loss against Gaussian labels (seed + LABEL_SEED_OFFSET)."""
    gen = torch.Generator().manual_seed(cell["seed"] + LABEL_SEED_OFFSET)
    labels = torch.randn(tr.n, tr.L, net.d, generator=gen, dtype=torch.float64).to(net.device, net.dtype)
    size = {scale: 1.0}
    return {
        "random": P.random_direction(net, seed=cell["seed"] + DIRECTION_SEED_OFFSET, **size),
        "gradient": P.gradient_direction(net, tr, targets=labels, **size),
    }


def cell_concept(cell: Mapping[str, Any], L: int | None = None) -> Concept:
    r"""The cell's concept: ``Concept.single_lag`` of its L (or ``L``), d_x, lag, p, phi and concept_seed."""
    return Concept.single_lag(
        cell["L"] if L is None else L,
        cell["d_x"],
        cell["lag"],
        d=1,
        p=cell["p"],
        phi=cell["phi"],
        seed=cell["concept_seed"],
    )


def labelled_sample(concept: Concept, cell: Mapping[str, Any], n: int, seed: int):
    r"""``n`` labelled samples of ``concept`` with the cell's eps_x, noise, dtype and device."""
    return concept.sample(
        n, seed=seed, eps_x=cell["eps_x"], noise=cell["noise"], dtype=torch_dtype(cell["dtype"]), device=cell["device"]
    )
