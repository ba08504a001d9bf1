r"""How far a claim's numbers may move on another machine, and whether two measurements of the same cells
stay within that. One job: reproducibility tolerances, per claim and per quantity, and the comparison of
rows against them.

A **tolerance** (:class:`Tolerance`) is measured, not chosen: ``tools/sensitivity.py`` re-measures every
claim's default grid under rounding-level changes (one torch thread against two, W0 moved at the unit
roundoff, float32 against float64) and records, per claim, the largest difference of every column
(:func:`differences`) and how far each finding's estimate moved in units of its resolution. The measured
tolerances live in ``rnntheory/claims/tolerances.json`` (:func:`tolerances`); docs/reporting.md
("Reproducibility, stated as it is") prints them.

A claim's kind says what its numbers can promise:

- ``rounding``: every column moves by at most 1e-3 relative under rounding-level changes; the stated
  tolerance is the largest measured difference times :data:`SAFETY`, rounded up to a power of ten.
- ``chaotic``: a quantity measured along an SGD trajectory at a rate where rounding-level differences
  grow (two machines part as two seeds do); its rows reproduce only to the stated level, and its findings
  (statistics over networks) move by at most a tenth of their resolution.
- ``discrete``: a count or a flag whose value changes where a measured number sits at a threshold (a
  pre-activation at zero, a run at the divergence cut); same promise as ``chaotic``.

The difference of two numbers u, v of a column is ``|u - v| / max(|u|, |v|, 1e-3 s)``, where s is the
median magnitude of the column in the claim's rows: a relative difference that does not explode for a
value near zero in a column of values far from zero.
"""

from __future__ import annotations

import functools
import json
import math
import statistics
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Iterable, Mapping

__all__ = [
    "SAFETY",
    "KINDS",
    "Tolerance",
    "tolerances",
    "tolerance",
    "numeric_columns",
    "scales",
    "differences",
    "beyond",
    "table",
]

SAFETY = 10.0
"""A rounding-level tolerance is the largest difference measured under the rounding changes times this, rounded
up to a power of ten (another machine's BLAS sums in yet another order)."""

KINDS = ("rounding", "chaotic", "discrete")

_FLOOR = 1e-3


@dataclass(frozen=True)
class Tolerance:
    r"""A claim's reproducibility tolerance: its ``kind`` (:data:`KINDS`), the relative difference ``rel`` every
    column may show, ``columns`` where one differs from ``rel``, ``why`` (for a chaotic or discrete claim:
    which quantity and why), and ``moves``: the largest move of a finding's estimate measured under the
    rounding changes, in units of the finding's resolution."""

    claim: str
    kind: str = "rounding"
    rel: float = 1e-3
    columns: Mapping[str, float] = field(default_factory=dict)
    why: str = ""
    moves: float | None = None
    dtype: str = ""
    measured: Mapping[str, float] = field(default_factory=dict)
    """The largest difference of any column under each change (``threads2``, ``jitter``, ``float64``,
    ``jitter64``), as tools/sensitivity.py measured it."""

    def limit(self, column: str) -> float:
        r"""The relative difference ``column`` may show."""
        return float(self.columns.get(column, self.rel))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "rel": self.rel}
        if self.columns:
            out["columns"] = dict(sorted(self.columns.items()))
        if self.why:
            out["why"] = self.why
        if self.moves is not None:
            out["moves"] = self.moves
        if self.dtype:
            out["dtype"] = self.dtype
        if self.measured:
            out["measured"] = dict(self.measured)
        return out


@functools.lru_cache(maxsize=1)
def _load() -> dict[str, Any]:
    try:
        text = resources.files("rnntheory.claims").joinpath("tolerances.json").read_text()
    except FileNotFoundError:
        return {}
    return json.loads(text)


def tolerances() -> dict[str, Tolerance]:
    r"""The measured tolerance of every paper claim (``rnntheory/claims/tolerances.json``)."""
    return {
        name: Tolerance(
            name,
            t.get("kind", "rounding"),
            float(t.get("rel", 1e-3)),
            {k: float(v) for k, v in t.get("columns", {}).items()},
            t.get("why", ""),
            t.get("moves"),
            t.get("dtype", ""),
            {k: float(v) for k, v in t.get("measured", {}).items()},
        )
        for name, t in _load().get("claims", {}).items()
    }


def tolerance(claim: str) -> Tolerance | None:
    r"""The measured tolerance of ``claim``, or None for a claim the file does not hold (a claim defined
    elsewhere: its rows are compared without a tolerance)."""
    return tolerances().get(claim)


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    return None


def numeric_columns(rows: Iterable[Mapping[str, Any]]) -> dict[str, list[float]]:
    r"""The numeric columns of ``rows`` (booleans and strings left out), each as the list of its values."""
    out: dict[str, list[float]] = {}
    for row in rows:
        for k, v in row.items():
            x = _number(v)
            if x is not None:
                out.setdefault(str(k), []).append(x)
    return out


def scales(rows: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    r"""Per numeric column, the median magnitude of its finite values (0 where it has none)."""
    out = {}
    for k, vs in numeric_columns(rows).items():
        finite = [abs(v) for v in vs if math.isfinite(v)]
        out[k] = statistics.median(finite) if finite else 0.0
    return out


def _difference(u: float, v: float, s: float) -> float:
    if u == v or (math.isnan(u) and math.isnan(v)):
        return 0.0
    if not (math.isfinite(u) and math.isfinite(v)):
        return math.inf
    return abs(u - v) / max(abs(u), abs(v), _FLOOR * s, 1e-300)


def differences(
    pairs: Iterable[tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]], scale: Mapping[str, float]
) -> dict[str, float]:
    r"""Per column, the largest difference between the rows of matched cells (``pairs`` of row lists, one per
    cell, rows in order); a cell whose two row lists differ in length counts as ``inf`` under ``"rows"``."""
    out: dict[str, float] = {}
    for rows_a, rows_b in pairs:
        if len(rows_a) != len(rows_b):
            out["rows"] = math.inf
            continue
        for ra, rb in zip(rows_a, rows_b):
            for k, va in ra.items():
                u, v = _number(va), _number(rb.get(k))
                if u is None or v is None:
                    # a report stores a non-finite number as null: null against NaN or inf is no difference
                    other = v if u is None else u
                    nulls = (va is None, rb.get(k) is None)
                    if k in rb and any(nulls) and other is not None and math.isfinite(other):
                        out[k] = math.inf
                    continue
                d = _difference(u, v, scale.get(k, 0.0))
                if d > out.get(k, 0.0) or k not in out:
                    out[k] = max(d, out.get(k, 0.0))
    return out


def beyond(diffs: Mapping[str, float], tol: Tolerance) -> dict[str, tuple[float, float]]:
    r"""The columns of ``diffs`` beyond their limit under ``tol``: column -> (difference, limit)."""
    return {k: (d, tol.limit(k)) for k, d in sorted(diffs.items()) if d > tol.limit(k)}


_CHANGES = (("threads2", "threads 1 vs 2"), ("jitter", "W0 at roundoff"), ("float64", "float32 vs float64"),
            ("jitter64", "float64: W0 at roundoff"))  # fmt: skip


def _short(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return "0" if x == 0 else f"{x:.1e}"


def table(tols: Mapping[str, Tolerance] | None = None) -> str:
    r"""The markdown table of docs/reporting.md ("Reproducibility, stated as it is"): per claim its dtype, kind,
    the largest difference under each rounding-level change, the stated tolerance (for a chaotic or discrete
    claim: its other columns, then the loosest column's limit) and the largest move of a finding's estimate."""
    tols = tolerances() if tols is None else tols
    head = ["claim", "dtype", "kind", *(label for _, label in _CHANGES), "stated tolerance",
            "findings move (resolutions)"]  # fmt: skip
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, t in tols.items():
        stated = _short(t.rel)
        if t.columns:
            col = max(t.columns, key=lambda k: t.columns[k])
            stated += f"; {col} {t.columns[col]:.2g}" + (f" (+{len(t.columns) - 1} more)" if len(t.columns) > 1 else "")
        moves = "-" if t.moves is None else f"{t.moves:.3f}"
        cells = [name, t.dtype or "-", t.kind, *(_short(t.measured.get(k)) for k, _ in _CHANGES), stated, moves]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)
