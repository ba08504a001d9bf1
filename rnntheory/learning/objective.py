r"""What SGD on W minimises, and the settings of a run (theory.md sec. 1, 6). One job: an SGD run's
definition before it runs: the loss G per position (:data:`LOSSES`), the empirical risk and the output
cotangent that objective gives (:func:`risk`, :func:`output_cotangent`), and the settings of a run
(:class:`SGDConfig`, checked once when built; :func:`configure`, a trainer's config with its keyword
overrides). The trainers that run it are :mod:`rnntheory.learning.training` and
:mod:`rnntheory.learning.batched_sgd`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields, replace
from typing import Any, Callable, Literal, Mapping

import torch

from .. import _validation as V
from ..network.model import LOSS_POSITIONS
from .data import LabelledData

__all__ = ["LOSSES", "risk", "output_cotangent", "SGDConfig"]


def _squared(y: torch.Tensor, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r = y - t
    return 0.5 * (r * r).sum(-1), r


def _logistic(y: torch.Tensor, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    # G(y, y*) = log(1 + exp(-y* y)) per coordinate, for labels y* in {-1, +1}
    z = -t * y
    return torch.nn.functional.softplus(z).sum(-1), -t * torch.sigmoid(z)


LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]] = {
    "squared": _squared,
    "logistic": _logistic,
}
r"""Losses G(y, y*) per position: name -> function returning (loss per position, dG/dy).
``squared``: :math:`\frac12\|y - y^*\|^2` (the default); ``logistic``: :math:`\sum_s \log(1 + e^{-y^*_s y_s})`."""


def loss_fn(fn: str, loss: str) -> Callable:
    if loss not in LOSSES:
        raise ValueError(f"{fn}: loss={loss!r} must be one of {sorted(LOSSES)}")
    return LOSSES[loss]


def risk(outputs: torch.Tensor, data: LabelledData, *, loss: str = "squared", lam: float = 1.0) -> float:
    r"""Empirical risk: mean over sequences of :math:`\sum_{j \ge 3} G(\lambda y_j, y^*_j)` (theory.md sec. 1, 6)."""
    G = loss_fn("training.risk", loss)
    per_pos, _ = G(lam * outputs[:, LOSS_POSITIONS], data.labels[:, LOSS_POSITIONS])
    return float(per_pos.sum(-1).mean())


def output_cotangent(
    outputs: torch.Tensor, labels: torch.Tensor, *, loss: str = "squared", lam: float = 1.0
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Per-sequence objective and its gradient in the outputs, ``dy`` of shape ``(n, L, d)``, zero at
    positions 1 and 2: :math:`dy_j = \lambda\, \partial_y G(\lambda y_j, y^*_j)` for j = 3..L."""
    G = loss_fn("training.output_cotangent", loss)
    per_pos, dG = G(lam * outputs[:, LOSS_POSITIONS], labels[:, LOSS_POSITIONS])
    dy = torch.zeros_like(outputs)
    dy[:, LOSS_POSITIONS] = lam * dG
    return per_pos.sum(-1), dy


@dataclass(frozen=True, kw_only=True)
class SGDConfig:
    r"""The settings of an SGD run on W (:func:`sgd`, :func:`rnntheory.learning.batched_sgd.sgd_many`),
    checked once when built: a bad value raises ValueError or TypeError naming the field.

    >>> SGDConfig(lr=0.01, steps=100, batch_size=4).record_every
    100

    Attributes:
        lr: learning rate :math:`\eta > 0`. The gradient's size grows like m L, so stable rates scale like 1/(m L):
            :func:`rate` gives ``lr0 / (m L)``.
        steps: number of SGD steps (>= 0).
        batch_size: sequences per step.
        loss: ``"squared"`` (default) or ``"logistic"``.
        lam: output scale :math:`\lambda > 0` inside G.
        record_every: record cadence in steps (step 0 and the last step are always recorded).
        eps_x: input scale for online sampling (default: the concept's sampling default, 0.1).
        noise: label noise for online sampling.
        seed: seed of the minibatch / sample stream.
        stop_at: stop after the first recorded step whose held-out risk is at most this value.
        coupling: record the forward coupling error (one pseudo-network pass per record); ``False``
            records NaN instead and saves that pass.
    """

    lr: float
    steps: int
    batch_size: int = 1
    loss: Literal["squared", "logistic"] = "squared"
    lam: float = 1.0
    record_every: int = 100
    eps_x: float | None = None
    noise: float = 0.0
    seed: int = 0
    stop_at: float | None = None
    coupling: bool = True

    def __post_init__(self) -> None:
        fn = "SGDConfig"
        checked = dict(
            lr=V.real_in(fn, "lr", self.lr, low=0.0, low_open=True),
            lam=V.real_in(fn, "lam", self.lam, low=0.0, low_open=True),
            steps=V.positive_int(fn, "steps", self.steps, minimum=0),
            batch_size=V.positive_int(fn, "batch_size", self.batch_size),
            record_every=V.positive_int(fn, "record_every", self.record_every),
            eps_x=None if self.eps_x is None else V.real_in(fn, "eps_x", self.eps_x, low=0.0, high=1.0, low_open=True),
            noise=V.real_in(fn, "noise", self.noise, low=0.0),
            seed=V.positive_int(fn, "seed", self.seed, minimum=0),
            stop_at=None if self.stop_at is None else V.real_in(fn, "stop_at", self.stop_at),
        )
        loss_fn(fn, self.loss)
        if not isinstance(self.coupling, bool):
            raise TypeError(f"{fn}: coupling={V.show(self.coupling)} must be True or False")
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    def due(self, step: int) -> bool:
        r"""Whether ``step`` (>= 1) is recorded: every ``record_every`` steps and the last one."""
        return step % self.record_every == 0 or step == self.steps


def configure(fn: str, config: SGDConfig | None, overrides: Mapping[str, Any]) -> SGDConfig:
    r"""The settings of the trainer ``fn``: ``config`` (or the defaults) with ``overrides``, fields of
    :class:`SGDConfig` by name, replaced. A keyword that is no field is a TypeError naming it (and the
    nearest field); a bad value is the config's error, prefixed by ``fn``."""
    if config is not None and not isinstance(config, SGDConfig):
        raise TypeError(f"{fn}: config={V.show(config)} must be an SGDConfig or None")
    names = [f.name for f in fields(SGDConfig)]
    for name in overrides:
        if name not in names:
            near = difflib.get_close_matches(name, names, n=1)
            hint = f"; did you mean {near[0]}=?" if near else ""
            raise TypeError(f"{fn}: {name}= is not a field of SGDConfig{hint} (fields: {', '.join(names)})")
    if config is not None and not overrides:
        return config
    try:
        return replace(config, **overrides) if config is not None else SGDConfig(**overrides)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{fn}: {exc}") from None
