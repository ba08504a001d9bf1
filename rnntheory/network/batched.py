r"""Many recurrent matrices in one product: forward traces at :math:`W_0 + W'_q` for a batch of
displacements that share one network's ``A``, ``B`` and :math:`W_0`.

The perturbation and coupling lemmas (theory.md, sections 3 and 4) compare the network at
:math:`W_0` with the network at :math:`W_0 + W'` for many displacements :math:`W'_q` at once: every
size :math:`\omega` or :math:`\tau` of a sweep, every direction. Traced one network at a time, each
displacement builds its own :math:`m \times m` matrix :math:`W_0 + W'_q` and reads it once per
position. Here the pre-activation of every displacement comes from

.. math::
    g^{(q)}_l = A x_l + W_0 h^{(q)}_{l-1} + W'_q h^{(q)}_{l-1},

with the hidden states of all displacements side by side: :math:`W_0` is read once per position for
all of them, and :math:`W'_q h` uses the structure of the displacements (:class:`Displacements`):

* ``dense``: any ``(k, m, m)`` batch; one batched product per position;
* ``scaled``: :math:`W'_q = s_q U_{j(q)}` for a few directions ``U`` at many sizes (the sweeps over
  :math:`\omega` or :math:`\tau` scale one direction); each direction is read once per position;
* ``rank_one``: :math:`W'_q = v_q u_q^T` (the adversarial construction); no matrix is built at all.

The result equals the per-network path :meth:`rnntheory.network.model.RNN.trace` at ``tr.W + W'_q`` up to
rounding (the two sums are ordered differently; tests/network/test_batched.py checks 1e-12 relative in
float64).

Inputs are either shared by every displacement (``(n, L, d_x)``) or paired with them
(``(k, n, L, d_x)``: displacement ``q`` acts on its own sequences, e.g. an adversarial displacement
aimed at one sequence and measured on it).

Arguments are checked once where they enter (:func:`traces`); the product loop runs unchecked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch

from .. import _validation as V
from .model import RNN, Trace, check_trace

__all__ = ["BORDERLINE_FACTOR", "Displacements", "Traces", "traces"]


@dataclass(frozen=True, eq=False)
class Displacements:
    r"""A batch of ``k`` displacements :math:`W'_q` of one ``(m, m)`` recurrent matrix, kept in the
    cheapest of three forms (build them with :meth:`dense`, :meth:`scaled`, :meth:`rank_one`, and join
    batches with :meth:`cat`).

    Attributes:
        parts: the blocks, in order: ``("dense", Wp)`` with ``Wp`` of shape ``(k_b, m, m)``;
            ``("scaled", U, scales, index)`` with directions ``U`` ``(j, m, m)``, sizes ``scales``
            ``(k_b,)`` and ``index`` ``(k_b,)`` (``W'_q = scales[q] * U[index[q]]``);
            ``("rank_one", v, u)`` with ``v``, ``u`` of shape ``(k_b, m)`` (``W'_q = v_q u_q^T``).
    """

    parts: tuple[tuple, ...]

    # ------------------------------------------------------------------ constructors
    @classmethod
    def dense(cls, W_prime: torch.Tensor) -> "Displacements":
        r"""Any batch of ``(k, m, m)`` (or one ``(m, m)``) displacements.

        Example:
            >>> Displacements.dense(torch.zeros(3, 4, 4)).k
            3
        """
        V.tensor("Displacements.dense", "W_prime", W_prime, ndim=(2, 3))
        Wp = W_prime[None] if W_prime.ndim == 2 else W_prime
        if Wp.shape[-1] != Wp.shape[-2]:
            raise ValueError(f"Displacements.dense: W_prime has shape {tuple(W_prime.shape)}; expected (k, m, m)")
        return cls((("dense", Wp),))

    @classmethod
    def scaled(
        cls, directions: torch.Tensor, scales: Sequence[float] | torch.Tensor, index: Sequence[int] | None = None
    ) -> "Displacements":
        r"""Directions at several sizes: :math:`W'_q = s_q U_{j(q)}`.

        Args:
            directions: ``(m, m)`` one direction, or ``(j, m, m)`` several.
            scales: the ``k`` sizes :math:`s_q`.
            index: which direction each size scales (default: every direction at every size,
                direction-major: ``q = j_index * len(scales) + size_index``).

        Example:
            >>> U = torch.eye(4, dtype=torch.float64)
            >>> Displacements.scaled(U, [1e-3, 1e-2, 1e-1]).k
            3
        """
        fn = "Displacements.scaled"
        V.tensor(fn, "directions", directions, ndim=(2, 3))
        U = directions[None] if directions.ndim == 2 else directions
        s = torch.as_tensor(scales, dtype=U.dtype).to(U.device).reshape(-1)
        if index is None:
            idx = torch.arange(U.shape[0]).repeat_interleave(s.numel())
            s = s.repeat(U.shape[0])
        else:
            idx = torch.as_tensor(list(index), dtype=torch.long)
            if idx.numel() != s.numel() or (idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= U.shape[0])):
                raise ValueError(
                    f"{fn}: index must give, for each of the {s.numel()} scales, a direction in 0..{U.shape[0] - 1}"
                )
        if not bool(torch.isfinite(s).all()):
            raise ValueError(f"{fn}: scales must be finite")
        return cls((("scaled", U, s, idx.to(U.device)),))

    @classmethod
    def rank_one(cls, left: torch.Tensor, right: torch.Tensor) -> "Displacements":
        r"""Rank-one displacements :math:`W'_q = v_q u_q^T` from ``left`` :math:`v` and ``right``
        :math:`u`, each ``(k, m)`` (or ``(m,)`` for one).

        Example:
            >>> v = torch.ones(2, 4, dtype=torch.float64)
            >>> Displacements.rank_one(v, v).materialise()[0].sum().item()
            16.0
        """
        fn = "Displacements.rank_one"
        V.tensor(fn, "left", left, ndim=(1, 2))
        V.tensor(fn, "right", right, ndim=(1, 2), dtype=left.dtype, device=left.device, match="left")
        v = left[None] if left.ndim == 1 else left
        u = right[None] if right.ndim == 1 else right
        if v.shape != u.shape:
            raise ValueError(
                f"{fn}: left has shape {tuple(left.shape)} and right {tuple(right.shape)}; expected equal (k, m)"
            )
        return cls((("rank_one", v, u),))

    @classmethod
    def cat(cls, batches: Sequence["Displacements"]) -> "Displacements":
        r"""One batch holding the displacements of ``batches`` in order."""
        return cls(tuple(p for b in batches for p in b.parts))

    # ------------------------------------------------------------------ properties
    @property
    def k(self) -> int:
        r"""The number of displacements."""
        return sum(_part_k(p) for p in self.parts)

    @property
    def m(self) -> int:
        return int(self.parts[0][1].shape[-1])

    @property
    def dtype(self) -> torch.dtype:
        return self.parts[0][1].dtype

    @property
    def device(self) -> torch.device:
        return self.parts[0][1].device

    def materialise(self) -> torch.Tensor:
        r"""The ``(k, m, m)`` matrices (for checks and small m; the point of this class is not to need them)."""
        out = []
        for p in self.parts:
            if p[0] == "dense":
                out.append(p[1])
            elif p[0] == "scaled":
                out.append(p[2][:, None, None] * p[1][p[3]])
            else:
                out.append(p[1][:, :, None] * p[2][:, None, :])
        return torch.cat(out)

    def matrix(self, q: int) -> torch.Tensor:
        r"""The ``(m, m)`` matrix :math:`W'_q` (0-based ``q``)."""
        if not 0 <= q < self.k:
            raise IndexError(f"Displacements.matrix: q={q} is outside 0..{self.k - 1}")
        for p in self.parts:
            kb = _part_k(p)
            if q < kb:
                if p[0] == "dense":
                    return p[1][q]
                if p[0] == "scaled":
                    return p[2][q] * p[1][p[3][q]]
                return torch.outer(p[1][q], p[2][q])
            q -= kb
        raise AssertionError("unreachable")

    def apply(self, H: torch.Tensor) -> torch.Tensor:
        r"""``(k, n, m)`` rows :math:`(W'_q h_{q,s})^T` for hidden states ``H`` of shape ``(k, n, m)``."""
        out, q = [], 0
        for p in self.parts:
            kb = _part_k(p)
            Hb = H[q : q + kb]
            if p[0] == "dense":
                out.append(torch.bmm(Hb, p[1].transpose(1, 2)))
            elif p[0] == "scaled":
                U, s, idx = p[1], p[2], p[3]
                Y = torch.empty_like(Hb)
                for j in range(U.shape[0]):  # one product per direction, over every size that scales it
                    sel = (idx == j).nonzero().flatten()
                    if sel.numel():
                        n, m = Hb.shape[1], Hb.shape[2]
                        Y[sel] = torch.matmul(Hb[sel].reshape(-1, m), U[j].T).view(-1, n, m) * s[sel][:, None, None]
                out.append(Y)
            else:
                v, u = p[1], p[2]
                out.append(torch.einsum("kn,km->knm", torch.einsum("knm,km->kn", Hb, u), v))
            q += kb
        return out[0] if len(out) == 1 else torch.cat(out)


def _part_k(p: tuple) -> int:
    return int(p[2].shape[0]) if p[0] == "scaled" else int(p[1].shape[0])


BORDERLINE_FACTOR = 8.0
r"""A flipped sign is borderline when a pre-activation lies within ``BORDERLINE_FACTOR * u * ||h_(l-1)||_1`` of
zero: :math:`\sum_j |W_{kj} h_j| \approx (2/\sqrt{\pi m}) \|h\|_1` and a length-m sum's rounding error is
about :math:`\sqrt{m}\, u` times that, so the margin is about four such errors."""


@dataclass(frozen=True, repr=False)
class Traces:
    r"""Forward traces of one network at :math:`W_0 + W'_q` for the ``k`` displacements of a batch.

    Attributes:
        pre: ``(k, n, L, m)``; ``pre[q, :, l-1]`` is :math:`g_l` at :math:`W_0 + W'_q`.
        hidden: ``(k, n, L+1, m)``; ``hidden[q, :, l]`` is :math:`h_l` (``hidden[:, :, 0] = 0``).
        pattern: ``(k, n, L, m)`` bool, the diagonals of :math:`D_l`.
        outputs: ``(k, n, L, d)``.
        x: ``(k, n, L, d_x)`` the inputs of each displacement (a broadcast view when they are shared).
        W0: the recurrent matrix :math:`W_0` the displacements move.
        displacements: the :class:`Displacements`.
        sequences: for paired inputs, the sequence of the base trace each displacement acts on
            (``None``: every displacement acts on every sequence).
    """

    pre: torch.Tensor
    hidden: torch.Tensor
    pattern: torch.Tensor
    outputs: torch.Tensor
    x: torch.Tensor
    W0: torch.Tensor
    displacements: Displacements
    sequences: tuple[int, ...] | None = None

    def __len__(self) -> int:
        return int(self.pre.shape[0])

    def __getitem__(self, q: int) -> Trace:
        r"""The q-th trace as a :class:`~rnntheory.network.model.Trace` (its ``W`` is :math:`W_0 + W'_q`,
        built here)."""
        return Trace(
            pre=self.pre[q],
            hidden=self.hidden[q],
            pattern=self.pattern[q],
            outputs=self.outputs[q],
            x=self.x[q],
            W=self.W0 + self.displacements.matrix(q),
        )

    def hidden_change(self, tr: Trace) -> torch.Tensor:
        r"""``(k, n, L)``: :math:`\|h_l(W_0 + W'_q) - h_l(W_0)\|_2` against the base trace ``tr``."""
        base = tr.hidden[:, 1:] if self.sequences is None else tr.hidden[list(self.sequences), 1:][:, None]
        return torch.linalg.vector_norm(self.hidden[:, :, 1:] - base, dim=-1)

    def sign_changes(self, tr: Trace) -> torch.Tensor:
        r"""``(k, n, L)`` int64: :math:`\|D_l(W_0 + W'_q) - D_l(W_0)\|_0` against the base trace ``tr``."""
        base = tr.pattern if self.sequences is None else tr.pattern[list(self.sequences)][:, None]
        return (self.pattern != base).sum(dim=-1)

    def borderline_flips(self, tr: Trace, factor: float = BORDERLINE_FACTOR) -> torch.Tensor:
        r"""``(k, n, L)`` int64: the flipped signs of :meth:`sign_changes` that lie within rounding of zero: the
        pre-activation at :math:`W_0` or at :math:`W_0 + W'_q` is at most ``factor * u * ||h_(l-1)||_1`` in
        magnitude (u the unit roundoff of the dtype, :math:`h_{l-1}` of the base trace). Such a flip may come
        or go with the order of a sum, so another machine can count it differently; the claims report these
        counts beside the flips (docs/conventions.md)."""
        idx = None if self.sequences is None else list(self.sequences)
        base_pre = tr.pre if idx is None else tr.pre[idx][:, None]
        base_pat = tr.pattern if idx is None else tr.pattern[idx][:, None]
        h1 = torch.linalg.vector_norm(tr.hidden[:, :-1], ord=1, dim=-1)  # (n, L): ||h_(l-1)||_1
        h1 = h1 if idx is None else h1[idx][:, None]
        margin = (factor * torch.finfo(self.pre.dtype).eps / 2 * h1).unsqueeze(-1)
        near = torch.minimum(self.pre.abs(), base_pre.abs()) <= margin
        return ((self.pattern != base_pat) & near).sum(dim=-1)

    def __repr__(self) -> str:
        k, n, L, m = self.pre.shape
        return f"Traces(k={k}, n={n}, L={L}, m={m}, dtype={self.pre.dtype}, device={self.pre.device})"


def traces(
    net: RNN, tr: Trace, W_prime: "Displacements | torch.Tensor", *, sequences: Sequence[int] | None = None
) -> Traces:
    r"""Forward traces at :math:`W_0 + W'_q` (:math:`W_0` = ``tr.W``) for every displacement of a batch,
    on the inputs of ``tr``, with :math:`W_0` read once per position for all of them.

    Paper: section 1, the recursion :math:`g_l = W h_{l-1} + A x_l` at :math:`W = W_0 + W'_q`.

    Args:
        net: the network (its ``A`` and ``B``).
        tr: its trace at :math:`W_0` (the inputs and :math:`W_0`; the normalisation is not checked again).
        W_prime: a :class:`Displacements` batch, or ``(k, m, m)`` / ``(m, m)`` dense displacements.
        sequences: ``None`` (default) to run every displacement on every sequence of ``tr``; or, for
            each displacement, the index of the one sequence of ``tr`` it acts on (``(k, 1, L, m)``
            results), e.g. an adversarial displacement aimed at sequence ``s``.

    Returns:
        :class:`Traces`; ``result[q]`` is the trace at :math:`W_0 + W'_q`, equal (to rounding) to
        ``net.trace(x, tr.W + W'_q)``.

    Raises:
        TypeError, ValueError: a trace of another network; displacements of another size, dtype or
        device, or non-finite; ``sequences`` of the wrong length or out of range.

    Example:
        >>> net = RNN.init(64, 4, 1, seed=0)
        >>> from rnntheory.network.inputs import sample_inputs
        >>> tr = net.trace(sample_inputs(2, 5, 4, 0.1, seed=1))
        >>> U = torch.randn(64, 64, dtype=torch.float64) / 64
        >>> traces(net, tr, Displacements.scaled(U, [1e-3, 1e-2])).pre.shape
        torch.Size([2, 2, 5, 64])
    """
    fn = "batched.traces"
    check_trace(fn, net, tr)
    disp = W_prime if isinstance(W_prime, Displacements) else Displacements.dense(W_prime)
    for p in disp.parts:
        for t in p[1:3] if p[0] != "scaled" else p[1:2]:
            V.tensor(fn, "W_prime", t, dtype=net.dtype, device=net.device)
    if disp.m != net.m:
        raise ValueError(f"{fn}: the displacements are {disp.m} x {disp.m}; expected {net.m} x {net.m} for m={net.m}")
    k, L, m = disp.k, tr.L, tr.m
    base_pre, base_hidden = tr.time_major("pre"), tr.time_major("hidden")  # (L, n, m), (L+1, n, m)
    if sequences is None:
        n, seqs = tr.n, None
        base_pre, base_hidden = base_pre[:, None], base_hidden[:, None]  # shared by every displacement
        x = tr.x.expand(k, *tr.x.shape)
    else:
        seqs = tuple(int(s) for s in sequences)
        if len(seqs) != k or any(not 0 <= s < tr.n for s in seqs):
            raise ValueError(
                f"{fn}: sequences must name, for each of the {k} displacements, a sequence in 0..{tr.n - 1}"
            )
        n, rows = 1, list(seqs)
        base_pre, base_hidden = base_pre[:, rows][:, :, None], base_hidden[:, rows][:, :, None]  # (L, k, 1, m)
        x = tr.x[rows][:, None]
    pre = torch.empty(L, k, n, m, dtype=net.dtype, device=net.device)
    hidden = torch.empty(L + 1, k, n, m, dtype=net.dtype, device=net.device)
    hidden[0].zero_()
    W0 = tr.W
    # the change form g_l = g_l(W0) + W0 (h_{l-1} - h_{l-1}(W0)) + W' h_{l-1}: the change is computed
    # directly (no difference of two nearly equal traces), and a zero displacement gives exactly W0's trace
    for l in range(L):
        if l == 0:  # g_1 = A x_1 does not depend on W
            pre[0].copy_(base_pre[0].expand(k, n, m))
        else:
            H = hidden[l]
            dH = (H - base_hidden[l]).view(k * n, m)
            # W0 (h - h0) for every displacement and sequence in one product, as (W0 @ dH^T)^T (model.trace's order)
            torch.add(torch.matmul(W0, dH.T).T.view(k, n, m), base_pre[l], out=pre[l])
            pre[l].add_(disp.apply(H))
        torch.clamp_min(pre[l], 0, out=hidden[l + 1])
    outputs = torch.matmul(hidden[1:], net.B.T)
    return Traces(
        pre=pre.permute(1, 2, 0, 3),
        hidden=hidden.permute(1, 2, 0, 3),
        pattern=(pre > 0).permute(1, 2, 0, 3),
        outputs=outputs.permute(1, 2, 0, 3),
        x=x,
        W0=W0,
        displacements=disp,
        sequences=seqs,
    )
