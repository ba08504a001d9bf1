r"""How a claim's result reads: the measured figure of a finding, the headline rule, the findings and
controls tables, what was and was not shown, the error rates. One job: the words and tables that
``print(result)``, a notebook (``_repr_markdown_``), the report and the command line share, so that
they say the same thing the same way."""

from __future__ import annotations

import math
from typing import Any, Sequence

from .. import stats as S
from ..run.durations import duration
from ..stats.verdicts import Verdict

__all__ = [
    "HEADLINE_RULE",
    "measured",
    "to_decide",
    "pct",
    "cell",
    "catches",
    "seeds_text",
    "what_was_shown",
    "false_alarm",
    "findings_table",
    "controls_table",
]

HEADLINE_RULE = (
    "The headline is the finding that decides the claim's verdict: its first finding with that verdict "
    "(for an inconsistent claim the first contradicted finding, for an inconclusive one the first undecided "
    "finding), with its smallest constant."
)
"""The one headline rule: :meth:`ClaimResult.deciding` applies it; the report, the command line and the
README state it in these words."""

DESCRIPTION = "as a description, not the test"
"""How the pure power-law and exponential fits beside a nested growth fit are labelled: they decide nothing."""


def measured(f: Any) -> str:
    r"""The measured figure of a finding, short: the fitted value with its interval (and, for a growth
    finding, the exponent and rate of the nested fit, then which pure model fits closer, labelled as a
    description: the nested rate is the test)."""
    fit = f.fit
    if hasattr(fit, "degree") and isinstance(getattr(fit, "degree", None), S.ThresholdDegree):  # a regime finding
        deg = fit.degree
        return (
            f"degree k = {deg.k} (m* ~ L^k over L = {min(deg.lengths):g}..{max(deg.lengths):g}); nested rate "
            f"{deg.growth.rate}"
        )
    if isinstance(fit, S.CollapseFit):
        return f"k = {fit.k}, exponent {fit.exponent} (q ~ (L^k / m)^b); lack of collapse p = {fit.lack_p:.3g}"
    if isinstance(fit, S.GrowthFit):
        return (
            f"nested fit in {fit.variable}: exponent {fit.power}, rate {fit.rate}; {DESCRIPTION}, the pure "
            f"{fit.preferred} fits closer"
        )
    if isinstance(fit, S.ExponentFit):
        return fit.short()
    if isinstance(fit, S.MeanInterval):
        return f"{fit.name} {S.estimate_text(fit.mean, fit.ci_low, fit.ci_high)} ({fit.n} values)"
    if isinstance(fit, S.BinomialDecision):
        return f"held on {fit.k}/{fit.n} ({100 * fit.level:.4g}% CI [{fit.ci_low:.2f}, {fit.ci_high:.2f}])"
    return f.detail.split("; ")[0]


def to_decide(f: Any, grid_seconds: float, jobs: int = 2) -> str:
    r"""What would decide one finding, short ("-" when it is decided)."""
    if f.decision.decided:
        return "-"
    if math.isnan(f.needs):
        return "cannot be analysed on these data" if f.decision.rule == "cannot analyse" else "not by more networks"
    if math.isinf(f.needs):
        return "not by more networks of this design"
    extra = (f.needs - 1.0) * grid_seconds
    when = f", {duration(extra / jobs, about=True)} on {jobs} cores" if math.isfinite(extra) else ""
    return f"~{S.factor_text(f.needs)}x networks{when}"


def pct(level: float) -> str:
    r"""A confidence level as printed: ``99%``, ``99.875%``."""
    return f"{100 * level:.6g}%"


def cell(text: Any) -> str:
    r"""Text for a Markdown table cell (``|`` escaped, one line)."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def catches(f: Any) -> str:
    r"""Whether the finding's own interval catches the errors the controls stand for."""
    words = {
        "too_strong": "a claimed exponent 0.5 too strong",
        "exponential": "an injected exponential of 8x over the range",
    }
    parts = []
    for k, need in f.catches.items():
        if need == 1.0:
            parts.append(f"rejects {words[k]}")
        elif math.isnan(need):
            parts.append(
                f"cannot see {words[k]}: the altered claim still holds on these data (the measured value "
                "lies that far inside the bound)"
            )
        elif math.isfinite(need):
            factor = S.factor_text(need)
            parts.append(f"does not yet reject {words[k]} (about {factor}x the networks would, if the estimate held)")
        else:
            parts.append(
                f"cannot reject {words[k]} with more networks of this design (its interval sits at the edge or is "
                "unbounded)"
            )
    return ("; " + "; ".join(parts)) if parts else ""


def seeds_text(grid: Any) -> int | str:
    r"""A grid's seeds per point: a count, or words (``"4 to 12 seeds per point"``)."""
    per_point = grid.seed_counts()
    return per_point[0] if len(per_point) == 1 else f"{per_point[0]} to {per_point[-1]} seeds per point"


def _ranges(findings: Sequence[Any]) -> str:
    spans: dict[str, tuple[float, float]] = {}
    for f in findings:
        if f.series is None or not f.series.xs:
            continue
        lo, hi = min(f.series.xs), max(f.series.xs)
        a, b = spans.get(f.series.x, (lo, hi))
        spans[f.series.x] = (min(a, lo), max(b, hi))
    return ", ".join(f"{x} from {lo:.4g} to {hi:.4g}" for x, (lo, hi) in spans.items())


def false_alarm(result: Any) -> str:
    r"""The chance that this claim reads "inconsistent" on a grid where every finding's truth sits
    exactly on its claimed value: each interval finding errs on the forbidden side with probability
    at most half its miss rate (0.5% at 99%), each event with its alpha, each exact check never; the
    union bound over the findings."""
    judged = [f for f in result.judged() if f.decision.rule in ("exponent", "mean", "growth", "event")]
    if not judged:
        return "Error rates: no finding of this claim was judged on an interval here, so no error rate applies."
    each = (1 - result.level) / 2
    rate = each * len(judged)
    return (
        f'Error rates: a finding reads "inconsistent" with probability at most {each:.2%} when its truth sits at '
        f'the far edge of its indifference zone (claimed value plus resolution), and "consistent (at resolution '
        f"r)\" with at most {each:.2%} when the truth sits just beyond that edge; for the claim's "
        f"{len(judged)} judged findings together at most {rate:.2%} each way (union bound), and less the further "
        "the truth lies from the edge."
    )


def what_was_shown(result: Any, seeds: int | str) -> str:
    r"""A plain sentence (or three) on what the measurements did and did not show (``seeds``: a count,
    or words such as ``"4 to 12 seeds per point"``)."""
    fs = result.judged()
    failed = getattr(result, "failed", [])
    if failed and len(result.data) == 0:
        return (
            f"Not measured: every cell failed ({len(failed)}; the first error is listed with the claim's failed "
            "cells), so nothing was judged and nothing is shown."
        )
    count = seeds if isinstance(seeds, str) else f"{seeds} seed{'s' if seeds != 1 else ''}"
    where = f" ({_ranges(fs)}; {count})" if _ranges(fs) else f" ({count})"
    bad = [f.name for f in fs if f.verdict == Verdict.INCONSISTENT]
    open_ = [f.name for f in fs if f.verdict == Verdict.INCONCLUSIVE]
    out = []
    if not bad and not open_:
        every = f"all {len(fs)} findings agree" if len(fs) != 1 else "its one finding agrees"
        out.append(
            f"Shown: {every} with the claimed shape on this grid{where}. "
            "This is evidence about the sizes measured, not a proof of the asymptotic statement; "
            "the constants are this grid's, not the paper's."
        )
    else:
        good = len(fs) - len(bad) - len(open_)
        if good:
            out.append(f"Shown: {good} of {len(fs)} findings agree with the claimed shape on this grid{where}.")
        if bad:
            out.append(
                "Not shown, contradicted at these sizes: " + "; ".join(bad) + ". The measured interval lies "
                "wholly on the forbidden side of the claimed value, so either the bound's shape does not yet "
                "describe these sizes or the statement as measured here fails (docs/findings.md discusses the "
                "default grid's findings)."
            )
        if open_:
            todo = result.decide()
            out.append(
                "Not decided: " + "; ".join(open_) + ". Their intervals contain the edge of the indifference "
                "zone"
                + (
                    f'; to decide: {todo} (the "to decide" column; `rnntheory report --budget` spends a budget on it).'
                    if todo
                    else "."
                )
            )
    described = [f for f in result.findings if f.described]
    if described:
        out.append(
            f"Described, not judged ({len(described)}): "
            + "; ".join(f"{f.name} ({f.described})" for f in described)
            + "."
        )
    return " ".join(out)


def findings_table(result: Any) -> list[str]:
    r"""The Markdown table of a claim's findings, as the report prints it."""
    grid_s = result.grid_seconds()
    out = [
        f"| finding | claimed | measured ({pct(result.level)} CI) | verdict | smallest c | to decide |",
        "|---|---|---|---|---|---|",
    ]
    for f in result.findings:
        const = "-" if f.constant is None else f"{f.constant:.3g}"
        out.append(
            f"| {cell(f.name)} | {cell(f.claimed)} | {cell(measured(f))} | {f.label} | {const} | "
            f"{cell(to_decide(f, grid_s))} |"
        )
    return out


def controls_table(outcomes: Sequence[Any]) -> list[str]:
    r"""The Markdown table of a claim's negative controls, as the report prints it."""
    return [
        "| negative control | result |",
        "|---|---|",
        *(f"| {cell(o.kind)}: {cell(o.what)} | {o.status}: {cell(o.detail)} |" for o in outcomes),
    ]
