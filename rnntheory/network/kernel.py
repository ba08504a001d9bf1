r"""Empirical NTK of the pseudo-network, minimum-norm pseudo-network fits, and Rademacher complexity.

Paper (theory.md, section 6): the gradient of output :math:`y_{j,s}` in W at :math:`W_0` is
:math:`\sum_{i \le j} (D_i \mathrm{Back}_{i\to j}^T e_s) h_{i-1}^T`, so the kernel of the
pseudo-network between output (x, j, s) and (x', j', s') is

.. math::
    K = \sum_{i \le j,\; i' \le j'}
        \langle D_i \mathrm{Back}_{i\to j}^T e_s,\, D'_{i'} \mathrm{Back'}_{i'\to j'}^T e_{s'}\rangle
        \,\langle h_{i-1}, h'_{i'-1}\rangle .

It is computed from these factors (never forming an m x m gradient unless m^2 is smaller than the
number of factor rows, ``method="auto"``). A single displacement W* must serve every output
position at once, so the fits use the *joint* kernel over (sequence, position, coordinate); the
per-position kernel :math:`K_j` of theory.md is its diagonal block.

The minimum-norm fit solves :math:`(K + \rho I)\alpha = y^*` (ridge ``rho`` relative to the mean
diagonal, 1e-10 by default) and returns :math:`\tau^* = \sqrt m \sqrt{\alpha^T K \alpha}`; the
displacement itself is :math:`W^* = \sum \alpha\, \nabla_W y = ` ``grad_W(net, tr, dy=alpha)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Sequence

import torch

from .. import _validation as V
from .backward import back_vectors, grad_W
from .model import RNN, Trace, check_trace

__all__ = [
    "ntk",
    "position_kernel",
    "min_norm_fit",
    "solve_min_norm",
    "check_positions",
    "KernelFit",
    "rademacher",
    "Rademacher",
    "subtrace",
]


def subtrace(tr: Trace, idx: slice | torch.Tensor) -> Trace:
    r"""The trace of a subset of the sequences (views, no recomputation)."""
    return Trace(
        pre=tr.pre[idx], hidden=tr.hidden[idx], pattern=tr.pattern[idx], outputs=tr.outputs[idx], x=tr.x[idx], W=tr.W
    )


def check_positions(fn: str, L: int, positions: Sequence[int] | None) -> list[int]:
    r"""The 1-based output positions (default 3..L, the loss positions), checked: distinct and in 1..L."""
    pos = list(range(3, L + 1)) if positions is None else [int(p) for p in positions]
    if not pos or any(not 1 <= p <= L for p in pos) or len(set(pos)) != len(pos):
        raise ValueError(f"{fn}: positions={positions!r} must be distinct 1-based positions in 1..L={L}")
    return pos


def _rows(pos: list[int], d: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""Index the factor rows: one per output o = (position, coordinate) and i <= j.

    Returns ``j0, i0, c`` (0-based position, source position and coordinate of each row) and the
    output index of each row (position-major, then coordinate).
    """
    rows = [(j - 1, i - 1, c, a * d + c) for a, j in enumerate(pos) for c in range(d) for i in range(1, j + 1)]
    return tuple(torch.tensor(col) for col in zip(*rows))  # type: ignore[return-value]


def _factors(net: RNN, tr: Trace, jj: torch.Tensor, ii: torch.Tensor, cc: torch.Tensor) -> torch.Tensor:
    r"""Rows ``F (n, P, m)``: :math:`D_i \mathrm{Back}_{i\to j}^T e_c` for the rows indexed by :func:`_rows`."""
    bv = back_vectors(net, tr, None)  # (n, L, L, d, m): [s, j-1, i-1, c] = Back^T e_c
    return bv[:, jj, ii, cc] * tr.pattern.to(net.dtype)[:, ii]


def ntk(
    net: RNN,
    tr: Trace,
    tr2: Trace | None = None,
    *,
    positions: Sequence[int] | None = None,
    method: Literal["auto", "factor", "explicit"] = "auto",
    chunk: int = 16,
) -> torch.Tensor:
    r"""Joint empirical NTK of the pseudo-network at :math:`W_0` (theory.md, section 6).

    Args:
        net: the network.
        tr: trace of the first set of sequences (at :math:`W_0`).
        tr2: trace of the second set (default: ``tr``).
        positions: 1-based output positions (default 3..L, the loss positions).
        method: ``"factor"`` (sums of products of factor inner products), ``"explicit"`` (flattened
            m x m gradients; only for small m), or ``"auto"``.
        chunk: sequences per block (memory control).

    Returns:
        ``(n, J, d, n2, J, d)``: entry ``[s, a, c, t, b, e]`` is the inner product of the gradients of
        output coordinate c at position ``positions[a]`` of sequence s and coordinate e at
        ``positions[b]`` of sequence t of the second set.
    """
    fn = "kernel.ntk"
    check_trace(fn, net, tr)
    if tr2 is None:
        tr2 = tr
    else:
        check_trace(fn, net, tr2)
        if tr2.L != tr.L or not torch.equal(tr2.W, tr.W):
            raise ValueError(f"{fn}: tr2 has L={tr2.L} or another W; expected traces of the same network and length")
    if method not in ("auto", "factor", "explicit"):
        raise ValueError(f"{fn}: method={method!r} must be 'auto', 'factor' or 'explicit'")
    chunk = V.positive_int(fn, "chunk", chunk)
    pos = check_positions(fn, tr.L, positions)
    J, d, m = len(pos), net.d, net.m
    O = J * d
    P = sum(pos) * d
    if method == "auto":
        method = "explicit" if m * m <= P else "factor"
    out = torch.empty(tr.n, O, tr2.n, O, dtype=net.dtype, device=net.device)
    jj, ii, cc, oo = _rows(pos, d)
    L = tr.L

    def block(t: Trace, b: slice) -> torch.Tensor:
        F = _factors(net, subtrace(t, b), jj, ii, cc)
        # explicit: flattened gradients (n, O, m*m); factor: the rows themselves
        return _explicit(F, t.hidden[b][:, ii], oo.to(net.device), O) if method == "explicit" else F

    blocks2 = [slice(s, min(s + chunk, tr2.n)) for s in range(0, tr2.n, chunk)]
    right = {b.start: block(tr2, b) for b in blocks2}
    S = torch.zeros(P, O, dtype=net.dtype, device=net.device)  # row -> output indicator
    S[torch.arange(P), oo.to(net.device)] = 1.0
    i_dev = ii.to(net.device)
    for s1 in range(0, tr.n, chunk):
        b1 = slice(s1, min(s1 + chunk, tr.n))
        X1 = block(tr, b1)
        for b2 in blocks2:
            X2 = right[b2.start]
            if method == "explicit":
                out[b1, :, b2, :] = torch.einsum("aom,bpm->aobp", X1, X2)
                continue
            n1, n2 = X1.shape[0], X2.shape[0]
            FF = torch.matmul(X1.reshape(-1, m), X2.reshape(-1, m).T).view(n1, P, n2, P)
            # <h_{i-1}, h'_{i'-1}> for every (i, i'), then spread over the rows
            HHs = torch.matmul(tr.hidden[b1, :L].reshape(-1, m), tr2.hidden[b2, :L].reshape(-1, m).T).view(n1, L, n2, L)
            prod = (FF * HHs[:, i_dev][:, :, :, i_dev]).view(n1, P, n2 * P)
            left = torch.einsum("po,apq->aoq", S, prod).reshape(n1, O, n2, P)
            out[b1, :, b2, :] = torch.einsum("aobq,qr->aobr", left, S)
    return out.view(tr.n, J, d, tr2.n, J, d)


def _explicit(F: torch.Tensor, H: torch.Tensor, o: torch.Tensor, O: int) -> torch.Tensor:
    """Flattened gradients (n, O, m*m) = sum over rows of the output of F_row H_row^T."""
    n, P, m = F.shape
    G = torch.zeros(n, O, m, m, dtype=F.dtype, device=F.device)
    G.index_add_(1, o, torch.einsum("npk,npl->npkl", F, H))
    return G.view(n, O, m * m)


def position_kernel(K: torch.Tensor, a: int = -1, c: int = 0) -> torch.Tensor:
    r"""The per-position kernel :math:`K_j` (theory.md, section 6): the ``(n, n2)`` block of a joint
    kernel from :func:`ntk` for position index ``a`` (into its ``positions``) and coordinate ``c``."""
    return K[:, a, c, :, a, c]


@dataclass(frozen=True)
class KernelFit:
    r"""A minimum-norm pseudo-network fit (theory.md, section 6).

    Attributes:
        alpha: ``(n, J, d)`` dual coefficients.
        fitted: ``(n, J, d)`` pseudo-network outputs of the fit on the sample (``K alpha``).
        targets: ``(n, J, d)`` the fitted targets.
        positions: 1-based positions.
        norm_sq: :math:`\alpha^T K \alpha = \|W^*\|_F^2`.
        tau_star: :math:`\sqrt m \sqrt{\alpha^T K \alpha}`.
        residual_rms: RMS of ``fitted - targets``.
        target_rms: RMS of the targets.
        ridge: the absolute ridge used.
    """

    alpha: torch.Tensor
    fitted: torch.Tensor
    targets: torch.Tensor
    positions: tuple[int, ...]
    norm_sq: float
    tau_star: float
    residual_rms: float
    target_rms: float
    ridge: float

    def W_star(self, net: RNN, tr: Trace) -> torch.Tensor:
        r""":math:`W^* = \sum \alpha\, \nabla_W y` as an ``(m, m)`` matrix, by one backward sweep (``tr``: the fitted
        sample's trace)."""
        dy = torch.zeros(tr.n, tr.L, net.d, dtype=net.dtype, device=net.device)
        dy[:, [p - 1 for p in self.positions]] = self.alpha
        return grad_W(net, tr, dy)


def solve_min_norm(K: torch.Tensor, y: torch.Tensor, ridge: float) -> tuple[torch.Tensor, torch.Tensor, float, float]:
    r"""Solve :math:`(K + \lambda I)\alpha = y` with :math:`\lambda` = ``ridge`` times the mean diagonal of the
    ``(N, N)`` kernel ``K`` (Cholesky; the minimum-norm least-squares solution when K is singular).

    Returns:
        ``(alpha, fitted, norm_sq, lam)``: the ``(N,)`` coefficients, ``K alpha``, :math:`\alpha^T K\alpha`
        and the absolute ridge :math:`\lambda`.
    """
    lam = ridge * float(K.diagonal().mean())
    A = K + lam * torch.eye(K.shape[0], dtype=K.dtype, device=K.device)
    try:
        chol = torch.linalg.cholesky(A)
        alpha = torch.cholesky_solve(y[:, None], chol)[:, 0]
    except RuntimeError:  # singular kernel: least-squares (minimum-norm) solution
        alpha = torch.linalg.lstsq(A, y[:, None], driver="gelsd" if A.device.type == "cpu" else None).solution[:, 0]
    fitted = K @ alpha
    return alpha, fitted, float(alpha @ fitted), lam


def min_norm_fit(
    net: RNN,
    tr: Trace,
    targets: torch.Tensor,
    *,
    positions: Sequence[int] | None = None,
    ridge: float = 1e-10,
    K: torch.Tensor | None = None,
) -> KernelFit:
    r"""Minimum-norm pseudo-network fit of ``targets`` by kernel (ridge) regression with the empirical NTK.

    Paper: section 6 (existence of a pseudo-network solution; :math:`\tau^* = \sqrt m\sqrt{\alpha^T K\alpha}`).

    Args:
        net, tr: network and the trace of the sample at :math:`W_0`.
        targets: ``(n, L, d)`` (positions selected by ``positions``) or ``(n, J, d)``.
        positions: 1-based positions (default 3..L).
        ridge: ridge relative to the mean diagonal of K (>= 0; 0 asks for an exact solve).
        K: a precomputed joint kernel of this sample (from :func:`ntk` with the same positions).

    Returns:
        :class:`KernelFit`.
    """
    fn = "kernel.min_norm_fit"
    check_trace(fn, net, tr)
    pos = check_positions(fn, tr.L, positions)
    J, d = len(pos), net.d
    V.tensor(fn, "targets", targets, ndim=3, dtype=net.dtype, device=net.device)
    if targets.shape == (tr.n, tr.L, d):
        y = targets[:, [p - 1 for p in pos]]
    elif targets.shape == (tr.n, J, d):
        y = targets
    else:
        raise ValueError(
            f"{fn}: targets has shape {tuple(targets.shape)}; expected ({tr.n}, {tr.L}, {d}) or ({tr.n}, {J}, {d})"
        )
    ridge = V.real_in(fn, "ridge", ridge, low=0.0)
    if K is None:
        K = ntk(net, tr, positions=pos)
    N = tr.n * J * d
    alpha, fitted, norm_sq, lam = solve_min_norm(K.reshape(N, N), y.reshape(N), ridge)
    yv = y.reshape(N)
    return KernelFit(
        alpha=alpha.view(tr.n, J, d),
        fitted=fitted.view(tr.n, J, d),
        targets=y,
        positions=tuple(pos),
        norm_sq=norm_sq,
        tau_star=math.sqrt(net.m) * math.sqrt(max(norm_sq, 0.0)),
        residual_rms=float((fitted - yv).pow(2).mean().sqrt()),
        target_rms=float(yv.pow(2).mean().sqrt()),
        ridge=lam,
    )


@dataclass(frozen=True)
class Rademacher:
    r"""Empirical Rademacher complexity of :math:`\{x \mapsto \mathrm{pseudo}_j(x; W') : \sqrt m\|W'\|_F \le \tau\}`.

    ``monte_carlo`` (with its standard error) averages over random signs the exact supremum
    :math:`\frac{\tau}{\sqrt m\, n}\sqrt{\sigma^T K_j \sigma}`; ``bound`` is the closed form
    :math:`\frac{\tau}{\sqrt m\, n}\sqrt{\mathrm{tr} K_j}` (Jensen), an upper bound on the expectation.
    """

    monte_carlo: float
    standard_error: float
    bound: float
    n: int
    tau: float

    def __str__(self) -> str:
        return (
            f"Rademacher(n={self.n}, tau={self.tau:g}): {self.monte_carlo:.4g} +- {self.standard_error:.2g} "
            f"(closed-form bound {self.bound:.4g})"
        )


def rademacher(
    net: RNN,
    tr: Trace,
    tau: float,
    *,
    position: int | None = None,
    coordinate: int = 0,
    samples: int = 2000,
    seed: int = 0,
    K: torch.Tensor | None = None,
) -> Rademacher:
    r"""Empirical Rademacher complexity of the pseudo-network class of NTK radius ``tau`` on the sample ``tr``.

    Paper: section 6 (generalisation; at most :math:`\tau\,\mathrm{poly}(L)/\sqrt N`, independent of m).
    For a linear class :math:`\{\langle W', G(x)\rangle : \|W'\|_F \le r\}` the supremum over the ball is
    :math:`r\|\sum_x \sigma_x G(x)\|_F = r\sqrt{\sigma^T K \sigma}`, so only the kernel is needed.

    Args:
        net, tr: network and the trace of the sample.
        tau: NTK radius (> 0); the Frobenius radius is tau / sqrt(m).
        position: 1-based output position (default L).
        coordinate: output coordinate.
        samples: Monte Carlo sign vectors.
        seed: seed of the signs.
        K: a precomputed ``(n, n)`` kernel :math:`K_j` of this sample.
    """
    fn = "kernel.rademacher"
    check_trace(fn, net, tr)
    tau = V.real_in(fn, "tau", tau, low=0.0, low_open=True)
    samples = V.positive_int(fn, "samples", samples, minimum=2)
    j = tr.L if position is None else position
    if K is None:
        K = position_kernel(ntk(net, tr, positions=[j]), 0, coordinate)
    n = tr.n
    g = torch.Generator().manual_seed(int(seed))
    sig = (2 * torch.randint(0, 2, (samples, n), generator=g) - 1).to(K.dtype).to(K.device)
    vals = torch.einsum("sa,ab,sb->s", sig, K, sig).clamp_min(0).sqrt()
    scale = tau / (math.sqrt(net.m) * n)
    return Rademacher(
        monte_carlo=scale * float(vals.mean()),
        standard_error=scale * float(vals.std()) / math.sqrt(samples),
        bound=scale * math.sqrt(max(float(K.diagonal().sum()), 0.0)),
        n=n,
        tau=tau,
    )
