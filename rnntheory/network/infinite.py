r"""The infinite-width limit of the paper's RNN: the W-only recurrent NTK in closed form.

Paper (theory.md, section 8). At the initialisation :math:`W_{ij}, A_{ij} \sim N(0, 2/m)`,
:math:`B_{ij} \sim N(0, 1/d)`, inner products of hidden states and the W-gradient kernel divided by m
converge as :math:`m \to \infty`. For two sequences x, x' and 1-based positions l, l':

.. math::
    S_{0,l'} = S_{l,0} = 0, \qquad
    Q_{l,l'} = 2\,(S_{l-1,l'-1} + \langle x_l, x'_{l'}\rangle), \qquad
    \theta_{l,l'} = \arccos\frac{Q_{l,l'}}{\sqrt{Q_{l,l} Q'_{l',l'}}},

    S_{l,l'} = \frac{\sqrt{Q_{l,l} Q'_{l',l'}}}{2\pi}\,(\sin\theta + (\pi - \theta)\cos\theta)
    \;(= \lim \langle h_l, h'_{l'}\rangle), \qquad
    \dot S_{l,l'} = \frac{\pi - \theta}{2\pi}
    \;(= \lim \tfrac1m \textstyle\sum_k 1[g_{l,k} > 0]\,1[g'_{l',k} > 0]).

The two are the arc-cosine kernels of degree 1 and 0 (:func:`relu_expectations`). On the diagonal
:math:`S_{l,l} = S_{l-1,l-1} + \|x_l\|^2`. Backward vectors
:math:`\delta^{(j,s)}_i = D_i \mathrm{Back}_{i\to j}^T e_s` decouple unless their lags and output
coordinates agree, in which case

.. math::
    \lim \tfrac1m \langle \delta^{(j,s)}_i, \delta'^{(j',s)}_{i'}\rangle
    = \tfrac1d\, \dot S_{j,j'} \prod_{t=1}^{j-i} 2\dot S_{j-t,j'-t} \qquad (j - i = j' - i'),

and the NTK of W divided by m is
:math:`\tfrac1d [s = s'] \sum_{k=0}^{\min(j,j')-1} \dot S_{j,j'} (\prod_{t=1}^{k} 2\dot S_{j-t,j'-t}) S_{j-k-1,j'-k-1}`,
computed here by the equivalent recursion :math:`T_{j,j'} = \dot S_{j,j'}(S_{j-1,j'-1} + 2T_{j-1,j'-1})`,
:math:`T_{0,\cdot} = T_{\cdot,0} = 0`, so that the limit kernel is :math:`T/d`.

Everything is vectorised over sequence pairs (one Python loop over positions, never over pairs) and
computed in float64 on the inputs' device: :func:`forward_kernel` costs :math:`O(n n_2 L^2)`,
:func:`ntk` the same, :func:`backward_correlation` :math:`O(n n_2 L^3)` for its lag table. The formulas
hold for any inputs (the paper's normalisation is not required); a position whose pre-activation
variance is zero (all tokens up to it zero) has :math:`S = \dot S = 0`. Positions are 1-based in the
formulas; tensors follow the package convention (``S[..., l, l']`` is indexed by the hidden index
``l = 0..L``, every other table by ``l - 1``).

Just over 400 lines: the forward kernel, the backward correlations and the NTK are one recursion,
read best in one place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import torch

from .. import _validation as V
from .kernel import KernelFit, check_positions, solve_min_norm

__all__ = [
    "ForwardKernel",
    "forward_kernel",
    "relu_expectations",
    "backward_correlation",
    "feature_correlation",
    "ntk",
    "min_norm_fit",
]

_F64 = torch.float64


# ---------------------------------------------------------------------- input checks
def _sequences(fn: str, name: str, x: object, like: torch.Tensor | None = None) -> torch.Tensor:
    r"""Check ``(n, L, d_x)`` inputs (finite, L >= 3, d_x >= 2, matching ``like``); return them in float64."""
    V.tensor(fn, name, x, ndim=3, device=None if like is None else like.device, match="x")
    assert isinstance(x, torch.Tensor)
    n, L, dx = x.shape
    if n < 1:
        raise ValueError(f"{fn}: {name} has shape {tuple(x.shape)}; expected at least one sequence")
    if L < 3:
        raise ValueError(f"{fn}: {name} has L={L}; expected L >= 3 (theory.md, section 1)")
    if dx < 2:
        raise ValueError(f"{fn}: {name} has d_x={dx}; expected d_x >= 2 (theory.md, section 1)")
    if like is not None:
        if x.shape[1:] != like.shape[1:]:
            raise ValueError(
                f"{fn}: {name} has shape {tuple(x.shape)}; expected (*, {like.shape[1]}, {like.shape[2]}) "
                "to match x (same L and d_x)"
            )
    return x.to(_F64)


def _d(fn: str, d: object) -> int:
    return V.positive_int(fn, "d", d)


# ---------------------------------------------------------------------- Gaussian integrals
def relu_expectations(q11: torch.Tensor, q22: torch.Tensor, q12: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r"""For (u, v) centred Gaussian with covariance ``[[q11, q12], [q12, q22]]``:
    :math:`E[\mathrm{relu}(u)\mathrm{relu}(v)]` and :math:`P(u > 0, v > 0)` (the arc-cosine kernels of degree 1 and 0;
    theory.md, section 8).

    .. math::
        E = \frac{\sqrt{q_{11}q_{22}}}{2\pi}(\sin\theta + (\pi-\theta)\cos\theta), \quad
        P = \frac{\pi - \theta}{2\pi}, \quad \cos\theta = \frac{q_{12}}{\sqrt{q_{11}q_{22}}}.

    The cosine is clamped to [-1, 1] (no NaN for equal or opposite variables); where a variance is 0
    both values are 0 (that variable is 0 almost surely, so neither relu nor the indicator fires).

    Args:
        q11, q22, q12: broadcastable tensors of variances (>= 0) and covariances.

    Returns:
        ``(E, P)``, broadcast to a common shape.
    """
    nrm = torch.sqrt(torch.clamp(q11, min=0) * torch.clamp(q22, min=0))
    pos = nrm > 0
    c = torch.where(pos, q12 / torch.where(pos, nrm, torch.ones_like(nrm)), torch.zeros_like(nrm)).clamp(-1.0, 1.0)
    th = torch.arccos(c)
    e = torch.where(pos, nrm / (2 * math.pi) * (torch.sqrt(1.0 - c * c) + (math.pi - th) * c), torch.zeros_like(nrm))
    p = torch.where(pos, (math.pi - th) / (2 * math.pi), torch.zeros_like(nrm))
    return e, p


# ---------------------------------------------------------------------- forward kernel
@dataclass(frozen=True)
class ForwardKernel:
    r"""The limit forward kernels of two sets of sequences (theory.md, section 8).

    Attributes:
        S: ``(n, n2, L+1, L+1)``; ``S[a, b, l, l']`` is :math:`S_{l,l'}` =
            lim :math:`\langle h_l(x_a), h_{l'}(x'_b)\rangle` (hidden indices, row and column 0 are :math:`h_0 = 0`).
        Sdot: ``(n, n2, L, L)``; ``Sdot[a, b, l-1, l'-1]`` is :math:`\dot S_{l,l'}`, the limit fraction of
            neurons active at position l of x_a and at position l' of x'_b.
    """

    S: torch.Tensor
    Sdot: torch.Tensor

    @property
    def L(self) -> int:
        return self.Sdot.shape[-1]


def _forward(x: torch.Tensor, x2: torch.Tensor) -> ForwardKernel:
    n, L, _ = x.shape
    n2 = x2.shape[0]
    Qd = 2 * x.pow(2).sum(-1).cumsum(1)  # (n, L): Q_{l,l} = 2 S_{l,l} = 2 sum_{t<=l} ||x_t||^2
    Qd2 = 2 * x2.pow(2).sum(-1).cumsum(1)
    G = torch.einsum("ald,bkd->ablk", x, x2)  # <x_l, x'_l'>
    q1 = Qd[:, None, :, None]
    q2 = Qd2[None, :, None, :]
    S = torch.zeros(n, n2, L + 1, L + 1, dtype=_F64, device=x.device)
    Sdot = torch.zeros(n, n2, L, L, dtype=_F64, device=x.device)
    for t in range(1, L + 1):
        # entries with min(l, l') = t: the row l = t (l' >= t), then the column l' = t (l > t);
        # each needs only entries with min = t - 1
        q = 2 * (S[:, :, t - 1, t - 1 : L] + G[:, :, t - 1, t - 1 :])
        e, p = relu_expectations(q1[:, :, t - 1, :], q2[:, :, 0, t - 1 :], q)
        S[:, :, t, t:] = e
        Sdot[:, :, t - 1, t - 1 :] = p
        if t < L:
            q = 2 * (S[:, :, t:L, t - 1] + G[:, :, t:, t - 1])
            e, p = relu_expectations(q1[:, :, t:, 0], q2[:, :, 0, t - 1, None], q)
            S[:, :, t + 1 :, t] = e
            Sdot[:, :, t:, t - 1] = p
    return ForwardKernel(S, Sdot)


def forward_kernel(x: torch.Tensor, x2: torch.Tensor | None = None) -> ForwardKernel:
    r"""The limit hidden-state kernel S and activation kernel Sdot of two sets of sequences.

    Paper: section 8 (forward kernel). ``S[a, b, l, l']`` is the limit of :math:`\langle h_l, h'_{l'}\rangle`
    for sequence ``a`` of ``x`` and ``b`` of ``x2``; for ``a = b`` and ``x2 = x`` the diagonal is
    :math:`S_{l,l} = \sum_{t \le l} \|x_t\|^2`.

    Args:
        x: ``(n, L, d_x)`` inputs (float32 or float64; computed in float64).
        x2: ``(n2, L, d_x)`` inputs on the same device (default ``x``).

    Returns:
        :class:`ForwardKernel` with ``S (n, n2, L+1, L+1)`` and ``Sdot (n, n2, L, L)``, float64.

    Raises:
        TypeError, ValueError: non-tensor or non-floating input, NaN or infinite entries, L < 3,
        d_x < 2, no sequences, ``x2`` of another length, input dimension or device.
    """
    fn = "infinite.forward_kernel"
    xx = _sequences(fn, "x", x)
    xx2 = xx if x2 is None else _sequences(fn, "x2", x2, like=x)
    return _forward(xx, xx2)


# ---------------------------------------------------------------------- backward correlations
def _lag_table(Sdot: torch.Tensor) -> torch.Tensor:
    r"""``R (n, n2, L, L, L)``: ``R[..., j-1, j'-1, k]`` = :math:`\dot S_{j,j'}\prod_{t=1}^{k} 2\dot S_{j-t,j'-t}`,
    0 where ``k >= min(j, j')`` (no such pair of source positions)."""
    n, n2, L, _ = Sdot.shape
    R = torch.zeros(n, n2, L, L, L, dtype=Sdot.dtype, device=Sdot.device)
    R[..., 0] = Sdot
    for k in range(1, L):
        R[:, :, k:, k:, k] = R[:, :, k:, k:, k - 1] * 2 * Sdot[:, :, : L - k, : L - k]
    return R


def _pairs(fn: str, name: str, L: int, pairs: Sequence[tuple[int, int]] | None) -> list[tuple[int, int]]:
    if pairs is None:
        return [(i, j) for j in range(1, L + 1) for i in range(1, j + 1)]
    out = []
    for p in pairs:
        try:
            i, j = (int(v) for v in p)
        except (TypeError, ValueError):
            raise TypeError(f"{fn}: {name} entry {V.show(p)} must be a pair (i, j) of integers") from None
        if not 1 <= i <= j <= L:
            raise ValueError(f"{fn}: {name} entry {(i, j)} must satisfy 1 <= i <= j <= L={L} (1-based positions)")
        out.append((i, j))
    if not out:
        raise ValueError(f"{fn}: {name}=[] must name at least one pair (i, j)")
    return out


def backward_correlation(
    x: torch.Tensor,
    x2: torch.Tensor | None = None,
    *,
    pairs: Sequence[tuple[int, int]] | None = None,
    pairs2: Sequence[tuple[int, int]] | None = None,
    d: int = 1,
) -> torch.Tensor:
    r"""Limit of :math:`\frac1m\langle \delta^{(j,s)}_i(x_a), \delta^{(j',s)}_{i'}(x'_b)\rangle` for pairs of pairs.

    Paper: section 8 (backward correlations), with :math:`\delta^{(j,s)}_i = D_i\mathrm{Back}_{i\to j}^T e_s`.
    The value is 0 when the lags differ (:math:`j - i \ne j' - i'`), and
    :math:`\frac1d\dot S_{j,j'}\prod_{t=1}^{j-i}2\dot S_{j-t,j'-t}` when they agree. It is the value for
    equal output coordinates ``s = s'``; for different coordinates the limit is 0.

    Args:
        x, x2: as in :func:`forward_kernel`.
        pairs: 1-based pairs ``(i, j)``, ``1 <= i <= j <= L``, for ``x`` (default: every such pair, ordered
            by ``j``, then ``i``).
        pairs2: pairs for ``x2`` (default: ``pairs``).
        d: output dimension (the :math:`1/d` of :math:`B_{ij} \sim N(0, 1/d)`).

    Returns:
        ``(n, n2, P, P2)`` float64.
    """
    fn = "infinite.backward_correlation"
    xx = _sequences(fn, "x", x)
    xx2 = xx if x2 is None else _sequences(fn, "x2", x2, like=x)
    d = _d(fn, d)
    L = xx.shape[1]
    p1 = _pairs(fn, "pairs", L, pairs)
    p2 = p1 if pairs2 is None else _pairs(fn, "pairs2", L, pairs2)
    R = _lag_table(_forward(xx, xx2).Sdot)
    dev = xx.device
    i1, j1 = (torch.tensor(c, device=dev) for c in zip(*p1))
    i2, j2 = (torch.tensor(c, device=dev) for c in zip(*p2))
    lag1, lag2 = j1 - i1, j2 - i2
    same = lag1[:, None] == lag2[None, :]
    vals = R[:, :, j1[:, None] - 1, j2[None, :] - 1, lag1[:, None].expand(-1, len(p2))]
    return torch.where(same, vals, torch.zeros_like(vals)) / d


def feature_correlation(x: torch.Tensor, pairs: Sequence[tuple[int, int]] | None = None) -> torch.Tensor:
    r"""Limit of the normalised Frobenius correlations of the feature blocks of one sequence's pairs.

    Paper: sections 4 (decoupling) and 8. The block of pair ``(i, j)`` is
    :math:`\delta^{(j,s)}_i h_{i-1}^T`; the correlation of two blocks of the same sequence is
    :math:`\cos(\delta_i, \delta_{i'}) \cos(h_{i-1}, h_{i'-1})`, whose limit is 0 for different lags and

    .. math::
        \prod_{t=0}^{j-i} \frac{\pi - \theta_{j-t,j'-t}}{\pi} \cdot
        \frac{S_{i-1,i'-1}}{\sqrt{S_{i-1,i-1}S_{i'-1,i'-1}}}

    for equal lags. It does not depend on d or on the output direction. This is the limit of
    :func:`rnntheory.network.decoupling.feature_correlations` (same pair order for the default pairs).

    Args:
        x: ``(n, L, d_x)`` inputs.
        pairs: 1-based pairs with ``2 <= i <= j <= L`` (default :func:`rnntheory.network.decoupling.feature_pairs`
            order: by ``j``, then ``i``); ``i = 1`` is refused, its block is 0 since :math:`h_0 = 0`.

    Returns:
        ``(n, P, P)`` float64.
    """
    fn = "infinite.feature_correlation"
    xx = _sequences(fn, "x", x)
    L = xx.shape[1]
    if pairs is None:
        pairs = [(i, j) for j in range(2, L + 1) for i in range(2, j + 1)]
    p = _pairs(fn, "pairs", L, pairs)
    if any(i == 1 for i, _ in p):
        raise ValueError(
            f"{fn}: pairs holds a pair with i = 1, whose block D_1 Back^T e_s h_0^T is 0 (h_0 = 0); "
            "expected 2 <= i <= j"
        )
    fk = _forward(xx, xx)
    ar = torch.arange(xx.shape[0], device=xx.device)
    R = _lag_table(fk.Sdot)[ar, ar]  # (n, L, L, L): each sequence with itself
    S = fk.S[ar, ar]  # (n, L+1, L+1)
    i, j = (torch.tensor(c, device=xx.device) for c in zip(*p))
    lag = j - i
    P = len(p)
    num = R[:, j[:, None] - 1, j[None, :] - 1, lag[:, None].expand(-1, P)]
    diag = R[:, j - 1, j - 1, lag]  # (n, P)
    cb = num / torch.sqrt(diag[:, :, None] * diag[:, None, :])
    hs = S[:, i[:, None] - 1, i[None, :] - 1]
    hd = S[:, i - 1, i - 1]
    ch = hs / torch.sqrt(hd[:, :, None] * hd[:, None, :])
    same = (lag[:, None] == lag[None, :])[None]
    return torch.where(same, cb * ch, torch.zeros_like(cb))


# ---------------------------------------------------------------------- NTK
def _ntk_table(fk: ForwardKernel) -> torch.Tensor:
    r"""``T (n, n2, L, L)``: ``T[..., j-1, j'-1]`` =
    :math:`\sum_k \dot S_{j,j'}\prod_{t\le k}2\dot S_{j-t,j'-t}\,S_{j-k-1,j'-k-1}` by the recursion :math:`T_{j,j'} =
    \dot S_{j,j'}(S_{j-1,j'-1} + 2T_{j-1,j'-1})`."""
    S, Sd = fk.S, fk.Sdot
    n, n2, L, _ = Sd.shape
    T = torch.zeros(n, n2, L + 1, L + 1, dtype=Sd.dtype, device=Sd.device)  # T[.., 0, .] = T[.., ., 0] = 0
    for t in range(1, L + 1):
        T[:, :, t, t:] = Sd[:, :, t - 1, t - 1 :] * (S[:, :, t - 1, t - 1 : L] + 2 * T[:, :, t - 1, t - 1 : L])
        if t < L:
            T[:, :, t + 1 :, t] = Sd[:, :, t:, t - 1] * (S[:, :, t:L, t - 1] + 2 * T[:, :, t:L, t - 1])
    return T[:, :, 1:, 1:]


def ntk(
    x: torch.Tensor,
    x2: torch.Tensor | None = None,
    *,
    d: int = 1,
    positions: Sequence[int] | None = None,
) -> torch.Tensor:
    r"""The infinite-width W-only NTK divided by m, in the layout of :func:`rnntheory.network.kernel.ntk`.

    Paper: section 8 (NTK of W):
    :math:`\lim K((x,j,s),(x',j',s'))/m = \frac1d[s = s']\sum_{k=0}^{\min(j,j')-1}\dot S_{j,j'}
    (\prod_{t=1}^{k}2\dot S_{j-t,j'-t})\,S_{j-k-1,j'-k-1}`, so that
    ``kernel.ntk(net, tr, tr2) / net.m - ntk(x, x2, d=net.d)`` is the finite-width fluctuation.

    Args:
        x, x2: as in :func:`forward_kernel`.
        d: output dimension.
        positions: 1-based output positions (default 3..L, the loss positions).

    Returns:
        ``(n, J, d, n2, J, d)`` float64; zero between different output coordinates.
    """
    fn = "infinite.ntk"
    xx = _sequences(fn, "x", x)
    xx2 = xx if x2 is None else _sequences(fn, "x2", x2, like=x)
    d = _d(fn, d)
    pos = check_positions(fn, xx.shape[1], positions)
    idx = torch.tensor([p - 1 for p in pos], device=xx.device)
    T = _ntk_table(_forward(xx, xx2))[:, :, idx][:, :, :, idx] / d  # (n, n2, J, J)
    eye = torch.eye(d, dtype=_F64, device=xx.device)
    return torch.einsum("abjk,st->ajsbkt", T, eye)


def min_norm_fit(
    x: torch.Tensor,
    targets: torch.Tensor,
    *,
    d: int = 1,
    positions: Sequence[int] | None = None,
    ridge: float = 1e-10,
) -> KernelFit:
    r"""Minimum-norm fit of ``targets`` with the limit kernel: the width-independent :math:`\tau^*`.

    Paper: sections 6 and 8. With :math:`K_\infty` = :func:`ntk` (the empirical kernel divided by m), the
    fit solves :math:`(K_\infty + \rho I)\alpha = y^*` (``rho`` relative to the mean diagonal, as in
    :func:`rnntheory.network.kernel.min_norm_fit`) and :math:`\tau^*_\infty = \sqrt{\alpha^T K_\infty \alpha}`:
    the RKHS norm of the target, which is what :math:`\tau^*_m = \sqrt m\sqrt{\alpha_m^T K_m\alpha_m}`
    approaches as m grows (:math:`K_m \approx m K_\infty`, :math:`\alpha_m \approx \alpha/m`).

    Args:
        x: ``(n, L, d_x)`` sample.
        targets: ``(n, L, d)`` (positions selected by ``positions``) or ``(n, J, d)``, finite.
        d, positions: as in :func:`ntk`.
        ridge: relative ridge (>= 0).

    Returns:
        :class:`rnntheory.network.kernel.KernelFit` whose ``tau_star`` is :math:`\tau^*_\infty` (and
        ``alpha`` the coefficients of the limit kernel).
    """
    fn = "infinite.min_norm_fit"
    xx = _sequences(fn, "x", x)
    d = _d(fn, d)
    n, L, _ = xx.shape
    pos = check_positions(fn, L, positions)
    J = len(pos)
    V.tensor(fn, "targets", targets, ndim=3, device=x.device, match="x")
    if targets.shape == (n, L, d):
        y = targets[:, [p - 1 for p in pos]]
    elif targets.shape == (n, J, d):
        y = targets
    else:
        raise ValueError(f"{fn}: targets has shape {tuple(targets.shape)}; expected ({n}, {L}, {d}) or ({n}, {J}, {d})")
    ridge = V.real_in(fn, "ridge", ridge, low=0.0)
    y = y.to(_F64)
    N = n * J * d
    K = ntk(xx, d=d, positions=pos).reshape(N, N)
    alpha, fitted, norm_sq, lam = solve_min_norm(K, y.reshape(N), ridge)
    yv = y.reshape(N)
    return KernelFit(
        alpha=alpha.view(n, J, d),
        fitted=fitted.view(n, J, d),
        targets=y,
        positions=tuple(pos),
        norm_sq=norm_sq,
        tau_star=math.sqrt(max(norm_sq, 0.0)),
        residual_rms=float((fitted - yv).pow(2).mean().sqrt()),
        target_rms=float(yv.pow(2).mean().sqrt()),
        ridge=lam,
    )
