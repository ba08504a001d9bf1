r"""The claim registry: each claim of the paper defined once, run by proofs_checks/ and the report.

One job: the data model of a claim (Grid, Claim, Finding, ClaimResult, Control) and the one path from
a grid to a verdict; its length is their documented fields.

A :class:`Claim` bundles what the paper says (statement, reference, bound shape), the grids it is
measured on (``"default"``: small, for the test suite and the embedded report; ``"large"``: for a GPU
or a long run), a ``measure`` function that turns one grid cell into tidy rows, and an ``analyse``
function that turns all rows into :class:`Finding` objects (fits and verdicts, through
:mod:`rnntheory.verdicts`).

Two kinds of settings, kept apart:

* **measuring** settings (what a cell computes: m, L, omega, steps, seeds) live in a :class:`Grid`
  (its ``points``, ``seeds`` and ``fixed``); only they enter a cell, its cache key and results.csv,
  together with the claim's measurement ``version``;
* **judging** settings (claimed exponents, thresholds, resolutions, which width is the reference)
  live on the claim (``Claim.judging``, with per-grid overrides in ``Grid.judging``); changing them
  re-judges stored cells without measuring anything again.

One path leads from a grid to a verdict: :meth:`Claim.run` measures the cells (rnntheory.sweep) and
:meth:`Claim.judge` analyses them; the report and proofs_checks use the same two methods. An
analysis that cannot run on its data gives one "inconclusive" finding that says why.

Every claim carries negative controls (:class:`Control`): re-analyses of its own measurements with a
too-strong claimed exponent, a wrong normalisation in m, or exponential growth injected where the
claim says polynomial; :meth:`ClaimResult.controls` runs them.
"""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Literal, Mapping, Sequence

import pandas as pd

from .. import _validation as V
from .. import sweep
from .. import verdicts as VD
from ..cost import Cost, estimate

__all__ = ["Grid", "Claim", "Finding", "Series", "ClaimResult", "Control", "ControlOutcome", "REGISTRY", "register",
           "get", "names", "dtype_name", "torch_dtype", "ANALYSIS_ERRORS", "CONTROL_KINDS"]

ANALYSIS_ERRORS = (VD.CannotAnalyse, ValueError, KeyError, IndexError, ArithmeticError)
"""Errors of an analysis that cannot run on its data (too few points or seeds for a fit, a missing
sweep or column): :meth:`Claim.judge` turns them into an "inconclusive" finding."""

CONTROL_KINDS = ("too_strong", "wrong_m", "exponential")
"""The three negative controls every claim answers for (docs/conventions.md)."""


def dtype_name(dtype: Any) -> str:
    return V.dtype_name(dtype, "Claim.run")


def torch_dtype(name: Any):
    return V.torch_dtype(name, "Claim.run")


def _seeds(seeds: int | Sequence[int], where: str = "Grid") -> tuple[int, ...]:
    r"""A count (``n`` -> ``0..n-1``) or a list of distinct non-negative integers; anything else
    (a string, a float, a bool, a repeated seed, none at all) is refused with a message."""
    what = f"{where}: seeds={seeds!r} must be a positive count or a list of distinct non-negative integers"
    if isinstance(seeds, bool):
        raise TypeError(what)
    if isinstance(seeds, int):
        if seeds < 1:
            raise ValueError(what)
        return tuple(range(seeds))
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence):
        raise TypeError(what)
    if not seeds or any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in seeds):
        raise ValueError(what)
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"{what} (a repeated seed would count one network twice)")
    return tuple(int(v) for v in seeds)


def _type_fits(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in types
    if isinstance(value, int) and (int in types or float in types):
        return True
    if isinstance(value, float) and float in types:
        return True
    if isinstance(value, (list, tuple)) and (list in types or tuple in types):
        return True
    if isinstance(value, Mapping) and dict in types:
        return True
    return isinstance(value, str) and str in types


SEEDS_KEY = "seeds"
"""A point's own seeds (see :class:`Grid`); never part of a cell."""


def _point(point: Mapping[str, Any]) -> dict[str, Any]:
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
    """

    points: tuple[Mapping[str, Any], ...]
    seeds: tuple[int, ...]
    fixed: Mapping[str, Any] = field(default_factory=dict)
    judging: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.points, (str, bytes, Mapping)) or not isinstance(self.points, Sequence) or not self.points:
            raise ValueError(f"Grid: points={self.points!r} must be a non-empty list of points (a grid without "
                             "cells measures nothing)")
        for pt in self.points:
            if not isinstance(pt, Mapping):
                raise TypeError(f"Grid: the point {pt!r} must be a mapping of settings, e.g. {{'m': 512}}")
            if SEEDS_KEY in pt:
                _seeds(pt[SEEDS_KEY], f"Grid point {dict(pt)!r}")
        object.__setattr__(self, "seeds", _seeds(self.seeds, "Grid"))

    @classmethod
    def product(cls, axes: Mapping[str, Sequence[Any]], seeds: int | Sequence[int], *,
                judging: Mapping[str, Any] | None = None, **fixed: Any) -> "Grid":
        keys = list(axes)
        pts = tuple(dict(zip(keys, vals)) for vals in itertools.product(*(axes[k] for k in keys)))
        return cls(points=pts, seeds=_seeds(seeds), fixed=dict(fixed), judging=dict(judging or {}))

    def with_seeds(self, seeds: int | Sequence[int]) -> "Grid":
        r"""The grid with ``seeds`` at every point (per-point seeds are dropped)."""
        pts = tuple({k: v for k, v in p.items() if k != SEEDS_KEY} for p in self.points)
        return replace(self, points=pts, seeds=_seeds(seeds))

    def point_seeds(self, point: Mapping[str, Any]) -> tuple[int, ...]:
        r"""The seeds measured at ``point``: its own ``"seeds"`` if it has them, else the grid's."""
        return _seeds(point[SEEDS_KEY]) if SEEDS_KEY in point else self.seeds

    def with_seed_offset(self, offset: int) -> "Grid":
        r"""The grid with every seed shifted by ``offset`` (a non-negative integer): an independent
        replication of the same design, whose cells share no cache entry with the original's."""
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ValueError(f"Grid.with_seed_offset: offset={offset!r} must be a non-negative integer")
        pts = tuple({**p, SEEDS_KEY: tuple(s + offset for s in self.point_seeds(p))} if SEEDS_KEY in p else p
                    for p in self.points)
        return replace(self, points=pts, seeds=tuple(s + offset for s in self.seeds))

    def with_fixed(self, **fixed: Any) -> "Grid":
        return replace(self, fixed={**self.fixed, **fixed})

    def cells(self, *, device: str = "cpu", dtype: str = "float64") -> list[dict[str, Any]]:
        r"""One configuration dict per (point, seed): fixed parameters, the point, seed, device, dtype."""
        return [
            {**self.fixed, **_point(pt), "seed": s, "device": device, "dtype": dtype}
            for pt in self.points
            for s in self.point_seeds(pt)
        ]

    def __len__(self) -> int:
        return sum(len(self.point_seeds(p)) for p in self.points)


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
        reference: an exact value at each point (e.g. the infinite-width limit), drawn as a line
            labelled ``reference_label``; ``None`` when there is none.
    """

    x: str
    y: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    bound: tuple[float, ...] | None = None
    kind: str = "upper"
    label: str = ""
    panel: str = ""
    reference: tuple[float, ...] | None = None
    reference_label: str = "limit"


@dataclass(frozen=True)
class Finding:
    r"""One checked part of a claim: its :class:`~rnntheory.verdicts.Decision` (verdict, claimed side,
    measured interval, resolution, reason), the fit behind it, the smallest constant of its bound and
    the points for its figure. Built by the shared finding builders (``claims._findings``), never by
    hand, so that every verdict comes from :mod:`rnntheory.verdicts`."""

    name: str
    decision: VD.Decision
    detail: str
    fit: Any = None
    constant: float | None = None
    series: Series | None = field(default=None, repr=False, compare=False)
    extra: tuple[Series, ...] = field(default=(), repr=False, compare=False)
    """Described series drawn on panels of their own, with no fit and no verdict (e.g. the measured
    quantities beside their exact limits, where the finding judges their deviation)."""

    @property
    def verdict(self) -> VD.Verdict:
        return self.decision.verdict

    @property
    def claimed(self) -> str:
        return self.decision.claimed

    @property
    def resolution(self) -> float:
        return self.decision.resolution

    def __str__(self) -> str:
        c = "" if self.constant is None else f"; smallest constant c = {self.constant:.3g}"
        return f"[{self.verdict}] {self.name}: {self.detail}{c}"


@dataclass(frozen=True)
class Control:
    r"""A negative control: an error the claim's check must catch, as a re-analysis of its own data.

    Attributes:
        kind: ``"too_strong"`` (a claimed exponent stronger than the truth), ``"wrong_m"`` (the
            quantity multiplied by a power of m, as a wrong normalisation would) or ``"exponential"``
            (exponential growth injected where the claim says polynomial).
        what: the error in words.
        judging: judging settings to change (e.g. a too-strong claimed exponent).
        data: a function that returns the altered measurements (e.g. a column times sqrt(m)).
        undetectable: when not empty, the claim cannot detect this error, and this says why.
    """

    kind: Literal["too_strong", "wrong_m", "exponential"]
    what: str
    judging: Mapping[str, Any] = field(default_factory=dict)
    data: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    undetectable: str = ""

    def __post_init__(self) -> None:
        if self.kind not in CONTROL_KINDS:
            raise ValueError(f"claims.Control: kind={self.kind!r} must be one of {CONTROL_KINDS}")
        if not self.undetectable and not self.judging and self.data is None:
            raise ValueError(f"claims.Control: the {self.kind} control changes nothing; give judging, data or undetectable")


@dataclass(frozen=True)
class ControlOutcome:
    r"""The result of one negative control: ``rejected`` when the altered analysis reads
    "inconsistent" with at least one finding that was not inconsistent before; ``moot`` when the
    measurements themselves already read "inconsistent" and the altered analysis adds no new
    inconsistent finding, so that the control cannot show anything on these measurements."""

    kind: str
    what: str
    verdict: VD.Verdict | None
    rejected: bool
    detail: str
    moot: bool = False

    @property
    def status(self) -> str:
        if self.verdict is None:
            return "cannot detect"
        if self.moot:
            return "moot"
        return "rejected" if self.rejected else "NOT rejected"

    def __str__(self) -> str:
        return f"{self.kind}: {self.status} ({self.what}; {self.detail})"


@dataclass
class ClaimResult:
    r"""A claim's measurements (``data``, one row per measurement), findings, overall verdict, and the
    judging settings they were judged with."""

    claim: "Claim"
    grid: str
    data: pd.DataFrame
    findings: list[Finding]
    seconds: float = 0.0
    settings: Mapping[str, Any] = field(default_factory=dict)
    failed: list[dict[str, Any]] = field(default_factory=list)
    """The cells whose measurement raised: ``{"cell", "key", "error"}`` each (rnntheory.sweep.failures)."""

    def reanalyse(self, data: pd.DataFrame | None = None, **judging: Any) -> "ClaimResult":
        r"""Judge the same measurements (or ``data``) again with changed judging settings, e.g. a
        deliberately wrong claimed exponent; nothing is re-measured."""
        unknown = set(judging) - set(self.claim.judging)
        if unknown:
            raise ValueError(f"ClaimResult.reanalyse: {self.claim.name} has no judging settings {sorted(unknown)}; "
                             f"expected some of {sorted(self.claim.judging)}")
        df = self.data if data is None else data
        return self.claim.judge(df, settings={**self.settings, **judging}, name=self.grid, failed=self.failed)

    @property
    def verdict(self) -> VD.Verdict:
        return VD.combine(f.verdict for f in self.findings)

    @property
    def headline(self) -> str:
        """One line: claim name, verdict, and the first finding's measured figure."""
        first = self.findings[0].detail if self.findings else ""
        return f"{self.claim.name}: {self.verdict} -- {first}"

    def controls(self) -> list[ControlOutcome]:
        r"""Run the claim's negative controls on these measurements (nothing is re-measured)."""
        before = {f.name: f.verdict for f in self.findings}
        out = []
        for c in self.claim.controls:
            if c.undetectable:
                out.append(ControlOutcome(c.kind, c.what, None, False, c.undetectable))
                continue
            try:
                alt = self.reanalyse(None if c.data is None else c.data(self.data.copy()), **c.judging)
            except ANALYSIS_ERRORS as exc:  # pragma: no cover - judge already catches these
                out.append(ControlOutcome(c.kind, c.what, VD.Verdict.INCONCLUSIVE, False, f"{type(exc).__name__}: {exc}"))
                continue
            caught = [f for f in alt.findings
                      if f.verdict == VD.Verdict.INCONSISTENT and before.get(f.name) != VD.Verdict.INCONSISTENT]
            rejected = alt.verdict == VD.Verdict.INCONSISTENT and bool(caught)
            # the claim already reads inconsistent and the altered analysis adds no new inconsistent finding:
            # the control cannot show anything more on these measurements
            moot = not rejected and alt.verdict == VD.Verdict.INCONSISTENT and self.verdict == VD.Verdict.INCONSISTENT
            if rejected:
                detail = f"caught by: {caught[0].name}" + (f" (+{len(caught) - 1} more)" if len(caught) > 1 else "")
            elif moot:
                detail = "the claim already reads inconsistent and the altered analysis adds no new inconsistent finding"
            else:
                detail = f"the altered analysis reads {alt.verdict}"
            out.append(ControlOutcome(c.kind, c.what, alt.verdict, rejected, detail, moot))
        return out

    def __str__(self) -> str:
        lines = [f"{self.claim.name} ({self.claim.reference}): {self.verdict}", f"  claim: {self.claim.statement}"]
        lines += [f"  {f}" for f in self.findings]
        lines.append(f"  grid {self.grid!r}: {len(self.data)} rows in {self.seconds:.1f} s")
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        r"""One row per finding (claim, finding, verdict, claimed, resolution, detail, constant)."""
        return pd.DataFrame(
            [
                {"claim": self.claim.name, "finding": f.name, "verdict": str(f.verdict), "claimed": f.claimed,
                 "resolution": f.resolution, "detail": f.detail, "constant": f.constant}
                for f in self.findings
            ]
        )


@dataclass(frozen=True)
class Claim:
    r"""One claim of the paper, defined once.

    Attributes:
        name: identifier (``"forward_stability"``).
        title: a short human title.
        reference: where it is in the paper (section, and the lemma it stands for).
        statement: the claim in words.
        quantity: what is measured.
        bound: the bound's shape, e.g. ``"||h_l|| <= c * L^1"``.
        grids: ``{"default": Grid, "large": Grid, ...}`` (measuring settings).
        measure: ``cell dict -> list of row dicts`` (or a DataFrame); each row holds the cell's
            configuration and the measured values. Must be a module-level function (cells are
            measured in worker processes).
        analyse: ``(DataFrame, judging settings) -> list[Finding]``; reads measured configuration
            from the rows, and what it claims from the settings.
        judging: the default judging settings (claimed exponents, thresholds, resolutions).
        controls: the negative controls (:class:`Control`), one per kind in :data:`CONTROL_KINDS`.
        version: the version of ``measure``; bump it when the rows a cell returns change, so that
            cached cells of the old code are not used.
        cells: the name its cells are filed under in a cache (default: the claim's name). Claims
            that measure the same cells with the same function share a name, so each cell is
            measured once.
        plot: hints for a figure when no finding carries points (rnntheory.plotting).
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
    judging: Mapping[str, Any] = field(default_factory=dict)
    controls: tuple[Control, ...] = ()
    version: int = 1
    cells: str = ""
    plot: Mapping[str, Any] = field(default_factory=dict)

    def grid(self, grid: str | Grid = "default") -> Grid:
        if isinstance(grid, Grid):
            return grid
        if grid not in self.grids:
            raise ValueError(f"Claim.grid: grid={grid!r} is not defined for {self.name}; expected one of {sorted(self.grids)}")
        return self.grids[grid]

    def settings(self, grid: str | Grid = "default", **judging: Any) -> dict[str, Any]:
        r"""The judging settings for data of ``grid``: the claim's, the grid's overrides, then ``judging``."""
        unknown = set(judging) - set(self.judging)
        if unknown:
            raise ValueError(f"Claim.settings: {self.name} has no judging settings {sorted(unknown)}; "
                             f"expected some of {sorted(self.judging)}")
        return {**self.judging, **self.grid(grid).judging, **judging}

    def measuring_types(self) -> dict[str, tuple[type, ...]]:
        r"""Every measuring setting of the claim's cells (the keys of its registered grids' points and
        fixed parameters) with the Python types its values take there."""
        out: dict[str, set[type]] = {}
        for g in self.grids.values():
            for source in (g.fixed, *g.points):
                for k, v in source.items():
                    if k != SEEDS_KEY:
                        out.setdefault(k, set()).add(type(v))
        if "m" in out:  # every claim that builds a network takes its W variance (claims._common.make_net)
            out.setdefault("w_var", set()).update({float, int})
        return {k: tuple(sorted(v, key=lambda t: t.__name__)) for k, v in out.items()}

    def check_settings(self, settings: Mapping[str, Any], where: str) -> None:
        r"""Refuse measuring settings the claim does not have, or of a type its grids never use (a
        misremembered name would otherwise give default results that look like the asked run)."""
        known = self.measuring_types()
        unknown = sorted(set(settings) - set(known) - {"seed", "device", "dtype", SEEDS_KEY})
        if unknown:
            raise ValueError(f"{where}: {self.name} has no measuring settings {unknown}; "
                             f"expected some of {sorted(known)}")
        for k, v in settings.items():
            if k in known and not _type_fits(v, known[k]):
                names_ = " or ".join(t.__name__ for t in known[k])
                raise TypeError(f"{where}: {self.name} setting {k}={v!r} must be {names_}")

    def cell(self, grid: str | Grid = "default", *, point: int = 0, seed: int | None = None, device: str = "cpu",
             dtype: Any = "float64", **overrides: Any) -> dict[str, Any]:
        r"""One cell of a grid (point ``point``, the grid's first seed unless ``seed`` is given), with
        ``overrides`` replacing any entry: the starting point for measuring one configuration by hand."""
        g = self.grid(grid)
        self.check_settings(overrides, "Claim.cell")
        if not 0 <= point < len(g.points):
            raise ValueError(f"Claim.cell: point={point!r} must be in [0, {len(g.points)}) for {self.name}")
        s = g.point_seeds(g.points[point])[0] if seed is None else seed
        return {**g.fixed, **_point(g.points[point]), "seed": s, "device": device, "dtype": dtype_name(dtype), **overrides}

    def measure_frame(self, cell: Mapping[str, Any] | None = None, **overrides: Any) -> pd.DataFrame:
        r"""Measure one cell and return its rows as a DataFrame (one row per measurement, with the
        configuration columns the claim reports). ``cell`` defaults to ``self.cell(**overrides)``.

        >>> from rnntheory import claims
        >>> df = claims.get("forward_coupling").measure_frame(m=256, taus=(0.5, 1.0))  # doctest: +SKIP
        """
        if cell is not None:
            self.check_settings({**cell, **overrides}, "Claim.measure_frame")
        c = self.cell(**overrides) if cell is None else {**cell, **overrides}
        rows = self.measure(dict(c))
        return rows.reset_index(drop=True) if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)

    def tasks(self, cells: Iterable[Mapping[str, Any]]) -> list[sweep.Task]:
        r"""One :class:`rnntheory.sweep.Task` per cell (filed under the claim's name and version)."""
        return [sweep.Task(self.cells or self.name, self.measure, dict(c), self.version) for c in cells]

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
        return sweep.frame(sweep.run_tasks(self.tasks(cells), cache=cache, jobs=jobs, progress=progress))

    def run(
        self,
        grid: str | Grid = "default",
        *,
        device: str = "cpu",
        dtype: Any = "float64",
        seeds: int | Sequence[int] | None = None,
        seed_offset: int = 0,
        cache: "str | os.PathLike[str] | None" = None,
        jobs: int = 1,
        progress: Any = "auto",
        retry_failed: bool = False,
        executor: str = "local",
        scheduler: str | None = None,
        **overrides: Any,
    ) -> ClaimResult:
        r"""Measure every cell of a grid and judge the result (:meth:`judge`).

        Args:
            grid: ``"default"``, ``"large"`` or a :class:`Grid`.
            device: ``"cpu"`` or ``"cuda"``.
            dtype: ``"float64"`` (default) or ``"float32"`` (or the torch dtype).
            seeds: replace the grid's seeds (a count or a list).
            seed_offset: shift every seed by this much: an independent replication (fresh networks,
                inputs and directions) that shares no cache entry with the unshifted run.
            cache: a folder for finished cells, so that an interrupted run resumes (rnntheory.sweep).
            jobs: worker processes for the cells.
            progress: ``"auto"`` (default): a progress bar on standard error when a person is watching (a
                terminal or a notebook; not under pytest or CI); ``True`` or ``False`` to decide.
            retry_failed: measure again the cached cells that failed (a failed cell is otherwise a
                recorded outcome: the claim reads "inconclusive" and names it).
            executor, scheduler: where cells are measured: ``"local"`` (``jobs`` processes) or ``"dask"``
                (the Dask cluster at ``scheduler``, or a LocalCluster); see rnntheory.sweep.run_tasks.
            **overrides: replace fixed (measuring) parameters, for example ``w_var=4.0`` for a broken
                network. Judging settings are changed with :meth:`ClaimResult.reanalyse`.
        """
        device = V.run_device("Claim.run", device)
        g = self.resolve(grid, seeds=seeds, seed_offset=seed_offset, **overrides)
        t0 = time.perf_counter()
        records = sweep.run_tasks(self.tasks(g.cells(device=device, dtype=dtype_name(dtype))), cache=cache, jobs=jobs,
                                  progress=progress, retry_failed=retry_failed, executor=executor,
                                  scheduler=scheduler)
        return self.judge(sweep.frame(records), g, name=grid if isinstance(grid, str) else "custom",
                          seconds=time.perf_counter() - t0, failed=sweep.failures(records))

    def cost(self, grid: str | Grid = "default", *, device: str = "cpu", dtype: Any = "float64",
             seeds: int | Sequence[int] | None = None, seed_offset: int = 0,
             cache: "str | os.PathLike[str] | None" = None, retry_failed: bool = False, **overrides: Any) -> Cost:
        r"""What :meth:`run` with these arguments would cost, measuring nothing: the cells, how many are
        in ``cache``, and the estimated compute of the rest from measured per-cell times
        (:mod:`rnntheory.cost`). ``print(claim.cost())`` shows it; ``.wall(jobs)`` estimates the wall
        time with ``jobs`` workers.

        >>> from rnntheory import claims
        >>> claims.get("sign_changes").cost().seconds   # doctest: +SKIP
        """
        device = V.run_device("Claim.cost", device)
        g = self.resolve(grid, seeds=seeds, seed_offset=seed_offset, where="Claim.cost", **overrides)
        tasks = self.tasks(g.cells(device=device, dtype=dtype_name(dtype)))
        return estimate(tasks, cache=cache, labels=[self.name] * len(tasks), retry_failed=retry_failed)

    def resolve(self, grid: str | Grid = "default", *, seeds: int | Sequence[int] | None = None, seed_offset: int = 0,
                where: str = "Claim.run", **overrides: Any) -> Grid:
        r"""The grid ``grid`` with its seeds replaced (then shifted by ``seed_offset``) and its fixed
        parameters replaced as given."""
        g = self.grid(grid)
        if seeds is not None:
            try:
                g = g.with_seeds(seeds)
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"{where}: {self.name}: {exc}") from None
        if seed_offset:
            g = g.with_seed_offset(seed_offset)
        if overrides:
            self.check_settings(overrides, where)
            swept = sorted(set(overrides) & {k for pt in g.points for k in pt})
            if swept:
                # a point's value wins over a fixed one: the override would be ignored without a word
                raise ValueError(f"{where}: {self.name} sweeps {swept} over its grid points, so {swept[0]}="
                                 f"{overrides[swept[0]]!r} cannot be fixed; pass a Grid with the points you want "
                                 "(or measure one configuration with Claim.measure_frame)")
            g = g.with_fixed(**overrides)
        return g

    def judge(self, data: pd.DataFrame, grid: str | Grid = "default", *, name: str | None = None, seconds: float = 0.0,
              settings: Mapping[str, Any] | None = None, failed: Sequence[Mapping[str, Any]] = (),
              **judging: Any) -> ClaimResult:
        r"""Analyse measured rows into a :class:`ClaimResult`: the one path from measurements to a
        verdict. Judging settings are those of ``grid`` (:meth:`settings`) updated by ``judging``, or
        exactly ``settings`` when given. An analysis that cannot run on these rows (too few points or
        seeds for a fit, a missing sweep) gives one "inconclusive" finding that says why. Cells that
        ``failed`` (rnntheory.sweep.failures) add one "inconclusive" finding that names them: the
        other findings use the cells that finished, and cannot stand for the whole grid."""
        params = dict(settings) if settings is not None else self.settings(grid, **judging)
        label = name if name is not None else (grid if isinstance(grid, str) else "custom")
        try:
            findings = list(self.analyse(data, params)) if len(data) else []
            if not findings:
                raise VD.CannotAnalyse("no measured rows" + (" (every cell failed)" if failed else ""))
        except ANALYSIS_ERRORS as exc:
            d = VD.cannot_analyse(f"{type(exc).__name__}: {exc}")
            findings = [Finding("the analysis could not run on these measurements", d, d.reason)]
        failed = [dict(f) for f in failed]
        if failed:
            d = VD.cannot_analyse(f"{len(failed)} cell(s) failed and are left out: {describe_failures(failed)}")
            findings.append(Finding("every cell of the grid was measured", d, d.reason))
        return ClaimResult(self, label, data, findings, seconds, params, failed)

    def result(self, data: pd.DataFrame, grid: str | Grid = "default", name: str | None = None, seconds: float = 0.0,
               **judging: Any) -> ClaimResult:
        r"""Judge rows measured by hand (alias of :meth:`judge`, labelled ``"custom"`` unless ``name``).

        >>> from rnntheory import claims
        >>> c = claims.get("forward_coupling")
        >>> df = pd.concat([c.measure_frame(m=m, seed=s) for m in (128, 256, 512) for s in range(3)])  # doctest: +SKIP
        >>> print(c.result(df))                                                                          # doctest: +SKIP
        """
        return self.judge(data, grid, name=name if name is not None else "custom", seconds=seconds, **judging)


def describe_failures(failed: Sequence[Mapping[str, Any]], limit: int = 3) -> str:
    r"""The failed cells in words: the error and the cell's swept values, the first ``limit`` of them."""
    def one(f: Mapping[str, Any]) -> str:
        cell = f["cell"]
        where = ", ".join(f"{k}={cell[k]}" for k in sorted(cell) if k not in ("device", "dtype") and
                          not isinstance(cell[k], (list, tuple, dict)))
        e = f["error"]
        return f"{e['type']}: {e['message']} ({where})"

    text = "; ".join(one(f) for f in failed[:limit])
    return text + (f"; and {len(failed) - limit} more" if len(failed) > limit else "")


REGISTRY: dict[str, Claim] = {}


def register(claim: Claim) -> Claim:
    if claim.name in REGISTRY:
        raise ValueError(f"claims.register: a claim named {claim.name!r} is already registered")
    for required in ("default", "large"):
        if required not in claim.grids:
            raise ValueError(f"claims.register: {claim.name} has no {required!r} grid")
    kinds = sorted(c.kind for c in claim.controls)
    if kinds != sorted(CONTROL_KINDS):
        raise ValueError(f"claims.register: {claim.name} has controls {kinds}; expected one of each of {CONTROL_KINDS}")
    for gname, g in claim.grids.items():
        clash = set(g.fixed) & set(claim.judging)
        if clash:
            raise ValueError(f"claims.register: {claim.name}: grid {gname!r} puts judging settings {sorted(clash)} "
                             "among its measuring settings")
        extra = set(g.judging) - set(claim.judging)
        if extra:
            raise ValueError(f"claims.register: {claim.name}: grid {gname!r} overrides unknown judging settings {sorted(extra)}")
    REGISTRY[claim.name] = claim
    return claim


def get(name: str) -> Claim:
    if name not in REGISTRY:
        raise ValueError(f"claims.get: name={name!r} is not a registered claim; expected one of {sorted(REGISTRY)}")
    return REGISTRY[name]


def names() -> list[str]:
    return list(REGISTRY)
