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

import contextlib
import contextvars
import itertools
import math
import os
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator, Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from .. import _validation as V
from .. import stats as S
from .. import budget as B
from .. import sweep
from .. import verdicts as VD
from ..cost import Cost, about, estimate

__all__ = ["Grid", "Claim", "Finding", "Series", "ClaimResult", "Control", "ControlOutcome", "REGISTRY", "register",
           "get", "names", "dtype_name", "torch_dtype", "ANALYSIS_ERRORS", "CONTROL_KINDS"]

ANALYSIS_ERRORS = (VD.CannotAnalyse, S.InsufficientData)
"""Errors of an analysis whose data cannot support it (too few points, seeds or distinct values; a
sweep the data do not hold): :meth:`Claim.judge` turns them into an "inconclusive" finding. Any other
error (a KeyError, an IndexError, a bad judging value) is a bug or a setup mistake and propagates:
a verdict never hides it."""

LEVEL = 0.99
"""Confidence level of every interval a claim reports in a single look (a budgeted run spends its
miss rate over several looks: :mod:`rnntheory.budget`)."""

_LEVEL: contextvars.ContextVar[float] = contextvars.ContextVar("rnntheory_level", default=LEVEL)


def level() -> float:
    r"""The confidence level the finding builders use now (:data:`LEVEL` unless :func:`judging_level` set it)."""
    return _LEVEL.get()


@contextlib.contextmanager
def judging_level(value: float) -> Iterator[None]:
    r"""Build findings at confidence ``value`` inside the block."""
    v = float(value)
    if not 0 < v < 1:
        raise ValueError(f"claims.judging_level: level={value!r} must be in (0, 1)")
    token = _LEVEL.set(v)
    try:
        yield
    finally:
        _LEVEL.reset(token)


_SIZE_SUFFIXES = ("_ref", "_points", "_L", "_per_L2", "_count", "_frac", "slack")


def check_judging(claim: "Claim", values: Mapping[str, Any], where: str) -> None:
    r"""Refuse judging settings the claim does not have, or whose value cannot be what the default is:
    a number where the default is a number (finite, not a bool), positive where the setting is a
    resolution, a count or a reference size, a factor in (1, 8) for ``growth_factor``; a string or a
    mapping where the default is one. A bad judging value is a setup mistake, never a verdict."""
    unknown = set(values) - set(claim.judging)
    if unknown:
        raise ValueError(f"{where}: {claim.name} has no judging settings {sorted(unknown)}; "
                         f"expected some of {sorted(claim.judging)}")
    for k, v in values.items():
        default = claim.judging[k]
        if isinstance(default, bool) or default is None:
            continue
        if isinstance(default, (int, float)):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise TypeError(f"{where}: {claim.name} judging setting {k}={v!r} must be a number (default {default!r})")
            if not math.isfinite(v):
                raise ValueError(f"{where}: {claim.name} judging setting {k}={v!r} must be finite")
            if k.endswith("resolution") and v <= 0:
                raise ValueError(f"{where}: {claim.name} judging setting {k}={v!r} must be positive (a resolution of 0 "
                                 "is for exact checks only)")
            if k.endswith("factor") and not 1 < v < 8:
                raise ValueError(f"{where}: {claim.name} judging setting {k}={v!r} must be in (1, 8): the factor an "
                                 "exponential may add over the range unnoticed, below the injected factor 8")
            if default > 0 and v <= 0 and k.endswith(_SIZE_SUFFIXES):
                raise ValueError(f"{where}: {claim.name} judging setting {k}={v!r} must be positive")
        elif isinstance(default, str) and not isinstance(v, str):
            raise TypeError(f"{where}: {claim.name} judging setting {k}={v!r} must be a string (default {default!r})")
        elif isinstance(default, Mapping) and not isinstance(v, Mapping):
            raise TypeError(f"{where}: {claim.name} judging setting {k}={v!r} must be a mapping (default {default!r})")


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
    key: str = ""
    """The finding's stable identity within its claim: never a measured number or a judging value, so it
    is the same across data, seeds and re-judging. Controls, compare and the tests match by it."""
    needs: float = math.nan
    """How many times its networks (or independent points) would decide it if the estimate held: 1 for a
    decided finding, ``inf`` beyond reach of more of the same design, NaN where more networks cannot help
    (an exact check, an analysis that could not run)."""
    catches: Mapping[str, bool] = field(default_factory=dict, compare=False)
    """Per control kind (``"too_strong"``, ``"exponential"``), whether this finding's own interval
    rejects that error (an exponent :data:`~rnntheory.claims._findings.TOO_STRONG` too strong, an
    injected exponential of :data:`~rnntheory.claims._findings.EXPONENTIAL_FACTOR` over its range)."""

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key:
            raise ValueError(f"claims.Finding: {self.name!r} needs a key (its stable identity within the claim)")

    @property
    def verdict(self) -> VD.Verdict:
        return self.decision.verdict

    @property
    def label(self) -> str:
        r"""The verdict as printed: "consistent (at resolution r)" where it holds only within r."""
        return self.decision.label

    @property
    def claimed(self) -> str:
        return self.decision.claimed

    @property
    def resolution(self) -> float:
        return self.decision.resolution

    def __str__(self) -> str:
        c = "" if self.constant is None else f"; smallest constant c = {self.constant:.3g}"
        return f"[{self.label}] {self.name}: {self.detail}{c}"


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
        r"""``"rejected"``, ``"cannot detect"``, ``"moot"``, ``"undecided"`` (the altered analysis reads
        inconclusive: the error is not accepted, and its detail says what would reject it) or
        ``"NOT rejected"`` (the altered analysis reads consistent: the check cannot see this error)."""
        if self.verdict is None:
            return "cannot detect"
        if self.moot:
            return "moot"
        if self.rejected:
            return "rejected"
        return "undecided" if self.verdict == VD.Verdict.INCONCLUSIVE else "NOT rejected"

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
    level: float = LEVEL
    """The confidence level of every interval of this result (higher than 99% in a budgeted run's looks)."""
    design: "Grid | None" = None
    """The grid the data were measured on, when known (for what it would take to decide)."""

    def reanalyse(self, data: pd.DataFrame | None = None, **judging: Any) -> "ClaimResult":
        r"""Judge the same measurements (or ``data``) again with changed judging settings, e.g. a
        deliberately wrong claimed exponent; nothing is re-measured."""
        check_judging(self.claim, judging, "ClaimResult.reanalyse")
        df = self.data if data is None else data
        return self.claim.judge(df, settings={**self.settings, **judging}, name=self.grid, failed=self.failed,
                                level=self.level, design=self.design)

    @property
    def verdict(self) -> VD.Verdict:
        return VD.combine(f.verdict for f in self.findings)

    @property
    def headline(self) -> str:
        """One line: claim name, verdict, and the deciding finding (:meth:`deciding`) with its figure."""
        f = self.deciding()
        return f"{self.claim.name}: {self.verdict} -- " + ("" if f is None else f"{f.name}: {f.detail}")

    def deciding(self) -> Finding | None:
        r"""The finding that decides the claim's verdict: its first finding with that verdict (for an
        inconsistent claim the first contradicted finding, for an inconclusive one the first undecided
        finding). The API, the report and the README use this one rule."""
        return next((f for f in self.findings if f.verdict == self.verdict), None)

    def grid_seconds(self) -> float:
        r"""The estimated compute of the claim's grid (:mod:`rnntheory.cost`; NaN when the grid is unknown)."""
        if self.design is None:
            return math.nan
        return float(self.claim.cost(self.design).seconds)

    def to_decide(self) -> pd.DataFrame:
        r"""One row per undecided finding: its key, name, how many times its networks would decide it
        (``needs``: inf beyond reach of this design, NaN where more networks cannot help), and the
        estimated compute of the added networks (``seconds``: (needs - 1) x the grid's compute)."""
        grid = self.grid_seconds()
        rows = [{"key": f.key, "finding": f.name, "needs": f.needs,
                 "seconds": (f.needs - 1.0) * grid if math.isfinite(f.needs) else math.nan,
                 "replicable": self.claim.replicable}
                for f in self.findings if not f.decision.decided]
        return pd.DataFrame(rows, columns=["key", "finding", "needs", "seconds", "replicable"])

    def decide(self, jobs: int = 2) -> str:
        r"""What would decide the claim, in one sentence ("" when every finding is decided): the factor of
        networks its hardest undecided finding needs if the estimates held, and its cost on ``jobs`` cores."""
        td = self.to_decide()
        if td.empty:
            return ""
        if not self.claim.replicable:
            return "more seeds cannot decide it: its values are exact (a wider range or more points would)"
        if td["needs"].isna().any():
            return ("more networks cannot decide every finding: " + "; ".join(td[td["needs"].isna()]["key"]) +
                    " cannot be analysed on this grid's data (the finding says why)")
        worst = float(td["needs"].max())
        if not math.isfinite(worst):
            keys = ", ".join(td[~np.isfinite(td["needs"])]["key"])
            return (f"more networks of this design would not decide {keys} (estimate at the edge of the zone, or over "
                    "1000x): more points or a wider range")
        secs = float(td["seconds"].max())
        when = "" if not math.isfinite(secs) else f" ({about(secs / max(jobs, 1))} on {jobs} cores)"
        return f"about {worst:.2g}x the networks{when}"

    def controls(self) -> list[ControlOutcome]:
        r"""Run the claim's negative controls on these measurements (nothing is re-measured). Findings
        are matched by their keys, never by display text (which may carry numbers)."""
        before = {f.key: f.verdict for f in self.findings}
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
                      if f.verdict == VD.Verdict.INCONSISTENT and before.get(f.key) != VD.Verdict.INCONSISTENT]
            rejected = alt.verdict == VD.Verdict.INCONSISTENT and bool(caught)
            # the claim already reads inconsistent and the altered analysis adds no new inconsistent finding:
            # the control cannot show anything more on these measurements
            moot = not rejected and alt.verdict == VD.Verdict.INCONSISTENT and self.verdict == VD.Verdict.INCONSISTENT
            if rejected:
                detail = f"caught by: {caught[0].key}" + (f" (+{len(caught) - 1} more)" if len(caught) > 1 else "")
            elif moot:
                detail = "the claim already reads inconsistent and the altered analysis adds no new inconsistent finding"
            elif alt.verdict == VD.Verdict.INCONCLUSIVE:
                todo = alt.decide()
                detail = "the altered analysis reads inconclusive: not accepted, not yet rejected" + (
                    f"; to reject it: {todo}" if todo else "")
            else:
                detail = f"the altered analysis reads {alt.verdict}"
            out.append(ControlOutcome(c.kind, c.what, alt.verdict, rejected, detail, moot))
        return out

    def __str__(self) -> str:
        lines = [f"{self.claim.name} ({self.claim.reference}): {self.verdict}", f"  claim: {self.claim.statement}"]
        todo = self.decide()
        if todo:
            lines.append(f"  to decide: {todo}")
        lines += [f"  {f}" for f in self.findings]
        lines.append(f"  grid {self.grid!r}: {len(self.data)} rows in {self.seconds:.1f} s")
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        r"""One row per finding (claim, key, finding, verdict, label, claimed, resolution, meaning, needs, detail,
        constant)."""
        return pd.DataFrame(
            [
                {"claim": self.claim.name, "key": f.key, "finding": f.name, "verdict": str(f.verdict), "label": f.label,
                 "claimed": f.claimed, "resolution": f.resolution, "meaning": f.decision.meaning, "needs": f.needs,
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
        replicable: whether more seeds add independent networks (False for exact computations, whose
            intervals come from the fit of a deterministic curve: more seeds cannot decide them).
        expected: the verdict this claim is expected to read on its default grid, and why
            (``(verdict, reason)``), checked by proofs_checks; empty: no expectation.
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
    replicable: bool = True
    expected: tuple[str, str] | tuple[()] = ()

    def grid(self, grid: str | Grid = "default") -> Grid:
        if isinstance(grid, Grid):
            return grid
        if grid not in self.grids:
            raise ValueError(f"Claim.grid: grid={grid!r} is not defined for {self.name}; expected one of {sorted(self.grids)}")
        return self.grids[grid]

    def settings(self, grid: str | Grid = "default", **judging: Any) -> dict[str, Any]:
        r"""The judging settings for data of ``grid``: the claim's, the grid's overrides, then ``judging``."""
        check_judging(self, judging, "Claim.settings")
        g = self.grid(grid)
        check_judging(self, g.judging, "Claim.settings (the grid's judging overrides)")
        return {**self.judging, **g.judging, **judging}

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

    def check_cells(self, grid: Grid, where: str) -> None:
        r"""Refuse, before any cell is measured, a grid whose cells lack a measuring setting that every
        registered grid of the claim sets (a custom grid that forgot the fixed settings would fail every
        cell), or give a setting of the wrong type, or a non-positive value where every registered
        value is positive (``m = -64``). A setup mistake is an error, never a verdict."""
        registered = [{**g.fixed, **_point(p)} for g in self.grids.values() for p in g.points]
        required = set.intersection(*(set(c) for c in registered)) if registered else set()
        positive = {k for k in required if all(isinstance(c[k], (int, float)) and not isinstance(c[k], bool)
                                                and c[k] > 0 for c in registered)}
        for pt in grid.points:
            cell = {**grid.fixed, **_point(pt)}
            missing = sorted(required - set(cell))
            if missing:
                raise ValueError(f"{where}: {self.name}: the grid point {_point(pt)!r} leaves {missing} unset; every "
                                 f"cell needs them (the claim's default grid fixes {dict((k, self.grid().fixed[k]) for k in missing if k in self.grid().fixed)!r}; "
                                 "start from claim.grid().with_fixed(...) or Grid(points, seeds, fixed=claim.grid().fixed))")
            self.check_settings(cell, where)
            for k in sorted(positive & set(cell)):
                v = cell[k]
                if isinstance(v, (int, float)) and not isinstance(v, bool) and not v > 0:
                    raise ValueError(f"{where}: {self.name} setting {k}={v!r} must be positive")

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
        budget: float | str | None = None,
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
            budget: seconds or a duration (``"20m"``): after the grid, spend the rest on rounds of added
                seeds while findings are undecided (:mod:`rnntheory.budget`; each look at its spent level).
            **overrides: replace fixed (measuring) parameters, for example ``w_var=4.0`` for a broken
                network. Judging settings are changed with :meth:`ClaimResult.reanalyse`.
        """
        device = V.run_device("Claim.run", device)
        g = self.resolve(grid, seeds=seeds, seed_offset=seed_offset, **overrides)
        self.check_cells(g, "Claim.run")
        t0 = time.perf_counter()
        if budget is not None:
            results, _, _, _ = B.run_grids({self.name: self}, {self.name: g}, budget,
                                           label=grid if isinstance(grid, str) else "custom", device=device,
                                           dtype=dtype_name(dtype), cache=cache, jobs=jobs,
                                           progress=progress,
                                           retry_failed=retry_failed, executor=executor, scheduler=scheduler)
            return results[self.name]
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
        self.check_cells(g, "Claim.cost")
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
              level: float = LEVEL, design: Grid | None = None, **judging: Any) -> ClaimResult:
        r"""Analyse measured rows into a :class:`ClaimResult`: the one path from measurements to a
        verdict. Judging settings are those of ``grid`` (:meth:`settings`) updated by ``judging``, or
        exactly ``settings`` when given (checked either way: a bad judging value raises). Every
        interval is at confidence ``level``. A finding whose data cannot support it (too few points or
        seeds for its fit) reads "inconclusive" and says why, beside the findings the data do support;
        an analysis that cannot run at all gives one such finding. Cells that ``failed``
        (rnntheory.sweep.failures) add one "inconclusive" finding that names them: the other findings
        use the cells that finished, and cannot stand for the whole grid. Any other error propagates."""
        if settings is not None:
            check_judging(self, settings, "Claim.judge")
        params = {**self.judging, **settings} if settings is not None else self.settings(grid, **judging)
        label = name if name is not None else (grid if isinstance(grid, str) else "custom")
        if design is None and not (isinstance(grid, str) and grid not in self.grids):
            design = self.grid(grid)
        try:
            with judging_level(level):
                findings = list(self.analyse(data, params)) if len(data) else []
            if not findings:
                raise VD.CannotAnalyse("no measured rows" + (" (every cell failed)" if failed else ""))
        except ANALYSIS_ERRORS as exc:
            d = VD.cannot_analyse(f"{type(exc).__name__}: {exc}")
            findings = [Finding("the analysis could not run on these measurements", d, d.reason, key="analysis")]
        failed = [dict(f) for f in failed]
        if failed:
            d = VD.cannot_analyse(f"{len(failed)} cell(s) failed and are left out: {describe_failures(failed)}")
            findings.append(Finding("every cell of the grid was measured", d, d.reason, key="failed_cells"))
        keys = [f.key for f in findings]
        if len(set(keys)) != len(keys):
            dup = sorted({k for k in keys if keys.count(k) > 1})
            raise ValueError(f"Claim.judge: {self.name} gives several findings the key(s) {dup}; keys must be unique")
        return ClaimResult(self, label, data, findings, seconds, params, failed, level, design)

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
