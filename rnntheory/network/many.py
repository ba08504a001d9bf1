r"""Many independent networks in one product: the forward traces of ``K`` networks of one width (each
with its own :math:`W`, ``A`` and ``B``), the matrices stacked to ``(K, m, m)`` and every position one
``torch.bmm`` for all of them.

A claim measures one network per seed; cells that differ only in their seed can be measured together
(rnntheory.run.batching) when their networks are traced together. A one-network trace at a small
width is a few small kernels, bound by their launch and dispatch cost, so ``K`` of them in one batched
kernel cost little more than one (``rnntheory bench``: on a 2-core CPU, 16 networks at m = 64 trace
about 6 times faster together than one by one, and ``torch.func.vmap`` of the out-of-place forward pass
is about 1.7 times slower than the ``bmm`` loop here; at m = 256 the three are within 1.3 times).

The result equals ``K`` separate :meth:`rnntheory.network.model.RNN.trace` calls up to rounding (the
batched products may sum in another order; tests/network/test_many.py checks it against the
single-network trace).
"""

from __future__ import annotations

from typing import Sequence

import torch

from .. import _validation as V
from .model import RNN, Trace

__all__ = ["check_nets", "many_traces", "stack"]


def check_nets(fn: str, nets: Sequence[RNN]) -> list[RNN]:
    r"""``nets`` as a list, checked: a non-empty sequence of :class:`~rnntheory.network.model.RNN` of one
    width, input and output size, dtype and device (TypeError, ValueError otherwise, naming ``fn``)."""
    nets = list(nets) if not isinstance(nets, RNN) else [nets]
    if not nets or not all(isinstance(n, RNN) for n in nets):
        raise TypeError(f"{fn}: nets must be a non-empty sequence of rnntheory.RNN")
    first = nets[0]
    if any(
        (n.m, n.d_x, n.d, n.dtype, n.device) != (first.m, first.d_x, first.d, first.dtype, first.device) for n in nets
    ):
        raise ValueError(f"{fn}: every network must have the same m, d_x, d, dtype and device")
    return nets


def stack(nets: Sequence[RNN]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""The stacked ``(W, A, B)`` of ``nets`` (checked by :func:`check_nets`): ``(K, m, m)``, ``(K, m, d_x)``,
    ``(K, d, m)``; new tensors."""
    nets = check_nets(V.caller(stack), nets)
    return torch.stack([n.W for n in nets]), torch.stack([n.A for n in nets]), torch.stack([n.B for n in nets])


def many_traces(
    nets: Sequence[RNN], x: torch.Tensor | Sequence[torch.Tensor], W: torch.Tensor | None = None, *, check: bool = True
) -> list[Trace]:
    r"""The forward traces of ``K`` networks in one batched product per position.

    Paper: section 1, :math:`g_l = W h_{l-1} + A x_l`, :math:`h_l = \mathrm{relu}(g_l)`, :math:`y_l = B h_l`,
    for every network at once.

    Args:
        nets: ``K`` networks of one width, input and output size, dtype and device.
        x: inputs ``(n, L, d_x)`` shared by every network, or one ``(n, L, d_x)`` per network (a sequence of
            ``K`` tensors of one shape, or a ``(K, n, L, d_x)`` tensor): each network on its own inputs.
        W: ``(K, m, m)`` recurrent matrices to use (default: each network's own ``W``, its :math:`W_0`).
        check: verify the input normalisation (as :meth:`~rnntheory.network.model.RNN.trace`).

    Returns:
        ``K`` :class:`~rnntheory.network.model.Trace`; the q-th equals ``nets[q].trace(x_q, W[q])`` to rounding.

    Raises:
        TypeError, ValueError: networks that differ in size, dtype or device; inputs or matrices of the wrong
            shape, dtype or device, non-finite, or (with ``check``) off the normalisation.

    >>> nets = [RNN.init(32, 4, 1, seed=s) for s in range(3)]
    >>> from rnntheory.network.inputs import sample_inputs
    >>> trs = many_traces(nets, sample_inputs(2, 5, 4, seed=1))
    >>> len(trs), trs[0].outputs.shape
    (3, torch.Size([2, 5, 1]))
    """
    fn = V.caller(many_traces)
    nets = check_nets(fn, nets)
    first, K = nets[0], len(nets)
    if isinstance(x, torch.Tensor) and x.ndim == 3:
        xs = [first.check_inputs(fn, x, check=check)] * K
    else:
        xs = list(x) if not isinstance(x, torch.Tensor) else list(x.unbind(0))
        if len(xs) != K:
            raise ValueError(f"{fn}: x holds inputs for {len(xs)} networks; expected {K} (one per network)")
        xs = [n.check_inputs(fn, xq, check=check) for n, xq in zip(nets, xs)]
        if any(xq.shape != xs[0].shape for xq in xs):
            raise ValueError(f"{fn}: the networks' inputs must have one shape (n, L, d_x)")
    if W is None:
        Ws = torch.stack([n.W for n in nets])
    else:
        Ws = V.tensor(fn, "W", W, shape=(K, first.m, first.m), dtype=first.dtype, device=first.device)
    A = torch.stack([n.A for n in nets])
    B = torch.stack([n.B for n in nets])
    X = torch.stack(xs) if xs[0] is not xs[-1] or K == 1 else xs[0].expand(K, *xs[0].shape)
    return _traces(Ws, A, B, X, xs)


def _traces(W: torch.Tensor, A: torch.Tensor, B: torch.Tensor, X: torch.Tensor, xs: list[torch.Tensor]) -> list[Trace]:
    r"""The traces of :func:`many_traces` from checked stacks: ``W`` ``(K, m, m)``, ``A`` ``(K, m, d_x)``,
    ``B`` ``(K, d, m)``, ``X`` ``(K, n, L, d_x)``."""
    K, n, L, m = X.shape[0], X.shape[1], X.shape[2], W.shape[-1]
    # time-major (L, K, n, m): pre[l] starts as A_q x_{l+1} and receives W_q h_l in place
    pre = torch.matmul(X.transpose(1, 2), A.transpose(1, 2)[:, None]).permute(1, 0, 2, 3).contiguous()
    hidden = torch.empty(L + 1, K, n, m, dtype=W.dtype, device=W.device)
    hidden[0].zero_()
    Wt = W.transpose(1, 2)
    for l in range(L):
        if l > 0:
            pre[l].baddbmm_(hidden[l], Wt)
        torch.clamp_min(pre[l], 0, out=hidden[l + 1])
    outputs = torch.matmul(hidden[1:], B.transpose(1, 2)[None])  # (L, K, n, d)
    pattern = pre > 0
    return [
        Trace(
            pre=pre[:, q].transpose(0, 1),
            hidden=hidden[:, q].transpose(0, 1),
            pattern=pattern[:, q].transpose(0, 1),
            outputs=outputs[:, q].transpose(0, 1),
            x=xs[q],
            W=W[q],
        )
        for q in range(K)
    ]
