r"""SGD of several independent networks at once: the steps of ``K`` runs of :func:`rnntheory.learning.training.sgd`
(online, each network with its own sample stream) in one batched product per position.

Each network keeps its own :math:`W_0`, ``A``, ``B`` and seed; a step draws every network's minibatch
from its own stream (exactly the samples :func:`~rnntheory.learning.training.sgd` with that seed draws), runs the
forward and backward passes of all ``K`` networks as ``bmm`` products, and updates the ``K`` matrices
with one batched rank-``b`` update. The records (held-out risk, tau, sign changes, coupling) are those
of :func:`~rnntheory.learning.training.sgd`, computed per network at the recorded steps. The result equals ``K``
separate runs up to rounding (the products are summed in another order; tests/test_batched_sgd.py).

Where it pays: a one-sample step of a small network is a few small kernels, bound by their launch and
dispatch cost, so ``K`` networks in one kernel cost little more than one (always so on a GPU). On a
CPU at widths where one product already fills a core, it gains little (``rnntheory bench``).
"""

from __future__ import annotations

import math
from typing import Literal, Sequence

import torch

from .. import _validation as V
from .concepts import Concept, LabelledData
from ..network.model import RNN
from .training import TrainingDiverged, Trajectory, Recorder, check_data, loss_fn, output_cotangent

__all__ = ["sgd_many"]


def sgd_many(
    nets: Sequence[RNN],
    *,
    concept: Concept,
    test: LabelledData,
    lr: float,
    steps: int,
    seeds: Sequence[int],
    batch_size: int = 1,
    loss: Literal["squared", "logistic"] = "squared",
    lam: float = 1.0,
    record_every: int = 100,
    eps_x: float | None = None,
    noise: float = 0.0,
    coupling: bool = True,
) -> list[Trajectory]:
    r"""Online SGD on W only for every network of ``nets`` at once; the q-th result equals
    ``training.sgd(nets[q], concept=concept, test=test, seed=seeds[q], ...)`` up to rounding.

    Args:
        nets: networks of one width, input and output size, dtype and device.
        concept, test, lr, steps, batch_size, loss, lam, record_every, eps_x, noise, coupling: as in
            :func:`rnntheory.learning.training.sgd` (online training only; every run records on ``test``).
        seeds: one sample-stream seed per network.

    Returns:
        One :class:`~rnntheory.learning.training.Trajectory` per network.

    Raises:
        ValueError, TypeError: networks that differ in size, dtype or device; a seed count that does not
        match; the argument errors of :func:`rnntheory.learning.training.sgd`.
        TrainingDiverged: a network's objective or W became non-finite (the message names it).
    """
    fn = "batched_sgd.sgd_many"
    nets = list(nets)
    if not nets or not all(isinstance(n, RNN) for n in nets):
        raise TypeError(f"{fn}: nets must be a non-empty sequence of rnntheory.RNN")
    first = nets[0]
    if any((n.m, n.d_x, n.d, n.dtype, n.device) != (first.m, first.d_x, first.d, first.dtype, first.device) for n in nets):
        raise ValueError(f"{fn}: every network must have the same m, d_x, d, dtype and device")
    if len(seeds) != len(nets):
        raise ValueError(f"{fn}: seeds has {len(seeds)} entries; expected one per network ({len(nets)})")
    if not isinstance(concept, Concept):
        raise TypeError(f"{fn}: concept={V.show(concept)} must be an rnntheory.learning.concepts.Concept")
    lr = V.real_in(fn, "lr", lr, low=0.0, low_open=True)
    lam = V.real_in(fn, "lam", lam, low=0.0, low_open=True)
    steps = V.positive_int(fn, "steps", steps, minimum=0)
    batch_size = V.positive_int(fn, "batch_size", batch_size)
    record_every = V.positive_int(fn, "record_every", record_every)
    loss_fn(fn, loss)
    check_data(fn, "test", first, test)
    sample_kwargs = {} if eps_x is None else {"eps_x": eps_x}
    K, m, b, L = len(nets), first.m, batch_size, test.x.shape[1]
    gens = [torch.Generator().manual_seed(int(s)) for s in seeds]
    W = torch.stack([n.W for n in nets]).clone()  # (K, m, m), updated in place
    A_t = torch.stack([n.A.T for n in nets])  # (K, d_x, m)
    B = torch.stack([n.B for n in nets])  # (K, d, m)
    recs = [Recorder(fn, n, test, loss=loss, lam=lam, lr=lr, batch_size=b, coupling=coupling, callback=None)
            for n in nets]
    for q in range(K):
        recs[q](0, W[q])
    block = max(1, 4096 // b)
    streams: list[LabelledData] = []
    for step in range(1, steps + 1):
        k = (step - 1) % block
        if k == 0:  # every network's fresh samples for `block` steps, from its own generator (as sgd draws them)
            streams = [concept.sample(b * min(block, steps - step + 1), generator=g, noise=noise, dtype=first.dtype,
                                      device=first.device, **sample_kwargs) for g in gens]
        xb = torch.stack([s.x[k * b:(k + 1) * b] for s in streams])  # (K, b, L, d_x)
        yb = torch.stack([s.labels[k * b:(k + 1) * b] for s in streams])
        # forward: time-major (L, K, b, m)
        pre = torch.matmul(xb, A_t[:, None]).permute(2, 0, 1, 3).contiguous()
        hidden = torch.empty(L + 1, K, b, m, dtype=first.dtype, device=first.device)
        hidden[0].zero_()
        for l in range(L):
            if l > 0:
                pre[l].add_(torch.bmm(hidden[l], W.transpose(1, 2)))
            torch.clamp_min(pre[l], 0, out=hidden[l + 1])
        outputs = torch.matmul(hidden[1:], B.transpose(1, 2)[None])  # (L, K, b, d)
        per_seq, dy = output_cotangent(outputs.permute(1, 2, 0, 3).reshape(K * b, L, -1), yb.reshape(K * b, L, -1),
                                       loss=loss, lam=lam)
        objs = per_seq.view(K, b).mean(dim=1)
        if not bool(torch.isfinite(objs).all()):
            q = int((~torch.isfinite(objs)).nonzero()[0])
            raise TrainingDiverged(f"{fn}: the objective of network {q} became non-finite at step {step}; lower lr={lr:g}")
        # backward: delta_i = D_i (B^T dy_i + W^T delta_{i+1}), time-major
        dyB = torch.matmul(dy.view(K, b, L, -1).permute(2, 0, 1, 3), B[None])  # (L, K, b, m)
        D = pre > 0
        delta = torch.empty_like(dyB)
        a = dyB[-1]
        for i0 in range(L - 1, -1, -1):
            if i0 < L - 1:
                a = dyB[i0] + torch.bmm(delta[i0 + 1], W)
            delta[i0] = a * D[i0]
        # W_q -= lr / b * delta_q^T H_q for every network in one batched rank-(L b) update
        dl = delta.permute(1, 0, 2, 3).reshape(K, L * b, m)
        Hs = hidden[:-1].permute(1, 0, 2, 3).reshape(K, L * b, m)
        W.baddbmm_(dl.transpose(1, 2), Hs, alpha=-lr / b)
        for q, o in enumerate(objs.tolist()):
            recs[q].add(o)
        if step % record_every == 0 or step == steps:
            for q in range(K):
                recs[q](step, W[q])
    out = []
    for q, n in enumerate(nets):
        cfg = dict(lr=lr, steps=steps, batch_size=b, loss=loss, lam=lam, seed=int(seeds[q]), online=True, m=m, L=L)
        out.append(recs[q].trajectory(W[q].clone(), cfg))
    return out
