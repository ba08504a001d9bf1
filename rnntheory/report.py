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

The command line is ``rnntheory report`` (:func:`main`); ``rnntheory report --help`` lists its options.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd
import torch

from . import __version__
from . import stats as S
from . import sweep
from .claims import REGISTRY, Claim, ClaimResult, Finding, Grid, get, names

__all__ = ["Report", "run", "load_grids", "grid_spec", "headline", "what_was_shown", "main", "add_arguments"]

_PAPER = ('Allen-Zhu and Li, "Can SGD Learn Recurrent Neural Networks with Provable Generalization?" '
          "(NeurIPS 2019)")


_CLAIMS_FLAG = re.compile(r" --claims( [^-]\S*)+")


# ---------------------------------------------------------------------- grids
def grid_spec(g: Grid) -> dict[str, Any]:
    r"""A grid as plain JSON data: ``{"points": [...], "seeds": [...], "fixed": {...}}``."""
    return json.loads(sweep.to_json({"points": [dict(p) for p in g.points], "seeds": list(g.seeds),
                                     "fixed": dict(g.fixed)}))


def _grid_from_spec(name: str, spec: Mapping[str, Any], base: str, where: str) -> Grid:
    claim = get(name)
    unknown = set(spec) - {"base", "points", "axes", "seeds", "fixed"}
    if unknown:
        raise ValueError(f"report.load_grids: {where}: claim {name!r} has unknown keys {sorted(unknown)}; "
                         "expected base, points, axes, seeds, fixed")
    g = claim.grid(spec.get("base", base))
    if "points" in spec and "axes" in spec:
        raise ValueError(f"report.load_grids: {where}: claim {name!r} gives both points and axes; give one")
    seeds = spec.get("seeds", list(g.seeds))
    sd = tuple(range(seeds)) if isinstance(seeds, int) else tuple(int(s) for s in seeds)
    fixed = {**g.fixed, **spec.get("fixed", {})}
    if "axes" in spec:
        return Grid.product(spec["axes"], seeds=sd, **fixed)
    points = tuple(dict(p) for p in spec["points"]) if "points" in spec else g.points
    return Grid(points=points, seeds=sd, fixed=fixed)


def load_grids(grid: str | os.PathLike[str], claims: Sequence[str] | None = None, *,
               seeds: int | None = None) -> dict[str, Grid]:
    r"""The grid of every chosen claim: ``"default"``, ``"large"`` or a grid file; ``seeds`` replaces
    every grid's seeds by ``range(seeds)``.

    A grid file (JSON, or TOML when it ends in ``.toml``) reads::

        {"base": "default",                        # grid of the claims not listed (default: "default")
         "claims": {"forward_coupling": {"base": "large", "seeds": 8, "fixed": {"L": 12}},
                    "sign_changes": {"axes": {"m": [1024, 4096]}},
                    "ntk_ball": {"points": [{"m": 128}, {"m": 1024}]}}}

    Per claim: ``base`` (the registered grid to start from), ``points`` (a list of dicts) or ``axes``
    (every combination), ``seeds`` (a count or a list) and ``fixed`` (merged into the base's fixed
    parameters). ``rnntheory report --dump-grid`` writes the resolved grids in this form.

    Raises:
        ValueError: an unknown grid name, claim or key, a file that cannot be read, or a bad ``seeds``.
    """
    if seeds is not None and (isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1):
        raise ValueError(f"report.load_grids: seeds={seeds!r} must be a positive integer")
    grids = _load_grids(grid, claims)
    return grids if seeds is None else {n: g.with_seeds(seeds) for n, g in grids.items()}


def _load_grids(grid: str | os.PathLike[str], claims: Sequence[str] | None) -> dict[str, Grid]:
    chosen = list(claims) if claims else names()
    for n in chosen:
        get(n)
    if str(grid) in ("default", "large"):
        return {n: get(n).grid(str(grid)) for n in chosen}
    path = Path(grid)
    if not path.is_file():
        raise ValueError(f"report.load_grids: grid={str(grid)!r} is neither 'default', 'large' nor a file")
    try:
        if path.suffix == ".toml":
            import tomllib

            spec = tomllib.loads(path.read_text())
        else:
            spec = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"report.load_grids: cannot read the grid file {path}: {exc}") from None
    if not isinstance(spec, dict) or set(spec) - {"base", "claims"}:
        raise ValueError(f"report.load_grids: {path} must hold an object with keys 'base' and 'claims'")
    base = spec.get("base", "default")
    listed = spec.get("claims", {})
    for n in listed:
        if n not in REGISTRY:
            raise ValueError(f"report.load_grids: {path}: {n!r} is not a registered claim; expected one of {names()}")
    return {n: _grid_from_spec(n, listed.get(n, {}), base, str(path)) for n in chosen}


# ---------------------------------------------------------------------- the report
def _plain(obj: Any) -> Any:
    r"""JSON-ready data: dataclasses as dicts, NaN and infinities as null."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return _plain(asdict(obj))
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        return _plain(obj.item())
    return obj


def _measured(f: Finding) -> str:
    fit = f.fit
    if isinstance(fit, S.GrowthComparison):
        p, e = fit.power, fit.exponential
        return (f"exponent in {p.variable} {p.slope:.3g} [{p.ci_low:.3g}, {p.ci_high:.3g}]; exponential rate "
                f"{e.slope:.3g} [{e.ci_low:.3g}, {e.ci_high:.3g}]; {fit.preferred} fits better")
    if isinstance(fit, S.ExponentFit):
        name = "exponent" if fit.axes == "log-log" else "rate"
        return f"{name} in {fit.variable} {fit.slope:.3g} [{fit.ci_low:.3g}, {fit.ci_high:.3g}]"
    if isinstance(fit, S.BinomialDecision):
        return f"held on {fit.k}/{fit.n} ({fit.level:.0%} CI [{fit.ci_low:.2f}, {fit.ci_high:.2f}])"
    return f.detail.split("; ")[0]


def headline(result: ClaimResult) -> Finding | None:
    r"""The finding that decides a claim's verdict: its first finding with that verdict."""
    return next((f for f in result.findings if f.verdict == result.verdict), None)


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


def what_was_shown(result: ClaimResult, seeds: int) -> str:
    r"""A plain sentence (or three) on what the measurements did and did not show."""
    fs = result.findings
    count = f"{seeds} seed{'s' if seeds != 1 else ''}"
    where = f" ({_ranges(fs)}; {count})" if _ranges(fs) else f" ({count})"
    bad = [f.name for f in fs if f.verdict == "inconsistent"]
    open_ = [f.name for f in fs if f.verdict == "inconclusive"]
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
            out.append("Not decided: " + "; ".join(open_) + ". The intervals are too wide to place the measured "
                       "value on either side; more seeds or a wider range (--grid large) would settle it.")
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
            counts = {v: sum(f.verdict == v for f in res.findings) for v in S.VERDICTS}
            rows.append({
                "claim": n, "reference": res.claim.reference, "verdict": res.verdict,
                **{f"n_{v}": c for v, c in counts.items()},
                "headline": "" if head is None else f"{head.name}: {_measured(head)}",
                "constant": None if head is None else head.constant, "cells": len(self.records[n]),
            })
        return pd.DataFrame(rows)

    def findings(self) -> pd.DataFrame:
        r"""One row per finding of every claim."""
        frames = [res.to_frame().assign(measured=[_measured(f) for f in res.findings]) for res in self.results.values()]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def results_frame(self) -> pd.DataFrame:
        r"""Every measured row: ``claim``, ``cell`` (the cache key's first 16 hex digits), the row's
        columns, then the rest of its cell's configuration (lists and dicts as JSON text)."""
        rows = []
        for n, recs in self.records.items():
            for rec in recs:
                for row in rec["rows"]:
                    rows.append({"claim": n, "cell": rec["key"][:16], **row,
                                 **{k: v for k, v in rec["cell"].items() if k not in row}})
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
                "quantity": c.quantity, "bound": c.bound, "verdict": res.verdict,
                "grid": grid_spec(self.grids[n]),
                "findings": [{"name": f.name, "verdict": f.verdict, "claimed": f.claimed, "measured": _measured(f),
                              "constant": f.constant, "detail": f.detail,
                              "fit": None if f.fit is None else {"type": type(f.fit).__name__, **_plain(f.fit)}}
                             for f in res.findings],
                "cells": [{"key": r["key"], "cell": r["cell"], "rows": r["rows"]} for r in self.records[n]],
            })
        return _plain({"report": self.meta, "claims": claims})

    def markdown(self, figures: Mapping[str, str] | None = None) -> str:
        r"""The text of ``report.md`` (``figures``: claim name -> relative path of its PNG)."""
        figures = figures or {}
        m = self.meta
        ncells = sum(len(r) for r in self.records.values())
        verdicts = [res.verdict for res in self.results.values()]
        counts = ", ".join(f"{verdicts.count(v)} {v}" for v in S.VERDICTS if verdicts.count(v))
        out = [
            "# Bound-vs-measured report", "",
            f"{_PAPER}, checked numerically by rnntheory {m['rnntheory']} (torch {m['torch']}, {m['device_name']}, "
            f"{m['dtype']}) on the `{m['grid']}` grid: {len(self.results)} claims, {ncells} cells. "
            f"Verdicts: {counts}.", "",
            f"Regenerate with `{m['command']}`.", "",
            "How to read it (paper.md, section 7): each finding fits the measured quantity against one parameter "
            "on log-log axes, with a 99% confidence interval. For a growing parameter (m, L, N) an upper bound "
            "c * x^a holds asymptotically when the exponent is at most a; for a shrinking one (omega, tau, eps) "
            "when it is at least a. **consistent**: the interval lies on the allowed side or contains the claimed "
            "exponent; **inconsistent**: it lies wholly on the forbidden side; **inconclusive**: it is too wide to "
            "say. High-probability events are counted over seeds with an exact binomial test. The smallest "
            "constant is the least c for which the bound holds on every measured point. Finite experiments "
            "cannot prove asymptotic claims: a consistent verdict says the sizes measured here do not contradict "
            "the claimed shape.", "",
            "## Summary", "",
            "The headline is the claim's first finding with the claim's verdict (for an inconsistent claim, "
            "the first contradicted finding), with its smallest constant.", "",
            "| claim | paper | verdict | findings | headline finding: measured (99% CI) | smallest c |",
            "|---|---|---|---|---|---|",
        ]
        for r in self.summary().to_dict("records"):
            total = sum(r[f"n_{v}"] for v in S.VERDICTS)
            tally = f"{r['n_consistent']}/{total} consistent" + "".join(
                f", {r[f'n_{v}']} {v}" for v in ("inconsistent", "inconclusive") if r[f"n_{v}"])
            const = "-" if r["constant"] is None or pd.isna(r["constant"]) else f"{r['constant']:.3g}"
            n = r["claim"]
            out.append(f"| [{n}](#{n.replace('_', '-')}) | {_cell(r['reference'])} | **{r['verdict']}** | {tally} | "
                       f"{_cell(r['headline'])} | {const} |")
        for n, res in self.results.items():
            c, g = res.claim, self.grids[n]
            swept = sorted({k for p in g.points for k in p})
            out += ["", f"## {n}", "", f"**{c.title}.** {c.reference}. Verdict: **{res.verdict}**.", "",
                    f"- Claim: {c.statement}",
                    f"- Measured: {c.quantity}.",
                    f"- Bound shape: `{c.bound}`.",
                    f"- Grid: {len(self.records[n])} cells ({len(g.points)} points x {len(g.seeds)} seeds"
                    + (f"; swept: {', '.join(swept)}" if swept else "") + ").", ""]
            if n in figures:
                out += [f"![{n}]({figures[n]})", ""]
            out += ["| finding | claimed | measured (99% CI) | verdict | smallest c |", "|---|---|---|---|---|"]
            for f in res.findings:
                const = "-" if f.constant is None else f"{f.constant:.3g}"
                out.append(f"| {_cell(f.name)} | {_cell(f.claimed)} | {_cell(_measured(f))} | {f.verdict} | {const} |")
            again = f"`{_CLAIMS_FLAG.sub('', m['command'])} --claims {n}`"
            if m["grid"] == "default" and m["seeds"] is None and m["dtype"] == "float64":
                again += f", or `rnntheory.claims.get(\"{n}\").run(device=\"{m['device']}\")` in Python"
            out += ["", what_was_shown(res, len(g.seeds)), "",
                    f"Measure it again: {again}; its rows are those of results.csv with `claim == \"{n}\"`.", "",
                    "<details><summary>Fits in full</summary>", ""]
            out += [f"- {_cell(f.name)}: {f.detail}" for f in res.findings]
            out += ["", "</details>"]
        return "\n".join(out) + "\n"

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


def _judge(claim: Claim, data: pd.DataFrame, grid: Grid, name: str, seconds: float) -> ClaimResult:
    r"""The claim's analysis of its rows; an analysis that cannot run on this grid (too few seeds or
    points for a fit, say) gives one "inconclusive" finding that says why, instead of ending the report."""
    try:
        return claim.result(data, grid, name, seconds)
    except (ValueError, ArithmeticError, KeyError, IndexError) as exc:
        f = Finding("the analysis could not run on this grid", "inconclusive",
                    f"{type(exc).__name__}: {exc}", None, None, "an analysable grid")
        return ClaimResult(claim, name, data, [f], seconds, dict(grid.fixed))


def run(
    claims: Sequence[str] | None = None,
    grid: str | os.PathLike[str] = "default",
    *,
    device: str = "cpu",
    dtype: str = "float64",
    seeds: int | None = None,
    cache: str | os.PathLike[str] | None = None,
    jobs: int = 1,
    progress: bool | sweep.Progress | None = True,
    command: str = "rnntheory report",
) -> Report:
    r"""Measure and analyse the chosen claims on a grid.

    Args:
        claims: registered claim names (default: all, in the registry's order).
        grid: ``"default"``, ``"large"`` or a grid file (:func:`load_grids`).
        device: ``"cpu"`` or ``"cuda"``.
        dtype: ``"float64"`` or ``"float32"``.
        seeds: replace every grid's seeds by ``range(seeds)``.
        cache: a folder for finished cells (resume after an interruption); ``None`` keeps nothing.
        jobs: worker processes (rnntheory.sweep).
        progress: a progress bar on standard error.
        command: how the report says it is regenerated.

    Returns:
        A :class:`Report`.

    Raises:
        ValueError: an unknown claim, grid, or a bad ``seeds``/``jobs``/``device``.
    """
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"report.run: device={device!r} but CUDA is not available here; use device='cpu'")
    grids = load_grids(grid, claims, seeds=seeds)
    tasks: list[tuple[Claim, dict[str, Any]]] = []
    owner: list[str] = []
    for n, g in grids.items():
        for cell in g.cells(device=device, dtype=dtype):
            tasks.append((get(n), cell))
            owner.append(n)
    t0 = time.perf_counter()
    recs = sweep.run_tasks(tasks, cache=cache, jobs=jobs, progress=progress)
    records: dict[str, list[dict[str, Any]]] = {n: [] for n in grids}
    for n, rec in zip(owner, recs):
        records[n].append(rec)
    results = {}
    for n, g in grids.items():
        data = sweep.frame(records[n])
        results[n] = _judge(get(n), data, g, Path(str(grid)).name, sum(r["seconds"] for r in records[n]))
    meta = {"paper": _PAPER, "rnntheory": __version__, "torch": torch.__version__, "device": device,
            "device_name": sweep.device_name(device), "dtype": dtype, "grid": Path(str(grid)).name,
            "seeds": seeds, "claims": list(grids), "command": command}
    return Report(results, grids, records, meta, time.perf_counter() - t0)


# ---------------------------------------------------------------------- command line
def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--grid", default="default", help="default (minutes on a laptop CPU), large, or a JSON/TOML grid file")
    p.add_argument("--claims", nargs="+", metavar="NAME", help="only these claims (default: all; see `rnntheory claims`)")
    p.add_argument("--out", default=os.path.join("docs", "report"), help="output folder (default: docs/report)")
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    p.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    p.add_argument("--seeds", type=int, help="replace every grid's seeds by 0..N-1")
    p.add_argument("--jobs", type=int, default=1, help="worker processes for the cells (default 1)")
    p.add_argument("--cache", help="folder of finished cells (default: OUT/.cache); rerun to resume")
    p.add_argument("--no-cache", action="store_true", help="keep no cells: an interrupted run starts over")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p.add_argument("--dump-grid", metavar="FILE", help="write the resolved grids as a grid file and stop")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _command(args: argparse.Namespace) -> str:
    parts = ["rnntheory report"]
    if args.grid != "default":
        parts.append(f"--grid {args.grid}")
    if args.claims:
        parts.append("--claims " + " ".join(args.claims))
    if args.device != "cpu":
        parts.append(f"--device {args.device}")
    if args.dtype != "float64":
        parts.append(f"--dtype {args.dtype}")
    if args.seeds is not None:
        parts.append(f"--seeds {args.seeds}")
    return " ".join(parts)


def main(args: argparse.Namespace) -> int:
    r"""``rnntheory report``: run, write, print the summary. Exit status 0 when the report was written
    (whatever the verdicts), 2 for bad arguments, 130 when interrupted (rerun to resume)."""
    try:
        if args.dump_grid:
            grids = load_grids(args.grid, args.claims, seeds=args.seeds)
            spec = {"base": "default", "claims": {n: grid_spec(g) for n, g in grids.items()}}
            Path(args.dump_grid).write_text(json.dumps(spec, indent=1) + "\n")
            print(f"wrote the grids of {len(grids)} claims to {args.dump_grid}")
            return 0
        out = Path(args.out)
        cache = None if args.no_cache else Path(args.cache) if args.cache else out / ".cache"
        rep = run(args.claims, args.grid, device=args.device, dtype=args.dtype, seeds=args.seeds, cache=cache,
                  jobs=args.jobs, progress=not args.quiet, command=_command(args))
    except ValueError as exc:
        print(f"rnntheory report: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        done = len(sweep.CellCache(cache)) if cache is not None else 0
        print(f"\nrnntheory report: interrupted; {done} finished cells are kept in {cache}. "
              "Run the same command again to resume.", file=sys.stderr)
        return 130
    written = rep.write(out, figures=not args.no_figures)
    width = max(len(n) for n in rep.results)
    print(f"\n{'claim':<{width}}  verdict       compute  headline")
    secs = rep.compute_seconds
    for n, res in rep.results.items():
        head = headline(res)
        print(f"{n:<{width}}  {res.verdict:<12}  {secs[n]:6.1f}s  {'' if head is None else _measured(head)}")
    kinds = "report.md, results.csv, results.json" + ("" if args.no_figures else ", figures/")
    print(f"\n{len(rep.results)} claims in {rep.wall_seconds:.0f} s; wrote {len(written)} files to {out}/ ({kinds})")
    return 0
