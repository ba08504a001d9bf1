r"""Backward products :math:`\mathrm{Back}_{i\to j}`, intermediate products :math:`P_{a,b}`, and the gradient in W.

Paper (theory.md, section 2): for :math:`1 \le i < j \le L`,

.. math::
    \mathrm{Back}_{i\to j} = B D_j W D_{j-1} W \cdots D_{i+1} W \;(d\times m),\qquad
    \mathrm{Back}_{j\to j} = B,\qquad
    P_{a,b} = D_b W D_{b-1} W \cdots D_a W .

Everything here is computed by backward sweeps (backpropagation through time) batched over the
target positions ``j``: the row vector :math:`u^T \mathrm{Back}_{i\to j}` obeys
:math:`u^T\mathrm{Back}_{i\to j} = (u^T \mathrm{Back}_{i+1\to j} D_{i+1}) W`, so one sweep from
``i = L`` down to ``1`` yields every pair at a cost of :math:`O(L^2)` matrix-vector products per
direction, never re-forming a pair from scratch.

Position arguments named after the paper's symbols (``i``, ``j``, ``a``, ``b``) are 1-based, as in
the paper; result tensors are 0-based (the paper's position ``l`` is index ``l - 1``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Sequence

import torch

from .. import _validation as V
from .model import RNN, Trace, check_trace

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "back_norms",
    "back_vectors",
    "back_apply",
    "grad_W",
    "grad_factors",
    "product_norms",
    "ProductNorms",
    "all_pairs",
]


# ---------------------------------------------------------------------- helpers
def _directions(fn: str, net: RNN, u: torch.Tensor | None) -> tuple[torch.Tensor, bool]:
    r"""Rows :math:`u^T B` for the requested output directions: ``(k, m)`` and whether to squeeze k."""
    if u is None:
        return net.B, False
    V.tensor(fn, "u", u, ndim=(1, 2), dtype=net.dtype, device=net.device)
    if u.shape[-1] != net.d:
        raise ValueError(f"{fn}: u has shape {tuple(u.shape)}; expected (d,) or (k, d) with d={net.d}")
    if u.ndim == 1:
        return (u @ net.B)[None], True
    return u @ net.B, False


def _sweep(tr: Trace, W: torch.Tensor, U: torch.Tensor, last: int | None = None) -> Iterator[tuple[int, torch.Tensor]]:
    r"""Backward sweep over i (0-based) from ``last`` down to 0.

    ``U`` is ``(n, k, m)`` or ``(k, m)``: the rows :math:`u^T B` started at every target.
    Yields ``(i0, R)`` with ``R`` of shape ``(J, n, k, m)`` where ``R[j0 - i0]`` is the row
    :math:`u^T \mathrm{Back}_{i\to j}` for ``j0 = i0 .. last``. ``R`` is reused: copy what you keep.
    """
    L = tr.L
    last = L - 1 if last is None else last
    n, m = tr.n, tr.m
    Ub = U.expand(n, *U.shape[-2:]) if U.ndim == 2 else U
    k = Ub.shape[1]
    D = tr.time_major("pattern")
    R = torch.empty(last + 1, n, k, m, dtype=U.dtype, device=U.device)
    for i0 in range(last, -1, -1):
        if i0 < last:
            tail = R[i0 + 1 : last + 1]
            tail.mul_(D[i0 + 1][None, :, None, :])
            R[i0 + 1 : last + 1] = (tail.reshape(-1, m) @ W).reshape(tail.shape)
        R[i0] = Ub
        yield i0, R[i0 : last + 1]


# ---------------------------------------------------------------------- Back products
def back_norms(net: RNN, tr: Trace, u: torch.Tensor | None = None) -> torch.Tensor:
    r"""Norms :math:`\|u^T \mathrm{Back}_{i\to j}\|_2` for every pair :math:`i \le j`, in one backward sweep.

    Paper: section 2 (:math:`\mathrm{Back}_{i\to j}`); section 4, backward stability.

    Args:
        net: the network (its ``B``; the sweep uses the ``W`` stored in ``tr``).
        tr: a trace of ``net``.
        u: ``(d,)`` one output direction; ``(k, d)`` several; ``None`` for every output coordinate
           (equivalent to ``u = torch.eye(d)``).

    Returns:
        ``(n, L, L)`` for ``u`` of shape ``(d,)``, else ``(n, L, L, k)`` (``k = d`` for ``None``);
        entry ``[s, j-1, i-1]`` is the norm for sequence ``s`` and pair ``i -> j``; 0 where ``i > j``.
        Cost: :math:`O(n k L^2 m^2)` flops.
    """
    fn = "backward.back_norms"
    check_trace(fn, net, tr)
    U, squeeze = _directions(fn, net, u)
    L = tr.L
    out = torch.zeros(tr.n, L, L, U.shape[0], dtype=net.dtype, device=net.device)
    for i0, R in _sweep(tr, tr.W, U):
        out[:, i0:, i0, :] = torch.linalg.vector_norm(R, dim=-1).permute(1, 0, 2)
    return out[..., 0] if squeeze else out


def back_vectors(net: RNN, tr: Trace, u: torch.Tensor | None = None) -> torch.Tensor:
    r"""The vectors :math:`\mathrm{Back}_{i\to j}^T u` for every pair :math:`i \le j`.

    Paper: section 2. Memory :math:`n k L^2 m`; meant for small and moderate sizes (decoupling checks).

    Args:
        net, tr: network and its trace.
        u: as in :func:`back_norms`.

    Returns:
        ``(n, L, L, m)`` for ``u`` of shape ``(d,)``, else ``(n, L, L, k, m)``; ``[s, j-1, i-1]`` is
        :math:`\mathrm{Back}_{i\to j}^T u`, zero where ``i > j``.
    """
    fn = "backward.back_vectors"
    check_trace(fn, net, tr)
    U, squeeze = _directions(fn, net, u)
    L = tr.L
    out = torch.zeros(tr.n, L, L, U.shape[0], tr.m, dtype=net.dtype, device=net.device)
    for i0, R in _sweep(tr, tr.W, U):
        out[:, i0:, i0] = R.transpose(0, 1)
    return out[..., 0, :] if squeeze else out


def back_apply(net: RNN, tr: Trace, v: torch.Tensor, j: int) -> torch.Tensor:
    r"""Apply :math:`\mathrm{Back}_{i\to j}^T` to per-sequence vectors ``v`` for every ``i = 1..j``.

    Paper: section 2. One backward sweep from ``j``.

    Args:
        net, tr: network and its trace.
        v: ``(n, d)`` (one vector per sequence) or ``(d,)`` (the same for all).
        j: target position, 1-based (``1 <= j <= L``).

    Returns:
        ``(n, j, m)``; ``[s, i-1]`` is :math:`\mathrm{Back}_{i\to j}^T v_s`.
    """
    fn = "backward.back_apply"
    check_trace(fn, net, tr)
    j = V.positive_int(fn, "j", j)
    if j > tr.L:
        raise ValueError(f"{fn}: j={j} must be at most L={tr.L} (positions are 1-based)")
    V.tensor(fn, "v", v, ndim=(1, 2), dtype=net.dtype, device=net.device)
    if v.shape[-1] != net.d or (v.ndim == 2 and v.shape[0] != tr.n):
        raise ValueError(f"{fn}: v has shape {tuple(v.shape)}; expected ({tr.n}, {net.d}) or ({net.d},)")
    vb = v.expand(tr.n, net.d) if v.ndim == 1 else v
    U = (vb @ net.B)[:, None, :]
    out = torch.empty(tr.n, j, tr.m, dtype=net.dtype, device=net.device)
    for i0, R in _sweep(tr, tr.W, U, last=j - 1):
        out[:, i0] = R[-1, :, 0]
    return out


def grad_W(net: RNN, tr: Trace, dy: torch.Tensor) -> torch.Tensor:
    r"""Gradient in W of :math:`\sum_s \sum_j \langle dy_{s,j}, y_j(x_s)\rangle` at the trace's W.

    Paper: section 2,
    :math:`\nabla_W = \sum_j \sum_{i\le j} D_i \mathrm{Back}_{i\to j}^T dy_j\, h_{i-1}^T`,
    evaluated by the backward recursion
    :math:`a_L = B^T dy_L`, :math:`a_i = B^T dy_i + W^T D_{i+1} a_{i+1}` (so that
    :math:`a_i = \sum_{j\ge i} \mathrm{Back}_{i\to j}^T dy_j`) and
    :math:`\nabla_W = \sum_i (D_i a_i) h_{i-1}^T`, summed over the batch: :math:`O(L)` matmuls.

    Args:
        net, tr: network and its trace.
        dy: ``(n, L, d)`` output cotangents; ``dy[:, j-1]`` weights output :math:`y_j`.

    Returns:
        ``(m, m)`` gradient.
    """
    fn = "backward.grad_W"
    check_trace(fn, net, tr)
    V.tensor(fn, "dy", dy, shape=(tr.n, tr.L, net.d), dtype=net.dtype, device=net.device)
    delta, H = grad_factors(net, tr, dy, check=False)
    return delta.T @ H


def grad_factors(
    net: RNN, tr: Trace, dy: torch.Tensor, Wt: torch.Tensor | None = None, *, check: bool = True
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""The gradient of :func:`grad_W` as ``delta.T @ H``, without forming the m x m matrix.

    Paper: section 2, :math:`\nabla_W = \sum_i (D_i a_i) h_{i-1}^T` (see :func:`grad_W`). An update
    ``W -= lr * grad`` is then one in-place ``W.addmm_(delta.T, H, alpha=-lr)``, as SGD does.

    Args:
        net, tr: network and its trace.
        dy: ``(n, L, d)`` output cotangents.
        Wt: a contiguous copy of ``tr.W.T`` when the caller keeps one (SGD does): the backward products
            then run about twice as fast for few sequences. Not checked.
        check: validate ``tr`` and ``dy`` (inner loops that validated them once pass ``False``).

    Returns:
        ``(delta, H)``, both ``(L n, m)``: row ``(i-1) n + s`` holds :math:`D_i a_i` and :math:`h_{i-1}`
        of sequence ``s``.
    """
    if check:
        fn = "backward.grad_factors"
        check_trace(fn, net, tr)
        V.tensor(fn, "dy", dy, shape=(tr.n, tr.L, net.d), dtype=net.dtype, device=net.device)
    D = tr.time_major("pattern")
    H = tr.time_major("hidden")
    dyB = torch.matmul(dy.transpose(0, 1), net.B)  # (L, n, m): B^T dy_j as rows
    delta = torch.empty_like(dyB)
    a = dyB[-1]
    for i0 in range(tr.L - 1, -1, -1):
        if i0 < tr.L - 1:
            back = delta[i0 + 1] @ tr.W if Wt is None else torch.matmul(Wt, delta[i0 + 1].T).T
            a = dyB[i0] + back
        delta[i0] = a * D[i0]
    m = tr.m
    return delta.reshape(-1, m), H[:-1].reshape(-1, m)


# ---------------------------------------------------------------------- products P_{a,b}
def all_pairs(L: int) -> list[tuple[int, int]]:
    r"""Every pair ``(a, b)`` with ``1 <= a <= b <= L`` (1-based, the paper's)."""
    L = V.positive_int("backward.all_pairs", "L", L)
    return [(a, b) for a in range(1, L + 1) for b in range(a, L + 1)]


@dataclass(frozen=True)
class ProductNorms:
    r"""Spectral norms :math:`\|P_{a,b}\|_2` from :func:`product_norms`.

    Attributes:
        pairs: the ``(a, b)`` pairs, 1-based.
        norms: ``(n, P)`` estimates, one per sequence and pair (lower bounds that converge from below).
        converged: ``(n, P)`` bool, relative change below ``tol`` at the last iteration.
        iterations: iterations run.
    """

    pairs: tuple[tuple[int, int], ...]
    norms: torch.Tensor
    converged: torch.Tensor
    iterations: int

    def to_frame(self) -> pd.DataFrame:
        """One row per (sequence, pair): columns seq, a, b, lag (= b - a), norm, converged."""
        import pandas as pd

        n, P = self.norms.shape
        rows = []
        vals = self.norms.detach().cpu().tolist()
        conv = self.converged.cpu().tolist()
        for s in range(n):
            for p, (a, b) in enumerate(self.pairs):
                rows.append({"seq": s, "a": a, "b": b, "lag": b - a, "norm": vals[s][p], "converged": conv[s][p]})
        return pd.DataFrame(rows)


def product_norms(
    net: RNN,
    tr: Trace,
    pairs: Sequence[tuple[int, int]] | None = None,
    *,
    block: int = 4,
    tol: float = 1e-7,
    max_iter: int = 500,
    seed: int = 0,
) -> ProductNorms:
    r"""Spectral norms :math:`\|P_{a,b}\|_2 = \|D_b W \cdots D_a W\|_2`, matrix-free.

    Paper: section 2 (:math:`P_{a,b}`), section 4 (product stability).

    Block subspace iteration on :math:`P^T P` with a Rayleigh-Ritz estimate: each iteration applies
    every requested product and its transpose to ``block`` vectors, batched over sequences and over
    pairs (at position ``c`` every pair with ``a <= c <= b`` takes one step), so no :math:`m\times m`
    product is ever formed. The estimate is a lower bound that increases to the norm; it stops when
    the relative change of every estimate is below ``tol``.

    Args:
        net, tr: network and its trace (uses the W stored in ``tr``).
        pairs: 1-based ``(a, b)`` with ``1 <= a <= b <= L``; default :func:`all_pairs`.
        block: block size (>= 1; clipped to m).
        tol: relative tolerance, in (0, 1).
        max_iter: iteration cap.
        seed: seed of the random start block.

    Returns:
        :class:`ProductNorms`.
    """
    fn = "backward.product_norms"
    check_trace(fn, net, tr)
    L, n, m = tr.L, tr.n, tr.m
    pairs = all_pairs(L) if pairs is None else [tuple(p) for p in pairs]
    if not pairs:
        raise ValueError(f"{fn}: pairs=[] must name at least one pair")
    for p in pairs:
        if len(p) != 2 or not all(isinstance(v, int) for v in p) or not 1 <= p[0] <= p[1] <= L:
            raise ValueError(f"{fn}: pairs contains {p!r}; expected (a, b) with 1 <= a <= b <= L={L} (1-based)")
    k = min(V.positive_int(fn, "block", block), m)
    tol = V.real_in(fn, "tol", tol, low=0.0, high=1.0, low_open=True, high_open=True)
    max_iter = V.positive_int(fn, "max_iter", max_iter)

    P = len(pairs)
    a0 = torch.tensor([p[0] - 1 for p in pairs])
    b0 = torch.tensor([p[1] - 1 for p in pairs])
    lo, hi = int(a0.min()), int(b0.max())
    active = {c: torch.nonzero((a0 <= c) & (b0 >= c)).flatten().to(net.device) for c in range(lo, hi + 1)}
    D = tr.time_major("pattern").to(net.dtype)
    W = tr.W

    def forward(X: torch.Tensor) -> torch.Tensor:  # rows: x^T -> (x^T W^T) * D_c, for c = a..b
        X = X.clone()
        for c in range(lo, hi + 1):
            idx = active[c]
            X[idx] = torch.matmul(X[idx], W.T) * D[c][None, :, None, :]
        return X

    def transpose(Y: torch.Tensor) -> torch.Tensor:  # rows: y^T -> (y^T * D_c) W, for c = b..a
        Y = Y.clone()
        for c in range(hi, lo - 1, -1):
            idx = active[c]
            Y[idx] = torch.matmul(Y[idx] * D[c][None, :, None, :], W)
        return Y

    gen = torch.Generator().manual_seed(int(seed))
    Vb = torch.randn(P, n, k, m, generator=gen, dtype=torch.float64).to(net.device, net.dtype)
    Vb = torch.linalg.qr(Vb.transpose(-1, -2)).Q.transpose(-1, -2)
    prev = torch.zeros(P, n, dtype=net.dtype, device=net.device)
    conv = torch.zeros(P, n, dtype=torch.bool, device=net.device)
    it = 0
    for it in range(1, max_iter + 1):
        X = forward(Vb)
        sigma = torch.linalg.svdvals(X)[..., 0]
        conv = (sigma - prev).abs() <= tol * sigma.clamp_min(torch.finfo(net.dtype).tiny)
        if it > 1 and bool(conv.all()):
            prev = sigma
            break
        prev = sigma
        Z = transpose(X)
        Vb = torch.linalg.qr(Z.transpose(-1, -2)).Q.transpose(-1, -2)
    return ProductNorms(pairs=tuple(pairs), norms=prev.T.contiguous(), converged=conv.T.contiguous(), iterations=it)
