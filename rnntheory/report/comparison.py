r"""Two reports side by side (``rnntheory compare A B``): per claim both verdicts, the findings whose
verdicts changed (matched by their stable keys) and those that swung between "consistent" and
"inconsistent"; per finding both estimates with their intervals and whether the intervals overlap (what
a replication with fresh seeds, which shares no cell, can compare); and over the cells both reports hold
(a rerun with the same seeds) the largest relative difference of any measured number, with the quantity
and the cell behind it; and, per claim, whether those differences lie within the claim's measured
reproducibility tolerance (:mod:`rnntheory.report.reproduce`), naming every quantity beyond it. One job:
comparing two report folders through their results.json.

A claim in one report only is listed. It makes the comparison disagree unless that report holds every
claim of the other one: then the other is a run of some of its claims (``rnntheory report --claims ...``),
and the claims it did not run are no difference. A claim measured on another design in each report (other grid
points, fixed settings or judging settings; a different number of seeds is the same design) is no replication:
it is named and makes the comparison disagree.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..stats.fits import estimate_text
from ..stats.verdicts import Verdict
from . import reproduce as R

__all__ = ["Comparison", "FindingPair", "compare"]


@dataclass(frozen=True)
class FindingPair:
    r"""One finding (matched by key) in both reports: each report's estimate and interval (NaN where the
    finding has none, e.g. an exact check), its verdicts, and whether the two intervals overlap (None when
    either has no interval)."""

    claim: str
    key: str
    quantity: str
    a: tuple[float, float, float]
    b: tuple[float, float, float]
    verdict_a: str
    verdict_b: str

    @property
    def overlap(self) -> bool | None:
        (_, lo_a, hi_a), (_, lo_b, hi_b) = self.a, self.b
        if not all(math.isfinite(v) for v in (lo_a, hi_a, lo_b, hi_b)):
            return None
        return lo_a <= hi_b and lo_b <= hi_a

    def text(self, which: str) -> str:
        est, lo, hi = self.a if which == "a" else self.b
        return "-" if not math.isfinite(est) else estimate_text(est, lo, hi)


@dataclass(frozen=True)
class Comparison:
    r"""Two reports side by side (:func:`compare`): per claim, both verdicts, the largest relative difference
    of any measured number between cells with the same key (and the quantity behind it), and per finding
    both estimates and intervals (:class:`FindingPair`)."""

    rows: list[dict[str, Any]]
    versions: tuple[dict[str, str], dict[str, str]]
    left_out: tuple[str, ...] = ()
    """Claims one report holds that were not compared (``common=True`` or ``claims=...``)."""
    findings: tuple[FindingPair, ...] = ()
    subset: str = ""
    """``"A"`` or ``"B"`` when that report holds only claims of the other (a run of some of its claims), else ``""``."""

    @property
    def verdicts_changed(self) -> list[str]:
        r"""The claims in both reports whose verdicts differ."""
        return [
            r["claim"]
            for r in self.rows
            if None not in (r["verdict_a"], r["verdict_b"]) and r["verdict_a"] != r["verdict_b"]
        ]

    @property
    def only_in_one(self) -> list[str]:
        r"""The claims that only one of the two reports has."""
        return [r["claim"] for r in self.rows if None in (r["verdict_a"], r["verdict_b"])]

    @property
    def missing(self) -> list[str]:
        r"""The claims in one report only that count as a difference: none when the other report holds only
        claims of this one (:attr:`subset`)."""
        return [] if self.subset else self.only_in_one

    @property
    def apart(self) -> list[FindingPair]:
        r"""The findings whose two intervals do not overlap."""
        return [p for p in self.findings if p.overlap is False]

    @property
    def beyond_tolerance(self) -> dict[str, dict[str, tuple[float, float]]]:
        r"""Per claim whose shared cells differ by more than its tolerance allows: column -> (difference,
        limit) (:mod:`rnntheory.report.reproduce`)."""
        return {r["claim"]: r["beyond"] for r in self.rows if r.get("beyond")}

    @property
    def other_design(self) -> dict[str, str]:
        r"""Per claim measured on another design in each report: what differs (points, fixed or judging)."""
        return {r["claim"]: r["design"] for r in self.rows if r.get("design")}

    @property
    def agree(self) -> bool:
        r"""Whether every compared claim has the same verdict in both reports, none is missing from one
        (:attr:`missing`) and none was measured on another design (:attr:`other_design`): what ``rnntheory
        compare`` exits 0 on."""
        return not self.verdicts_changed and not self.missing and not self.other_design

    def __str__(self) -> str:
        width = max([len(r["claim"]) for r in self.rows] + [5])
        out = [
            f"{'claim':<{width}}  {'verdict A':<13} {'verdict B':<13} {'cells':>9}  {'tolerance':<18} largest "
            "relative difference (quantity; cell)"
        ]
        for r in self.rows:
            flag = (
                "  <- only in B"
                if r["verdict_a"] is None
                else "  <- only in A"
                if r["verdict_b"] is None
                else "  <- verdict changed"
                if r["verdict_a"] != r["verdict_b"]
                else ""
            )
            diff = "-" if r["max_rel_diff"] is None else f"{r['max_rel_diff']:.3g}"
            if r.get("max_rel_where"):
                diff += f" ({r['max_rel_where']})"
            out.append(
                f"{r['claim']:<{width}}  {r['verdict_a'] or '-':<13} {r['verdict_b'] or '-':<13} "
                f"{r['shared_cells']:>4}/{r['cells']:<4}  {r.get('within', '-'):<18} {diff}{flag}"
            )
            for col, (d, lim) in (r.get("beyond") or {}).items():
                out.append(f"{'':<{width}}    beyond tolerance: {col} differs by {d:.3g} (allowed {lim:.3g})")
            if r.get("design"):
                out.append(f"{'':<{width}}    another design: {r['design']} differ (not a replication)")
        if self.findings:
            out += [
                "",
                "findings, matched by key: the estimate with its interval in A and in B, and whether the "
                "intervals overlap",
            ]
            kw = max(len(p.key) for p in self.findings)
            ta = max(len(p.text("a")) for p in self.findings)
            tb = max(len(p.text("b")) for p in self.findings)
            claim = None
            for p in self.findings:
                if p.claim != claim:
                    claim = p.claim
                    out.append(f"  {claim}")
                over = {True: "overlap", False: "APART", None: "-"}[p.overlap]
                verdicts = "" if p.verdict_a == p.verdict_b else f"  ({p.verdict_a} -> {p.verdict_b})"
                out.append(f"    {p.key:<{kw}}  {p.text('a'):<{ta}}  {p.text('b'):<{tb}}  {over}{verdicts}")
        a, b = self.versions
        changed = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        out.append("")
        out.append(
            "versions: "
            + ("the same" if not changed else "; ".join(f"{k} {a.get(k, '?')} vs {b.get(k, '?')}" for k in changed))
        )
        n = len(self.verdicts_changed)
        line = f"{n} verdict{'s' if n != 1 else ''} changed" + (f": {', '.join(self.verdicts_changed)}" if n else "")
        if self.only_in_one:
            k = len(self.only_in_one)
            line += f"; {k} claim{'s' if k != 1 else ''} in one report only: {', '.join(self.only_in_one)}"
            if self.subset:
                line += (
                    f" ({self.subset} holds only claims of the other: a run of some of them, so the claims it did "
                    "not run are no difference)"
                )
        if self.other_design:
            k = len(self.other_design)
            line += (
                f"; {k} claim{'s' if k != 1 else ''} measured on another design in each report, not a replication: "
                f"{', '.join(self.other_design)}"
            )
        if self.left_out:
            line += (
                f"; {len(self.left_out)} claim{'s' if len(self.left_out) != 1 else ''} not compared: "
                f"{', '.join(self.left_out)}"
            )
        changed = sum(len(r.get("findings_changed", [])) for r in self.rows)
        swung = [f"{r['claim']}/{k}" for r in self.rows for k in r.get("findings_swung", [])]
        line += (
            f"; {changed} finding{'s' if changed != 1 else ''} (matched by key) changed verdict, "
            f"{len(swung)} finding{'s' if len(swung) != 1 else ''} swung between consistent and inconsistent"
            + (f": {', '.join(swung)}" if swung else "")
        )
        tol = [r for r in self.rows if r.get("within") not in (None, "-")]
        if tol:
            far = self.beyond_tolerance
            line += f"; {len(tol) - len(far)} of {len(tol)} claims within their reproducibility tolerance" + (
                f" (beyond: {', '.join(far)})" if far else ""
            )
        both = [p for p in self.findings if p.overlap is not None]
        if both:
            apart = self.apart
            line += f"; the intervals of {len(both) - len(apart)} of {len(both)} findings overlap" + (
                f" (apart: {', '.join(f'{p.claim}/{p.key}' for p in apart)})" if apart else ""
            )
        out.append(line)
        return "\n".join(out)


def _numbers(rows_a: list[dict[str, Any]], rows_b: list[dict[str, Any]]) -> list[tuple[str, float, float]]:
    r"""The measured numbers of two row lists of one cell, matched by row and column: a column only one of the
    rows holds (a cell setting an older report wrote into its rows) is left out."""

    def num(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    return [
        (str(k), float(v), float(rb[k]))
        for ra, rb in zip(rows_a, rows_b)
        for k, v in ra.items()
        if num(v) and k in rb and num(rb[k])
    ]


def _tolerance(claim: str, pairs: list[tuple[list, list]]) -> tuple[str, dict[str, tuple[float, float]]]:
    r"""Whether the rows of the shared cells lie within ``claim``'s tolerance: a short status (``"-"`` where
    nothing is shared or the claim has no measured tolerance) and the columns beyond it."""
    tol = R.tolerance(claim)
    if tol is None or not pairs:
        return "-", {}
    diffs = R.differences(pairs, R.scales(row for rows, _ in pairs for row in rows))
    far = R.beyond(diffs, tol)
    status = "within" if not far else f"BEYOND ({len(far)})"
    return f"{status} {tol.kind}" if tol.kind != "rounding" or far else f"{status} {tol.rel:.0e}", far


def _where(cell: Mapping[str, Any]) -> str:
    r"""A cell's settings, short: its scalar values but device and dtype."""
    c = cell.get("cell", {})
    return ", ".join(
        f"{k}={c[k]}"
        for k in sorted(c)
        if k not in ("device", "dtype") and isinstance(c[k], (int, float, str)) and not isinstance(c[k], bool)
    )


def _interval(f: Mapping[str, Any]) -> tuple[float, float, float]:
    r"""A finding's estimate and interval from results.json: its decision's (``estimate``, ``ci_low``,
    ``ci_high``), or for reports written before those were stored, its fit's; NaN where it has none."""

    def num(v: Any) -> float:
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else math.nan

    if "estimate" in f:
        return num(f.get("estimate")), num(f.get("ci_low")), num(f.get("ci_high"))
    fit = f.get("fit") or {}
    kind = fit.get("type")
    if kind == "GrowthFit":
        rate = fit.get("rate") or {}
        return num(rate.get("value")), num(rate.get("ci_low")), num(rate.get("ci_high"))
    if kind == "ExponentFit":
        return num(fit.get("slope")), num(fit.get("ci_low")), num(fit.get("ci_high"))
    if kind == "MeanInterval":
        return num(fit.get("mean")), num(fit.get("ci_low")), num(fit.get("ci_high"))
    return math.nan, math.nan, math.nan


def _unseeded(points: Any) -> Any:
    r"""A grid's points without their own seeds (a count or a list: the seeds, not the design)."""
    if not isinstance(points, list):
        return points
    return [{k: v for k, v in p.items() if k != "seeds"} if isinstance(p, dict) else p for p in points]


def _design(ca: Mapping[str, Any] | None, cb: Mapping[str, Any] | None) -> str:
    r"""What differs between a claim's designs in two reports (``"points, judging"``), ``""`` when nothing does or
    either report does not store it. The seeds are left out: a replication (``--seed-offset``) or a budgeted
    run (more seeds) measures the same design."""
    if ca is None or cb is None:
        return ""
    parts = []
    for what, get in (
        ("points", lambda c: _unseeded((c.get("grid") or {}).get("points"))),
        ("fixed settings", lambda c: (c.get("grid") or {}).get("fixed")),
        ("judging settings", lambda c: c.get("judging")),
    ):
        va, vb = get(ca), get(cb)
        if va is not None and vb is not None and json.dumps(va, sort_keys=True) != json.dumps(vb, sort_keys=True):
            parts.append(what)
    return ", ".join(parts)


def _quantity(f: Mapping[str, Any]) -> str:
    return str(f.get("claimed") or f.get("name") or f.get("key"))


def compare(
    a: str | os.PathLike[str], b: str | os.PathLike[str], *, claims: Sequence[str] | None = None, common: bool = False
) -> Comparison:
    r"""Compare two report folders (their results.json): each claim's verdict in both; per finding (matched
    by key) both estimates with their intervals and whether they overlap; and over the cells with the same
    key (same claim, settings and seed), the largest relative difference ``|x_a - x_b| / max(|x_a|, |x_b|)``
    of any measured number (NaN against NaN counts as equal), with the quantity (the row's column) and the
    cell it was found in.

    Args:
        a, b: report folders.
        claims: compare only these claims (each must be in both reports).
        common: compare only the claims both reports hold (a replication of part of a report); the
            others are listed as not compared instead of counting as a difference.

    Raises:
        ValueError: a folder without a readable results.json, or a claim of ``claims`` that a report
            lacks.
    """
    docs = []
    for folder in (a, b):
        path = Path(folder) / "results.json"
        try:
            docs.append(json.loads(path.read_text()))
        except (OSError, ValueError) as exc:
            raise ValueError(f"report.compare: {str(folder)!r} has no readable results.json ({exc})") from None
    by_name = [{c["name"]: c for c in d["claims"]} for d in docs]
    everything = list(dict.fromkeys([*by_name[0], *by_name[1]]))
    if claims is not None:
        for name in claims:
            lacking = [str(f) for f, names in ((a, by_name[0]), (b, by_name[1])) if name not in names]
            if lacking:
                raise ValueError(
                    f"report.compare: {name!r} is not a claim of {' or '.join(repr(f) for f in lacking)}; "
                    f"both hold {sorted(set(by_name[0]) & set(by_name[1]))}"
                )
        chosen = list(dict.fromkeys(claims))
    elif common:
        chosen = [n for n in everything if n in by_name[0] and n in by_name[1]]
    else:
        chosen = everything
    rows, pairs = [], []
    for name in chosen:
        ca, cb = by_name[0].get(name), by_name[1].get(name)
        cells_a = {c["key"]: c for c in (ca or {}).get("cells", [])}
        cells_b = {c["key"]: c for c in (cb or {}).get("cells", [])}
        shared = sorted(set(cells_a) & set(cells_b))
        within, far = _tolerance(name, [(cells_a[k].get("rows", []), cells_b[k].get("rows", [])) for k in shared])
        worst, where = None, ""
        for key in shared:
            ra, rb = cells_a[key].get("rows", []), cells_b[key].get("rows", [])
            if len(ra) != len(rb):
                worst, where = math.inf, f"rows differ; {_where(cells_a[key])}"
                continue
            for col, u, v in _numbers(ra, rb):
                d = 0.0 if (math.isnan(u) and math.isnan(v)) or u == v else abs(u - v) / max(abs(u), abs(v))
                if worst is None or d > worst:
                    worst, where = d, (f"{col}; {_where(cells_a[key])}" if d > 0 else "")
        fa = {f["key"]: f for f in (ca or {}).get("findings", []) if "key" in f}
        fb = {f["key"]: f for f in (cb or {}).get("findings", []) if "key" in f}
        both = [k for k in fa if k in fb]
        changed = sorted(k for k in both if fa[k]["verdict"] != fb[k]["verdict"])
        swung = [
            k
            for k in changed
            if {fa[k]["verdict"], fb[k]["verdict"]} == {Verdict.CONSISTENT.value, Verdict.INCONSISTENT.value}
        ]
        pairs += [
            FindingPair(
                name, k, _quantity(fa[k]), _interval(fa[k]), _interval(fb[k]), fa[k]["verdict"], fb[k]["verdict"]
            )
            for k in both
        ]
        rows.append(
            {
                "claim": name,
                "verdict_a": (ca or {}).get("verdict"),
                "verdict_b": (cb or {}).get("verdict"),
                "cells": max(len(cells_a), len(cells_b)),
                "shared_cells": len(shared),
                "max_rel_diff": worst,
                "max_rel_where": where,
                "findings_changed": changed,
                "findings_swung": swung,
                "within": within,
                "beyond": far,
                "design": _design(ca, cb),
            }
        )
    names_a, names_b = set(by_name[0]), set(by_name[1])
    subset = "" if names_a == names_b else "B" if names_b < names_a else "A" if names_a < names_b else ""
    return Comparison(
        rows,
        (docs[0]["report"].get("versions", {}), docs[1]["report"].get("versions", {})),
        tuple(n for n in everything if n not in chosen),
        tuple(pairs),
        subset,
    )
