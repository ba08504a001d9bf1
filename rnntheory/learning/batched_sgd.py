r"""SGD of several independent networks at once: the steps of ``K`` runs of :func:`rnntheory.learning.training.sgd`
(online, each network with its own sample stream) in one batched product per position.

Each network keeps its own :math:`W_0`, ``A``, ``B`` and seed; a step draws every network's minibatch
from its own stream (exactly the samples :func:`~rnntheory.learning.training.sgd` with that seed draws), runs the
forward and backward passes of all ``K`` networks as ``bmm`` products, and updates the ``K`` matrices
with one batched rank-``b`` update. The records (held-out risk, tau, sign changes, coupling) are those
of :func:`~rnntheory.learning.training.sgd`, computed per network at the recorded steps. The result equals ``K``
separate runs up to rounding (the products are summed in another order; tests/learning/test_batched_sgd.py).

Where it pays: a one-sample step of a small network is a few small kernels, bound by their launch and
dispatch cost, so ``K`` networks in one kernel cost little more than one (always so on a GPU). On a
CPU at widths where one product already fills a core, it gains little (``rnntheory bench``).
"""

from __future__ import annotations

from typing import Any, Sequence

import torch

from .. import _validation as V
from ..network.model import RNN
from .concepts import Concept
from .data import LabelledData
from .training import (
    Recorder,
    SGDConfig,
    TrainingDiverged,
    Trajectory,
    check_concept,
    check_data,
    configure,
    minibatches,
    output_cotangent,
)

__all__ = ["sgd_many"]


def sgd_many(
    nets: Sequence[RNN],
    concept: Concept | None = None,
    config: SGDConfig | None = None,
    *,
    test: LabelledData,
    seeds: Sequence[int],
    **overrides: Any,
) -> list[Trajectory]:
    r"""Online SGD on W only for every network of ``nets`` at once; the q-th result equals
    ``training.sgd(nets[q], concept, config, test=test, seed=seeds[q])`` up to rounding.

    Args:
        nets: networks of one width, input and output size, dtype and device.
        concept, test: as in :func:`rnntheory.learning.training.sgd` (online training only; every run
            records on ``test``).
        config, **overrides: the settings, as in :func:`rnntheory.learning.training.sgd`, but for
            ``seed`` (each network has its own in ``seeds``) and ``stop_at`` (every run takes every step).
        seeds: one sample-stream seed per network.

    Returns:
        One :class:`~rnntheory.learning.training.Trajectory` per network.

    Raises:
        ValueError, TypeError: networks that differ in size, dtype or device; a seed count that does not
        match; the argument errors of :func:`rnntheory.learning.training.sgd`.
        TrainingDiverged: a network's objective or W became non-finite (the message names it).
    """
    fn = "batched_sgd.sgd_many"
    nets = _check_nets(fn, nets)
    first = nets[0]
    if len(seeds) != len(nets):
        raise ValueError(f"{fn}: seeds has {len(seeds)} entries; expected one per network ({len(nets)})")
    seeds = [V.positive_int(fn, f"seeds[{q}]", s, minimum=0) for q, s in enumerate(seeds)]
    if "seed" in overrides:
        raise TypeError(f"{fn}: seed= is one seed; pass seeds= (one per network)")
    config = configure(fn, config, overrides)
    if config.stop_at is not None:
        raise ValueError(f"{fn}: stop_at={config.stop_at!r} is not supported; every run takes every step")
    check_concept(fn, first, concept)
    check_data(fn, "test", first, test)

    W = torch.stack([n.W for n in nets]).clone()  # (K, m, m), updated in place
    A_t = torch.stack([n.A.T for n in nets])  # (K, d_x, m)
    B = torch.stack([n.B for n in nets])  # (K, d, m)
    recs = [Recorder(fn, n, test, config) for n in nets]
    for q, rec in enumerate(recs):
        rec(0, W[q])
    # every network's minibatches from its own generator, exactly those sgd draws with that seed
    streams = [minibatches(concept, config, first, torch.Generator().manual_seed(s)) for s in seeds]
    for step, batch in enumerate(zip(*streams), start=1):
        xb = torch.stack([x for x, _ in batch])  # (K, b, L, d_x)
        yb = torch.stack([y for _, y in batch])
        objs = _step_many(fn, W, A_t, B, xb, yb, config, step)
        for rec, o in zip(recs, objs.tolist()):
            rec.add(o)
        if config.due(step):
            for q, rec in enumerate(recs):
                rec(step, W[q])
    return [rec.trajectory(W[q].clone(), seed=seeds[q], online=True) for q, rec in enumerate(recs)]


def _check_nets(fn: str, nets: Sequence[RNN]) -> list[RNN]:
    r"""``nets`` as a list, checked: rnntheory networks of one width, input and output size, dtype and device."""
    nets = list(nets)
    if not nets or not all(isinstance(n, RNN) for n in nets):
        raise TypeError(f"{fn}: nets must be a non-empty sequence of rnntheory.RNN")
    first = nets[0]
    if any(
        (n.m, n.d_x, n.d, n.dtype, n.device) != (first.m, first.d_x, first.d, first.dtype, first.device) for n in nets
    ):
        raise ValueError(f"{fn}: every network must have the same m, d_x, d, dtype and device")
    return nets


def _step_many(
    fn: str,
    W: torch.Tensor,
    A_t: torch.Tensor,
    B: torch.Tensor,
    xb: torch.Tensor,
    yb: torch.Tensor,
    config: SGDConfig,
    step: int,
) -> torch.Tensor:
    r"""One SGD step of every network on its minibatch (``xb``: ``(K, b, L, d_x)``), in place on the
    stacked ``W`` ``(K, m, m)``; returns the ``K`` minibatch objectives."""
    K, b, L = xb.shape[0], xb.shape[1], xb.shape[2]
    pre, hidden, outputs = _forward_many(W, A_t, B, xb)
    per_seq, dy = output_cotangent(
        outputs.permute(1, 2, 0, 3).reshape(K * b, L, -1), yb.reshape(K * b, L, -1), loss=config.loss, lam=config.lam
    )
    objs = per_seq.view(K, b).mean(dim=1)
    if not bool(torch.isfinite(objs).all()):
        q = int((~torch.isfinite(objs)).nonzero()[0])
        raise TrainingDiverged(
            f"{fn}: the objective of network {q} became non-finite at step {step}; lower lr={config.lr:g}"
        )
    delta = _backward_many(W, B, pre, dy.view(K, b, L, -1))
    # W_q -= lr / b * delta_q^T H_q for every network in one batched rank-(L b) update
    m = W.shape[-1]
    dl = delta.permute(1, 0, 2, 3).reshape(K, L * b, m)
    Hs = hidden[:-1].permute(1, 0, 2, 3).reshape(K, L * b, m)
    W.baddbmm_(dl.transpose(1, 2), Hs, alpha=-config.lr / b)
    return objs


def _forward_many(
    W: torch.Tensor, A_t: torch.Tensor, B: torch.Tensor, xb: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""The forward pass of every network on its minibatch, time-major: pre-activations ``(L, K, b, m)``,
    hidden states ``(L+1, K, b, m)`` (``hidden[0] = 0``) and outputs ``(L, K, b, d)``."""
    K, b, L, m = xb.shape[0], xb.shape[1], xb.shape[2], W.shape[-1]
    pre = torch.matmul(xb, A_t[:, None]).permute(2, 0, 1, 3).contiguous()
    hidden = torch.empty(L + 1, K, b, m, dtype=W.dtype, device=W.device)
    hidden[0].zero_()
    for l in range(L):
        if l > 0:
            pre[l].add_(torch.bmm(hidden[l], W.transpose(1, 2)))
        torch.clamp_min(pre[l], 0, out=hidden[l + 1])
    outputs = torch.matmul(hidden[1:], B.transpose(1, 2)[None])
    return pre, hidden, outputs


def _backward_many(W: torch.Tensor, B: torch.Tensor, pre: torch.Tensor, dy: torch.Tensor) -> torch.Tensor:
    r"""The backward sweep :math:`\delta_i = D_i (B^T dy_i + W^T \delta_{i+1})` of every network,
    time-major ``(L, K, b, m)``, from the output cotangents ``dy`` ``(K, b, L, d)``."""
    L = pre.shape[0]
    dyB = torch.matmul(dy.permute(2, 0, 1, 3), B[None])  # (L, K, b, m)
    D = pre > 0
    delta = torch.empty_like(dyB)
    a = dyB[-1]
    for i0 in range(L - 1, -1, -1):
        if i0 < L - 1:
            a = dyB[i0] + torch.bmm(delta[i0 + 1], W)
        delta[i0] = a * D[i0]
    return delta
