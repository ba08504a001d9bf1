r"""A claim, defined once. One job: the :class:`Claim` type and the one path from a grid to a verdict,
for one claim or several at once (rnntheory.checking re-exports it; :mod:`rnntheory.checking.registry`
keeps the registered ones; the paper's claims are in :mod:`rnntheory.claims`).

A :class:`Claim` bundles what the paper says (statement, reference, bound shape), the grids it is
measured on (``"default"``: small, for the test suite and the embedded report; ``"large"``: for a GPU
or a long run), a ``measure`` function that turns one grid cell into tidy rows, and an ``analyse``
function that turns all rows into :class:`~rnntheory.checking.Finding` objects (fits and verdicts,
through :mod:`rnntheory.stats.verdicts`).

Two kinds of settings, kept apart:

* **measuring** settings (what a cell computes: m, L, omega, steps, seeds) live in a
  :class:`~rnntheory.checking.Grid` (its ``points``, ``seeds`` and ``fixed``); only they enter a cell,
  its cache key and results.csv, together with the claim's measurement ``version``;
* **judging** settings (claimed exponents, thresholds, resolutions, which width is the reference)
  live on the claim (``Claim.judging``, with per-grid overrides in ``Grid.judging``); changing them
  re-judges stored cells without measuring anything again.

Both are checked before anything is measured or judged (:mod:`rnntheory.checking.settings`).

One path leads from a grid to a verdict: :mod:`rnntheory.checking.running` measures the cells
(rnntheory.run.executors) and :meth:`Claim.judge` judges them; :meth:`Claim.run` is that path for one
claim, and the report measures several claims in one sweep on it. An analysis that cannot run on its
data gives one "inconclusive" finding that says why.

Every claim carries negative controls (:class:`~rnntheory.checking.Control`): re-analyses of its own
measurements with a too-strong claimed exponent, a wrong normalisation in m, or exponential growth
injected where the claim says polynomial; :meth:`~rnntheory.checking.ClaimResult.controls` runs them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

import pandas as pd

from .. import _validation as V
from ..run.cost import Cost
from ..run.options import RunOptions
from ..run.records import Batching, Task, code_fingerprint, frame
from ..stats import verdicts as VD
from . import running
from . import settings as CHECK
from . import specs as SP
from .claim_result import ClaimResult
from .controls import Control, derived_controls
from .grid import Grid, dtype_name, point_settings
from .results import ANALYSIS_ERRORS, LEVEL, Finding, Judging

__all__ = ["Claim", "describe_failures"]


@dataclass(frozen=True)
class Claim:
    r"""One claim (of the paper, or of anyone: docs/new_claim.md), defined once.

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
        findings: the claim's findings declared as typed specs (:mod:`rnntheory.checking.specs`), judged in
            order; a function ``(rows, judging) -> findings`` among them is judged at its place (the escape
            hatch for a finding that needs code).
        analyse: ``(DataFrame, judging settings) -> list[Finding]``, judged after ``findings``: the whole
            analysis in code, for a claim of no specs; reads measured configuration from the rows, and what it
            claims from the settings (a :class:`~rnntheory.checking.Judging`, whose ``level`` every finding
            builder must be handed).
        judging: the default judging settings (claimed exponents, thresholds, resolutions).
        controls: the negative controls (:class:`Control`), one per kind in :data:`CONTROL_KINDS`.
        version: the version of ``measure`` (an integer, or a string such as ``"2+streams"``); bump it when
            the rows a cell returns change, so that cached cells of the old code are not used (it enters
            every cell's cache key). A cell that
            failed is measured again without it once the code of ``measure``'s module changes
            (:func:`rnntheory.run.records.measure_again`).
        cache_group: the name its cells are filed under in a cache (default: the claim's name).
            Claims that measure the same cells with the same function share a name, so each cell is
            measured once.
        replicable: whether more seeds add independent networks (False for exact computations, whose
            intervals come from the fit of a deterministic curve: more seeds cannot decide them).
        expected: the verdict this claim is expected to read on its default grid, and why
            (``(verdict, reason)``), checked by proofs_checks; empty: no expectation.
        plot: hints for a figure when no finding carries points (rnntheory.report.figures).
        dtype: the floating dtype its cells are measured in when a run does not force one
            (``"float32"`` or ``"float64"``): the precision policy of docs/reporting.md, from
            measuring its default grid in both and comparing.
        precision: why this dtype (what float32 would lose, or that the comparison showed nothing).
        batching: how cells that differ only in their seed (or the settings it names) are measured
            together and stored apart (:class:`rnntheory.run.records.Batching`: its ``measure_many(cells)``
            returns each cell's rows, equal to ``measure(cell)`` to rounding, or the exception that cell
            raised), or ``None`` (every cell measured alone). It changes no cache key.
        check_cell: a cheap check of one cell's settings before anything is measured (a cell of each grid point,
            on the CPU), raising ValueError or TypeError for a setting the measurement cannot take (the paper's
            claims build the cell's inputs), or ``None``. A setup mistake is then an error when the grid is
            loaded, not a failure of every cell.

    docs/new_claim.md defines one outside the package, step by step; in short:

    >>> from rnntheory.checking import Claim, Grid, controls as C, findings as F
    >>> def measure(cell):
    ...     return [{"m": cell["m"], "seed": cell["seed"], "y": 1.0 + 0.01 * cell["seed"]}]
    >>> c = Claim("flat", "A flat quantity", "an example", "y = O(1) in m", "y", "y <= c * m^0",
    ...           grids={"default": Grid.product({"m": [64, 128, 256]}, seeds=3),
    ...                  "large": Grid.product({"m": [64, 1024]}, seeds=3)},
    ...           measure=measure,
    ...           analyse=lambda df, judging: [F.exponent_finding("y is flat in m", df, "m", "y", judging["a"],
    ...                                                           key="a", resolution=0.1, groups=None)],
    ...           judging={"a": 0.0},
    ...           controls=(C.too_strong("decay like m^-1", a=-1.0), C.wrong_m("y"),
    ...                     C.cannot_detect("exponential", "growth in L", "no length sweep")))
    >>> c.run(progress=False).verdict
    <Verdict.CONSISTENT: 'consistent'>
    """

    name: str
    title: str
    reference: str
    statement: str
    quantity: str
    bound: str
    grids: Mapping[str, Grid]
    measure: Callable[[dict[str, Any]], list[dict[str, Any]] | pd.DataFrame]
    analyse: Callable[[pd.DataFrame, Mapping[str, Any]], list[Finding]] | None = None
    judging: Mapping[str, Any] = field(default_factory=dict)
    findings: tuple[SP.Spec | SP.Analysis, ...] = ()
    controls: tuple[Control, ...] = ()
    version: int | str = 1
    cache_group: str = ""
    plot: Mapping[str, Any] = field(default_factory=dict)
    replicable: bool = True
    expected: tuple[str, str] | tuple[()] = ()
    dtype: str = "float64"
    precision: str = ""
    batching: Batching | None = None
    check_cell: Callable[[dict[str, Any]], None] | None = None

    def __post_init__(self) -> None:
        where = f"Claim({self.name!r})"
        if self.batching is not None and not isinstance(self.batching, Batching):
            raise TypeError(f"{where}: batching={V.show(self.batching)} must be a rnntheory.run.Batching or None")
        if self.analyse is None and not self.findings:
            raise ValueError(f"{where}: give findings= (typed specs) or analyse= (a function), or both")
        unknown = sorted({n for s in self.findings if isinstance(s, SP.Spec) for n in s.settings()} - set(self.judging))
        if unknown:
            raise ValueError(f"{where}: its findings read judging settings {unknown} that judging= does not define")
        swept = sorted({k for g in self.grids.values() for p in g.points for k in p} - {"seeds"})
        object.__setattr__(self, "controls", derived_controls(self.findings, tuple(self.controls), swept=swept))

    def analysis(self, data: pd.DataFrame, judging: Mapping[str, Any]) -> list[Finding]:
        r"""The claim's findings on ``data``: its typed specs (:attr:`findings`, in order), then what
        :attr:`analyse` returns."""
        out = SP.judge_all(self.findings, data, judging)
        return out + (list(self.analyse(data, judging)) if self.analyse is not None else [])

    def dtype_for(self, dtype: Any = None, where: str = "Claim") -> str:
        r"""The dtype a run measures this claim in: ``dtype`` when given (``"float64"``, ``"float32"``
        or a torch dtype), else the claim's own :attr:`dtype`."""
        return dtype_name(self.dtype if dtype is None else dtype, where)

    def grid(self, grid: str | Grid = "default") -> Grid:
        if isinstance(grid, Grid):
            return grid
        if grid not in self.grids:
            raise ValueError(
                f"Claim.grid: grid={grid!r} is not defined for {self.name}; expected one of {sorted(self.grids)}"
            )
        return self.grids[grid]

    def settings(self, grid: str | Grid = "default", **judging: Any) -> dict[str, Any]:
        r"""The judging settings for data of ``grid``: the claim's, the grid's overrides, then ``judging``."""
        CHECK.check_judging(self, judging, "Claim.settings")
        g = self.grid(grid)
        CHECK.check_judging(self, g.judging, "Claim.settings (the grid's judging overrides)")
        return {**self.judging, **g.judging, **judging}

    def measuring_types(self) -> dict[str, tuple[type, ...]]:
        r"""Every measuring setting of the claim's cells with the Python types its values take in the
        registered grids (:func:`rnntheory.checking.settings.measuring_types`)."""
        return CHECK.measuring_types(self)

    def check_settings(self, settings: Mapping[str, Any], where: str) -> None:
        r"""Refuse measuring settings the claim does not have, or of a type its grids never use
        (:func:`rnntheory.checking.settings.check_settings`)."""
        CHECK.check_settings(self, settings, where)

    def check_cells(self, grid: Grid, where: str) -> None:
        r"""Refuse, before any cell is measured, a grid whose cells lack a setting every registered grid
        sets, give one of the wrong type, or a non-positive value where every registered value is positive
        (:func:`rnntheory.checking.settings.check_cells`). A setup mistake is an error, never a verdict."""
        CHECK.check_cells(self, grid, where)

    def cell(
        self,
        grid: str | Grid = "default",
        *,
        point: int = 0,
        seed: int | None = None,
        device: str = "cpu",
        dtype: Any = None,
        **overrides: Any,
    ) -> dict[str, Any]:
        r"""One cell of a grid (point ``point``, the grid's first seed unless ``seed`` is given), with
        ``overrides`` replacing any entry: the starting point for measuring one configuration by hand."""
        g = self.grid(grid)
        self.check_settings(overrides, "Claim.cell")
        if not V.non_negative_int("Claim.cell", "point", point) < len(g.points):
            raise ValueError(f"Claim.cell: point={point!r} must be in [0, {len(g.points)}) for {self.name}")
        s = g.point_seeds(g.points[point])[0] if seed is None else seed
        return {
            **g.fixed,
            **point_settings(g.points[point]),
            "seed": s,
            "device": device,
            "dtype": self.dtype_for(dtype, "Claim.cell"),
            **overrides,
        }

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
        rows = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else rows
        return frame([{"cell": c, "rows": rows}])

    def tasks(self, cells: Iterable[Mapping[str, Any]]) -> list[Task]:
        r"""One :class:`rnntheory.run.records.Task` per cell (filed under :attr:`cache_group`, else the
        claim's name, and its version; with the claim's :attr:`batching`)."""
        code = code_fingerprint(self.measure)  # a failed cell of other code is measured again (run.records)
        group = self.cache_group or self.name
        return [Task(group, self.measure, dict(c), self.version, code, self.batching) for c in cells]

    def run(self, grid: str | Grid = "default", options: RunOptions | None = None, **settings: Any) -> ClaimResult:
        r"""Measure every cell of ``grid`` and judge them: :func:`rnntheory.checking.running.run` for this
        claim. ``settings`` are :class:`~rnntheory.run.RunOptions` fields (``jobs=2``, ``cache=...``,
        ``budget="5m"``) and measuring settings to fix (``w_var=4.0``); judging settings are changed on the
        result (:meth:`ClaimResult.rejudge`)."""
        where = V.caller(Claim.run)
        opts, overrides = RunOptions.split(where, options, settings)
        return running.run(self, grid, opts, where=where, **overrides)

    def cost(self, grid: str | Grid = "default", options: RunOptions | None = None, **settings: Any) -> Cost:
        r"""What :meth:`run` with these arguments would cost, measuring nothing
        (:func:`rnntheory.checking.running.cost`). ``print(claim.cost())`` shows it.

        >>> from rnntheory import claims
        >>> claims.get("sign_changes").cost().seconds   # doctest: +SKIP
        """
        where = V.caller(Claim.cost)
        opts, overrides = RunOptions.split(where, options, settings)
        return running.cost(self, grid, opts, where=where, **overrides)

    def resolve(
        self,
        grid: str | Grid = "default",
        options: RunOptions | None = None,
        *,
        where: str = "Claim.run",
        **overrides: Any,
    ) -> Grid:
        r"""The grid ``grid`` with the seeds of ``options`` (replaced, then shifted by its ``seed_offset``) and
        its fixed parameters replaced as given (``overrides``; a swept setting cannot be fixed)."""
        g = self.grid(grid)
        opts = options if options is not None else RunOptions()
        if opts.seeds is not None:
            g = g.with_seeds(opts.seeds)
        if opts.seed_offset:
            g = g.with_seed_offset(opts.seed_offset)
        if overrides:
            self.check_settings(overrides, where)
            swept = sorted(set(overrides) & {k for pt in g.points for k in pt})
            if swept:
                # a point's value wins over a fixed one: the override would be ignored without a word
                raise ValueError(
                    f"{where}: {self.name} sweeps {swept} over its grid points, so {swept[0]}="
                    f"{overrides[swept[0]]!r} cannot be fixed; pass a Grid with the points you want "
                    "(or measure one configuration with Claim.measure_frame)"
                )
            g = g.with_fixed(**overrides)
        return g

    def judge(
        self,
        data: pd.DataFrame,
        grid: str | Grid = "default",
        *,
        name: str | None = None,
        seconds: float = 0.0,
        settings: Mapping[str, Any] | None = None,
        failed: Sequence[Mapping[str, Any]] = (),
        level: float = LEVEL,
        design: Grid | None = None,
        compute: float = math.nan,
        **judging: Any,
    ) -> ClaimResult:
        r"""Analyse measured rows into a :class:`ClaimResult`: the one path from measurements to a
        verdict. Judging settings are those of ``grid`` (:meth:`settings`) updated by ``judging``, or
        exactly ``settings`` when given (checked either way: a bad judging value raises). Every
        interval is at confidence ``level``. A finding whose data cannot support it (too few points or
        seeds for its fit) reads "inconclusive" and says why, beside the findings the data do support;
        an analysis that cannot run at all gives one such finding. Cells that ``failed``
        (rnntheory.run.records.failures) add one "inconclusive" finding that names them: the other findings
        use the cells that finished, and cannot stand for the whole grid. ``compute``: the seconds the cells
        took when measured, which "to decide" scales (:meth:`ClaimResult.grid_seconds`). Any other error
        propagates."""
        if settings is not None:
            CHECK.check_judging(self, settings, "Claim.judge")
        params = {**self.judging, **settings} if settings is not None else self.settings(grid, **judging)
        label = name if name is not None else (grid if isinstance(grid, str) else "custom")
        if design is None and not (isinstance(grid, str) and grid not in self.grids):
            design = self.grid(grid)
        try:
            findings = self.analysis(data, Judging(params, level)) if len(data) else []
            if not findings:
                raise VD.CannotAnalyse(
                    "no measured rows"
                    + (f": every cell failed, the first with {describe_failures(failed, 1)}" if failed else "")
                )
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
        return ClaimResult(self, label, data, findings, seconds, params, failed, level, design, float(compute))

    def result(
        self,
        data: pd.DataFrame,
        grid: str | Grid = "default",
        name: str | None = None,
        seconds: float = 0.0,
        **judging: Any,
    ) -> ClaimResult:
        r"""Judge rows measured by hand (alias of :meth:`judge`, labelled ``"custom"`` unless ``name``).

        >>> from rnntheory import claims
        >>> c = claims.get("forward_coupling")
        >>> df = pd.concat([c.measure_frame(m=m, seed=s) for m in (128, 256, 512) for s in range(3)])  # doctest: +SKIP
        >>> print(c.result(df))  # doctest: +SKIP
        """
        return self.judge(data, grid, name=name if name is not None else "custom", seconds=seconds, **judging)


def describe_failures(failed: Sequence[Mapping[str, Any]], limit: int = 3) -> str:
    r"""The failed cells in words, one entry per distinct error (type and message) in the order they first
    occur, the first ``limit`` of them: the error, the cell that raised it first (its settings), and how many
    cells raised the same."""

    def where(f: Mapping[str, Any]) -> str:
        cell = f["cell"]
        return ", ".join(
            f"{k}={cell[k]}"
            for k in sorted(cell)
            if k not in ("device", "dtype") and not isinstance(cell[k], (list, tuple, dict))
        )

    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for f in failed:
        groups.setdefault((f["error"]["type"], f["error"]["message"]), []).append(f)
    parts = []
    for (kind, message), fs in list(groups.items())[:limit]:
        more = f", and the same in {len(fs) - 1} more cell{'s' if len(fs) != 2 else ''}" if len(fs) > 1 else ""
        parts.append(f"{kind}: {message} (cell {where(fs[0])}{more})")
    left = len(groups) - limit
    return "; ".join(parts) + (f"; and {left} other error{'s' if left != 1 else ''}" if left > 0 else "")
