r"""Displacements of a prescribed size, and how a displacement changes hidden states and sign patterns.

Paper (theory.md, sections 1 and 4). A displacement :math:`W'` moves the recurrent matrix from
:math:`W_0` to :math:`W_0 + W'`. Its size is given either as the spectral size
:math:`\omega = \|W'\|_2` or as the NTK radius :math:`\tau = \sqrt{m}\,\|W'\|_F`. The perturbation
lemmas bound, for :math:`\|W'\|_2 \le \omega`,

* the hidden-state change :math:`\|h_l(W_0+W') - h_l(W_0)\| \le \mathrm{poly}(L)\,\omega`;
* the number of sign changes :math:`\|D_l(W_0+W') - D_l(W_0)\|_0 \le \mathrm{poly}(L)\, m\, \omega^{2/3}`.

The sizes themselves (``spectral_norm``, ``ntk_radius``, ``scale_to``) are computed in
:mod:`rnntheory.network.sizes`. Three directions are provided: :func:`random_direction` (Gaussian),
:func:`gradient_direction` (descent direction of the loss or of chosen outputs) and :func:`adversarial_direction` (the
rank-one
construction that flips as many signs as possible per unit of spectral norm, reaching about
:math:`(3/\pi)^{1/3}\, m\, \omega^{2/3}` flips at one position).

Here ":math:`W_0`" is the recurrent matrix of the trace when one is given (``tr.W``), else ``net.W``.
Positions: the paper's position ``l`` (1-based) is index ``l - 1`` of every ``(n, L)`` result.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from .. import _validation as V
from . import batched as B
from .backward import grad_W
from .model import LOSS_POSITIONS, RNN, Trace, base_trace, check_displacements, check_trace
from .sizes import rescale, size_argument

__all__ = [
    "random_direction",
    "gradient_direction",
    "adversarial_direction",
    "adversarial_factors",
    "adversarial_flip_estimate",
    "hidden_change",
    "sign_changes",
]


# ---------------------------------------------------------------------- directions
def random_direction(
    net: RNN,
    *,
    omega: float | None = None,
    tau: float | None = None,
    seed: int | None = None,
    generator: torch.Generator | None = None,
    k: int | None = None,
) -> torch.Tensor:
    r"""A Gaussian displacement (i.i.d. N(0, 1) entries, then rescaled) of spectral size ``omega`` or NTK radius
    ``tau``.

    Paper: section 4 (typical directions flip about :math:`m\omega` signs, well below the worst case).
    Drawn in float64 on the CPU, then converted to the network's dtype and device (one seed gives the
    same direction everywhere).

    Args:
        net: the network (its m, dtype, device).
        omega, tau: the size (exactly one).
        seed, generator: the randomness (exactly one).
        k: draw ``k`` independent displacements ``(k, m, m)``; ``None`` for one ``(m, m)``.

    Returns:
        ``(m, m)`` or ``(k, m, m)``.

    Raises:
        ValueError, TypeError: bad size, seed, generator or k.
    """
    fn = "perturbation.random_direction"
    kind, size = size_argument(fn, omega, tau)
    gen = V.generator(fn, seed, generator, torch.device("cpu"))
    shape = (net.m, net.m) if k is None else (V.positive_int(fn, "k", k), net.m, net.m)
    G = torch.randn(*shape, generator=gen, dtype=torch.float64)
    return rescale(fn, G, kind, size).to(net.device, net.dtype)


def gradient_direction(
    net: RNN,
    tr: Trace,
    dy: torch.Tensor | None = None,
    *,
    targets: torch.Tensor | None = None,
    omega: float | None = None,
    tau: float | None = None,
) -> torch.Tensor:
    r"""The descent direction :math:`-\nabla_W` at :math:`W_0`, rescaled to ``omega`` or ``tau``.

    Paper: section 2 (:math:`\nabla_W = \sum_j\sum_{i\le j} D_i\mathrm{Back}_{i\to j}^T \nabla_{y_j} G\, h_{i-1}^T`)
    and section 6 (an SGD step moves W along this direction). Computed by
    :func:`rnntheory.network.backward.grad_W` (one backward sweep).

    Args:
        net: the network.
        tr: its trace at :math:`W_0`.
        dy: ``(n, L, d)`` output cotangents (the gradient of :math:`\sum_{s,j}\langle dy_{s,j}, y_j(x_s)\rangle`;
            e.g. one-hot at chosen outputs). Exactly one of ``dy`` and ``targets``.
        targets: ``(n, L, d)`` labels :math:`y^*`; uses the objective of theory.md section 1, the squared
            loss :math:`\tfrac12\|y_j - y^*_j\|^2` summed over positions j = 3..L (``dy = y - y^*`` there, 0 elsewhere).
        omega, tau: the size (exactly one).

    Returns:
        ``(m, m)``: :math:`-\nabla_W` rescaled.

    Raises:
        ValueError: both or neither of ``dy``/``targets``, a zero gradient, bad sizes; TypeError: wrong types.
    """
    fn = "perturbation.gradient_direction"
    check_trace(fn, net, tr)
    kind, size = size_argument(fn, omega, tau)
    if (dy is None) == (targets is None):
        raise ValueError(f"{fn}: pass exactly one of dy= and targets= (got dy={V.show(dy)}, targets={V.show(targets)})")
    if targets is not None:
        V.tensor(fn, "targets", targets, shape=(tr.n, tr.L, net.d), dtype=net.dtype, device=net.device)
        dy = torch.zeros(tr.outputs.shape, dtype=net.dtype, device=net.device)  # 0 where no target is scored
        dy[:, LOSS_POSITIONS] = (tr.outputs - targets)[:, LOSS_POSITIONS]
    else:
        V.tensor(fn, "dy", dy, shape=(tr.n, tr.L, net.d), dtype=net.dtype, device=net.device)
    return rescale(fn, -grad_W(net, tr, dy), kind, size)


def adversarial_direction(
    net: RNN,
    tr: Trace,
    *,
    l: int,
    omega: float | None = None,
    tau: float | None = None,
    sequence: int = 0,
    margin: float = 0.01,
) -> torch.Tensor:
    r"""Rank-one displacement that flips as many signs of :math:`g_l` as its spectral norm allows.

    Paper: section 4 (sign changes): the bound :math:`m\,\omega^{2/3}` is reached by pushing the
    smallest pre-activations across zero. The construction is
    :math:`W' = v\, h_{l-1}^T / \|h_{l-1}\|^2`, so that :math:`W' h_{l-1} = v` and
    :math:`\|W'\|_2 = \|W'\|_F = \|v\| / \|h_{l-1}\|` (taken at sequence ``sequence``). Flipping
    coordinate k needs :math:`|v_k| > |g_{l,k}|`, so under the budget :math:`\|v\| \le \omega\|h_{l-1}\|`
    the most flips come from the coordinates with the smallest :math:`|g_{l,k}|`: take the largest set
    S of them with :math:`(1+\text{margin})^2 \sum_{k\in S} g_{l,k}^2 \le \omega^2\|h_{l-1}\|^2`, set
    :math:`v_k = -(1+\text{margin})\, g_{l,k}` on S and 0 elsewhere, then scale v up to the full budget.
    The threshold is therefore the largest :math:`|g_{l,k}|` in S. For pre-activations with density
    :math:`\rho(0)` at zero, :math:`\sum_{|g|<\theta} g^2 \approx \tfrac23 m\rho(0)\theta^3`, so
    :math:`\theta = (3\omega^2\|h_{l-1}\|^2 / (2m\rho(0)))^{1/3}` and
    :math:`|S| = 2m\rho(0)\theta \propto m\,\omega^{2/3}`; with :math:`g_{l,k} \sim N(0, 2\|h_{l-1}\|^2/m)`
    this is :math:`|S| \approx (3/\pi)^{1/3} m\,\omega^{2/3}` (see :func:`adversarial_flip_estimate`).

    At ``l = 2`` the flips of :math:`g_2` are exactly S (earlier positions do not see W' because
    :math:`h_0 = 0`); at later positions the earlier hidden states also move (by :math:`O(\omega)`), so
    a few targeted coordinates may miss and a few others flip.

    Args:
        net: the network.
        tr: its trace at :math:`W_0`.
        l: the target position, 1-based, ``2 <= l <= L`` (:math:`g_1 = A x_1` does not depend on W).
        omega, tau: the size (exactly one); for this rank-one matrix :math:`\tau = \sqrt{m}\,\omega`.
        sequence: which sequence of the trace to target (0-based).
        margin: relative overshoot past zero, in (0, 1); guards the flips against rounding.

    Returns:
        ``(m, m)`` displacement with :math:`\|W'\|_2 = \omega`.

    Raises:
        ValueError: ``l`` outside ``2..L``, ``sequence`` outside the batch, bad size or margin.
    """
    v, u = adversarial_factors(net, tr, l=l, omega=omega, tau=tau, sequence=sequence, margin=margin)
    return torch.outer(v, u)


def adversarial_factors(
    net: RNN,
    tr: Trace,
    *,
    l: int,
    omega: float | None = None,
    tau: float | None = None,
    sequence: int = 0,
    margin: float = 0.01,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""The two factors of :func:`adversarial_direction`: ``(v, u)`` with :math:`W' = v u^T`, each ``(m,)``.

    For :class:`rnntheory.network.batched.Displacements.rank_one`, which traces :math:`W_0 + v u^T` without
    building the matrix. Arguments and errors as :func:`adversarial_direction`.
    """
    fn = "perturbation.adversarial_direction"
    check_trace(fn, net, tr)
    kind, size = size_argument(fn, omega, tau)
    om = size if kind == "omega" else size / math.sqrt(net.m)
    l = V.positive_int(fn, "l", l, minimum=2)
    if l > tr.L:
        raise ValueError(f"{fn}: l={l} must be at most L={tr.L} (positions are 1-based)")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or not 0 <= sequence < tr.n:
        raise ValueError(f"{fn}: sequence={V.show(sequence)} must be an integer in [0, {tr.n}) (0-based)")
    margin = V.real_in(fn, "margin", margin, low=0.0, high=1.0, low_open=True, high_open=True)
    g = tr.pre[sequence, l - 1]
    h = tr.hidden[sequence, l - 1]
    hn = torch.linalg.vector_norm(h)
    if float(hn) == 0.0:
        raise ValueError(f"{fn}: h_{l - 1} of sequence {sequence} is zero, so no displacement can move g_{l}")
    if om == 0.0:
        return torch.zeros_like(g), torch.zeros_like(h)
    budget = float(om * hn) ** 2
    order = torch.argsort(g.abs())
    cum = torch.cumsum(g[order] ** 2, 0) * (1 + margin) ** 2
    t = int((cum <= budget).sum())
    v = torch.zeros_like(g)
    if t > 0:
        S = order[:t]
        v[S] = -(1 + margin) * g[S]
    if float(torch.linalg.vector_norm(v)) == 0.0:  # not even one flip affordable: push the smallest coordinate
        k0 = order[0]
        v[k0] = -1.0 if float(g[k0]) > 0 else 1.0
    v = v * (om * hn / torch.linalg.vector_norm(v))
    return v, h / hn**2


def adversarial_flip_estimate(m: int, omega: float) -> float:
    r"""The flip count :math:`(3/\pi)^{1/3} m\,\omega^{2/3}` that :func:`adversarial_direction` reaches for small omega.

    Paper: section 4 (sign changes, the worst case :math:`m\omega^{2/3}`); derivation in
    :func:`adversarial_direction` (pre-activations :math:`N(0, 2\|h_{l-1}\|^2/m)`), capped at m.

    Args:
        m: width.
        omega: spectral size, >= 0.

    Returns:
        The estimate (a float).
    """
    fn = "perturbation.adversarial_flip_estimate"
    m = V.positive_int(fn, "m", m)
    omega = V.real_in(fn, "omega", omega, low=0.0)
    return float(min(m, (3.0 / math.pi) ** (1.0 / 3.0) * m * omega ** (2.0 / 3.0)))


# ---------------------------------------------------------------------- effects of a displacement
def hidden_change(
    net: RNN,
    x: torch.Tensor | None,
    W_prime: torch.Tensor,
    *,
    tr: Trace | None = None,
    check: bool = True,
) -> torch.Tensor:
    r"""Hidden-state change :math:`\|h_l(W_0 + W') - h_l(W_0)\|_2` for every position ``l``.

    Paper: section 4 (hidden-state perturbation, :math:`\le \mathrm{poly}(L)\,\omega`).

    Args:
        net: the network; :math:`W_0` is ``net.W`` (or ``tr.W``).
        x: ``(n, L, d_x)`` inputs (may be ``None`` when ``tr`` is given).
        W_prime: ``(m, m)`` or ``(k, m, m)`` displacements, or a :class:`rnntheory.network.batched.Displacements`
            batch (scaled directions, rank-one matrices: traced without building the matrices).
        tr: the trace at :math:`W_0`, when at hand (the forward pass at :math:`W_0` is then not re-run).
        check: verify the input normalisation when no trace is given.

    Returns:
        ``(n, L)`` (``(k, n, L)`` for a batch); ``[..., s, l-1]`` is the change of :math:`h_l` for sequence ``s``.

    Raises:
        TypeError, ValueError: bad shapes, dtypes, devices, non-finite values, inputs differing from the trace's.
    """
    fn = "perturbation.hidden_change"
    tr = base_trace(fn, net, x, tr, check=check)
    Wp, squeeze = _displacements(fn, net, W_prime)
    out = B.traces(net, tr, Wp).hidden_change(tr)
    return out[0] if squeeze else out


def sign_changes(
    net: RNN,
    x: torch.Tensor | None,
    W_prime: torch.Tensor,
    *,
    tr: Trace | None = None,
    check: bool = True,
) -> torch.Tensor:
    r"""Number of flipped activation signs :math:`\|D_l(W_0 + W') - D_l(W_0)\|_0` for every position ``l``.

    Paper: section 4 (sign changes, :math:`\le \mathrm{poly}(L)\, m\, \omega^{2/3}`). A coordinate
    counts when :math:`1[g_{l,k} > 0]` differs between the two matrices.

    Args:
        net, x, W_prime, tr, check: as in :func:`hidden_change`.

    Returns:
        ``(n, L)`` int64 counts (``(k, n, L)`` for a batch); ``[..., s, l-1]`` is the count at position ``l``.

    Raises:
        TypeError, ValueError: as :func:`hidden_change`.
    """
    fn = "perturbation.sign_changes"
    tr = base_trace(fn, net, x, tr, check=check)
    Wp, squeeze = _displacements(fn, net, W_prime)
    out = B.traces(net, tr, Wp).sign_changes(tr)
    return out[0] if squeeze else out


def _displacements(fn: str, net: RNN, W_prime: Any) -> "tuple[B.Displacements | torch.Tensor, bool]":
    if isinstance(W_prime, B.Displacements):
        return W_prime, False
    return check_displacements(fn, net, W_prime)
