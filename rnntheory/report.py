r"""The bound-vs-measured report: every claim of the registry, measured on a grid, written to a folder.

:func:`run` measures the cells of the chosen claims (resumably and in parallel: :mod:`rnntheory.sweep`)
and analyses them into a :class:`Report`; :meth:`Report.write` produces::

    report.md            summary table of verdicts, then one section per claim: statement, bound shape,
                         figure, findings with fitted exponents and intervals, verdicts, smallest
                         constants, and a sentence on what was and was not shown
    figures/<claim>.png  measured values with spread against the bound shape (rnntheory.plotting)
    results.csv          every measured row with its claim, cell key and full configuration
    results.json         the same rows grouped by claim and cell, with the grids and the findings

Nothing in these files depends on the time or the order in which cells were measured, so a report
that was interrupted and resumed writes the same files as one that ran straight through.

Grid files are read by :mod:`rnntheory.grids`; the command line is ``rnntheory report``
(:mod:`rnntheory.cli`; ``rnntheory report --help`` lists its options).

Its length (about 600 lines) is the :class:`Report` type with its three renderings (markdown, CSV,
JSON) and the three ways to make one (:func:`run`, a budgeted run, :func:`rejudge`); splitting the
renderings from the building is the job of the package layout planned in docs (report/ as a
sub-package).
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd
import torch

from . import __version__
from . import budget as B
from . import stats as S
from . import sweep
from .claims import ClaimResult, Finding, Grid, get
from .cost import Cost, about, estimate
from .compare import Comparison, compare
from .grids import grid_spec, load_grids
from .verdicts import VERDICTS, Verdict

__all__ = ["Report", "run", "rejudge", "cost", "load_grids", "grid_spec", "headline", "what_was_shown", "false_alarm", "measured",
           "claims_reference", "compare", "Comparison", "versions"]

_PAPER = ('Allen-Zhu and Li, "Can SGD Learn Recurrent Neural Networks with Provable Generalization?" '
          "(NeurIPS 2019)")


_CLAIMS_FLAG = re.compile(r" --claims( [^-]\S*)+")


# ---------------------------------------------------------------------- the report
def measured(f: Finding) -> str:
    r"""The measured figure of a finding, short: the fitted value with its interval (and, for a growth
    finding, the exponent and rate of the nested fit and which pure model fits better)."""
    fit = f.fit
    if isinstance(fit, S.GrowthFit):
        b, c = fit.power, fit.rate
        return (f"nested fit in {fit.variable}: exponent {b.value:.3g} [{b.ci_low:.3g}, {b.ci_high:.3g}], rate "
                f"{c.value:.3g} [{c.ci_low:.3g}, {c.ci_high:.3g}]; pure {fit.preferred} fits better")
    if isinstance(fit, S.ExponentFit):
        name = "exponent" if fit.axes == "log-log" else "rate"
        return f"{name} in {fit.variable} {fit.slope:.3g} [{fit.ci_low:.3g}, {fit.ci_high:.3g}]"
    if isinstance(fit, S.MeanInterval):
        return f"{fit.name} {fit.mean:.3g} [{fit.ci_low:.3g}, {fit.ci_high:.3g}] ({fit.n} values)"
    if isinstance(fit, S.BinomialDecision):
        return f"held on {fit.k}/{fit.n} ({100 * fit.level:.4g}% CI [{fit.ci_low:.2f}, {fit.ci_high:.2f}])"
    return f.detail.split("; ")[0]


def headline(result: ClaimResult) -> Finding | None:
    r"""The finding that decides a claim's verdict (:meth:`~rnntheory.claims.ClaimResult.deciding`)."""
    return result.deciding()


def _to_decide(f: Finding, grid_seconds: float, jobs: int = 2) -> str:
    r"""What would decide one finding, short ("-" when it is decided)."""
    if f.decision.decided:
        return "-"
    if math.isnan(f.needs):
        return "cannot be analysed on these data" if f.decision.rule == "cannot analyse" else "not by more networks"
    if math.isinf(f.needs):
        return "not by more networks of this design"
    extra = (f.needs - 1.0) * grid_seconds
    when = f", {about(extra / jobs)} on {jobs} cores" if math.isfinite(extra) else ""
    return f"~{f.needs:.2g}x networks{when}"


def _pct(level: float) -> str:
    return f"{100 * level:.4g}%"


def _catches(f: Finding) -> str:
    r"""Whether the finding's own interval catches the errors the controls stand for."""
    words = {"too_strong": "a claimed exponent 0.5 too strong", "exponential": "an injected exponential of 8x over the range"}
    parts = []
    for k, need in f.catches.items():
        if need == 1.0:
            parts.append(f"rejects {words[k]}")
        elif math.isnan(need):
            parts.append(f"cannot see {words[k]}: the altered claim still holds on these data (the measured value "
                         "lies that far inside the bound)")
        elif math.isfinite(need):
            parts.append(f"does not yet reject {words[k]} (about {need:.2g}x the networks would)")
        else:
            parts.append(f"cannot reject {words[k]} with more networks of this design (its interval sits at the edge)")
    return ("; " + "; ".join(parts)) if parts else ""


def _point_key(point: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in point.items() if k != "seeds"}


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _ranges(findings: Sequence[Finding]) -> str:
    spans: dict[str, tuple[float, float]] = {}
    for f in findings:
        if f.series is None or not f.series.xs:
            continue
        lo, hi = min(f.series.xs), max(f.series.xs)
        a, b = spans.get(f.series.x, (lo, hi))
        spans[f.series.x] = (min(a, lo), max(b, hi))
    return ", ".join(f"{x} from {lo:.4g} to {hi:.4g}" for x, (lo, hi) in spans.items())


def false_alarm(result: ClaimResult) -> str:
    r"""The chance that this claim reads "inconsistent" on a grid where every finding's truth sits
    exactly on its claimed value: each interval finding errs on the forbidden side with probability
    at most half its miss rate (0.5% at 99%), each event with its alpha, each exact check never; the
    union bound over the findings."""
    judged = [f for f in result.findings if f.decision.rule in ("exponent", "mean", "growth", "event")]
    each = (1 - result.level) / 2
    rate = each * len(judged)
    return (f"Error rates: a finding reads \"inconsistent\" with probability at most {each:.2%} when its truth sits at "
            f"the far edge of its indifference zone (claimed value plus resolution), and \"consistent (at resolution "
            f"r)\" with at most {each:.2%} when the truth sits just beyond that edge; for the claim's "
            f"{len(judged)} judged findings together at most {rate:.2%} each way (union bound), and less the further "
            "the truth lies from the edge.")


def what_was_shown(result: ClaimResult, seeds: int | str) -> str:
    r"""A plain sentence (or three) on what the measurements did and did not show (``seeds``: a count,
    or words such as ``"4 to 12 seeds per point"``)."""
    fs = result.findings
    count = seeds if isinstance(seeds, str) else f"{seeds} seed{'s' if seeds != 1 else ''}"
    where = f" ({_ranges(fs)}; {count})" if _ranges(fs) else f" ({count})"
    bad = [f.name for f in fs if f.verdict == Verdict.INCONSISTENT]
    open_ = [f.name for f in fs if f.verdict == Verdict.INCONCLUSIVE]
    out = []
    if not bad and not open_:
        out.append(f"Shown: all {len(fs)} findings agree with the claimed shape on this grid{where}. "
                   "This is evidence about the sizes measured, not a proof of the asymptotic statement; "
                   "the constants are this grid's, not the paper's.")
    else:
        good = len(fs) - len(bad) - len(open_)
        if good:
            out.append(f"Shown: {good} of {len(fs)} findings agree with the claimed shape on this grid{where}.")
        if bad:
            out.append("Not shown, contradicted at these sizes: " + "; ".join(bad) + ". The measured interval lies "
                       "wholly on the forbidden side of the claimed value, so either the bound's shape does not yet "
                       "describe these sizes or the statement as measured here fails (docs/findings.md discusses the "
                       "default grid's findings).")
        if open_:
            todo = result.decide()
            out.append("Not decided: " + "; ".join(open_) + ". Their intervals contain the edge of the indifference "
                       "zone" + (f"; to decide: {todo} (the \"to decide\" column; `rnntheory report --budget` spends a "
                                  "budget on it)." if todo else "."))
    return " ".join(out)


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
                df[col] = df[col].map(lambda v: sweep.to_json(v) if isinstance(v, (list, dict)) else v)
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
                              "fit": None if f.fit is None else {"type": type(f.fit).__name__, **sweep.plain(f.fit)}}
                             for f in res.findings],
                "controls": [{"kind": o.kind, "what": o.what, "status": o.status, "detail": o.detail}
                             for o in self.controls[n]],
                "seeds": {json.dumps(_point_key(p), sort_keys=True): list(self.grids[n].point_seeds(p))
                          for p in self.grids[n].points},
                "cells": [{"key": r["key"], "cell": r["cell"], "rows": r["rows"],
                           **({"error": r["error"]} if r.get("error") else {})} for r in self.records[n]],
            })
        return sweep.plain({"report": self.meta, "claims": claims}, finite=True)

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
            f"against one parameter on log-log axes, with a {_pct(m.get('level', 0.99))} confidence interval (a t "
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
            "The headline is the finding that decides the claim's verdict: its first finding with that verdict "
            "(for an inconsistent claim the first contradicted finding, for an inconclusive one the first undecided "
            "finding), with its smallest constant.", "",
            f"| claim | paper | verdict | findings | negative controls | headline finding: measured ({_pct(m.get('level', 0.99))} CI) | smallest c | to decide |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in self.summary().to_dict("records"):
            total = sum(r[f"n_{v}"] for v in VERDICTS)
            tally = f"{r['n_consistent']}/{total} consistent" + (
                f" ({r['at_resolution']} at resolution)" if r["at_resolution"] else "") + "".join(
                f", {r[f'n_{v}']} {v}" for v in VERDICTS[1:] if r[f"n_{v}"])
            const = "-" if r["constant"] is None or pd.isna(r["constant"]) else f"{r['constant']:.3g}"
            n = r["claim"]
            out.append(f"| [{n}](#{n}) | {_cell(r['reference'])} | **{r['verdict']}** | {tally} | "
                       f"{r['controls']} | {_cell(r['headline'])} | {const} | {_cell(r['to_decide'])} |")
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
                    cell = {k: v for k, v in f["cell"].items() if k not in ("device", "dtype")}
                    out.append(f"  - `{_cell(sweep.to_json(cell, sort_keys=True))}`: "
                               f"{_cell(f['error']['type'])}: {_cell(f['error']['message'])}")
                out.append("")
            if n in figures:
                out += [f"![{n}]({figures[n]})", ""]
            grid_s = res.grid_seconds()
            out += [f"| finding | claimed | measured ({_pct(res.level)} CI) | verdict | smallest c | to decide |",
                    "|---|---|---|---|---|---|"]
            for f in res.findings:
                const = "-" if f.constant is None else f"{f.constant:.3g}"
                out.append(f"| {_cell(f.name)} | {_cell(f.claimed)} | {_cell(measured(f))} | {f.label} | {const} | "
                           f"{_cell(_to_decide(f, grid_s))} |")
            out += ["", "| negative control | result |", "|---|---|"]
            out += [f"| {_cell(o.kind)}: {_cell(o.what)} | {o.status}: {_cell(o.detail)} |" for o in self.controls[n]]
            again = f"`{_CLAIMS_FLAG.sub('', m['command'])} --claims {n}`"
            if m["grid"] == "default" and m["seeds"] is None and not m.get("seed_offset") and m["dtype"] == "per claim":
                again += f", or `rnntheory.claims.get(\"{n}\").run(device=\"{m['device']}\")` in Python"
            out += ["", what_was_shown(res, per_point[0] if len(per_point) == 1 else seeds_txt), "", false_alarm(res), "",
                    f"Measure it again: {again}; its rows are those of results.csv with `claim == \"{n}\"`.", "",
                    "<details><summary>Fits in full</summary>", ""]
            out += [f"- {_cell(f.name)} (key `{f.key}`): {f.detail}"
                    + (f"; resolution {f.resolution:.3g}: {f.decision.meaning}" if f.decision.meaning else "")
                    + _catches(f) for f in res.findings]
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
        paths written. Each file is written atomically (rnntheory.sweep.atomic_write)."""
        from . import plotting

        root = Path(out)
        (root / "figures").mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        paths: dict[str, str] = {}
        if figures:
            for n, res in self.results.items():
                p = root / "figures" / f"{n}.png"
                fig = plotting.claim_figure(res)
                sweep.atomic_write(p, lambda tmp: plotting.save_figure(fig, tmp))
                paths[n] = f"figures/{n}.png"
                written.append(p)
        texts = {
            "report.md": self.markdown(paths),
            "results.csv": self.results_frame().to_csv(index=False),
            "results.json": json.dumps(self.to_json(), indent=1) + "\n",
        }
        for name, text in texts.items():
            sweep.atomic_write(root / name, text)
            written.append(root / name)
        return written


def claims_reference() -> str:
    r"""docs/claims.md: every registered claim with its statement, what it measures, its bound, its
    grids, the settings its verdicts are judged with and its negative controls, generated from the
    registry (``rnntheory claims --markdown``), so the page cannot drift from the code."""
    from .claims import get, names

    out = ["# The claims", "",
           "Generated from the claim registry by `rnntheory claims --markdown > docs/claims.md`; a test keeps it in step "
           "with the code. Section numbers refer to [theory.md](theory.md); the verdict rules are in its section 7 and "
           "[conventions.md](conventions.md).", "",
           "The cost is the compute of a grid's cells from the reference timings shipped with the package "
           "(rnntheory/timings.json: measured on a 2-core CPU in float64, one torch thread per cell; claims that share "
           "cells each count them). `rnntheory report --dry-run` previews a run the same way, counting what is cached.",
           "", "| claim | theory | default grid | large grid |", "|---|---|---|---|"]
    costs = {n: {g: get(n).cost(g).seconds for g in ("default", "large")} for n in names()}
    for n in names():
        c = get(n)
        sizes = [f"{len(c.grid(g))} cells, {about(costs[n][g])}" for g in ("default", "large")]
        out.append(f"| [{n}](#{n}) | {_cell(c.reference)} | {sizes[0]} | {sizes[1]} |")
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
    progress: bool | sweep.Progress | None = True,
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
        jobs: worker processes (rnntheory.sweep).
        progress: a progress bar on standard error.
        command: how the report says it is regenerated.
        retry_failed: measure again the cached cells that failed (rnntheory.sweep.run_tasks).
        executor, scheduler: ``"local"`` or ``"dask"`` and a Dask scheduler's address (none: a
            LocalCluster of ``jobs`` workers); cells land in ``cache`` on this machine as they finish.
        budget: seconds or a duration (``"1h"``): after the grid, spend the rest on rounds of added
            seeds where they decide most (:mod:`rnntheory.budget`; each look at its spent level).
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
            "device_name": sweep.device_name(device), "dtype": dtype if dtype is not None else "per claim",
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


def rejudge(folder: str | os.PathLike[str], cache: str | os.PathLike[str] | None = None) -> Report:
    r"""The report in ``folder`` judged again by the current rules from its cache (default
    ``folder/.cache``), measuring nothing: the same grids and seeds (results.json), each claim at the
    level of its last look (a budgeted run's looks, :func:`rnntheory.budget.level_of`), the run's
    metadata kept. The way to apply a changed judging rule to a stored run.

    Raises:
        ValueError: no readable results.json, or a cell that is not in the cache.
    """
    from .grids import grid_from_spec

    root = Path(folder)
    try:
        doc = json.loads((root / "results.json").read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"report.rejudge: {str(folder)!r} has no readable results.json ({exc})") from None
    meta = dict(doc["report"])
    looks = (meta.get("budget") or {}).get("looks", {})
    cache = root / ".cache" if cache is None else Path(cache)
    store = sweep.CellCache(cache)
    chosen = {c["name"]: get(c["name"]) for c in doc["claims"]}
    grids = {c["name"]: grid_from_spec(c["name"], c["grid"]) for c in doc["claims"]}
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
    results = {n: B.judge(chosen[n], g, records[n], meta["grid"],
                          B.level_of(chosen[n], int(looks[n])) if n in looks else 1.0 - B.ALPHA)
               for n, g in grids.items()}
    meta["rejudged"] = ("judged again from its cache by the current rules (`rnntheory.report.rejudge`), each claim at "
                        "the level of its last look; nothing was measured again")
    return Report(results, grids, records, meta)


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
           seeds: int | None, seed_offset: int) -> tuple[str, str | None, dict[str, Grid], list[sweep.Task], list[str]]:
    r"""The checked device and dtype, the grids, the tasks of every cell and the claim of each task."""
    from . import _validation as V

    try:
        device = V.run_device(where, device)
    except TypeError as exc:
        raise ValueError(str(exc)) from None
    dtype = None if dtype is None else V.dtype_name(dtype, where)
    grids = load_grids(grid, claims, seeds=seeds, seed_offset=seed_offset)
    tasks: list[sweep.Task] = []
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
    rest from measured per-cell times (:mod:`rnntheory.cost`). Cells shared by two claims count once,
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
