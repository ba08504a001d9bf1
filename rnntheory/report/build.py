r"""The bound-vs-measured report: every claim of the registry, measured on a grid, written to a folder.

:func:`run` measures the cells of the chosen claims (resumably and in parallel: :mod:`rnntheory.run.executors`)
and analyses them into a :class:`Report`; :meth:`Report.write` produces::

    report.md            summary table of verdicts, then one section per claim: statement, bound shape,
                         figure, findings with fitted exponents and intervals, verdicts, smallest
                         constants, and a sentence on what was and was not shown
    figures/<claim>.png  measured values with spread against the bound shape (rnntheory.report.figures)
    results.csv          every measured row with its claim, cell key and full configuration
    results.json         the same rows grouped by claim and cell, with the grids and the findings

Nothing in these files depends on the time or the order in which cells were measured, so a report
that was interrupted and resumed writes the same files as one that ran straight through.

Grid files are read by :mod:`rnntheory.report.grids`; the command line is ``rnntheory report``
(:mod:`rnntheory.cli`; ``rnntheory report --help`` lists its options).

Its length (about 530 lines) is the :class:`Report` type with its three renderings (markdown, CSV,
JSON) and the four ways to make one (:func:`run`, a budgeted run, :func:`rejudge` from a cache,
:func:`from_results` from a results.json); the words and tables it shares with a claim's result live in
rnntheory.claims._text.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd
import torch

from .. import __version__
from ..run import budget as B
from ..claims import ClaimResult, Finding, Grid, get
from ..claims._text import (HEADLINE_RULE, catches, cell, controls_table, false_alarm, findings_table, measured, pct,
                           seeds_text, what_was_shown)
from ..run.cache import CellCache, atomic_write
from ..run.cost import Cost, about, estimate
from ..run.progress import Progress
from ..run.records import Task, device_name, plain, to_json
from .comparison import Comparison, compare
from .grids import grid_spec, load_grids
from ..stats.verdicts import VERDICTS

__all__ = ["Report", "run", "rejudge", "from_results", "cost", "load_grids", "grid_spec", "headline", "what_was_shown", "false_alarm", "measured",
           "claims_reference", "compare", "Comparison", "versions"]

_PAPER = ('Allen-Zhu and Li, "Can SGD Learn Recurrent Neural Networks with Provable Generalization?" '
          "(NeurIPS 2019)")


_CLAIMS_FLAG = re.compile(r" --claims( [^-]\S*)+")


# ---------------------------------------------------------------------- the report
def headline(result: ClaimResult) -> Finding | None:
    r"""The finding that decides a claim's verdict (:meth:`~rnntheory.claims.ClaimResult.deciding`:
    :data:`HEADLINE_RULE`)."""
    return result.deciding()


def _point_key(point: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in point.items() if k != "seeds"}


@dataclass
class Report:
    r"""Results of a report run: per claim its :class:`~rnntheory.claims.ClaimResult`, grid and cell
    records (in the order of the grid), and what the run was (``meta``)."""

    results: dict[str, ClaimResult]
    grids: dict[str, Grid]
    records: dict[str, list[dict[str, Any]]]
    meta: dict[str, Any]
    wall_seconds: float = 0.0  # of this run (not written to the files, which must not depend on it)

    def __post_init__(self) -> None:
        self.controls = {n: res.controls() for n, res in self.results.items()}

    @property
    def compute_seconds(self) -> dict[str, float]:
        r"""Per claim, the seconds its cells took when they were measured (cached cells included)."""
        return {n: float(sum(r["seconds"] for r in recs)) for n, recs in self.records.items()}

    def summary(self) -> pd.DataFrame:
        r"""One row per claim: name, reference, verdict, counts of findings by verdict, and the headline
        finding (the first with the claim's verdict) with its smallest constant."""
        rows = []
        for n, res in self.results.items():
            head = headline(res)
            counts = {v: sum(f.verdict == v for f in res.findings) for v in VERDICTS}
            ctl = self.controls[n]
            rows.append({
                "claim": n, "reference": res.claim.reference, "verdict": str(res.verdict),
                **{f"n_{v}": c for v, c in counts.items()},
                "controls": ", ".join(f"{n} {status}" for status, n in
                                      Counter(o.status for o in ctl).items()),
                "headline": "" if head is None else f"{head.name}: {measured(head)}",
                "constant": None if head is None else head.constant, "cells": len(self.records[n]),
                "failed": len(res.failed), "to_decide": res.decide() or "-",
                "at_resolution": sum(f.decision.at_resolution for f in res.findings),
            })
        return pd.DataFrame(rows)

    def findings(self) -> pd.DataFrame:
        r"""One row per finding of every claim."""
        frames = [res.to_frame().assign(measured=[measured(f) for f in res.findings]) for res in self.results.values()]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def results_frame(self) -> pd.DataFrame:
        r"""Every measured row: ``claim``, ``cell`` (the cache key's first 16 hex digits), the row's
        columns, then the rest of its cell's configuration (lists and dicts as JSON text). A failed
        cell gives one row with its configuration and ``error`` ("type: message")."""
        rows = []
        for n, recs in self.records.items():
            for rec in recs:
                for row in rec["rows"]:
                    rows.append({"claim": n, "cell": rec["key"][:16], **row,
                                 **{k: v for k, v in rec["cell"].items() if k not in row}})
                if rec.get("error"):  # a failed cell: one row with its configuration and the error
                    e = rec["error"]
                    rows.append({"claim": n, "cell": rec["key"][:16], **rec["cell"], "error": f"{e['type']}: {e['message']}"})
        df = pd.DataFrame(rows)
        kinds: dict[str, set[type]] = {}
        for row in rows:
            for k, v in row.items():
                if v is not None:
                    kinds.setdefault(k, set()).add(type(v))
        for col, ts in kinds.items():
            if ts & {list, dict}:
                df[col] = df[col].map(lambda v: to_json(v) if isinstance(v, (list, dict)) else v)
            elif ts == {int}:
                df[col] = df[col].astype("Int64")  # integers stay integers next to other claims' blanks
        return df

    def to_json(self) -> dict[str, Any]:
        r"""Everything the report knows, as JSON-ready data (``results.json``)."""
        claims = []
        for n, res in self.results.items():
            c = res.claim
            claims.append({
                "name": n, "title": c.title, "reference": c.reference, "statement": c.statement,
                "quantity": c.quantity, "bound": c.bound, "verdict": res.verdict, "version": c.version,
                "grid": grid_spec(self.grids[n]), "judging": dict(res.settings),
                "level": res.level, "to_decide": res.decide(),
                "findings": [{"key": f.key, "name": f.name, "verdict": f.verdict, "label": f.label,
                              "claimed": f.claimed, "resolution": f.resolution, "meaning": f.decision.meaning,
                              "needs": f.needs, "catches": dict(f.catches),
                              "measured": measured(f), "constant": f.constant, "detail": f.detail,
                              "fit": None if f.fit is None else {"type": type(f.fit).__name__, **plain(f.fit)}}
                             for f in res.findings],
                "controls": [{"kind": o.kind, "what": o.what, "status": o.status, "detail": o.detail}
                             for o in self.controls[n]],
                "seeds": {json.dumps(_point_key(p), sort_keys=True): list(self.grids[n].point_seeds(p))
                          for p in self.grids[n].points},
                "cells": [{"key": r["key"], "cell": r["cell"], "rows": r["rows"],
                           **({"error": r["error"]} if r.get("error") else {})} for r in self.records[n]],
            })
        return plain({"report": self.meta, "claims": claims}, finite=True)

    def markdown(self, figures: Mapping[str, str] | None = None) -> str:
        r"""The text of ``report.md`` (``figures``: claim name -> relative path of its PNG)."""
        figures = figures or {}
        m = self.meta
        ncells = sum(len(r) for r in self.records.values())
        verdicts = [res.verdict for res in self.results.values()]
        counts = ", ".join(f"{verdicts.count(v)} {v}" for v in VERDICTS if verdicts.count(v))
        out = [
            "# Bound-vs-measured report", "",
            f"{_PAPER}, checked numerically by rnntheory {m['rnntheory']} (torch {m['torch']}, {m['device_name']}, "
            f"{_dtypes_text(m)}) on the `{m['grid']}` grid: {len(self.results)} claims, {ncells} cells. "
            f"Verdicts: {counts}.", "",
            f"Regenerate with `{m['command']}`.", "",
            *self._failed_lines(),
            "How to read it (theory.md, section 7; docs/conventions.md): each finding fits the measured quantity "
            f"against one parameter on log-log axes, with a {pct(m.get('level', 0.99))} confidence interval (a t "
            "interval over seeds: the network is the unit of replication). For a growing parameter (m, L, N) an upper "
            "bound c * x^a holds asymptotically when the exponent is at most a; for a shrinking one (omega, tau, eps) "
            "when it is at least a; where a claim speaks of a limit the exponent is the local slope at the limiting end "
            "of the range. Every finding has a resolution r, the smallest deviation that matters (what it means over "
            "the measured range is in the fits in full). **consistent**: the interval lies on the allowed side; "
            "**consistent (at resolution r)**: it lies within r of it; **inconsistent**: it lies wholly beyond the "
            "claimed value plus r; **inconclusive**: it contains that edge, and the \"to decide\" column says how "
            "many times the networks would decide it if the estimate held, and what that costs. More data can only "
            "move a verdict out of inconclusive. Polynomial-versus-exponential findings fit log q = a + b log k + c k "
            "and read inconsistent when c's interval lies wholly above the rate of an exponential that adds the "
            "stated factor over the range. High-probability events are judged on an exact binomial interval against "
            "a tolerated failure fraction. The smallest constant is the least c for which the bound holds on every "
            "measured point. Negative controls re-analyse each claim's own measurements with a too-strong "
            "exponent, a wrong normalisation in m and injected exponential growth; a check that cannot see one "
            "says why. Finite experiments cannot prove asymptotic claims: a consistent verdict says the sizes "
            "measured here do not contradict the claimed shape.", "",
            *self._budget_lines(),
            "## Summary", "",
            HEADLINE_RULE, "",
            f"| claim | paper | verdict | findings | negative controls | headline finding: measured ({pct(m.get('level', 0.99))} CI) | smallest c | to decide |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in self.summary().to_dict("records"):
            total = sum(r[f"n_{v}"] for v in VERDICTS)
            tally = f"{r['n_consistent']}/{total} consistent" + (
                f" ({r['at_resolution']} at resolution)" if r["at_resolution"] else "") + "".join(
                f", {r[f'n_{v}']} {v}" for v in VERDICTS[1:] if r[f"n_{v}"])
            const = "-" if r["constant"] is None or pd.isna(r["constant"]) else f"{r['constant']:.3g}"
            n = r["claim"]
            out.append(f"| [{n}](#{n}) | {cell(r['reference'])} | **{r['verdict']}** | {tally} | "
                       f"{r['controls']} | {cell(r['headline'])} | {const} | {cell(r['to_decide'])} |")
        for n, res in self.results.items():
            c, g = res.claim, self.grids[n]
            swept = sorted({k for p in g.points for k in p} - {"seeds"})
            per_point = sorted({len(g.point_seeds(p)) for p in g.points})
            seeds_txt = (f"{per_point[0]} seeds" if len(per_point) == 1
                         else f"{per_point[0]} to {per_point[-1]} seeds per point")
            out += ["", f"## {n}", "", f"**{c.title}.** {c.reference}. Verdict: **{res.verdict}**.", "",
                    f"- Claim: {c.statement}",
                    f"- Measured: {c.quantity}.",
                    f"- Bound shape: `{c.bound}`.",
                    f"- Grid: {len(self.records[n])} cells ({len(g.points)} points x {seeds_txt}"
                    + (f"; swept: {', '.join(swept)}" if swept else "") + ").", ""]
            if res.failed:
                out += [f"- Failed cells ({len(res.failed)}; left out of every finding, the claim reads inconclusive; "
                        "rerun with `--retry-failed` to measure them again):"]
                for f in res.failed:
                    where = {k: v for k, v in f["cell"].items() if k not in ("device", "dtype")}
                    out.append(f"  - `{cell(to_json(where, sort_keys=True))}`: "
                               f"{cell(f['error']['type'])}: {cell(f['error']['message'])}")
                out.append("")
            if n in figures:
                out += [f"![{n}]({figures[n]})", ""]
            out += [*findings_table(res), "", *controls_table(self.controls[n])]
            again = f"`{_CLAIMS_FLAG.sub('', m['command'])} --claims {n}`"
            if m["grid"] == "default" and m["seeds"] is None and not m.get("seed_offset") and m["dtype"] == "per claim":
                again += f", or `rnntheory.claims.get(\"{n}\").run(device=\"{m['device']}\")` in Python"
            out += ["", what_was_shown(res, seeds_text(g)), "", false_alarm(res), "",
                    f"Measure it again: {again}; its rows are those of results.csv with `claim == \"{n}\"`.", "",
                    "<details><summary>Fits in full</summary>", ""]
            out += [f"- {cell(f.name)} (key `{f.key}`): {f.detail}"
                    + (f"; resolution {f.resolution:.3g}: {f.decision.meaning}" if f.decision.meaning else "")
                    + catches(f) for f in res.findings]
            out += ["", "</details>"]
        return "\n".join(out) + "\n"

    def _budget_lines(self) -> list[str]:
        b = self.meta.get("budget")
        out = [f"Budgeted run: {b['summary']}", ""] if b else []
        if self.meta.get("rejudged"):
            out += [f"This report was {self.meta['rejudged']}.", ""]
        return out

    def _failed_lines(self) -> list[str]:
        n = sum(len(res.failed) for res in self.results.values())
        if not n:
            return []
        which = ", ".join(f"{name} ({len(res.failed)})" for name, res in self.results.items() if res.failed)
        return [f"**{n} cell(s) failed** and are listed in their claims' sections: {which}. Each such claim reads "
                "inconclusive; `--retry-failed` measures them again.", ""]

    def write(self, out: str | os.PathLike[str], *, figures: bool = True) -> list[Path]:
        r"""Write report.md, figures/<claim>.png, results.csv and results.json into ``out``; returns the
        paths written. Each file is written atomically (rnntheory.run.cache.atomic_write)."""
        from . import figures as plotting

        root = Path(out)
        (root / "figures").mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        paths: dict[str, str] = {}
        if figures:
            for n, res in self.results.items():
                p = root / "figures" / f"{n}.png"
                fig = plotting.claim_figure(res)
                atomic_write(p, lambda tmp: plotting.save_figure(fig, tmp))
                paths[n] = f"figures/{n}.png"
                written.append(p)
        texts = {
            "report.md": self.markdown(paths),
            "results.csv": self.results_frame().to_csv(index=False),
            "results.json": json.dumps(self.to_json(), indent=1) + "\n",
        }
        for name, text in texts.items():
            atomic_write(root / name, text)
            written.append(root / name)
        return written


def claims_reference() -> str:
    r"""docs/claims.md: every registered claim with its statement, what it measures, its bound, its
    grids, the settings its verdicts are judged with and its negative controls, generated from the
    registry (``rnntheory claims --markdown``), so the page cannot drift from the code."""
    from ..claims import get, names

    out = ["# The claims", "",
           "Generated from the claim registry by `rnntheory claims --markdown > docs/claims.md`; a test keeps it in step "
           "with the code. Section numbers refer to [theory.md](theory.md); the verdict rules are in its section 7 and "
           "[conventions.md](conventions.md).", "",
           "The cost is the compute of a grid's cells from the reference timings shipped with the package "
           "(rnntheory/run/timings.json: measured on a 2-core CPU, each claim in its own dtype, one torch thread per cell; claims that share "
           "cells each count them). `rnntheory report --dry-run` previews a run the same way, counting what is cached.",
           "", "| claim | theory | default grid | large grid |", "|---|---|---|---|"]
    costs = {n: {g: get(n).cost(g).seconds for g in ("default", "large")} for n in names()}
    for n in names():
        c = get(n)
        sizes = [f"{len(c.grid(g))} cells, {about(costs[n][g])}" for g in ("default", "large")]
        out.append(f"| [{n}](#{n}) | {cell(c.reference)} | {sizes[0]} | {sizes[1]} |")
    for n in names():
        c = get(n)
        out += ["", f"## {n}", "", f"**{c.title}.** {c.reference}.", "",
                f"- Claim: {c.statement}", f"- Measured: {c.quantity}.", f"- Bound shape: `{c.bound}`."]
        for g in ("default", "large"):
            grid = c.grid(g)
            swept = sorted({k for pt in grid.points for k in pt} - {"seeds"})
            per_point = sorted({len(grid.point_seeds(pt)) for pt in grid.points})
            seeds = f"{per_point[0]}" if len(per_point) == 1 else f"{per_point[0]} to {per_point[-1]}"
            out.append(f"- Grid `{g}`: {len(grid)} cells, {len(grid.points)} points x {seeds} seeds"
                       + (f"; swept: {', '.join(swept)}" if swept else "") + f"; {about(costs[n][g])} of compute.")
        if c.judging:
            out.append("- Judged with: " + ", ".join(f"`{k} = {v!r}`" for k, v in c.judging.items()) + ".")
        out.append("- Negative controls:")
        for ctl in c.controls:
            how = f"cannot be detected: {ctl.undetectable}" if ctl.undetectable else "must be rejected"
            out.append(f"  - {ctl.kind} ({ctl.what}): {how}.")
    return "\n".join(out) + "\n"


def run(
    claims: Sequence[str] | None = None,
    grid: str | os.PathLike[str] = "default",
    *,
    device: str = "cpu",
    dtype: str | None = None,
    seeds: int | None = None,
    seed_offset: int = 0,
    cache: str | os.PathLike[str] | None = None,
    jobs: int = 1,
    progress: bool | Progress | None = True,
    command: str = "rnntheory report",
    retry_failed: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
    budget: float | str | None = None,
    log: Any = None,
) -> Report:
    r"""Measure and analyse the chosen claims on a grid.

    Args:
        claims: registered claim names (default: all, in the registry's order).
        grid: ``"default"``, ``"large"`` or a grid file (:func:`load_grids`).
        device: ``"cpu"`` or ``"cuda"``.
        dtype: ``"float64"`` or ``"float32"`` for every claim; ``None`` (default): each claim in its own
            dtype (``Claim.dtype``, the precision policy of docs/reporting.md).
        seeds: replace every grid's seeds by ``range(seeds)``.
        seed_offset: shift every seed by this much: an independent replication of the same grids.
        cache: a folder for finished cells (resume after an interruption); ``None`` keeps nothing.
        jobs: worker processes (rnntheory.run.executors).
        progress: a progress bar on standard error.
        command: how the report says it is regenerated.
        retry_failed: measure again the cached cells that failed (rnntheory.run.executors.run_tasks).
        executor, scheduler: ``"local"`` or ``"dask"`` and a Dask scheduler's address (none: a
            LocalCluster of ``jobs`` workers); cells land in ``cache`` on this machine as they finish.
        budget: seconds or a duration (``"1h"``): after the grid, spend the rest on rounds of added
            seeds where they decide most (:mod:`rnntheory.run.budget`; each look at its spent level).
        log: a callable for one line per budget round (default: silent).

    Returns:
        A :class:`Report`.

    Raises:
        ValueError: an unknown claim, grid, or a bad ``seeds``/``jobs``/``device``.
    """
    device, dtype, grids, _, _ = _tasks("report.run", claims, grid, device, dtype, seeds, seed_offset)
    t0 = time.perf_counter()
    label = Path(str(grid)).name
    single = 1.0 - B.ALPHA  # the level of a run's one look
    meta = {"paper": _PAPER, "rnntheory": __version__, "torch": torch.__version__, "device": device,
            "device_name": device_name(device), "dtype": dtype if dtype is not None else "per claim",
            "dtypes": {n: get(n).dtype_for(dtype) for n in grids}, "grid": label,
            "seeds": seeds, "seed_offset": seed_offset, "claims": list(grids), "command": command, "level": single,
            "versions": versions()}
    chosen = {n: get(n) for n in grids}
    kw = dict(device=device, dtype=dtype, cache=cache, jobs=jobs, progress=progress, retry_failed=retry_failed,
              executor=executor, scheduler=scheduler)
    if budget is not None:
        results, grids, records, meta["budget"] = B.run_grids(chosen, grids, budget, label=label, log=log, **kw)
        meta["level"] = B.look_level(1)
        return Report(results, grids, records, meta, time.perf_counter() - t0)
    records = B.measure(chosen, grids, **kw)
    results = {n: B.judge(chosen[n], g, records[n], label, single) for n, g in grids.items()}
    return Report(results, grids, records, meta, time.perf_counter() - t0)


def _stored(folder: str | os.PathLike[str], where: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any],
                                                                   dict[str, Grid]]:
    r"""A report folder's results.json, its metadata, its claims and their grids (with their seeds)."""
    from .grids import grid_from_spec

    try:
        doc = json.loads((Path(folder) / "results.json").read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"{where}: {str(folder)!r} has no readable results.json ({exc})") from None
    chosen = {c["name"]: get(c["name"]) for c in doc["claims"]}
    return doc, dict(doc["report"]), chosen, {c["name"]: grid_from_spec(c["name"], c["grid"]) for c in doc["claims"]}


def _judged(chosen: Mapping[str, Any], grids: Mapping[str, Grid], records: Mapping[str, list[dict[str, Any]]],
            meta: Mapping[str, Any]) -> dict[str, ClaimResult]:
    r"""Every claim judged at the level of its last look (a budgeted run's looks, :func:`rnntheory.run.budget.level_of`)."""
    looks = (meta.get("budget") or {}).get("looks", {})
    return {n: B.judge(chosen[n], g, records[n], meta["grid"],
                       B.level_of(chosen[n], int(looks[n])) if n in looks else 1.0 - B.ALPHA)
            for n, g in grids.items()}


def rejudge(folder: str | os.PathLike[str], cache: str | os.PathLike[str] | None = None) -> Report:
    r"""The report in ``folder`` judged again by the current rules from its cache (default
    ``folder/.cache``), measuring nothing: the same grids and seeds (results.json), each claim at the
    level of its last look (a budgeted run's looks, :func:`rnntheory.run.budget.level_of`), the run's
    metadata kept. The way to apply a changed judging rule to a stored run.

    Raises:
        ValueError: no readable results.json, or a cell that is not in the cache.
    """
    _, meta, chosen, grids = _stored(folder, "report.rejudge")
    cache = Path(folder) / ".cache" if cache is None else Path(cache)
    store = CellCache(cache)
    # the dtype each claim was measured in (reports written before per-claim dtypes have one for all)
    dtypes = meta.get("dtypes") or {n: meta["dtype"] for n in grids}
    for n, g in grids.items():
        missing = [t for t in chosen[n].tasks(g.cells(device=meta["device"], dtype=dtypes[n]))
                   if store.load(t.group, t.key) is None]
        if missing:
            raise ValueError(f"report.rejudge: {len(missing)} cell(s) of {n} are not in {cache}")
    records = {}
    for n in grids:
        records.update(B.measure({n: chosen[n]}, {n: grids[n]}, device=meta["device"], dtype=dtypes[n], cache=cache,
                                 jobs=1, progress=False))
    meta["rejudged"] = ("judged again from its cache by the current rules (`rnntheory.report.rejudge`), each claim at "
                        "the level of its last look; nothing was measured again")
    return Report(_judged(chosen, grids, records, meta), grids, records, meta)


def from_results(folder: str | os.PathLike[str]) -> Report:
    r"""The report in ``folder`` rebuilt from its results.json alone, with no cache: the same grids,
    seeds, rows and metadata, each claim judged by the current code at the level of its last look. Its
    report.md and results.json equal the folder's as long as neither the rules, their words nor the
    reference timings behind "to decide" changed; ``python -m rnntheory.report._published`` re-renders the
    committed reports this way. Non-finite numbers, stored in results.json as null, are read back from
    results.csv. The cells' times are not stored, so :attr:`Report.compute_seconds` reads 0.

    Raises:
        ValueError: no readable results.json, or a results.csv that does not match it.
    """
    import csv

    doc, meta, chosen, grids = _stored(folder, "report.from_results")
    records = {c["name"]: [{"claim": chosen[c["name"]].cells or c["name"], "seconds": 0.0,
                            **{k: r[k] for k in ("key", "cell", "rows", "error") if k in r}} for r in c["cells"]]
               for c in doc["claims"]}
    nulls = [(row, k) for recs in records.values() for rec in recs for row in rec["rows"] for k, v in row.items() if v is None]
    if nulls:  # only then is results.csv needed: its rows are those of results.json, in the same order
        try:
            with open(Path(folder) / "results.csv", newline="") as fh:
                lines = [line for line in csv.DictReader(fh) if not line.get("error")]
        except OSError as exc:
            raise ValueError(f"report.from_results: {str(folder)!r} has null values and no readable results.csv "
                             f"({exc})") from None
        rows = [row for recs in records.values() for rec in recs for row in rec["rows"]]
        if len(lines) != len(rows):
            raise ValueError(f"report.from_results: {str(folder)!r}: results.csv has {len(lines)} measured rows, "
                             f"results.json {len(rows)}")
        where = {id(row): line for row, line in zip(rows, lines)}
        for row, k in nulls:
            text = where[id(row)].get(k, "")
            if text in ("inf", "-inf"):
                row[k] = float(text)
    return Report(_judged(chosen, grids, records, meta), grids, records, meta)


def _dtypes_text(meta: Mapping[str, Any]) -> str:
    r"""The dtypes of a run for the report's first line: one dtype, or each claim's own (the policy)."""
    per = meta.get("dtypes") or {}
    if meta.get("dtype") != "per claim" or not per:
        return str(meta.get("dtype"))
    by: dict[str, list[str]] = {}
    for n, d in per.items():
        by.setdefault(d, []).append(n)
    if len(by) == 1:
        return f"{next(iter(by))}, each claim's own dtype"
    main = max(by, key=lambda d: len(by[d]))
    rest = "; ".join(f"{d} for {', '.join(ns)}" for d, ns in by.items() if d != main)
    return f"{main} ({rest}: each claim's own dtype, docs/reporting.md)"


def _tasks(where: str, claims: Sequence[str] | None, grid: str | os.PathLike[str], device: str, dtype: str | None,
           seeds: int | None, seed_offset: int) -> tuple[str, str | None, dict[str, Grid], list[Task], list[str]]:
    r"""The checked device and dtype, the grids, the tasks of every cell and the claim of each task."""
    from .. import _validation as V

    try:
        device = V.run_device(where, device)
    except TypeError as exc:
        raise ValueError(str(exc)) from None
    dtype = None if dtype is None else V.dtype_name(dtype, where)
    grids = load_grids(grid, claims, seeds=seeds, seed_offset=seed_offset)
    tasks: list[Task] = []
    owner: list[str] = []
    for n, g in grids.items():
        get(n).check_cells(g, where)
        ts = get(n).tasks(g.cells(device=device, dtype=get(n).dtype_for(dtype, where)))
        tasks += ts
        owner += [n] * len(ts)
    return device, dtype, grids, tasks, owner


def cost(
    claims: Sequence[str] | None = None,
    grid: str | os.PathLike[str] = "default",
    *,
    device: str = "cpu",
    dtype: str | None = None,
    seeds: int | None = None,
    seed_offset: int = 0,
    cache: str | os.PathLike[str] | None = None,
    retry_failed: bool = False,
) -> Cost:
    r"""What :func:`run` with these arguments would cost, measuring nothing (``rnntheory report
    --dry-run``): per claim, the cells, how many are in ``cache`` and the estimated compute of the
    rest from measured per-cell times (:mod:`rnntheory.run.cost`). Cells shared by two claims count once,
    under the first."""
    *_, tasks, owner = _tasks("report.cost", claims, grid, device, dtype, seeds, seed_offset)
    return estimate(tasks, cache=cache, labels=owner, retry_failed=retry_failed)


def versions() -> dict[str, str]:
    r"""The versions of Python and of every library whose arithmetic can reach a number in the report:
    two reports agree to the last bit only when these agree (docs/reporting.md, reproducibility)."""
    import importlib.metadata as md
    import platform

    out = {"python": platform.python_version()}
    for dist in ("torch", "numpy", "scipy", "pandas", "sympy", "mpmath", "matplotlib"):
        try:
            out[dist] = md.version(dist)
        except md.PackageNotFoundError:  # pragma: no cover - every one is a dependency
            out[dist] = "not installed"
    return out
