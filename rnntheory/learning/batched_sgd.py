r"""SGD of several independent networks at once: the steps of ``K`` runs of :func:`rnntheory.learning.training.sgd`
(online, each network with its own sample stream) in one batched product per position.

Each network keeps its own :math:`W_0`, ``A``, ``B`` and seed; a step draws every network's minibatch
from its own stream (exactly the samples :func:`~rnntheory.learning.training.sgd` with that seed draws), runs the
forward and backward passes of all ``K`` networks as ``bmm`` products, and updates the ``K`` matrices
with one batched rank-``b`` update. The records (held-out risk, tau, sign changes, coupling) are those
of :func:`~rnntheory.learning.training.sgd`, computed per network at the recorded steps. The result equals ``K``
separate runs up to rounding (the products are summed in another order; tests/learning/test_batched_sgd.py).
A network's result does not depend on its group: every product is a ``bmm`` over the stacked networks or a
per-network product, never a broadcast ``matmul`` (which runs a group of one through another kernel), so each
network gets the same bits in a group of any size, with any companions, and when companions stop or diverge and
leave the batch (tested in float32 at the claims' shapes, with 1 and 2 threads, on the reference CPU).

Where it pays: a one-sample step of a small network is a few small kernels, bound by their launch and
dispatch cost, so ``K`` networks in one kernel cost little more than one (always so on a GPU). On a
CPU at widths where one product already fills a core, it gains little (``rnntheory bench``).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Literal, Sequence

import torch

from .. import _validation as V
from ..network.many import check_nets
from ..network.model import RNN
from .concepts import Concept
from .data import LabelledData
from .objective import SGDConfig, configure, output_cotangent
from .training import Recorder, TrainingDiverged, Trajectory, check_concept, check_data, minibatches

__all__ = ["sgd_many"]


def sgd_many(
    nets: Sequence[RNN],
    concept: Concept | None = None,
    config: SGDConfig | None = None,
    *,
    test: LabelledData | Sequence[LabelledData],
    seeds: Sequence[int],
    train: Sequence[LabelledData] | None = None,
    stop_at: float | None | Sequence[float | None] = None,
    callbacks: Sequence[Callable[[int, torch.Tensor], None] | None] | None = None,
    diverged: Literal["raise", "return"] = "raise",
    **overrides: Any,
) -> list[Trajectory | TrainingDiverged]:
    r"""Online SGD (or SGD on fixed training sets) on W only for every network of ``nets`` at once; the q-th
    result equals ``training.sgd(nets[q], concept or train[q], config, test=test[q], seed=seeds[q],
    stop_at=stop_at[q], callback=callbacks[q])`` up to rounding.

    Args:
        nets: networks of one width, input and output size, dtype and device.
        concept: the concept every network samples from (online training), or ``None`` with ``train``.
        test: held-out samples, one set for all networks or one per network.
        config, **overrides: the settings, as in :func:`rnntheory.learning.training.sgd`, but for ``seed``
            (each network has its own in ``seeds``).
        seeds: one sample-stream seed per network.
        train: one fixed training set per network (instead of ``concept``), minibatches drawn with
            replacement as :func:`~rnntheory.learning.training.sgd` draws them.
        stop_at: stop a network after its first recorded step whose held-out risk is at most this value;
            one value for all or one per network (``None``: the config's ``stop_at``). A stopped network leaves
            the batch; the others go on.
        callbacks: one ``callback(step, W)`` (or ``None``) per network, called as
            :func:`~rnntheory.learning.training.sgd` calls its ``callback``.
        diverged: ``"raise"`` (default): a network whose objective or W becomes non-finite raises
            TrainingDiverged for all; ``"return"``: that network's result is the TrainingDiverged that
            :func:`~rnntheory.learning.training.sgd` raises for it alone (its message included), it leaves
            the batch, and the others go on.

    Returns:
        One :class:`~rnntheory.learning.training.Trajectory` per network (or, with ``diverged="return"``,
        the TrainingDiverged of a network that diverged).

    Raises:
        ValueError, TypeError: networks that differ in size, dtype or device; a seed, test, train, stop or
        callback count that does not match; the argument errors of :func:`rnntheory.learning.training.sgd`.
        TrainingDiverged: with ``diverged="raise"``, a network's objective or W became non-finite.
    """
    fn = "batched_sgd.sgd_many"
    nets = check_nets(fn, nets)
    first, K = nets[0], len(nets)
    seeds = [V.positive_int(fn, f"seeds[{q}]", s, minimum=0) for q, s in enumerate(_per(fn, "seeds", seeds, K))]
    if "seed" in overrides:
        raise TypeError(f"{fn}: seed= is one seed; pass seeds= (one per network)")
    if diverged not in ("raise", "return"):
        raise ValueError(f"{fn}: diverged={diverged!r} must be 'raise' or 'return'")
    config = configure(fn, config, overrides)
    if stop_at is None:  # the config's, for every network
        stop_at = config.stop_at
    if (concept is None) == (train is None):
        raise ValueError(f"{fn}: pass exactly one of concept (online SGD) or train= (one training set per network)")
    tests = _per(fn, "test", [test] * K if isinstance(test, LabelledData) else test, K)
    stops = _per(fn, "stop_at", [stop_at] * K if not isinstance(stop_at, Sequence) else stop_at, K)
    stops = [None if v is None else V.real_in(fn, "stop_at", v) for v in stops]
    calls = _per(fn, "callbacks", [None] * K if callbacks is None else callbacks, K)
    if concept is not None:
        check_concept(fn, first, concept)
        sources: list[Concept | LabelledData] = [concept] * K
    else:
        sources = list(_per(fn, "train", train, K))
        for q, tr in enumerate(sources):
            check_data(fn, f"train[{q}]", first, tr)
    for q, t in enumerate(tests):
        check_data(fn, f"test[{q}]" if len(set(map(id, tests))) > 1 else "test", first, t)

    # a network's messages are those training.sgd gives it alone (a cell measured in a group equals the cell alone)
    own = "training.sgd" if diverged == "return" else fn
    W = torch.stack([n.W for n in nets]).clone()  # (K, m, m), updated in place
    A_t = torch.stack([n.A.T for n in nets])  # (K, d_x, m)
    B = torch.stack([n.B for n in nets])  # (K, d, m)
    results: list[Trajectory | TrainingDiverged | None] = [None] * K
    recs: list[Recorder] = []
    for q, n in enumerate(nets):
        recs.append(Recorder(own, n, tests[q], config, callback=calls[q]))
    online = concept is not None
    active = list(range(K))
    dead = _record(recs, results, active, W, 0, stops, seeds, online, diverged)
    # every network's minibatches from its own generator, exactly those sgd draws with that seed
    streams = [minibatches(sources[q], config, first, torch.Generator().manual_seed(seeds[q])) for q in range(K)]
    for step in range(1, config.steps + 1):
        if dead:
            keep = [j for j, q in enumerate(active) if q not in dead]
            active = [active[j] for j in keep]
            if not active:
                break
            W, A_t, B = W[keep].clone(), A_t[keep], B[keep]
        batch = [next(streams[q]) for q in active]
        xb = torch.stack([x for x, _ in batch])  # (K, b, L, d_x)
        yb = torch.stack([y for _, y in batch])
        objs = _step_many(W, A_t, B, xb, yb, config).tolist()
        dead = set()
        for j, q in enumerate(active):
            if not math.isfinite(objs[j]):
                err = TrainingDiverged(
                    f"{own}: the objective became non-finite ({objs[j]}) at step {step}; lower lr={config.lr:g}"
                )
                if diverged == "raise":
                    raise TrainingDiverged(
                        f"{fn}: the objective of network {q} became non-finite at step {step}; lower lr={config.lr:g}"
                    )
                results[q] = err
                dead.add(q)
            else:
                recs[q].add(objs[j])
        if config.due(step):
            live = [q for q in active if q not in dead]
            dead |= _record(recs, results, active, W, step, stops, seeds, online, diverged, only=live)
    for j, q in enumerate(active):
        if results[q] is None:
            results[q] = recs[q].trajectory(W[j].clone(), seed=seeds[q], online=online)
    return results  # type: ignore[return-value]


def _per(fn: str, name: str, values: Any, K: int) -> list[Any]:
    r"""``values`` as a list of one entry per network (``K``), or a ValueError naming ``name``."""
    values = list(values)
    if len(values) != K:
        raise ValueError(f"{fn}: {name} has {len(values)} entries; expected one per network ({K})")
    return values


def _record(
    recs: list[Recorder],
    results: list[Any],
    active: list[int],
    W: torch.Tensor,
    step: int,
    stops: list[float | None],
    seeds: list[int],
    online: bool,
    diverged: str,
    only: list[int] | None = None,
) -> set[int]:
    r"""Record ``step`` for the active networks (``only`` those, when given; ``W[j]`` is network ``active[j]``'s
    matrix); returns the networks that end here: stopped (their trajectory made) or diverged (their error kept)."""
    ended: set[int] = set()
    for j, q in enumerate(active):
        if only is not None and q not in only:
            continue
        try:
            recs[q](step, W[j])
        except TrainingDiverged as exc:
            if diverged == "raise":
                raise
            results[q], _ = exc, ended.add(q)
            continue
        if stops[q] is not None and recs[q].rows[-1]["test_risk"] <= stops[q]:
            results[q] = recs[q].trajectory(W[j].clone(), seed=seeds[q], online=online)
            ended.add(q)
    return ended


def _step_many(
    W: torch.Tensor,
    A_t: torch.Tensor,
    B: torch.Tensor,
    xb: torch.Tensor,
    yb: torch.Tensor,
    config: SGDConfig,
) -> torch.Tensor:
    r"""One SGD step of every network on its minibatch (``xb``: ``(K, b, L, d_x)``), in place on the
    stacked ``W`` ``(K, m, m)``; returns the ``K`` minibatch objectives."""
    K, b, L = xb.shape[0], xb.shape[1], xb.shape[2]
    pre, hidden, outputs = _forward_many(W, A_t, B, xb)
    per_seq, dy = output_cotangent(
        outputs.permute(1, 2, 0, 3).reshape(K * b, L, -1), yb.reshape(K * b, L, -1), loss=config.loss, lam=config.lam
    )
    objs = per_seq.view(K, b).mean(dim=1)
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
    # every product is a bmm over the K networks (never a broadcast matmul, which folds a group of one into
    # another kernel): each network's result is then the same bits whatever K is
    pre = torch.bmm(xb.reshape(K, b * L, -1), A_t).view(K, b, L, m).permute(2, 0, 1, 3).contiguous()
    hidden = torch.empty(L + 1, K, b, m, dtype=W.dtype, device=W.device)
    hidden[0].zero_()
    for l in range(L):
        if l > 0:
            pre[l].add_(torch.bmm(hidden[l], W.transpose(1, 2)))
        torch.clamp_min(pre[l], 0, out=hidden[l + 1])
    # the read-out (d columns) network by network: a bmm with so few columns runs another kernel for K = 1
    H = hidden[1:].permute(1, 0, 2, 3).reshape(K, L * b, m)
    outputs = torch.stack([H[q] @ B[q].T for q in range(K)]).view(K, L, b, -1).permute(1, 0, 2, 3)
    return pre, hidden, outputs


def _backward_many(W: torch.Tensor, B: torch.Tensor, pre: torch.Tensor, dy: torch.Tensor) -> torch.Tensor:
    r"""The backward sweep :math:`\delta_i = D_i (B^T dy_i + W^T \delta_{i+1})` of every network,
    time-major ``(L, K, b, m)``, from the output cotangents ``dy`` ``(K, b, L, d)``."""
    L = pre.shape[0]
    K, b, m = dy.shape[0], dy.shape[1], B.shape[-1]
    dyB = torch.bmm(dy.reshape(K, b * L, -1), B).view(K, b, L, m).permute(2, 0, 1, 3)  # (L, K, b, m)
    D = pre > 0
    delta = torch.empty_like(dyB)
    a = dyB[-1]
    for i0 in range(L - 1, -1, -1):
        if i0 < L - 1:
            a = dyB[i0] + torch.bmm(delta[i0 + 1], W)
        delta[i0] = a * D[i0]
    return delta
