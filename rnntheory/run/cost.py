r"""What a sweep will cost before it runs: cells, how many are cached, and an estimate of the time.

The estimate comes from measured per-cell times, never from a formula of the model. For each cell
still to measure, in this order:

1. ``"cache"``: the median time of the same grid point (other seeds) among the cells already in the
   cache the run will use;
2. ``"reference"``: the median time of the same grid point in the reference timings shipped with the
   package (``rnntheory/run/timings.json``: every cell of the default and large grids, measured on a
   2-core CPU, each claim in its own dtype, with one torch thread per cell);
3. ``"extrapolated"``: a least-squares fit of log time against the logs of the numeric settings
   that vary among the claim's reference points (m, L, steps, ...), evaluated at the new point;
4. ``"unknown"``: no timing of the claim at all (a claim added since the timings were recorded).

Times on another machine scale roughly by one factor; a GPU is usually much faster at large widths.
The repository's ``python tools/timings.py CACHE... > rnntheory/run/timings.json`` writes new reference
timings from the records of finished runs (:func:`timings_from_records`).

>>> from rnntheory import claims
>>> print(claims.get("sign_changes").cost())            # doctest: +SKIP
"""

from __future__ import annotations

import functools
import heapq
import json
import math
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .cache import CellCache
from .durations import duration
from .records import Task, measure_again, to_json

__all__ = ["Cost", "estimate", "point_of", "reference_timings", "timings_from_records"]

# settings that do not change what a cell computes at a point, only which sample of it
_NOT_POINT = ("seed", "device", "dtype")


def point_of(cell: Mapping[str, Any]) -> str:
    r"""The grid point of a cell as a string key: its settings without seed, device and dtype."""
    return to_json({k: v for k, v in cell.items() if k not in _NOT_POINT}, sort_keys=True)


def timings_from_records(records: Iterable[Mapping[str, Any]], note: str = "") -> dict[str, Any]:
    r"""Reference timings from cache records (read by :meth:`rnntheory.run.cache.CellCache.load`): per cell name and
    grid point, the median of the measured seconds and how many cells it rests on. Failed cells are
    left out (their time says little about a finished one)."""
    by: dict[str, dict[str, list[float]]] = {}
    for rec in records:
        if rec.get("error") or rec.get("device", "cpu") != "cpu":
            continue
        by.setdefault(rec["claim"], {}).setdefault(point_of(rec["cell"]), []).append(float(rec["seconds"]))
    return {
        "note": note,
        "claims": {
            g: [
                {"point": json.loads(pt), "seconds": round(float(np.median(s)), 4), "n": len(s)}
                for pt, s in sorted(pts.items())
            ]
            for g, pts in sorted(by.items())
        },
    }


@functools.lru_cache(maxsize=1)
def reference_timings() -> dict[str, dict[str, tuple[float, int]]]:
    r"""The shipped reference timings: ``{cell name: {point key: (median seconds, cells)}}``."""
    text = resources.files("rnntheory.run").joinpath("timings.json").read_text()
    data = json.loads(text)
    return {
        g: {point_of(e["point"]): (float(e["seconds"]), int(e["n"])) for e in entries}
        for g, entries in data["claims"].items()
    }


def _features(points: Sequence[Mapping[str, Any]]) -> list[str]:
    r"""The numeric settings that vary among ``points`` and are positive wherever present."""
    keys = sorted({k for p in points for k in p})
    out = []
    for k in keys:
        vals = [p.get(k) for p in points]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in vals) and len(set(vals)) > 1:
            out.append(k)
    return out


def _extrapolate(known: Mapping[str, float], cell: Mapping[str, Any]) -> float | None:
    r"""log seconds fitted linearly in the logs of the varying numeric settings of the known points,
    at ``cell``; the nearest known point's time when the fit has too few points or the new point
    lacks a setting."""
    if not known:
        return None
    pts = [json.loads(k) for k in known]
    secs = np.log(np.maximum(np.array(list(known.values()), float), 1e-3))
    feats = [
        k
        for k in _features(pts)
        if isinstance(cell.get(k), (int, float)) and not isinstance(cell.get(k), bool) and cell[k] > 0
    ]
    if not feats:
        return float(np.exp(np.median(secs)))
    X = np.log(np.array([[p[k] for k in feats] for p in pts], float))
    x = np.log(np.array([cell[k] for k in feats], float))
    if len(pts) <= len(feats) + 1:
        return float(np.exp(secs[int(np.argmin(((X - x) ** 2).sum(axis=1)))]))
    A = np.column_stack([np.ones(len(pts)), X])
    coef, *_ = np.linalg.lstsq(A, secs, rcond=None)
    return float(np.exp(coef[0] + x @ coef[1:]))


@dataclass(frozen=True)
class Cost:
    r"""The cost of a list of tasks, measuring nothing: ``print(cost)`` shows the per-claim table that
    ``rnntheory report --dry-run`` prints, and a notebook renders it as a Markdown table.

    Attributes:
        table: one row per distinct cell: ``claim`` (the label given, or the cell name), ``cell``
            (its cache key), ``point`` (its settings without the seed), ``cached`` (a record is in
            the cache), ``seconds`` (the cached cell's measured time, or the estimate) and
            ``source`` (``"cached"``, ``"cache"``, ``"reference"``, ``"extrapolated"`` or
            ``"unknown"``, with NaN seconds).
        cells_of: every claim's number of cells, in the order the claims came (its own and those it
            shares).
        shared: per claim, the claims whose cells it shares and how many: a cell two claims measure
            (``sgd_learns`` and ``ntk_ball`` file their runs under one name) is measured once and
            counted under the first claim that has it.

    Seconds and wall times are rounded to 0.1 ms, the precision of the reference timings.

    >>> from rnntheory import claims
    >>> c = claims.get("backward_coupling").cost()
    >>> c.cells, c.pending
    (432, 432)
    """

    table: pd.DataFrame
    cells_of: Mapping[str, int] = field(default_factory=dict)
    shared: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    @property
    def cells(self) -> int:
        r"""Distinct cells (a cell shared by two claims counts once)."""
        return len(self.table)

    @property
    def cached(self) -> int:
        return int(self.table["cached"].sum())

    @property
    def pending(self) -> int:
        return self.cells - self.cached

    @property
    def seconds(self) -> float:
        r"""Estimated compute (core-seconds at one torch thread per cell) of the cells still to measure."""
        todo = self.table[~self.table["cached"]]
        return round(float(todo["seconds"].sum(skipna=True)), 4)

    @property
    def unknown(self) -> int:
        r"""Cells still to measure for which no timing exists."""
        return int((self.table["source"] == "unknown").sum())

    def wall(self, jobs: int = 1) -> float:
        r"""Estimated wall time with ``jobs`` workers: the cells still to measure, longest first, each
        given to the least busy worker (the longest single cell bounds it from below)."""
        loads = [0.0] * max(1, int(jobs))
        for s in sorted(self.table.loc[~self.table["cached"], "seconds"].dropna(), reverse=True):
            heapq.heapreplace(loads, loads[0] + float(s))
        return round(max(loads), 4)

    def by_claim(self) -> pd.DataFrame:
        r"""Per claim, in order: its cells, and of those it measures (not counted under another claim)
        how many are cached, to measure, their estimated seconds and the longest; ``shared``: its cells
        counted under other claims, ``shares_with`` their names."""
        t = self.table.assign(todo=~self.table["cached"])
        t = t.assign(est=t["seconds"].where(t["todo"], 0.0))
        own = t.groupby("claim", sort=False).agg(
            measured=("cell", "size"),
            cached=("cached", "sum"),
            pending=("todo", "sum"),
            seconds=("est", "sum"),
            longest=("est", "max"),
        )
        order = list(dict.fromkeys([*self.cells_of, *own.index]))
        rows = []
        for name in order:
            o = own.loc[name] if name in own.index else None
            shares = self.shared.get(name, {})
            rows.append(
                {
                    "claim": name,
                    "cells": int(self.cells_of.get(name, 0 if o is None else o["measured"])),
                    "cached": 0 if o is None else int(o["cached"]),
                    "pending": 0 if o is None else int(o["pending"]),
                    "seconds": 0.0 if o is None else round(float(o["seconds"]), 4),
                    "longest": 0.0 if o is None else float(o["longest"]),
                    "shared": int(sum(shares.values())),
                    "shares_with": ", ".join(shares),
                }
            )
        return pd.DataFrame(
            rows, columns=["claim", "cells", "cached", "pending", "seconds", "longest", "shared", "shares_with"]
        ).set_index("claim")

    def __str__(self) -> str:
        lines = [f"{'claim':<24} {'cells':>6} {'cached':>6} {'to run':>6} {'est. compute':>13} {'longest cell':>13}"]
        for r in self.by_claim().itertuples():
            if r.shared and r.shared == r.cells:
                lines.append(
                    f"{r.Index:<24} {r.cells:>6}   shares cells with {r.shares_with} (measured once, counted there)"
                )
                continue
            note = f"   {r.shared} shared with {r.shares_with} (counted there)" if r.shared else ""
            lines.append(
                f"{r.Index:<24} {r.cells:>6} {r.cached:>6} {r.pending:>6} {duration(r.seconds):>13} "
                f"{duration(r.longest):>13}{note}"
            )
        lines.append(f"{'total':<24} {self.cells:>6} {self.cached:>6} {self.pending:>6} {duration(self.seconds):>13}")
        if self.shared:
            lines.append(
                f"cells that claims share are measured once: the total counts each once (the report, which "
                f"lists them under each claim, counts {sum(self.cells_of.values())})"
            )
        if self.unknown:
            lines.append(f"{self.unknown} cell(s) have no timing to estimate from (left out of the total)")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        out = ["| claim | cells | cached | to run | est. compute | longest cell |", "|---|---|---|---|---|---|"]
        for r in self.by_claim().itertuples():
            if r.shared and r.shared == r.cells:
                out.append(f"| {r.Index} | {r.cells} | shares cells with {r.shares_with} | | | |")
                continue
            note = f" ({r.shared} shared with {r.shares_with})" if r.shared else ""
            out.append(
                f"| {r.Index} | {r.cells}{note} | {r.cached} | {r.pending} | {duration(r.seconds)} | "
                f"{duration(r.longest)} |"
            )
        out.append(f"| **total** | {self.cells} | {self.cached} | {self.pending} | {duration(self.seconds)} | |")
        notes = [
            f"estimated wall time: {duration(self.wall(1), about=True)} with one worker, "
            f"{duration(self.wall(2), about=True)} with two"
            if self.pending
            else "every cell is cached"
        ]
        if self.unknown:
            notes.append(f"{self.unknown} cell(s) have no timing to estimate from (left out of the total)")
        return "\n".join(out) + "\n\n" + "; ".join(notes) + "."


def estimate(
    tasks: Sequence[Task],
    *,
    cache: "str | CellCache | None" = None,
    labels: Sequence[str] | None = None,
    retry_failed: bool = False,
) -> Cost:
    r"""The :class:`Cost` of measuring ``tasks`` with ``cache`` (nothing is measured).

    Args:
        tasks: the tasks (:meth:`rnntheory.checking.Claim.tasks`).
        cache: the cache the run would use: its cells count as cached and its times are the first
            source of estimates.
        labels: a name per task for the per-claim table (default: the task's cell name).
        retry_failed: count cached failed cells as still to measure (``--retry-failed``).
    """
    store = cache if isinstance(cache, CellCache) or cache is None else CellCache(cache)
    labels = list(labels) if labels is not None else [t.group for t in tasks]
    ref = reference_timings()
    owner: dict[str, str] = {}
    cells_of: dict[str, int] = {}
    shared: dict[str, dict[str, int]] = {}
    rows: list[dict[str, Any]] = []
    local: dict[str, dict[str, list[float]]] = {}
    for t, label in zip(tasks, labels):
        key = t.key
        cells_of[label] = cells_of.get(label, 0) + 1
        if key in owner:
            if owner[key] != label:  # a cell of another claim: measured once, counted under that claim
                shared.setdefault(label, {}).setdefault(owner[key], 0)
                shared[label][owner[key]] += 1
            continue
        owner[key] = label
        rec = store.load(t.group, key) if store is not None else None
        if rec is not None and measure_again(rec, t, retry_failed):
            rec = None
        pt = point_of(t.cell)
        rows.append(
            {
                "claim": label,
                "group": t.group,
                "cell": key,
                "point": pt,
                "cached": rec is not None,
                "seconds": float(rec["seconds"]) if rec is not None else math.nan,
                "source": "cached" if rec is not None else "",
            }
        )
        if rec is not None and not rec.get("error"):
            local.setdefault(t.group, {}).setdefault(pt, []).append(float(rec["seconds"]))
    # cache records of the same points beyond this grid's cells (other seeds, other offsets) help too
    # (read as a run reads them: a damaged or edited file is no record)
    if store is not None:
        listed = {r["cell"] for r in rows}
        for g in {r["group"] for r in rows}:
            for _, key in store.entries(g):
                rec = None if key in listed else store.load(g, key)
                if rec is not None and not rec.get("error"):
                    local.setdefault(g, {}).setdefault(point_of(rec["cell"]), []).append(float(rec["seconds"]))
    for r in rows:
        if r["cached"]:
            continue
        g, pt = r["group"], r["point"]
        if pt in local.get(g, {}):
            r["seconds"], r["source"] = float(np.median(local[g][pt])), "cache"
        elif pt in ref.get(g, {}):
            r["seconds"], r["source"] = ref[g][pt][0], "reference"
        else:
            known = {p: s for p, (s, _) in ref.get(g, {}).items()}
            known.update({p: float(np.median(s)) for p, s in local.get(g, {}).items()})
            guess = _extrapolate(known, json.loads(pt))
            r["seconds"], r["source"] = (math.nan, "unknown") if guess is None else (guess, "extrapolated")
    table = pd.DataFrame(rows, columns=["claim", "group", "cell", "point", "cached", "seconds", "source"])
    return Cost(table.astype({"cached": bool, "seconds": float}), cells_of, shared)
