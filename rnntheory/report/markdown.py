r"""The report's pages as Markdown: ``report.md`` of a :class:`~rnntheory.report.Report` (:func:`page`,
which :meth:`Report.markdown <rnntheory.report.Report.markdown>` returns) and docs/claims.md, the claims
reference generated from the registry (:func:`claims_reference`).

One job: the words and layout of the two pages. What a page says about one finding (its measured
figure, the findings and controls tables, what was and was not shown, the error rates) comes from
rnntheory.checking.text, which ``print(result)`` and a notebook share; the numbers come from the
:class:`~rnntheory.report.Report` (rnntheory.report.document).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import pandas as pd

from ..checking.claim_result import ClaimResult
from ..checking.grid import Grid
from ..checking.text import (
    HEADLINE_RULE,
    catches,
    cell,
    controls_table,
    false_alarm,
    findings_table,
    measured,
    pct,
    seeds_text,
    what_was_shown,
)
from ..claims import get, names
from ..run.durations import duration
from ..run.records import to_json
from ..stats.verdicts import VERDICTS, Verdict

__all__ = ["PAPER", "page", "claims_reference"]

PAPER = 'Allen-Zhu and Li, "Can SGD Learn Recurrent Neural Networks with Provable Generalization?" (NeurIPS 2019)'
"""The paper the report checks, as its first line and its metadata cite it."""

_CLAIMS_FLAG = re.compile(r" --claims( [^-]\S*)+")
_OUT_FLAG = re.compile(r" --out \S+")  # one claim measured again goes to the default folder, not over this report


def page(report: Any, figures: Mapping[str, str] | None = None) -> str:
    r"""The text of ``report.md`` for ``report`` (a :class:`~rnntheory.report.Report`; ``figures``: claim
    name -> relative path of its PNG): the run in one paragraph, how to read it, the summary table, then
    one section per claim."""
    figures = figures or {}
    out = [*_introduction(report), *_summary_table(report), *_regime_section(report, figures)]
    for n, res in report.results.items():
        out += _claim_section(report, n, res, figures.get(n))
    return "\n".join(out) + "\n"


def _regime_lines(res: ClaimResult) -> list[str]:
    r"""One line per regime finding of a claim: its degree k, its verdict and the threshold widths."""
    out = []
    for f in res.findings:
        if not f.key.endswith(("_degree", "_collapse")) and "_degree[" not in f.key:
            continue
        out.append(f"- {f.label}: {cell(f.name)}: {cell(measured(f))}. {cell(f.detail)}")
    return out


def _regime_section(report: Any, figures: Mapping[str, str]) -> list[str]:
    r"""The section "Regime": for every claim whose premise m >= poly(L) is measured, the degree of the
    threshold width m*(L; delta) in L per accuracy, its verdict, the widths themselves (inside the measured
    range or extrapolated) and the (L, m) figure (theory.md sec. 10)."""
    claims = [(n, res) for n, res in report.results.items() if _regime_lines(res)]
    if not claims:
        return []
    out = [
        "",
        "## Regime",
        "",
        "Every theorem of the paper holds for m >= poly(L). For a quantity q that should be small in the regime, "
        "the threshold width m*(L; delta) is the smallest width with E q <= delta (a power law in m fitted per L "
        "and inverted at delta, with a Fieller interval over networks); the premise holds in the measured form "
        "when m*(L) grows polynomially, not exponentially, in L (the nested fit log m* = a + k log L + c L, judged "
        "on c with the resolution of an exponential adding a factor 2 over the lengths). The degree k of m* ~ L^k "
        "is reported with its interval; the collapse onto L^k / m is a description (for the deep fully connected "
        "ReLU network k = 1: Hanin and Nica, ICLR 2020, a reference, not a claim about the RNN). A verdict on "
        "a single width is a description of that width, never a verdict on the paper (docs/regime.md).",
    ]
    for n, res in claims:
        out += ["", f"### {n}", "", *_regime_lines(res)]
        if f"{n}:regime" in figures:
            out += ["", f"![{n}: the regime m >= poly(L)]({figures[f'{n}:regime']})"]
    return out


def _introduction(report: Any) -> list[str]:
    r"""The title, what was run (paper, versions, dtypes, grid, counts), how to regenerate it, any
    failed cells, how to read it and what a budgeted or rejudged run did."""
    m = report.meta
    ncells = sum(len(r) for r in report.records.values())
    verdicts = [res.verdict for res in report.results.values()]
    counts = ", ".join(f"{verdicts.count(v)} {v}" for v in VERDICTS if verdicts.count(v))
    return [
        "# Bound-vs-measured report",
        "",
        f"{PAPER}, checked numerically by rnntheory {m['rnntheory']} (torch {m['torch']}, {m['device_name']}, "
        f"{_dtypes_text(m)}{_threads_text(m)}) on the `{m['grid']}` grid: "
        f"{len(report.results)} claims, {ncells} cells. "
        f"Verdicts: {counts}.",
        "",
        f"Regenerate with `{m['command']}`.",
        "",
        *_failed_lines(report.results),
        _how_to_read(_levels(report)),
        "",
        *_budget_lines(m),
    ]


def _levels(report: Any) -> list[float]:
    r"""The confidence levels of the report's claims, each once, lowest first."""
    return sorted({float(res.level) for res in report.results.values()})


def _how_to_read(levels: list[float]) -> str:
    r"""The paragraph on how to read the report (theory.md, section 7), for intervals at ``levels`` (one
    level for every claim, or each claim's own: a budgeted run's looks)."""
    at = (
        f"a {pct(levels[0])} confidence interval"
        if len(levels) == 1
        else f"a confidence interval at its claim's level ({', '.join(pct(v) for v in levels)}: "
        "each claim's last look of "
        "the budgeted run, stated in the summary's rows and in each claim's findings table)"
    )
    return (
        "How to read it (theory.md, section 7; docs/conventions.md): each finding fits the measured quantity "
        f"against one parameter on log-log axes, with {at} (a t "
        "interval over seeds: the network is the unit of replication). For a growing parameter (m, L, N) an upper "
        "bound c * x^a holds asymptotically when the exponent is at most a; for a shrinking one (omega, tau, eps) "
        "when it is at least a; where a claim speaks of a limit the exponent is the local slope at the limiting end "
        "of the range. Every finding has a resolution r, the smallest deviation that matters (what it means over "
        "the measured range is in the fits in full). **consistent**: the interval lies on the allowed side; "
        "**consistent (at resolution r)**: it lies within r of it; **inconsistent**: it lies wholly beyond the "
        'claimed value plus r; **inconclusive**: it contains that edge, and the "to decide" column says how '
        "many times the networks would decide it if the estimate and its spread held (a plug-in figure: that many "
        "networks decide about half the time), and what that costs. More data can only "
        "move a verdict out of inconclusive. Polynomial-versus-exponential findings fit log q = a + b log k + c k "
        "and read inconsistent when c's interval lies wholly above the rate of an exponential that adds the "
        "stated factor over the range. High-probability events are judged on an exact binomial interval against "
        "a tolerated failure fraction. The smallest constant is the least c for which the bound holds on every "
        "measured point. Negative controls re-analyse each claim's own measurements with a too-strong "
        "exponent, a wrong normalisation in m and injected exponential growth; a check that cannot see one "
        "says why. Finite experiments cannot prove asymptotic claims: a consistent verdict says the sizes "
        "measured here do not contradict the claimed shape."
    )


def _summary_table(report: Any) -> list[str]:
    r"""The summary: the headline rule, then one row per claim (:meth:`Report.summary`)."""
    levels = _levels(report)
    one = len(levels) == 1  # one level for every row: in the header; else each row says its own
    label = f"({pct(levels[0])} CI)" if one else "(CI at the claim's level)"
    out = [
        "## Summary",
        "",
        HEADLINE_RULE,
        "",
        f"| claim | paper | verdict | findings | negative controls | headline finding: measured {label} "
        "| smallest c | to decide | degree k of m*(L) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report.summary().to_dict("records"):
        total = sum(r[f"n_{v}"] for v in VERDICTS)
        tally = (
            f"{r['n_consistent']}/{total} consistent"
            + (f" ({r['at_resolution']} at resolution)" if r["at_resolution"] else "")
            + "".join(f", {r[f'n_{v}']} {v}" for v in VERDICTS[1:] if r[f"n_{v}"])
            + (f"; {r['described']} described" if r.get("described") else "")
        )
        const = "-" if r["constant"] is None or pd.isna(r["constant"]) else f"{r['constant']:.3g}"
        n = r["claim"]
        head = r["headline"] if one or not r["headline"] else f"{r['headline']} ({pct(report.results[n].level)} CI)"
        out.append(
            f"| [{n}](#{n}) | {cell(r['reference'])} | **{r['verdict']}** | {tally} | "
            f"{r['controls']} | {cell(head)} | {const} | {cell(r['to_decide'])} | {cell(r.get('degree', '-'))} |"
        )
    return out


def _premise(res: ClaimResult) -> list[str]:
    r"""What the claim's verdict means for the paper's premise m >= poly(L) (theory.md sec. 10), in one line:
    from its regime findings where it measures the premise, and for findings at one width, that they are
    descriptions. Nothing for a claim with neither."""
    degrees = [
        f
        for f in res.findings
        if getattr(getattr(f, "fit", None), "degree", None) is not None and hasattr(f.fit, "thresholds")
    ]
    one_width = [f for f in res.findings if f.described and "one width" in f.described]
    if not degrees and not one_width:
        return []
    parts = []
    if degrees:
        d = degrees[0]
        deg = d.fit.degree
        beyond = [t.L for t in d.fit.thresholds if t.extrapolated]
        held = {
            Verdict.CONSISTENT: "holds as measured: the threshold width grows polynomially in L",
            Verdict.INCONSISTENT: "fails as measured: the threshold width grows exponentially in L",
            Verdict.INCONCLUSIVE: "is undecided at the widths measured",
        }[d.verdict]
        parts.append(
            f"the premise m >= poly(L) {held} (delta = {deg.delta:g}: m* ~ L^k, k = {deg.k}"
            + (f"; m* extrapolated at L = {', '.join(f'{x:g}' for x in beyond)}" if beyond else "")
            + ")"
        )
    else:
        parts.append("the premise m >= poly(L) is not measured by this claim")
    if one_width:
        parts.append(
            f"{len(one_width)} finding(s) at one width are descriptions of that width, not verdicts on the paper"
        )
    return [f"- Premise (theory.md sec. 10): {'; '.join(parts)}."]


def _claim_section(report: Any, n: str, res: ClaimResult, figure: str | None) -> list[str]:
    r"""One claim's section: what it says and was measured on, its failed cells, its figure, the findings
    and controls tables, what was shown, its error rates, how to measure it again and the fits in full."""
    c, g, m = res.claim, report.grids[n], report.meta
    out = [
        "",
        f"## {n}",
        "",
        f"**{c.title}.** {c.reference}. Verdict: **{res.verdict}**.",
        "",
        f"- Claim: {c.statement}",
        f"- Measured: {c.quantity}.",
        f"- Bound shape: `{c.bound}`.",
        f"- Grid: {len(report.records[n])} cells ({_points_and_seeds(g, per_point=' per point')}).",
        *_premise(res),
        "",
        *_failed_cells(res, len(report.records[n])),
    ]
    if figure is not None:
        out += [f"![{n}]({figure})", ""]
    out += [*findings_table(res), "", *controls_table(report.controls[n])]
    again = f"`{_OUT_FLAG.sub('', _CLAIMS_FLAG.sub('', m['command']))} --claims {n}`"
    if m["grid"] == "default" and m["seeds"] is None and not m.get("seed_offset") and m["dtype"] == "per claim":
        again += f', or `rnntheory.claims.get("{n}").run(device="{m["device"]}")` in Python'
    out += [
        "",
        what_was_shown(res, seeds_text(g)),
        "",
        false_alarm(res),
        "",
        f'Measure it again: {again}; its rows are those of results.csv with `claim == "{n}"`.',
        "",
        "<details><summary>Fits in full</summary>",
        "",
    ]
    out += [
        f"- {cell(f.name)} (key `{f.key}`): {f.detail}"
        + (f"; resolution {f.resolution:.3g}: {f.decision.meaning}" if f.decision.meaning else "")
        + catches(f)
        for f in res.findings
    ]
    return out + ["", "</details>"]


_FAILED_LISTED = 10
"""The failed cells a claim's section lists one by one (the rest are counted; results.csv has them all)."""


def _failed_cells(res: ClaimResult, ncells: int) -> list[str]:
    r"""A claim's failed cells (none: no lines): each distinct error once, with the first cell that raised
    it and the end of its traceback, then up to :data:`_FAILED_LISTED` cells with their configuration."""
    if not res.failed:
        return []
    every = len(res.failed) == ncells
    out = [
        f"- Failed cells ({len(res.failed)} of {ncells}{': every cell, so nothing was judged' if every else ''}; "
        "left out of every finding, the claim reads inconclusive. A failure is kept in the cache and replayed "
        "while the claim's measuring code is unchanged; once its code changes the cell is measured again, and "
        "`--retry-failed` measures it again in any case):"
    ]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for f in res.failed:
        groups.setdefault((f["error"]["type"], f["error"]["message"]), []).append(f)
    for (kind, message), fs in groups.items():
        where = {k: v for k, v in fs[0]["cell"].items() if k not in ("device", "dtype")}
        same = f" (and {len(fs) - 1} more cell{'s' if len(fs) != 2 else ''} with the same error)" if len(fs) > 1 else ""
        out.append(
            f"  - {'The first error' if len(groups) == 1 else 'Error'}: **{cell(kind)}: {cell(message)}**, raised "
            f"by the cell `{cell(to_json(where, sort_keys=True))}`{same}."
        )
        tb = str(fs[0]["error"].get("traceback", "")).strip("\n").rstrip()
        if tb:
            out += ["", "    ```text", *(f"    {line}" for line in tb.splitlines()), "    ```", ""]
    if len(groups) > 1 or len(res.failed) <= _FAILED_LISTED:
        listed = res.failed[:_FAILED_LISTED]
        out.append(f"  - The failed cells{'' if len(listed) == len(res.failed) else f' (the first {len(listed)})'}:")
        for f in listed:
            where = {k: v for k, v in f["cell"].items() if k not in ("device", "dtype")}
            out.append(
                f"    - `{cell(to_json(where, sort_keys=True))}`: "
                f"{cell(f['error']['type'])}: {cell(f['error']['message'])}"
            )
    return out + [""]


def _points_and_seeds(grid: Grid, *, per_point: str = "") -> str:
    r"""A grid's shape in words: ``"5 points x 3 seeds; swept: L, m"``; where the points have different
    numbers of seeds, ``"5 points x 4 to 12 seeds"`` followed by ``per_point``."""
    counts = grid.seed_counts()
    seeds = f"{counts[0]} seeds" if len(counts) == 1 else f"{counts[0]} to {counts[-1]} seeds{per_point}"
    swept = sorted({k for p in grid.points for k in p} - {"seeds"})
    return f"{len(grid.points)} points x {seeds}" + (f"; swept: {', '.join(swept)}" if swept else "")


def _budget_lines(meta: Mapping[str, Any]) -> list[str]:
    r"""What a budgeted run spent, and that a rejudged report was judged again (none: no lines)."""
    b = meta.get("budget")
    out = [f"Budgeted run: {b['summary']}", ""] if b else []
    if meta.get("rejudged"):
        out += [f"This report was {meta['rejudged']}.", ""]
    return out


def _failed_lines(results: Mapping[str, ClaimResult]) -> list[str]:
    r"""How many cells failed and in which claims (none: no lines)."""
    n = sum(len(res.failed) for res in results.values())
    if not n:
        return []
    which = ", ".join(f"{name} ({len(res.failed)})" for name, res in results.items() if res.failed)
    return [
        f"**{n} cell(s) failed** and are listed, with their first error, in their claims' sections: {which}. "
        "Each such claim reads inconclusive; a failed cell is measured again once its claim's code changes, or "
        "with `--retry-failed`.",
        "",
    ]


def _threads_text(meta: Mapping[str, Any]) -> str:
    r"""The torch threads each cell was measured with (reports written before ``--threads`` do not say)."""
    n = meta.get("threads")
    return "" if n is None else f"; {n} torch thread{'s' if n != 1 else ''} per cell"


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


def claims_reference() -> str:
    r"""docs/claims.md: every registered claim with its statement, what it measures, its bound, its
    grids, the settings its verdicts are judged with and its negative controls, generated from the
    registry (``rnntheory claims --markdown``), so the page cannot drift from the code."""
    out = [
        "# The claims",
        "",
        "Generated from the claim registry by `rnntheory claims --markdown > docs/claims.md`; a test keeps it in step "
        "with the code. Section numbers refer to [theory.md](theory.md); the verdict rules are in its section 7 and "
        "[conventions.md](conventions.md).",
        "",
        "The cost is the compute of a grid's cells from the reference timings shipped with the package "
        "(rnntheory/run/timings.json: measured on a 2-core CPU, each claim in its own dtype, "
        "one torch thread per cell; claims that share "
        "cells each count them). `rnntheory report --dry-run` previews a run the same way, counting what is cached.",
        "",
        "| claim | theory | default grid | large grid |",
        "|---|---|---|---|",
    ]
    costs = {n: {g: get(n).cost(g).seconds for g in ("default", "large")} for n in names()}
    for n in names():
        c = get(n)
        sizes = [f"{len(c.grid(g))} cells, {duration(costs[n][g], about=True)}" for g in ("default", "large")]
        out.append(f"| [{n}](#{n}) | {cell(c.reference)} | {sizes[0]} | {sizes[1]} |")
    for n in names():
        c = get(n)
        out += [
            "",
            f"## {n}",
            "",
            f"**{c.title}.** {c.reference}.",
            "",
            f"- Claim: {c.statement}",
            f"- Measured: {c.quantity}.",
            f"- Bound shape: `{c.bound}`.",
        ]
        for g in ("default", "large"):
            grid = c.grid(g)
            out.append(
                f"- Grid `{g}`: {len(grid)} cells, {_points_and_seeds(grid)}; "
                f"{duration(costs[n][g], about=True)} of compute."
            )
        if c.judging:
            out.append("- Judged with: " + ", ".join(f"`{k} = {v!r}`" for k, v in c.judging.items()) + ".")
        out.append("- Negative controls:")
        for ctl in c.controls:
            how = f"cannot be detected: {ctl.undetectable}" if ctl.undetectable else "must be rejected"
            out.append(f"  - {ctl.kind} ({ctl.what}): {how}.")
    return "\n".join(out) + "\n"
