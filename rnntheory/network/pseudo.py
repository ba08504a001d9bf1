r"""The pseudo-network (the RNN linearised in W at W_0) and the forward and backward coupling errors.

Paper (theory.md, section 3): for a displacement :math:`W'`, with :math:`D_i` and :math:`h_{i-1}` taken
at :math:`W_0`,

.. math::
    z_0 = 0,\qquad z_i = D_i (W_0 z_{i-1} + W' h_{i-1}),\qquad
    \mathrm{pseudo}_j(x; W') = B z_j = \sum_{i=1}^{j} \mathrm{Back}_{i\to j} D_i W' h_{i-1}.

It is linear in :math:`W'` and equals the directional derivative (JVP) of :math:`y_j` at
:math:`W_0` in direction :math:`W'`. The forward coupling error is
:math:`\mathrm{err}_j = y_j(W_0 + W') - y_j(W_0) - \mathrm{pseudo}_j(W')`; the backward coupling
compares the gradient of :math:`y_j` in W at :math:`W_0 + W'` with the one at :math:`W_0`.

Here ":math:`W_0`" is always the recurrent matrix stored in the trace ``tr`` (``tr.W``), which is the
network's ``W`` when the trace comes from ``net.trace(x)``. Positions: the paper's position ``j``
(1-based) is index ``j - 1`` of every ``(n, L, ...)`` result. Displacements may be batched: a
``W_prime`` of shape ``(k, m, m)`` gives results with a leading axis of length ``k``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from .. import _validation as V
from . import batched as BT
from .backward import back_vectors
from .batched import Displacements
from .model import RNN, Trace, base_trace, check_displacements, check_trace

__all__ = ["outputs", "forward_coupling", "backward_coupling", "BackwardCoupling", "gradient_change", "relative_change"]


# ---------------------------------------------------------------------- the pseudo-network
def outputs(net: RNN, tr: Trace, W_prime: torch.Tensor) -> torch.Tensor:
    r"""Pseudo-network outputs :math:`\mathrm{pseudo}_j(x; W')` for every position ``j``, in one forward pass.

    Paper: section 3, :math:`z_i = D_i(W_0 z_{i-1} + W' h_{i-1})`, :math:`\mathrm{pseudo}_j = B z_j
    = \sum_{i\le j} \mathrm{Back}_{i\to j} D_i W' h_{i-1}` (the JVP of :math:`y_j` at :math:`W_0`).

    The drive :math:`W' h_{i-1}` of every position and every displacement comes from one matrix
    product of the ``(L n, m)`` hidden states with the ``k`` displacements side by side; the
    recursion then costs one ``(n k, m) x (m, m)`` product per position, in place in a time-major
    buffer. Total cost about :math:`2 L n k m^2` multiply-adds, about twice one forward trace for k = 1.

    Args:
        net: the network (its ``B``).
        tr: a trace of ``net``; its ``W`` is :math:`W_0`, its patterns and hidden states are used.
        W_prime: ``(m, m)`` displacement, or ``(k, m, m)`` for ``k`` displacements at once.

    Returns:
        ``(n, L, d)`` for an ``(m, m)`` displacement, ``(k, n, L, d)`` for ``(k, m, m)``;
        ``[..., s, j-1, :]`` is :math:`\mathrm{pseudo}_j(x_s; W')`.

    Raises:
        TypeError: ``net``/``tr`` of the wrong type, or ``W_prime`` not a float tensor of the network's dtype.
        ValueError: a trace of another network, a wrong shape, another device, NaN or infinite entries.
    """
    fn = "pseudo.outputs"
    check_trace(fn, net, tr)
    Wp, squeeze = _displacements(fn, net, W_prime)
    L, n, m = tr.L, tr.n, tr.m
    H = tr.time_major("hidden")[:-1].reshape(L * n, m)  # rows h_{i-1}, i = 1..L
    if isinstance(Wp, Displacements):  # structured: W' h from the directions or factors, no k m x m matrices
        k = Wp.k
        Z = Wp.apply(H.expand(k, L * n, m)).view(k, L, n, m).permute(1, 2, 0, 3).contiguous()
    else:
        k = Wp.shape[0]
        # (m, k m): the transposed displacements side by side, so H @ Wcat = [W'_1 h, ..., W'_k h]
        Wcat = Wp.transpose(1, 2).permute(1, 0, 2).reshape(m, k * m)
        Z = torch.matmul(H, Wcat).view(L, n, k, m)  # Z[i0] = W' h_{i-1}, time-major, contiguous
    D = tr.time_major("pattern")
    W0t = tr.W.T
    for i0 in range(L):
        zi = Z[i0]
        if i0 > 0:
            zi.view(n * k, m).addmm_(Z[i0 - 1].view(n * k, m), W0t)
        zi.mul_(D[i0][:, None, :])
    out = torch.matmul(Z, net.B.T).permute(2, 1, 0, 3)  # (k, n, L, d)
    return out[0] if squeeze else out


def forward_coupling(
    net: RNN,
    x: torch.Tensor | None,
    W_prime: torch.Tensor,
    *,
    tr: Trace | None = None,
    check: bool = True,
) -> torch.Tensor:
    r"""Forward coupling error :math:`y_j(W_0 + W') - y_j(W_0) - \mathrm{pseudo}_j(W')` for every position.

    Paper: section 3, :math:`\mathrm{err}_j(x; W')`; claimed to vanish as m grows at fixed NTK radius,
    :math:`O(\mathrm{poly}(L)\,\tau^{4/3} m^{-1/6})` in the worst case.

    Args:
        net: the network; :math:`W_0` is ``net.W`` (or ``tr.W`` when a trace is given).
        x: ``(n, L, d_x)`` inputs (may be ``None`` when ``tr`` is given).
        W_prime: ``(m, m)`` or ``(k, m, m)`` displacements.
        tr: the trace of ``x`` at :math:`W_0`, when at hand (the forward pass at :math:`W_0` is then not re-run).
        check: verify the input normalisation when no trace is given.

    Returns:
        ``(n, L, d)``, or ``(k, n, L, d)`` for a batch of displacements; ``[..., s, j-1, :]`` is
        :math:`\mathrm{err}_j(x_s; W')`. Cost: one forward trace per displacement plus :func:`outputs`.

    Raises:
        TypeError, ValueError: as :func:`outputs`; inputs that differ from the trace's.
    """
    fn = "pseudo.forward_coupling"
    tr = base_trace(fn, net, x, tr, check=check)
    Wp, squeeze = _displacements(fn, net, W_prime)
    lin = outputs(net, tr, Wp)  # (k, n, L, d)
    real = BT.traces(net, tr, Wp).outputs
    err = real - tr.outputs - lin
    return err[0] if squeeze else err


# ---------------------------------------------------------------------- backward coupling
@dataclass(frozen=True)
class BackwardCoupling:
    r"""Backward coupling (theory.md, section 3) per sequence and position, from :func:`backward_coupling`.

    With :math:`G_j(W) = \partial (u^T y_j) / \partial W` (the full Jacobian over every output
    coordinate when ``u`` is ``None``):

    Attributes:
        relative: ``(n, L)`` (``(k, n, L)`` for a batch of displacements):
            :math:`\|G_j(W_0+W') - G_j(W_0)\|_F / \|G_j(W_0)\|_F`.
        distance: the numerator :math:`\|G_j(W_0+W') - G_j(W_0)\|_F`, same shape.
        grad_norm: ``(n, L)``: :math:`\|G_j(W_0)\|_F`.
        inner: ``None`` when no ``W_star`` was given; else ``(..., n, L)`` with one leading axis per
            batch of displacements and of ``W_star`` (``(k, k*, n, L)`` when both are batched):
            :math:`|\langle G_j(W_0+W') - G_j(W_0), W^*\rangle|` (the Euclidean norm over output
            coordinates when ``u`` is ``None``).
    """

    relative: torch.Tensor
    distance: torch.Tensor
    grad_norm: torch.Tensor
    inner: torch.Tensor | None


def _feature_vectors(net: RNN, tr: Trace, U: torch.Tensor) -> torch.Tensor:
    r"""``(n, L, L, q, m)``: ``[s, j-1, i-1, r]`` is :math:`D_i \mathrm{Back}_{i\to j}^T u_r` (0 for i > j)."""
    a = back_vectors(net, tr, U)  # (n, L, L, q, m) with [s, j-1, i-1]
    return a * tr.pattern[:, None, :, None, :]


def _gram_sq(P: torch.Tensor, Q: torch.Tensor, P2: torch.Tensor, Q2: torch.Tensor) -> torch.Tensor:
    r"""Squared Frobenius norm of :math:`\sum_i p_i q_i^T + \sum_i p'_i q'^T_i` from Gram matrices.

    ``P, P2``: ``(n, L, L, q, m)`` left vectors indexed ``[s, j-1, i-1, r]``; ``Q, Q2``: ``(n, L, m)``
    right vectors indexed ``[s, i-1]``. Returns ``(n, L)``, summed over ``r``:
    :math:`\langle a b^T, c e^T\rangle_F = \langle a, c\rangle\langle b, e\rangle`, no m x m matrix is formed.
    """
    left = torch.cat([P, P2], dim=2)  # (n, L, 2L, q, m)
    right = torch.cat([Q, Q2], dim=1)  # (n, 2L, m)
    GL = torch.einsum("sjiqm,sjkqm->sjik", left, left)  # (n, L, 2L, 2L), summed over q
    GR = torch.einsum("sim,skm->sik", right, right)  # (n, 2L, 2L)
    return (GL * GR[:, None]).sum(dim=(-1, -2)).clamp_min(0.0)


def backward_coupling(
    net: RNN,
    x: torch.Tensor | None,
    W_prime: torch.Tensor,
    *,
    tr: Trace | None = None,
    u: torch.Tensor | None = None,
    W_star: torch.Tensor | None = None,
    check: bool = True,
) -> BackwardCoupling:
    r"""How far the gradient of each output moves when W moves from :math:`W_0` to :math:`W_0 + W'`.

    Paper: section 3 (backward coupling): the gradient of the real network at :math:`W_0 + W'` stays
    close to the pseudo-network's constant gradient, the gradient at :math:`W_0`. With
    :math:`G_j(W) = \sum_{i\le j} a_{i,j} h_{i-1}^T`, :math:`a_{i,j} = D_i \mathrm{Back}_{i\to j}^T u`
    (section 2), computed by backward sweeps (:func:`rnntheory.network.backward.back_vectors`) at both matrices.

    The distance is evaluated without forming any m x m matrix and without cancellation: writing
    :math:`\delta a = a' - a`, :math:`\delta h = h' - h`,
    :math:`G'_j - G_j = \sum_i \delta a_{i,j} h'^T_{i-1} + \sum_i a_{i,j}\, \delta h_{i-1}^T`, whose
    squared Frobenius norm is a sum of products of Gram matrices. The inner-product form uses
    :math:`\langle G_j(W), W^*\rangle = \mathrm{pseudo}_j` at W in direction :math:`W^*` (section 3:
    the gradient of :math:`y_j` paired with a direction is the JVP), i.e. the difference of two
    pseudo-network passes (:func:`outputs`), one at each matrix.

    Args:
        net: the network; :math:`W_0` is ``net.W`` (or ``tr.W``).
        x: ``(n, L, d_x)`` inputs (may be ``None`` when ``tr`` is given).
        W_prime: ``(m, m)`` or ``(k, m, m)`` displacements.
        tr: the trace at :math:`W_0`, when at hand.
        u: ``(d,)`` output direction; ``None`` (default) for the full Jacobian over all d coordinates.
        W_star: optional ``(m, m)`` or ``(k*, m, m)`` directions for the inner-product form.
        check: verify the input normalisation when no trace is given.

    Returns:
        :class:`BackwardCoupling`. Positions with :math:`G_j(W_0) = 0` (possible only for tiny m) get
        ``relative = inf`` where the distance is positive and 0 where it is 0. Memory: :math:`O(n L^2 d m)`
        per displacement (the backward vectors of every pair).

    Raises:
        TypeError, ValueError: bad ``W_prime``, ``W_star`` or ``u`` (shape, dtype, device, NaN), a trace of another
            network.
    """
    fn = "pseudo.backward_coupling"
    tr = base_trace(fn, net, x, tr, check=check)
    Wp, squeeze = check_displacements(fn, net, W_prime)
    Ws, squeeze_star = (None, True) if W_star is None else check_displacements(fn, net, W_star, "W_star")
    U = _output_directions(fn, net, u)
    moved = BT.traces(net, tr, Wp)
    traces = [moved[q] for q in range(len(moved))]
    distance, grad_norm = gradient_change(net, tr, traces, U)
    inner = []
    if Ws is not None:
        base_inner = _inner(net, tr, Ws, U)
        inner = [_inner(net, t1, Ws, U) - base_inner for t1 in traces]
    relative = relative_change(distance, grad_norm)
    inner_t = None
    if Ws is not None:
        inner_t = torch.linalg.vector_norm(torch.stack(inner), dim=-1)  # (k, k*, n, L)
        if squeeze_star:
            inner_t = inner_t[:, 0]
        if squeeze:
            inner_t = inner_t[0]
    if squeeze:
        relative, distance = relative[0], distance[0]
    return BackwardCoupling(relative=relative, distance=distance, grad_norm=grad_norm, inner=inner_t)


def _output_directions(fn: str, net: RNN, u: torch.Tensor | None) -> torch.Tensor:
    if u is None:
        return torch.eye(net.d, dtype=net.dtype, device=net.device)
    V.tensor(fn, "u", u, shape=(net.d,), dtype=net.dtype, device=net.device)
    return u[None]


def gradient_change(
    net: RNN, tr: Trace, traces: list[Trace], U: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""How far the gradient of every output moves, from traces the caller already has.

    Paper: section 3 (backward coupling), as in :func:`backward_coupling`, for callers that share
    the traces at :math:`W_0 + W'_q` with other quantities (:mod:`rnntheory.learning.along`).

    Args:
        net: the network.
        tr: the trace at :math:`W_0`.
        traces: traces of the same inputs at :math:`W_0 + W'_q` (:func:`rnntheory.network.model.perturbed_traces`).
        U: ``(q, d)`` output directions as rows; ``None`` for every coordinate (the full Jacobian).

    Returns:
        ``(distance, norm)``: ``(k, n, L)`` :math:`\|G_j(W_q) - G_j(W_0)\|_F` and ``(n, L)``
        :math:`\|G_j(W_0)\|_F`; divide with :func:`relative_change`. Not validated.
    """
    if U is None:
        U = _output_directions("pseudo.gradient_change", net, None)
    a0 = _feature_vectors(net, tr, U)
    H0 = tr.hidden[:, :-1]  # (n, L, m): [s, i-1] = h_{i-1}
    GL = torch.einsum("sjiqm,sjkqm->sjik", a0, a0)
    GR = torch.einsum("sim,skm->sik", H0, H0)
    grad_norm = (GL * GR[:, None]).sum(dim=(-1, -2)).clamp_min(0.0).sqrt()
    dist = []
    for t1 in traces:
        a1 = _feature_vectors(net, t1, U)
        H1 = t1.hidden[:, :-1]
        dist.append(_gram_sq(a1 - a0, H1, a0, H1 - H0).sqrt())
    return torch.stack(dist), grad_norm


def relative_change(distance: torch.Tensor, norm: torch.Tensor) -> torch.Tensor:
    r"""``distance / norm`` where ``norm > 0``; ``inf`` where the norm is 0 and the distance is not, 0
    where both are 0 (the gradient of :math:`y_1`, which does not depend on W)."""
    return torch.where(norm > 0, distance / torch.where(norm > 0, norm, 1.0), torch.where(distance > 0, torch.inf, 0.0))


def _inner(net: RNN, tr: Trace, Ws: torch.Tensor, U: torch.Tensor) -> torch.Tensor:
    r"""``(k*, n, L, q)``: :math:`\langle G_j(W), W^*\rangle` for every direction row of ``U``, i.e. the
    pseudo-network output at the trace's W in direction :math:`W^*`, projected on ``U``."""
    return torch.matmul(outputs(net, tr, Ws), U.T)


def _displacements(fn: str, net: RNN, W_prime: Any) -> "tuple[Displacements | torch.Tensor, bool]":
    r"""A :class:`~rnntheory.network.batched.Displacements` batch as it is (checked when traced), or checked dense
    displacements."""
    if isinstance(W_prime, Displacements):
        if W_prime.m != net.m or W_prime.dtype != net.dtype or W_prime.device != net.device:
            raise ValueError(
                f"{fn}: the displacements are {W_prime.m} x {W_prime.m} {W_prime.dtype} on {W_prime.device}; "
                f"expected {net.m} x {net.m} {net.dtype} on {net.device}"
            )
        return W_prime, False
    return check_displacements(fn, net, W_prime)
