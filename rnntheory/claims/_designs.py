r"""What several of the paper's claims declare alike: the points of a joint (L, m) design and the settings of
the single-lag concept the learning claims share."""

from __future__ import annotations

from typing import Any, Mapping

__all__ = ["rays", "CONCEPT"]

CONCEPT = dict(d_x=8, lag=1, p=3, phi="sin", concept_seed=0, eps_x=0.1)
"""The single-lag concept of the learning claims (:func:`~rnntheory.claims.cells.cell_concept`): the same
target for every width and seed, so that only the network and the sample stream vary."""


def rays(
    widths: Mapping[int, tuple[int, ...]], seeds: int | Mapping[int, int] | None = None, **point: Any
) -> tuple[dict[str, Any], ...]:
    r"""The points of a joint (L, m) design along rays: per length L the widths around its threshold, each
    with the settings ``point`` and its own number of networks where ``seeds`` gives one (a number for
    every point, or a number per width).

    >>> rays({4: (32, 64), 8: (128,)}, seeds={128: 2}, tau=1.0)
    ({'L': 4, 'm': 32, 'tau': 1.0}, {'L': 4, 'm': 64, 'tau': 1.0}, {'L': 8, 'm': 128, 'tau': 1.0, 'seeds': 2})
    """
    out = []
    for L, ms in widths.items():
        for m in ms:
            n = seeds.get(m) if isinstance(seeds, Mapping) else seeds
            out.append({"L": L, "m": m, **point} if n is None else {"L": L, "m": m, **point, "seeds": n})
    return tuple(out)
