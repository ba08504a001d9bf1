r"""The concept class's data distribution and its labelled samples (theory.md section 5): samplers of
the data vectors :math:`x^*_2..x^*_L`, label noise and its OPT, and :class:`LabelledData`, what
:meth:`rnntheory.learning.concepts.Concept.sample` returns.

Label layout: ``(n, L, d)``, aligned with the network's outputs (``labels[:, j-1]`` is the label of
position ``j``, as ``net.outputs(x)[:, j-1]`` is :math:`y_j`). Positions 1 and 2 carry no target
(:data:`rnntheory.network.model.LOSS_POSITIONS`): their entries are 0 and ``LabelledData.mask``
(shape ``(L,)``) is False there, True for j = 3..L. The objective of theory.md section 6 is
``(G(out, labels) * mask[:, None]).sum()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import torch

from ..network.model import LOSS_POSITIONS

__all__ = ["LabelledData", "opt", "sphere_sampler", "ball_sampler", "label_noise", "NOISE_KINDS"]

Sampler = Callable[[int, int, int, torch.Generator], torch.Tensor]
"""A data distribution: ``(n, L-1, d_x-1, generator) -> (n, L-1, d_x-1)`` float64 CPU tensor of
data vectors :math:`x^*_2..x^*_L` of norm at most 1."""

NOISE_KINDS = ("gaussian", "rademacher")
r"""The label noise models: Gaussian :math:`N(0, \sigma^2)` or Rademacher :math:`\pm\sigma` per coordinate."""


def sphere_sampler(n: int, Lm1: int, k: int, gen: torch.Generator) -> torch.Tensor:
    r"""Data vectors uniform on the unit sphere of :math:`R^k` (the default distribution)."""
    z = torch.randn(n, Lm1, k, generator=gen, dtype=torch.float64)
    return z / torch.linalg.vector_norm(z, dim=-1, keepdim=True).clamp_min(1e-300)


def ball_sampler(n: int, Lm1: int, k: int, gen: torch.Generator) -> torch.Tensor:
    r"""Data vectors uniform in the unit ball of :math:`R^k`."""
    u = sphere_sampler(n, Lm1, k, gen)
    return u * torch.rand(n, Lm1, 1, generator=gen, dtype=torch.float64) ** (1.0 / k)


def sampler(fn: str, distribution: Any) -> Sampler:
    r"""The sampler a ``distribution=`` argument names: ``"sphere"``, ``"ball"`` or a callable :data:`Sampler`."""
    if isinstance(distribution, str):
        if distribution not in ("sphere", "ball"):
            raise ValueError(f"{fn}: distribution={distribution!r} must be 'sphere', 'ball' or a callable")
        return sphere_sampler if distribution == "sphere" else ball_sampler
    if callable(distribution):
        return distribution
    raise TypeError(f"{fn}: distribution={distribution!r} must be 'sphere', 'ball' or a callable")


def label_noise(n: int, J: int, d: int, noise: float, noise_kind: str, gen: torch.Generator) -> torch.Tensor | None:
    r"""``(n, J, d)`` float64 CPU label noise of level ``noise`` (:data:`NOISE_KINDS`) drawn from ``gen``
    for the J = L - 2 scored positions; ``None`` (and nothing drawn) when ``noise`` is 0."""
    if noise <= 0:
        return None
    if noise_kind == "gaussian":
        return noise * torch.randn(n, J, d, generator=gen, dtype=torch.float64)
    return noise * (2 * torch.randint(0, 2, (n, J, d), generator=gen).to(torch.float64) - 1)


def opt(noise: float, noise_kind: str, L: int, d: int) -> float:
    r"""OPT for the squared loss :math:`G(y, y^*) = \frac12\|y - y^*\|^2` summed over j = 3..L:
    the risk of :math:`F^*` itself, :math:`\frac12 \sigma^2 d (L-2)` for noise of variance
    :math:`\sigma^2` per coordinate (Gaussian :math:`N(0, \sigma^2)` or Rademacher :math:`\pm\sigma`).

    Paper: section 5, "OPT is the risk of F* itself".
    """
    if noise_kind not in NOISE_KINDS:
        raise ValueError(f"opt: noise_kind={noise_kind!r} must be 'gaussian' or 'rademacher'")
    return 0.5 * noise**2 * d * (L - 2)


@dataclass(frozen=True)
class LabelledData:
    r"""Samples of the concept's distribution (theory.md section 5).

    Attributes:
        x: ``(n, L, d_x)`` network inputs in the paper's normalisation.
        xstar: ``(n, L-1, d_x-1)`` data vectors :math:`x^*_2..x^*_L` (``xstar[:, l-2]`` is :math:`x^*_l`).
        labels: ``(n, L, d)``; ``labels[:, j-1]`` is :math:`y^*_j` for j = 3..L, 0 at positions 1, 2.
        clean: ``(n, L, d)`` the noiseless :math:`F^*_j(x^*)` (same layout).
        mask: ``(L,)`` bool, True at the positions that carry a target (j >= 3).
        opt: OPT of the noise model (squared loss summed over j = 3..L, per sequence).
    """

    x: torch.Tensor
    xstar: torch.Tensor
    labels: torch.Tensor
    clean: torch.Tensor
    mask: torch.Tensor
    opt: float

    @classmethod
    def of(
        cls, x: torch.Tensor, xstar: torch.Tensor, clean: torch.Tensor, noise: torch.Tensor | None, opt: float
    ) -> "LabelledData":
        r"""The samples with inputs ``x``, data vectors ``xstar`` and clean values ``clean``, labelled
        ``clean`` plus ``noise`` (``(n, L-2, d)`` or ``None``) at positions 3..L."""
        labels = clean.clone()
        if noise is not None:
            labels[:, LOSS_POSITIONS] += noise.to(labels.device, labels.dtype)
        mask = torch.zeros(clean.shape[1], dtype=torch.bool, device=clean.device)
        mask[LOSS_POSITIONS] = True
        return cls(x, xstar, labels, clean, mask, opt)

    @property
    def targets(self) -> torch.Tensor:
        """``(n, L-2, d)``: the labels of positions 3..L only."""
        return self.labels[:, LOSS_POSITIONS]

    def empirical_opt(self) -> float:
        """Mean over the samples of :math:`\\frac12\\sum_{j\\ge3}\\|y^*_j - F^*_j\\|^2` (estimates :attr:`opt`)."""
        return float(0.5 * ((self.labels - self.clean)[:, LOSS_POSITIONS] ** 2).sum(dim=(1, 2)).mean())
