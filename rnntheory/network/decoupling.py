r"""Decoupling: one recurrent unit serves many (input token, output token) pairs without interference.

Paper (theory.md, section 4, last claim): for a fixed input position ``i`` the vectors
:math:`\mathrm{Back}_{i\to j}^T u` for different output positions ``j`` are nearly orthogonal, and so
are the per-pair feature blocks :math:`D_i \mathrm{Back}_{i\to j}^T u\, h_{i-1}^T` across different
pairs ``(i, j)``; normalised correlations shrink like :math:`m^{-1/2}`.

The block correlations use :math:`\langle a b^T, c e^T\rangle_F = \langle a, c\rangle\langle b, e\rangle`,
so no m x m block is ever formed. Positions ``i, j`` are 1-based (the paper's); tensor indices 0-based.
:func:`correlations_by_kind` summarises both kinds by kind of pair, the equal-lag blocks against their
infinite-width limit (:func:`rnntheory.network.infinite.feature_correlation`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from .. import _validation as V
from .backward import back_vectors
from .infinite import feature_correlation
from .model import RNN, Trace, check_trace

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "back_correlations",
    "feature_correlations",
    "feature_pairs",
    "Decoupling",
    "decoupling",
    "correlations_by_kind",
]


def _direction(fn: str, net: RNN, u: torch.Tensor | None) -> torch.Tensor:
    if u is None:
        return torch.full((net.d,), net.d**-0.5, dtype=net.dtype, device=net.device)
    V.tensor(fn, "u", u, shape=(net.d,), dtype=net.dtype, device=net.device)
    if float(torch.linalg.vector_norm(u)) == 0.0:
        raise ValueError(f"{fn}: u is the zero vector; expected a non-zero output direction")
    return u


def _normalise(v: torch.Tensor) -> torch.Tensor:
    nrm = torch.linalg.vector_norm(v, dim=-1, keepdim=True)
    return v / torch.where(nrm > 0, nrm, 1.0)


def back_correlations(net: RNN, tr: Trace, u: torch.Tensor | None = None) -> torch.Tensor:
    r"""Normalised correlations between :math:`\mathrm{Back}_{i\to j}^T u` and :math:`\mathrm{Back}_{i\to j'}^T u`.

    Paper: section 4 (decoupling), first form: for fixed ``i`` the vectors for different ``j`` are nearly orthogonal.

    Args:
        net: the network.
        tr: its trace (the backward vectors come from one sweep, :func:`rnntheory.network.backward.back_vectors`).
        u: ``(d,)`` output direction; default the unit vector :math:`(1, \dots, 1)/\sqrt{d}`.

    Returns:
        ``(n, L, L, L)``; ``[s, i-1, j-1, j'-1]`` is the cosine between the two vectors for sequence ``s``,
        NaN where ``j < i`` or ``j' < i`` (pair not defined), 1 on the diagonal ``j = j'``.

    Raises:
        TypeError, ValueError: a trace of another network, a bad or zero ``u``.
    """
    fn = "decoupling.back_correlations"
    check_trace(fn, net, tr)
    u = _direction(fn, net, u)
    b = _normalise(back_vectors(net, tr, u).transpose(1, 2))  # (n, L_i, L_j, m): [s, i-1, j-1]
    C = torch.matmul(b, b.transpose(-1, -2))  # (n, L_i, L_j, L_j)
    L = tr.L
    idx = torch.arange(L, device=net.device)
    valid = idx[None, :] >= idx[:, None]  # [i0, j0]: j >= i
    mask = valid[:, :, None] & valid[:, None, :]
    return torch.where(mask[None], C, torch.nan)


def feature_pairs(L: int) -> list[tuple[int, int]]:
    r"""The pairs ``(i, j)``, 1-based, with ``2 <= i <= j <= L`` whose feature block is not identically zero
    (for ``i = 1`` the block :math:`D_1\mathrm{Back}_{1\to j}^T u\, h_0^T` vanishes because :math:`h_0 = 0`)."""
    L = V.positive_int("decoupling.feature_pairs", "L", L)
    return [(i, j) for j in range(2, L + 1) for i in range(2, j + 1)]


def feature_correlations(
    net: RNN, tr: Trace, u: torch.Tensor | None = None
) -> tuple[torch.Tensor, list[tuple[int, int]]]:
    r"""Normalised Frobenius correlations between the feature blocks of different pairs ``(i, j)``.

    Paper: section 4 (decoupling), second form; section 2 (the block
    :math:`D_i \mathrm{Back}_{i\to j}^T u\, h_{i-1}^T` is the part of :math:`\partial(u^T y_j)/\partial W`
    that comes from input position ``i``). For blocks :math:`a b^T` and :math:`c e^T` the correlation is
    :math:`\langle a, c\rangle\langle b, e\rangle / (\|a\|\|b\|\|c\|\|e\|)`.

    Args:
        net, tr, u: as in :func:`back_correlations`.

    Returns:
        ``(C, pairs)``: ``C`` is ``(n, P, P)``, ``pairs`` the ``P`` pairs of :func:`feature_pairs` in the
        order of ``C``'s rows. A zero block (all its coordinates inactive) gets correlation 0.
    """
    fn = "decoupling.feature_correlations"
    check_trace(fn, net, tr)
    u = _direction(fn, net, u)
    pairs = feature_pairs(tr.L)
    jj = torch.tensor([j - 1 for _, j in pairs], device=net.device)
    ii = torch.tensor([i - 1 for i, _ in pairs], device=net.device)
    a = back_vectors(net, tr, u)[:, jj, ii] * tr.pattern[:, ii]  # (n, P, m): D_i Back_{i->j}^T u
    h = tr.hidden[:, ii]  # (n, P, m): h_{i-1}
    a, h = _normalise(a), _normalise(h)
    C = torch.matmul(a, a.transpose(-1, -2)) * torch.matmul(h, h.transpose(-1, -2))
    return C, pairs


@dataclass(frozen=True)
class Decoupling:
    r"""Summary of the decoupling correlations, per sequence (theory.md, section 4).

    Attributes:
        back_rms: ``(n,)`` root mean square of the off-diagonal (``j != j'``) correlations of
            :func:`back_correlations`, over every ``i`` and every pair ``j != j'`` with ``j, j' >= i``.
        back_max: ``(n,)`` the largest absolute off-diagonal correlation of that kind.
        feature_rms: ``(n,)`` root mean square of the off-diagonal correlations of :func:`feature_correlations`.
        feature_max: ``(n,)`` the largest absolute one.
        m: the width (for the scaled statistic ``sqrt(m) * rms``, about constant when they shrink like m^-1/2).
    """

    back_rms: torch.Tensor
    back_max: torch.Tensor
    feature_rms: torch.Tensor
    feature_max: torch.Tensor
    m: int

    def to_frame(self) -> pd.DataFrame:
        r"""One row per sequence: seq, back_rms, back_max, feature_rms, feature_max, m."""
        import pandas as pd

        cols = {
            k: getattr(self, k).detach().cpu().tolist() for k in ("back_rms", "back_max", "feature_rms", "feature_max")
        }
        return pd.DataFrame({"seq": list(range(len(cols["back_rms"]))), **cols, "m": self.m})


def decoupling(net: RNN, tr: Trace, u: torch.Tensor | None = None) -> Decoupling:
    r"""Root-mean-square and largest off-diagonal decoupling correlations, the summary that should shrink like
    :math:`m^{-1/2}`.

    Paper: section 4 (decoupling). Both kinds of correlation from :func:`back_correlations` and
    :func:`feature_correlations` (one backward sweep each).

    Args:
        net, tr, u: as in :func:`back_correlations`.

    Returns:
        :class:`Decoupling`.
    """
    fn = "decoupling.decoupling"
    check_trace(fn, net, tr)
    Cb = back_correlations(net, tr, u)
    L = tr.L
    eye = torch.eye(L, dtype=torch.bool, device=net.device)
    off = ~torch.isnan(Cb) & ~eye[None, None]
    vals = torch.where(off, Cb, 0.0)
    cnt = off.flatten(1).sum(dim=1).clamp_min(1)
    back_rms = (vals.flatten(1) ** 2).sum(dim=1).div(cnt).sqrt()
    back_max = vals.flatten(1).abs().amax(dim=1)
    Cf, pairs = feature_correlations(net, tr, u)
    P = len(pairs)
    offf = ~torch.eye(P, dtype=torch.bool, device=net.device)
    fv = Cf[:, offf]
    return Decoupling(back_rms, back_max, fv.pow(2).mean(dim=1).sqrt(), fv.abs().amax(dim=1), tr.m)


def _rms(v: torch.Tensor) -> float:
    return float(v.pow(2).mean().sqrt()) if v.numel() else float("nan")


def correlations_by_kind(net: RNN, tr: Trace) -> dict[str, float]:
    r"""The decoupling correlations of a trace by kind of pair, each kind's root mean square over sequences and
    pairs, and the equal-lag feature blocks against their infinite-width limit.

    Paper: section 4 (decoupling, corrected) and section 8: blocks of pairs whose lags ``j - i`` differ are nearly
    orthogonal; blocks of pairs with equal lags keep the nonzero correlation of the infinite-width limit
    (:func:`rnntheory.network.infinite.feature_correlation` of the trace's inputs) and approach it. Output
    direction :math:`u = (1, \dots, 1)/\sqrt{d}`.

    Args:
        net: the network.
        tr: its trace.

    Returns:
        A dict of floats: ``back_rms`` (RMS over sequences of :attr:`Decoupling.back_rms`) and ``back_max`` (the
        largest :attr:`Decoupling.back_max`); the RMS of the off-diagonal feature-block correlations of pairs
        sharing the input position i (``shared_i_rms``), the output position j (``shared_j_rms``), neither and
        not the lag (``other_lag_rms``); of pairs with different i, j but the same lag, the measured correlation
        (``same_lag_rms``), its limit (``same_lag_limit_rms``) and measured - limit (``same_lag_dev``); for
        ``d > 1``, ``other_coord_rms``: the RMS correlation of the feature vectors
        :math:`D_i \mathrm{Back}_{i\to j}^T e_1` and :math:`D_{i'} \mathrm{Back}_{i'\to j'}^T e_2` of pairs with
        equal lags (the pair itself included); per lag k with equal-lag pairs, ``corr_lag{k}`` and
        ``limit_lag{k}``, the mean measured correlation and its limit. NaN for a kind without pairs.

    Raises:
        TypeError, ValueError: a trace of another network.
    """
    fn = V.caller(correlations_by_kind)
    check_trace(fn, net, tr)
    dc = decoupling(net, tr)
    C, pairs = feature_correlations(net, tr)
    # the limit: 0 for different lags, a product of (pi - theta)/pi factors for equal ones
    limit = feature_correlation(tr.x, pairs).to(C)
    i, j = torch.tensor([p[0] for p in pairs]), torch.tensor([p[1] for p in pairs])
    lag = j - i
    same_i, same_j, same_lag = (v[:, None] == v[None, :] for v in (i, j, lag))
    off = ~(same_i & same_j)
    cats = {"shared_i": off & same_i, "shared_j": off & same_j, "other_lag": off & ~same_i & ~same_j & ~same_lag}
    equal = (off & same_lag).to(C.device)
    row = {
        "back_rms": float(dc.back_rms.pow(2).mean().sqrt()),
        "back_max": float(dc.back_max.max()),
        **{f"{k}_rms": _rms(C[:, mask.to(C.device)]) for k, mask in cats.items()},
        "same_lag_rms": _rms(C[:, equal]),
        "same_lag_limit_rms": _rms(limit[:, equal]),
        "same_lag_dev": _rms((C - limit)[:, equal]),
    }
    # different output coordinates: delta^(j,1)_i against delta^(j',2)_i' for equal lags (the pair itself included)
    if net.d > 1:
        bv = back_vectors(net, tr, None)  # (n, L, L, d, m)
        delta = bv[:, j - 1, i - 1][:, :, :2] * tr.pattern.to(bv.dtype)[:, i - 1][:, :, None]  # (n, P, 2, m)
        delta = delta / torch.linalg.vector_norm(delta, dim=-1, keepdim=True).clamp_min(1e-300)
        cross = torch.matmul(delta[:, :, 0], delta[:, :, 1].transpose(-1, -2))  # (n, P, P)
        row["other_coord_rms"] = _rms(cross[:, same_lag.to(C.device)])
    # per lag: the mean measured equal-lag correlation beside its limit (for the figure)
    for k in range(int(lag.max()) + 1):
        mask = equal & (lag[:, None] == k).to(C.device)
        if bool(mask.any()):
            row[f"corr_lag{k}"], row[f"limit_lag{k}"] = float(C[:, mask].mean()), float(limit[:, mask].mean())
    return row
