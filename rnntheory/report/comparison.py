r"""Two reports side by side (``rnntheory compare A B``): per claim both verdicts, the findings whose
verdicts changed (matched by their stable keys) and those that swung between "consistent" and
"inconsistent", and the largest relative difference of any measured number between cells with the
same key. One job: comparing two report folders through their results.json."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ..stats.verdicts import Verdict

__all__ = ["Comparison", "compare"]


@dataclass(frozen=True)
class Comparison:
    r"""Two reports side by side (:func:`compare`): per claim, both verdicts and the largest relative
    difference of any measured number between cells with the same key."""

    rows: list[dict[str, Any]]
    versions: tuple[dict[str, str], dict[str, str]]
    left_out: tuple[str, ...] = ()
    """Claims one report holds that were not compared (``common=True`` or ``claims=...``)."""

    @property
    def verdicts_changed(self) -> list[str]:
        r"""The claims in both reports whose verdicts differ."""
        return [r["claim"] for r in self.rows
                if None not in (r["verdict_a"], r["verdict_b"]) and r["verdict_a"] != r["verdict_b"]]

    @property
    def only_in_one(self) -> list[str]:
        r"""The claims that only one of the two reports has."""
        return [r["claim"] for r in self.rows if None in (r["verdict_a"], r["verdict_b"])]

    @property
    def agree(self) -> bool:
        r"""Whether every compared claim is in both reports with the same verdict (what ``rnntheory
        compare`` exits 0 on)."""
        return not self.verdicts_changed and not self.only_in_one

    def __str__(self) -> str:
        width = max([len(r["claim"]) for r in self.rows] + [5])
        out = [f"{'claim':<{width}}  {'verdict A':<13} {'verdict B':<13} {'cells':>9}  largest relative difference"]
        for r in self.rows:
            flag = ("  <- only in B" if r["verdict_a"] is None else "  <- only in A" if r["verdict_b"] is None
                    else "  <- verdict changed" if r["verdict_a"] != r["verdict_b"] else "")
            diff = "-" if r["max_rel_diff"] is None else f"{r['max_rel_diff']:.3g}"
            out.append(f"{r['claim']:<{width}}  {r['verdict_a'] or '-':<13} {r['verdict_b'] or '-':<13} "
                       f"{r['shared_cells']:>4}/{r['cells']:<4}  {diff}{flag}")
        a, b = self.versions
        changed = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        out.append("")
        out.append("versions: " + ("the same" if not changed else
                                   "; ".join(f"{k} {a.get(k, '?')} vs {b.get(k, '?')}" for k in changed)))
        n = len(self.verdicts_changed)
        line = f"{n} verdict{'s' if n != 1 else ''} changed" + (f": {', '.join(self.verdicts_changed)}" if n else "")
        if self.only_in_one:
            k = len(self.only_in_one)
            line += f"; {k} claim{'s' if k != 1 else ''} in one report only: {', '.join(self.only_in_one)}"
        if self.left_out:
            line += f"; {len(self.left_out)} claim{'s' if len(self.left_out) != 1 else ''} not compared: {', '.join(self.left_out)}"
        changed = sum(len(r.get("findings_changed", [])) for r in self.rows)
        swung = [f"{r['claim']}/{k}" for r in self.rows for k in r.get("findings_swung", [])]
        line += (f"; {changed} finding{'s' if changed != 1 else ''} (matched by key) changed verdict, "
                 f"{len(swung)} finding{'s' if len(swung) != 1 else ''} swung between consistent and inconsistent"
                 + (f": {', '.join(swung)}" if swung else ""))
        out.append(line)
        return "\n".join(out)


def _numbers(rows: list[dict[str, Any]]) -> list[float]:
    return [float(v) for row in rows for v in row.values()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v is not None]


def compare(a: str | os.PathLike[str], b: str | os.PathLike[str], *, claims: Sequence[str] | None = None,
            common: bool = False) -> Comparison:
    r"""Compare two report folders (their results.json): each claim's verdict in both, and over the
    cells with the same key (same claim, settings and seed), the largest relative difference
    ``|x_a - x_b| / max(|x_a|, |x_b|)`` of any measured number (NaN against NaN counts as equal).

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
                raise ValueError(f"report.compare: {name!r} is not a claim of {' or '.join(repr(f) for f in lacking)}; "
                                 f"both hold {sorted(set(by_name[0]) & set(by_name[1]))}")
        chosen = list(dict.fromkeys(claims))
    elif common:
        chosen = [n for n in everything if n in by_name[0] and n in by_name[1]]
    else:
        chosen = everything
    rows = []
    for name in chosen:
        ca, cb = by_name[0].get(name), by_name[1].get(name)
        cells_a = {c["key"]: c for c in (ca or {}).get("cells", [])}
        cells_b = {c["key"]: c for c in (cb or {}).get("cells", [])}
        shared = sorted(set(cells_a) & set(cells_b))
        worst = None
        for key in shared:
            xa, xb = _numbers(cells_a[key].get("rows", [])), _numbers(cells_b[key].get("rows", []))
            if len(xa) != len(xb):
                worst = math.inf
                continue
            for u, v in zip(xa, xb):
                if (math.isnan(u) and math.isnan(v)) or u == v:
                    d = 0.0
                else:
                    d = abs(u - v) / max(abs(u), abs(v))
                worst = d if worst is None else max(worst, d)
        fa = {f["key"]: f["verdict"] for f in (ca or {}).get("findings", []) if "key" in f}
        fb = {f["key"]: f["verdict"] for f in (cb or {}).get("findings", []) if "key" in f}
        changed = sorted(k for k in set(fa) & set(fb) if fa[k] != fb[k])
        swung = [k for k in changed if {fa[k], fb[k]} == {Verdict.CONSISTENT.value, Verdict.INCONSISTENT.value}]
        rows.append({"claim": name, "verdict_a": (ca or {}).get("verdict"), "verdict_b": (cb or {}).get("verdict"),
                     "cells": max(len(cells_a), len(cells_b)), "shared_cells": len(shared), "max_rel_diff": worst,
                     "findings_changed": changed, "findings_swung": swung})
    return Comparison(rows, (docs[0]["report"].get("versions", {}), docs[1]["report"].get("versions", {})),
                      tuple(n for n in everything if n not in chosen))
