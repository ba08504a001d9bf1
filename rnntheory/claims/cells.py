r"""What a claim's ``measure`` function builds from its grid cell: the network, the inputs, the
displacement directions, the concept and its labelled samples. One job: turning a cell (a dict of
measuring settings with ``seed``, ``device`` and ``dtype``) into the objects a measurement needs.

Public, for the paper's claims and claims defined anywhere else (docs/new_claim.md). Every random object
of a cell is drawn from its own stream of the cell's seed (:func:`rnntheory.seeds.stream_seed`), so that the
network, the inputs, the directions and the labels of one cell are independent and reproducible, and no
stream of one cell is a stream of another, for any seed offset.

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
from ..seeds import generator, stream_seed

__all__ = [
    "DIRECTIONS",
    "make_net",
    "make_inputs",
    "check_inputs",
    "stacked_bytes",
    "config",
    "unit_directions",
    "cell_concept",
    "labelled_sample",
]

DIRECTIONS = ("random", "gradient", "adversarial")
"""The displacement directions of the perturbation and coupling claims."""


def make_net(cell: Mapping[str, Any]) -> RNN:
    r"""The cell's network: ``RNN.init(m, d_x, d)`` from the cell's ``"network"`` stream; when ``w_var``
    differs from 2 the recurrent matrix is rescaled to variance ``w_var / m`` (a deliberately broken network
    for failure tests); with a true ``w0_jitter`` every entry of W0 is moved at the unit roundoff of the
    dtype (the ``"jitter"`` stream; ``tools/sensitivity.py`` measures how far a claim's numbers move then)."""
    net = RNN.init(
        cell["m"],
        cell["d_x"],
        cell["d"],
        seed=stream_seed(cell["seed"], "network"),
        dtype=torch_dtype(cell["dtype"]),
        device=cell["device"],
    )
    w_var = float(cell.get("w_var", 2.0))
    if w_var != 2.0:
        net = net.with_W(net.W * (w_var / 2.0) ** 0.5)
    if cell.get("w0_jitter"):  # every entry of W0 times (1 + u z), z standard normal, u the unit roundoff
        u = torch.finfo(net.dtype).eps / 2
        z = torch.randn(net.m, net.m, generator=generator(cell["seed"], "jitter"), dtype=torch.float64)
        net = net.with_W(net.W * (1 + u * z.to(net.device, net.dtype)))
    return net


def stacked_bytes(cell: Mapping[str, Any]) -> int:
    r"""The bytes one cell's network adds to a group measured together (rnntheory.run.batching): its m x m
    recurrent matrix in the cell's dtype."""
    return int(cell["m"]) ** 2 * torch_dtype(cell["dtype"]).itemsize


def make_inputs(cell: Mapping[str, Any], L: int | None = None, n: int | None = None):
    r"""The cell's inputs: ``sample_inputs(n, L, d_x, eps_x)`` from the cell's ``"inputs"`` stream."""
    return sample_inputs(
        cell["n"] if n is None else n,
        cell["L"] if L is None else L,
        cell["d_x"],
        cell["eps_x"],
        seed=stream_seed(cell["seed"], "inputs"),
        dtype=torch_dtype(cell["dtype"]),
        device=cell["device"],
    )


def check_inputs(cell: Mapping[str, Any]) -> None:
    r"""The check of a cell's input settings before anything is measured (:attr:`rnntheory.checking.Claim.check_cell`):
    its inputs built at its longest length (``L``, or the largest of ``Ls``) on the CPU, so that the sampler
    refuses what it would refuse in every cell (``eps_x = 5``: the inputs' norm must stay within 1). A cell without
    input settings (the exact complexity computations) has nothing to check."""
    if not {"n", "d_x", "eps_x"} <= set(cell) or not ("L" in cell or "Ls" in cell):
        return
    L = max(cell["Ls"]) if "Ls" in cell else cell["L"]
    make_inputs({**cell, "device": "cpu"}, L=L)


def config(cell: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """The named configuration entries of a cell (for the rows of a tidy table)."""
    return {k: cell[k] for k in keys}


def unit_directions(cell: Mapping[str, Any], net: RNN, tr, *, scale: str = "omega") -> dict[str, torch.Tensor]:
    r"""The cell's random and gradient directions at size 1: spectral norm 1 (``scale="omega"``) or NTK
    radius 1 (``scale="tau"``); scale them by omega or tau. The gradient direction is the descent
    direction of the squared loss against Gaussian labels (the ``"labels"`` stream); the random direction is
    drawn from the ``"direction"`` stream."""
    gen = generator(cell["seed"], "labels")
    labels = torch.randn(tr.n, tr.L, net.d, generator=gen, dtype=torch.float64).to(net.device, net.dtype)
    size = {scale: 1.0}
    return {
        "random": P.random_direction(net, seed=stream_seed(cell["seed"], "direction"), **size),
        "gradient": P.gradient_direction(net, tr, targets=labels, **size),
    }


def cell_concept(cell: Mapping[str, Any], L: int | None = None) -> Concept:
    r"""The cell's concept: ``Concept.single_lag`` of its L (or ``L``), d_x, lag, p and phi, drawn from the
    ``"concept"`` stream of its ``concept_seed`` (the same target for every cell with that concept seed)."""
    return Concept.single_lag(
        cell["L"] if L is None else L,
        cell["d_x"],
        cell["lag"],
        d=1,
        p=cell["p"],
        phi=cell["phi"],
        seed=stream_seed(cell["concept_seed"], "concept"),
    )


def labelled_sample(concept: Concept, cell: Mapping[str, Any], n: int, stream: str):
    r"""``n`` labelled samples of ``concept`` from the cell's stream ``stream`` (``"train"``, ``"test"``,
    ``"probe"``, ...), with the cell's eps_x, noise, dtype and device."""
    return concept.sample(
        n,
        seed=stream_seed(cell["seed"], stream),
        eps_x=cell["eps_x"],
        noise=cell["noise"],
        dtype=torch_dtype(cell["dtype"]),
        device=cell["device"],
    )
