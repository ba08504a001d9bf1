r"""A claim's grid (measuring settings): points times seeds plus fixed parameters. One job: the
:class:`Grid` data type (rnntheory.checking re-exports it), with the names its cells are built from
(:data:`SEEDS_KEY`, :func:`point_settings`) and the dtype names of a cell. Its arguments are checked
by rnntheory._validation (seeds by :func:`rnntheory._validation.seeds`), under its one policy."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

from .. import _validation as V

__all__ = ["Grid", "SEEDS_KEY", "dtype_name", "torch_dtype", "point_settings"]


def dtype_name(dtype: Any, where: str = "Claim.run") -> str:
    r"""The name (``"float64"`` or ``"float32"``) of a cell's dtype (:func:`rnntheory._validation.dtype_name`)."""
    return V.dtype_name(dtype, where)


def torch_dtype(name: Any):
    r"""The torch dtype of a cell's dtype name (:func:`rnntheory._validation.torch_dtype`)."""
    return V.torch_dtype(name, "Claim.run")


SEEDS_KEY = "seeds"
"""A point's own seeds (see :class:`Grid`); never part of a cell."""


def point_settings(point: Mapping[str, Any]) -> dict[str, Any]:
    r"""A grid point's measuring settings: the point without its own ``"seeds"``."""
    return {k: v for k, v in point.items() if k != SEEDS_KEY}


@dataclass(frozen=True)
class Grid:
    r"""A sweep: explicit points (dicts of swept parameters) times seeds, plus fixed parameters.

    ``points``, ``seeds`` and ``fixed`` are measuring settings: they make the cells. ``judging`` holds
    judging settings for data measured on this grid (e.g. the reference width of the large grid);
    it never enters a cell. Build one with :meth:`Grid.product` (every combination of the axes) or
    pass ``points``. A point may carry its own ``"seeds"`` (a count or a list), which replaces the
    grid's seeds at that point: the way to measure fewer networks where one costs most (the largest
    widths) without dropping the point. ``"seeds"`` never enters a cell.

    >>> g = Grid(points=({"m": 256}, {"m": 1024, "seeds": 2}), seeds=4, fixed={"L": 8})
    >>> len(g), g.cells()[0]
    (6, {'L': 8, 'm': 256, 'seed': 0, 'device': 'cpu', 'dtype': 'float64'})
    """

    points: tuple[Mapping[str, Any], ...]
    seeds: tuple[int, ...]
    fixed: Mapping[str, Any] = field(default_factory=dict)
    judging: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        what = (
            f"Grid: points={self.points!r} must be a non-empty list of points (a grid without cells measures nothing)"
        )
        if isinstance(self.points, (str, bytes, Mapping)) or not isinstance(self.points, Sequence):
            raise TypeError(what)
        if not self.points:
            raise ValueError(what)
        for pt in self.points:
            if not isinstance(pt, Mapping):
                raise TypeError(f"Grid: the point {pt!r} must be a mapping of settings, e.g. {{'m': 512}}")
            if SEEDS_KEY in pt:
                V.seeds(f"Grid point {dict(pt)!r}", pt[SEEDS_KEY])
        object.__setattr__(self, "seeds", V.seeds("Grid", self.seeds))

    @classmethod
    def product(
        cls,
        axes: Mapping[str, Sequence[Any]],
        seeds: int | Sequence[int],
        *,
        judging: Mapping[str, Any] | None = None,
        **fixed: Any,
    ) -> "Grid":
        r"""Every combination of the ``axes`` (setting -> values; the last axis varies fastest) times
        ``seeds`` (a count ``n`` for ``0..n-1``, or a list), with the ``fixed`` measuring settings and
        the ``judging`` overrides of data measured on this grid.

        >>> g = Grid.product({"m": [256, 512], "L": [4, 8]}, seeds=3, d_x=8, eps_x=0.1)
        >>> len(g.points), len(g), g.points[1]
        (4, 12, {'m': 256, 'L': 8})
        >>> g.cells()[0]
        {'d_x': 8, 'eps_x': 0.1, 'm': 256, 'L': 4, 'seed': 0, 'device': 'cpu', 'dtype': 'float64'}
        """
        keys = list(axes)
        pts = tuple(dict(zip(keys, vals)) for vals in itertools.product(*(axes[k] for k in keys)))
        return cls(points=pts, seeds=V.seeds("Grid", seeds), fixed=dict(fixed), judging=dict(judging or {}))

    def with_seeds(self, seeds: int | Sequence[int]) -> "Grid":
        r"""The grid with ``seeds`` at every point (per-point seeds are dropped)."""
        pts = tuple({k: v for k, v in p.items() if k != SEEDS_KEY} for p in self.points)
        return replace(self, points=pts, seeds=V.seeds("Grid", seeds))

    def point_seeds(self, point: Mapping[str, Any]) -> tuple[int, ...]:
        r"""The seeds measured at ``point``: its own ``"seeds"`` if it has them, else the grid's."""
        return V.seeds("Grid", point[SEEDS_KEY]) if SEEDS_KEY in point else self.seeds

    def seed_counts(self) -> list[int]:
        r"""The distinct numbers of seeds its points measure, smallest first (one number when every
        point measures the same seeds)."""
        return sorted({len(self.point_seeds(p)) for p in self.points})

    def grow(self, factor: float) -> "Grid":
        r"""The grid with about ``factor`` times the seeds at every point (at least one more): each point
        keeps its seeds and gains new ones numbered after the largest seed of the grid, so no cell is
        shared with the old ones (a budgeted run's round, rnntheory.checking.budget)."""
        if not V.real("Grid.grow", "factor", factor) > 1:
            raise ValueError(f"Grid.grow: factor={factor!r} must be above 1")
        top = max(s for p in self.points for s in self.point_seeds(p)) + 1
        pts = []
        for p in self.points:
            old = self.point_seeds(p)
            n = max(int(math.ceil(len(old) * factor)), len(old) + 1)
            pts.append({**p, SEEDS_KEY: tuple(old) + tuple(range(top, top + n - len(old)))})
        return replace(self, points=tuple(pts))

    def with_seed_offset(self, offset: int) -> "Grid":
        r"""The grid with every seed shifted by ``offset`` (a non-negative integer): an independent
        replication of the same design, whose cells share no cache entry with the original's."""
        offset = V.non_negative_int("Grid.with_seed_offset", "offset", offset)
        pts = tuple(
            {**p, SEEDS_KEY: tuple(s + offset for s in self.point_seeds(p))} if SEEDS_KEY in p else p
            for p in self.points
        )
        return replace(self, points=pts, seeds=tuple(s + offset for s in self.seeds))

    def with_fixed(self, **fixed: Any) -> "Grid":
        r"""The grid with the ``fixed`` measuring settings added (replacing those of the same name)."""
        return replace(self, fixed={**self.fixed, **fixed})

    def cells(self, *, device: str = "cpu", dtype: str = "float64") -> list[dict[str, Any]]:
        r"""One configuration dict per (point, seed): fixed parameters, the point, seed, device, dtype."""
        return [
            {**self.fixed, **point_settings(pt), "seed": s, "device": device, "dtype": dtype}
            for pt in self.points
            for s in self.point_seeds(pt)
        ]

    def __len__(self) -> int:
        return sum(len(self.point_seeds(p)) for p in self.points)
