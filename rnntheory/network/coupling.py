r"""The coupling errors along named displacement directions at several NTK radii (theory.md, section 3). One job:
the forward and backward coupling of a network for a few directions :math:`U` of NTK radius 1 (a Gaussian one, the
descent direction of a loss, ...) and the adversarial rank-one construction
(:func:`rnntheory.network.perturbation.adversarial_direction`, aimed at one position of the first sequence), each
at every radius :math:`\tau`: :math:`W' = \tau U`, or the adversarial displacement of radius :math:`\tau`.

* :func:`forward_errors`: the forward coupling error :math:`y_j(W_0 + W') - y_j(W_0) - \mathrm{pseudo}_j(W')` and the
  size of the pseudo-network's first-order term :math:`\mathrm{pseudo}_j(W')`, every displacement in one batched pass
  (:class:`rnntheory.network.batched.Displacements`: the directions scaled, the adversarial ones as rank-one
  factors), as :func:`rnntheory.network.pseudo.forward_coupling` computes the error;
* :func:`backward_errors`: :func:`rnntheory.network.pseudo.backward_coupling` of every displacement, one at a time.

The results are keyed by direction name, the adversarial one last as :data:`ADVERSARIAL`; along each, the radii in
the order given. :math:`W_0` is the trace's recurrent matrix (``tr.W``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import torch

from .. import _validation as V
from .batched import Displacements, traces
from .model import RNN, Trace, check_trace
from .perturbation import adversarial_direction, adversarial_factors
from .pseudo import BackwardCoupling, backward_coupling, outputs
from .sizes import scale_to

__all__ = ["ADVERSARIAL", "ForwardErrors", "forward_errors", "backward_errors"]

ADVERSARIAL = "adversarial"
"""The name of the adversarial rank-one direction in the results (a given direction may not take it)."""


@dataclass(frozen=True)
class ForwardErrors:
    r"""The forward coupling of one direction at every radius, from :func:`forward_errors`.

    Attributes:
        errors: ``(t, n, L)``: ``[r, s, j-1]`` is :math:`\|\mathrm{err}_j(x_s; W'_r)\|` at the r-th radius.
        rms: ``(t,)``: the largest over positions j of the root mean square over sequences of ``errors``.
        first_order: ``(t,)``: the same size (largest over positions of the RMS over sequences) of
            :math:`\|\mathrm{pseudo}_j(x_s; W'_r)\|`, the pseudo-network's first-order term.
    """

    errors: torch.Tensor
    rms: torch.Tensor
    first_order: torch.Tensor


def _directions(fn: str, net: RNN, tr: Trace, directions: Mapping[str, torch.Tensor], taus: Sequence[float]) -> None:
    check_trace(fn, net, tr)
    if ADVERSARIAL in directions:
        raise ValueError(f"{fn}: directions holds {ADVERSARIAL!r}, the name of the adversarial direction it adds")
    for name, U in directions.items():
        V.tensor(fn, f"directions[{name!r}]", U, shape=(net.m, net.m), dtype=net.dtype, device=net.device, finite=False)
    if len(taus) < 1:
        raise ValueError(f"{fn}: taus is empty; expected at least one NTK radius")
    for tau in taus:
        V.positive_real(fn, "taus", tau)


def forward_errors(
    net: RNN, tr: Trace, directions: Mapping[str, torch.Tensor], taus: Sequence[float], *, l: int = 2
) -> dict[str, ForwardErrors]:
    r"""The forward coupling error of every direction at every radius, with the pseudo-network's first-order term.

    Paper: section 3 (forward coupling), :math:`\mathrm{err}_j(x; W') = y_j(W_0 + W') - y_j(W_0) -
    \mathrm{pseudo}_j(W')`, claimed :math:`O(\mathrm{poly}(L)\,\tau^{4/3} m^{-1/6})` in the worst case over
    :math:`W'` of NTK radius :math:`\tau`.

    Every displacement is traced in one batched pass (:func:`rnntheory.network.batched.traces`) beside one
    pseudo-network pass (:func:`rnntheory.network.pseudo.outputs`): the directions scaled, direction-major, then
    the adversarial rank-one factors (:func:`rnntheory.network.perturbation.adversarial_factors`) at each radius.

    Args:
        net: the network.
        tr: its trace at :math:`W_0`.
        directions: named ``(m, m)`` directions of NTK radius 1 (each is scaled by every radius).
        taus: the NTK radii.
        l: the position (1-based, >= 2) of the first sequence the adversarial direction is aimed at.

    Returns:
        ``{name: ForwardErrors}`` for every direction, then :data:`ADVERSARIAL`; each along ``taus``.

    Raises:
        TypeError, ValueError: a trace of another network, a direction of another shape, dtype or device, or
            named :data:`ADVERSARIAL`, no radius or a radius not positive, a bad ``l``.
    """
    fn = V.caller(forward_errors)
    taus = list(taus)
    _directions(fn, net, tr, directions, taus)
    v, u = zip(*(adversarial_factors(net, tr, l=l, tau=tau) for tau in taus))
    disp = Displacements.cat(
        [
            Displacements.scaled(torch.stack(list(directions.values())), taus),
            Displacements.rank_one(torch.stack(v), torch.stack(u)),
        ]
    )
    # err = y(W0 + W') - y(W0) - pseudo(W') as pseudo.forward_coupling computes it, keeping the first-order term
    lin = outputs(net, tr, disp)  # pseudo(W'), (k, n, L, d)
    errs = torch.linalg.vector_norm(traces(net, tr, disp).outputs - tr.outputs - lin, dim=-1)  # (k, n, L)
    # the largest over positions of the root mean square over sequences, of the error and of pseudo(W')
    err, first = (v.pow(2).mean(dim=1).sqrt().amax(dim=-1) for v in (errs, torch.linalg.vector_norm(lin, dim=-1)))
    t = len(taus)
    return {
        name: ForwardErrors(errs[j * t : (j + 1) * t], err[j * t : (j + 1) * t], first[j * t : (j + 1) * t])
        for j, name in enumerate([*directions, ADVERSARIAL])
    }


def backward_errors(
    net: RNN,
    tr: Trace,
    directions: Mapping[str, torch.Tensor],
    taus: Sequence[float],
    *,
    W_star: torch.Tensor | None = None,
    l: int = 2,
) -> dict[str, list[BackwardCoupling]]:
    r"""The backward coupling of every direction at every radius.

    Paper: section 3 (backward coupling): the gradient of every output at :math:`W_0 + W'` stays close to the one
    at :math:`W_0`. Per radius, every direction rescaled to it (:func:`rnntheory.network.sizes.scale_to`) and the
    adversarial direction of that radius (:func:`rnntheory.network.perturbation.adversarial_direction`), each
    measured by :func:`rnntheory.network.pseudo.backward_coupling` over every output coordinate.

    Args:
        net: the network.
        tr: its trace at :math:`W_0`.
        directions: named ``(m, m)`` non-zero directions (each is rescaled to every radius).
        taus: the NTK radii.
        W_star: an optional ``(m, m)`` direction for the inner-product form.
        l: the position (1-based, >= 2) of the first sequence the adversarial direction is aimed at.

    Returns:
        ``{name: [BackwardCoupling per radius]}`` for every direction, then :data:`ADVERSARIAL`.

    Raises:
        TypeError, ValueError: as :func:`forward_errors`; a bad ``W_star``.
    """
    fn = V.caller(backward_errors)
    taus = list(taus)
    _directions(fn, net, tr, directions, taus)
    out: dict[str, list[BackwardCoupling]] = {name: [] for name in [*directions, ADVERSARIAL]}
    for tau in taus:
        mats = {
            **{k: scale_to(v, tau=tau) for k, v in directions.items()},
            ADVERSARIAL: adversarial_direction(net, tr, l=l, tau=tau),
        }
        for name, Wp in mats.items():
            out[name].append(backward_coupling(net, None, Wp, tr=tr, W_star=W_star))
    return out
