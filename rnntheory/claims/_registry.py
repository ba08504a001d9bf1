r"""The claim registry: each claim of the paper defined once, run by proofs_checks/ and the report.

A :class:`Claim` bundles what the paper says (statement, reference, bound shape), the grids it is
measured on (``"default"``: small, for the test suite and the embedded report; ``"large"``: for a GPU
or a long run), a ``measure`` function that turns one grid cell into tidy rows, and an ``analyse``
function that turns all rows into :class:`Finding` objects (fits, verdicts, constants).
``Claim.run`` does both and returns a :class:`ClaimResult`.

Cells are independent and deterministic given their configuration (which includes the seed,
dtype and device), so sweeps can be cached, resumed and run in parallel.
"""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

import pandas as pd
import torch

from .. import stats as S

__all__ = ["Grid", "Claim", "Finding", "Series", "ClaimResult", "REGISTRY", "register", "get", "names"]

_DTYPES = {"float64": torch.float64, "float32": torch.float32}


@dataclass(frozen=True)
class Grid:
    r"""A sweep: explicit points (dicts of swept parameters) times seeds, plus fixed parameters.

    Build one with :meth:`Grid.product` (every combination of the axes) or pass ``points``.
    """

    points: tuple[Mapping[str, Any], ...]
    seeds: tuple[int, ...]
    fixed: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def product(cls, axes: Mapping[str, Sequence[Any]], seeds: int | Sequence[int], **fixed: Any) -> "Grid":
        keys = list(axes)
        pts = tuple(dict(zip(keys, vals)) for vals in itertools.product(*(axes[k] for k in keys)))
        sd = tuple(range(seeds)) if isinstance(seeds, int) else tuple(seeds)
        return cls(points=pts, seeds=sd, fixed=dict(fixed))

    def with_seeds(self, seeds: int | Sequence[int]) -> "Grid":
        sd = tuple(range(seeds)) if isinstance(seeds, int) else tuple(seeds)
        return Grid(points=self.points, seeds=sd, fixed=self.fixed)

    def with_fixed(self, **fixed: Any) -> "Grid":
        return Grid(points=self.points, seeds=self.seeds, fixed={**self.fixed, **fixed})

    def cells(self, *, device: str = "cpu", dtype: str = "float64") -> list[dict[str, Any]]:
        r"""One configuration dict per (point, seed): fixed parameters, the point, seed, device, dtype."""
        return [
            {**self.fixed, **pt, "seed": s, "device": device, "dtype": dtype}
            for pt in self.points
            for s in self.seeds
        ]

    def __len__(self) -> int:
        return len(self.points) * len(self.seeds)


@dataclass(frozen=True)
class Series:
    r"""The points a finding was judged on, kept for its figure (:mod:`rnntheory.plotting`).

    Attributes:
        x, y: column names of the abscissa and the measured quantity.
        xs, ys: the points (one per row the fit used).
        bound: ``c * shape`` at each point, with ``c`` the smallest constant for an upper bound (the
            largest for a lower bound); ``None`` when the finding has no bound shape.
        kind: ``"upper"`` or ``"lower"``.
        label: what distinguishes these points from other series on the same panel (a direction, a
            width); empty when there is one series.
        panel: the y-axis label; findings with the same ``x`` and ``panel`` share a panel.
    """

    x: str
    y: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    bound: tuple[float, ...] | None = None
    kind: str = "upper"
    label: str = ""
    panel: str = ""


@dataclass(frozen=True)
class Finding:
    r"""One checked part of a claim: a fitted exponent against its claimed value, a growth
    comparison, or a high-probability event, with its verdict and the smallest constant.
    ``series`` holds the points behind a fit, for the figure."""

    name: str
    verdict: str
    detail: str
    fit: S.ExponentFit | S.GrowthComparison | S.BinomialDecision | None = None
    constant: float | None = None
    claimed: str = ""
    series: Series | None = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        c = "" if self.constant is None else f"; smallest constant c = {self.constant:.3g}"
        return f"[{self.verdict}] {self.name}: {self.detail}{c}"


@dataclass
class ClaimResult:
    r"""A claim's measurements (``data``, one row per measurement), findings and overall verdict."""

    claim: "Claim"
    grid: str
    data: pd.DataFrame
    findings: list[Finding]
    seconds: float = 0.0
    fixed: Mapping[str, Any] = field(default_factory=dict)

    def reanalyse(self, data: pd.DataFrame | None = None, **fixed: Any) -> "ClaimResult":
        r"""Judge the same measurements (or ``data``) again with changed fixed parameters, e.g. a
        deliberately wrong claimed exponent; nothing is re-measured."""
        params = {**self.fixed, **fixed}
        df = self.data if data is None else data
        return ClaimResult(self.claim, self.grid, df, self.claim.analyse(df, params), 0.0, params)

    @property
    def verdict(self) -> str:
        return S.combine_verdicts([f.verdict for f in self.findings])

    @property
    def headline(self) -> str:
        """One line: claim name, verdict, and the first finding's measured figure."""
        first = self.findings[0].detail if self.findings else ""
        return f"{self.claim.name}: {self.verdict} -- {first}"

    def __str__(self) -> str:
        lines = [f"{self.claim.name} ({self.claim.reference}): {self.verdict}", f"  claim: {self.claim.statement}"]
        lines += [f"  {f}" for f in self.findings]
        lines.append(f"  grid {self.grid!r}: {len(self.data)} rows in {self.seconds:.1f} s")
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        r"""One row per finding (claim, finding, verdict, detail, constant)."""
        return pd.DataFrame(
            [
                {"claim": self.claim.name, "finding": f.name, "verdict": f.verdict, "claimed": f.claimed,
                 "detail": f.detail, "constant": f.constant}
                for f in self.findings
            ]
        )


@dataclass(frozen=True)
class Claim:
    r"""One claim of the paper, defined once.

    Attributes:
        name: identifier (``"forward_stability"``).
        title: a short human title.
        reference: where it is in the paper (paper.md section, and the lemma it stands for).
        statement: the claim in words.
        quantity: what is measured.
        bound: the bound's shape, e.g. ``"||h_l|| <= c * L^1"``.
        grids: ``{"default": Grid, "large": Grid, ...}``.
        measure: ``cell dict -> list of row dicts`` (or a DataFrame); each row holds the cell's
            configuration and the measured values.
        analyse: ``(DataFrame, fixed parameters) -> list[Finding]``.
        plot: hints for a figure when no finding carries points (rnntheory.plotting): ``{"x": column,
            "y": column, "hue": column, "facet": column}``; findings with a :class:`Series` draw their
            own panels.
    """

    name: str
    title: str
    reference: str
    statement: str
    quantity: str
    bound: str
    grids: Mapping[str, Grid]
    measure: Callable[[dict[str, Any]], list[dict[str, Any]] | pd.DataFrame]
    analyse: Callable[[pd.DataFrame, Mapping[str, Any]], list[Finding]]
    plot: Mapping[str, Any] = field(default_factory=dict)

    def grid(self, grid: str | Grid = "default") -> Grid:
        if isinstance(grid, Grid):
            return grid
        if grid not in self.grids:
            raise ValueError(f"Claim.grid: grid={grid!r} is not defined for {self.name}; expected one of {sorted(self.grids)}")
        return self.grids[grid]

    def cell(self, grid: str | Grid = "default", *, point: int = 0, seed: int | None = None, device: str = "cpu",
             dtype: str | torch.dtype = "float64", **overrides: Any) -> dict[str, Any]:
        r"""One cell of a grid (point ``point``, the grid's first seed unless ``seed`` is given), with
        ``overrides`` replacing any entry: the starting point for measuring one configuration by hand."""
        g = self.grid(grid)
        if not 0 <= point < len(g.points):
            raise ValueError(f"Claim.cell: point={point!r} must be in [0, {len(g.points)}) for {self.name}")
        s = g.seeds[0] if seed is None else seed
        return {**g.fixed, **g.points[point], "seed": s, "device": device, "dtype": dtype_name(dtype), **overrides}

    def measure_frame(self, cell: Mapping[str, Any] | None = None, **overrides: Any) -> pd.DataFrame:
        r"""Measure one cell and return its rows as a DataFrame (one row per measurement, with the
        configuration columns the claim reports). ``cell`` defaults to ``self.cell(**overrides)``.

        >>> from rnntheory import claims
        >>> df = claims.get("forward_coupling").measure_frame(m=256, taus=(0.5, 1.0))  # doctest: +SKIP
        """
        c = self.cell(**overrides) if cell is None else {**cell, **overrides}
        rows = self.measure(dict(c))
        return rows.reset_index(drop=True) if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)

    def measure_cells(
        self,
        cells: Iterable[Mapping[str, Any]],
        *,
        cache: "str | os.PathLike[str] | None" = None,
        jobs: int = 1,
        progress: Any = None,
    ) -> pd.DataFrame:
        r"""Measure the cells (see :func:`rnntheory.sweep.run_tasks` for ``cache``, ``jobs`` and
        ``progress``) and return all rows in cell order."""
        from .. import sweep

        return sweep.frame(sweep.run_tasks([(self, dict(c)) for c in cells], cache=cache, jobs=jobs, progress=progress))

    def run(
        self,
        grid: str | Grid = "default",
        *,
        device: str = "cpu",
        dtype: str | torch.dtype = "float64",
        seeds: int | Sequence[int] | None = None,
        cache: "str | os.PathLike[str] | None" = None,
        jobs: int = 1,
        progress: Any = None,
        **overrides: Any,
    ) -> ClaimResult:
        r"""Measure every cell of a grid and analyse the result.

        Args:
            grid: ``"default"``, ``"large"`` or a :class:`Grid`.
            device: ``"cpu"`` or ``"cuda"``.
            dtype: ``"float64"`` (default) or ``"float32"`` (or the torch dtype).
            seeds: replace the grid's seeds (a count or a list).
            cache: a folder for finished cells, so that an interrupted run resumes (rnntheory.sweep).
            jobs: worker processes for the cells.
            progress: ``True`` for a progress bar on standard error.
            **overrides: replace fixed parameters (for example ``w_var=4.0`` for a broken network).
        """
        g = self.resolve(grid, seeds=seeds, **overrides)
        t0 = time.perf_counter()
        data = self.measure_cells(g.cells(device=device, dtype=dtype_name(dtype)), cache=cache, jobs=jobs, progress=progress)
        return self.result(data, g, grid if isinstance(grid, str) else "custom", time.perf_counter() - t0)

    def resolve(self, grid: str | Grid = "default", *, seeds: int | Sequence[int] | None = None, **overrides: Any) -> Grid:
        r"""The grid ``grid`` with its seeds and fixed parameters replaced as given."""
        g = self.grid(grid)
        if seeds is not None:
            g = g.with_seeds(seeds)
        if overrides:
            g = g.with_fixed(**overrides)
        return g

    def result(self, data: pd.DataFrame, grid: str | Grid = "default", name: str | None = None, seconds: float = 0.0,
               **fixed: Any) -> ClaimResult:
        r"""Analyse measured rows into a :class:`ClaimResult`, with the fixed parameters of ``grid``
        (default: the default grid's) updated by ``fixed``; ``name`` labels the result's grid
        (default ``"custom"``).

        >>> from rnntheory import claims
        >>> c = claims.get("forward_coupling")
        >>> df = pd.concat([c.measure_frame(m=m, seed=s) for m in (128, 256, 512) for s in range(3)])  # doctest: +SKIP
        >>> print(c.result(df))                                                                          # doctest: +SKIP
        """
        g = self.grid(grid)
        params = {**g.fixed, **fixed}
        label = name if name is not None else "custom"  # rows measured elsewhere than on ``grid``
        return ClaimResult(self, label, data, self.analyse(data, params), seconds, params)


def dtype_name(dtype: str | torch.dtype) -> str:
    for k, v in _DTYPES.items():
        if dtype == k or dtype == v:
            return k
    raise ValueError(f"Claim.run: dtype={dtype!r} must be 'float64' or 'float32'")


def torch_dtype(name: str) -> torch.dtype:
    return _DTYPES[dtype_name(name)]


REGISTRY: dict[str, Claim] = {}


def register(claim: Claim) -> Claim:
    if claim.name in REGISTRY:
        raise ValueError(f"claims.register: a claim named {claim.name!r} is already registered")
    for required in ("default", "large"):
        if required not in claim.grids:
            raise ValueError(f"claims.register: {claim.name} has no {required!r} grid")
    REGISTRY[claim.name] = claim
    return claim


def get(name: str) -> Claim:
    if name not in REGISTRY:
        raise ValueError(f"claims.get: name={name!r} is not a registered claim; expected one of {sorted(REGISTRY)}")
    return REGISTRY[name]


def names() -> list[str]:
    return list(REGISTRY)
