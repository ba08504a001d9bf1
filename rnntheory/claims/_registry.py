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
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

import pandas as pd
import torch

from .. import stats as S

__all__ = ["Grid", "Claim", "Finding", "ClaimResult", "REGISTRY", "register", "get", "names"]

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
class Finding:
    r"""One checked part of a claim: a fitted exponent against its claimed value, a growth
    comparison, or a high-probability event, with its verdict and the smallest constant."""

    name: str
    verdict: str
    detail: str
    fit: S.ExponentFit | S.GrowthComparison | S.BinomialDecision | None = None
    constant: float | None = None
    claimed: str = ""

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
        plot: hints for the figure: ``{"x": column, "y": column, "hue": column, "shape": callable}``.
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

    def measure_cells(self, cells: Iterable[dict[str, Any]], progress: Callable[[int], None] | None = None) -> pd.DataFrame:
        frames = []
        for cell in cells:
            rows = self.measure(dict(cell))
            frames.append(rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows))
            if progress is not None:
                progress(1)
        return pd.concat(frames, ignore_index=True)

    def run(
        self,
        grid: str | Grid = "default",
        *,
        device: str = "cpu",
        dtype: str | torch.dtype = "float64",
        seeds: int | Sequence[int] | None = None,
        **overrides: Any,
    ) -> ClaimResult:
        r"""Measure every cell of a grid and analyse the result.

        Args:
            grid: ``"default"``, ``"large"`` or a :class:`Grid`.
            device: ``"cpu"`` or ``"cuda"``.
            dtype: ``"float64"`` (default) or ``"float32"`` (or the torch dtype).
            seeds: replace the grid's seeds (a count or a list).
            **overrides: replace fixed parameters (for example ``w_var=4.0`` for a broken network).
        """
        g = self.grid(grid)
        if seeds is not None:
            g = g.with_seeds(seeds)
        if overrides:
            g = g.with_fixed(**overrides)
        dt = dtype_name(dtype)
        t0 = time.perf_counter()
        data = self.measure_cells(g.cells(device=device, dtype=dt))
        findings = self.analyse(data, g.fixed)
        name = grid if isinstance(grid, str) else "custom"
        return ClaimResult(self, name, data, findings, time.perf_counter() - t0, dict(g.fixed))


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
