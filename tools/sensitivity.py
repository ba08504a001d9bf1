r"""Measure how far every claim's numbers move under rounding-level changes, and write the tolerances.

A repository tool, not part of the installed package. Two steps::

    python tools/sensitivity.py run --work DIR [--jobs 2] [--seeds 4]   # the default grid, then three changes
    python tools/sensitivity.py analyse --work DIR [DIR2] [--write]   # the table; --write: claims/tolerances.json

``run`` measures the default grid of every claim (``full``: as ``rnntheory report`` does, each claim's dtype, one
torch thread per cell, ``--jobs`` workers), then its first ``--seeds`` seeds of every point again under three
changes, each into its own report folder under DIR (``base``: those seeds as measured in ``full``):

- ``threads2``: the same cells with two torch threads per cell and one worker (sums in another order);
- ``jitter``: every network's W0 moved at the unit roundoff of its dtype (the cell setting ``w0_jitter``:
  each entry times 1 + u z, z standard normal from the cell's ``"jitter"`` stream);
- ``float64``: the float32 claims measured in float64 (the precision policy's comparison);
- ``jitter64`` (``run64``, for the claims named): those claims in float64 with W0 moved at float64's unit
  roundoff, compared with ``float64``: whether measuring in float64 would make them reproducible.

``analyse`` matches the cells of each run to the base's (same settings but ``w0_jitter`` and ``dtype``) and
prints, per claim, the largest difference of any column (:func:`rnntheory.report.reproduce.differences`) under
each change, and the largest move of a finding's estimate in units of its resolution. The two changes a
machine makes (thread count, rounding of W0) set the claim's tolerance and kind (``rounding`` when every column
stays within 1e-3; otherwise ``chaotic`` or ``discrete``, as :data:`WHY` says); ``--write`` stores them in
rnntheory/claims/tolerances.json, and ``--markdown`` prints the table docs/reporting.md carries.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "rnntheory" / "claims" / "tolerances.json"
MACHINE = ("threads2", "jitter")
"""The changes another machine makes: the order of sums (threads) and the last bit of W0's entries."""
RUNS = ("base", *MACHINE, "float64", "jitter64")

WHY = {
    "sgd_learns": "SGD at lr0 = 1 and 8 / (m L) amplifies a difference in the last bit over hundreds of steps "
    "(two machines' runs part as two seeds' do); the findings are statistics over networks",
    "ntk_ball": "the same SGD runs as sgd_learns (cell group sgd_run)",
    "length_scaling": "samples to reach OPT + eps: a count of steps at which a chaotic SGD risk first crosses a "
    "threshold",
    "generalisation": "the generalisation gap is the end of an SGD run",
    "sgd_forward_coupling": "measured along an SGD trajectory at a rate that amplifies rounding",
    "sgd_backward_coupling": "measured along an SGD trajectory at a rate that amplifies rounding",
    "sgd_hidden_perturbation": "measured along an SGD trajectory at a rate that amplifies rounding",
    "sgd_sign_changes": "sign counts along an SGD trajectory at a rate that amplifies rounding",
    "sign_changes": "flip counts: a pre-activation within rounding of zero changes its sign",
    "hidden_perturbation": "flip counts beside the hidden-state change: a pre-activation within rounding of zero",
}
"""Why a claim's numbers cannot reproduce to 1e-3 (used where the measurement says so)."""

DIAGNOSTIC = {
    "decoupling": ("back_max", "same_lag_rms", "same_lag_limit_rms", "corr_lag", "limit_lag"),
    "hidden_perturbation": ("flips", "borderline"),
}
"""Columns a claim records but does not judge (figures, diagnostics; a prefix names a family): they get their own
measured limits and do not set the claim's kind."""

DISCRETE = ("flips", "flips_max", "borderline", "samples")
"""Columns that are counts (or means of counts): a difference there is a count that changed."""


def _judged(claim: str, column: str) -> bool:
    return not any(column.startswith(p) for p in DIAGNOSTIC.get(claim, ()))


def _level(d: float) -> float:
    r"""The stated limit of a column that moves by ``d`` (> 1e-3): twice the measured move, rounded up to one
    significant digit, at most 2 (the largest difference of two numbers of one sign is 1, of opposite signs 2)."""
    if not math.isfinite(d):
        return math.inf
    e = 10.0 ** math.floor(math.log10(2 * d))
    return min(math.ceil(2 * d / e) * e, 2.0)


def _rnntheory(*args: str) -> None:
    cmd = [sys.executable, "-m", "rnntheory.cli", *args]
    print("$", " ".join(cmd[2:]), flush=True)
    subprocess.run(cmd, check=True)


def _claims() -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    import rnntheory.claims as C

    return {c.name: c for c in C.all_claims()} if hasattr(C, "all_claims") else {n: C.get(n) for n in C.names()}


def run(work: Path, jobs: int, only: list[str] | None, seeds: int) -> None:
    work.mkdir(parents=True, exist_ok=True)
    sel = ["--claims", *only] if only else []
    cache = str(work / "cache")
    _rnntheory("report", "--out", str(work / "full"), "--cache", cache, "--jobs", str(jobs), "-q", *sel)
    common = ["--no-figures", "-q", "--seeds", str(seeds), *sel]
    _rnntheory("report", "--out", str(work / "base"), "--cache", cache, "--jobs", str(jobs), *common)
    _rnntheory(
        "report", "--out", str(work / "threads2"), "--cache", str(work / "cache-threads2"), "--jobs", "1",
        "--threads", "2", *common,
    )  # fmt: skip
    grid = work / "jitter-grid.json"
    _rnntheory("report", "--dump-grid", str(grid), "--seeds", str(seeds), *sel)
    g = json.loads(grid.read_text())
    for name, spec in g["claims"].items():
        if not name.startswith("complexity_"):  # the complexity claims draw no network
            spec.setdefault("fixed", {})["w0_jitter"] = 1
    grid.write_text(json.dumps(g, indent=1))
    _rnntheory("report", "--grid", str(grid), "--out", str(work / "jitter"), "--cache", cache, "--jobs", str(jobs),
               *common)  # fmt: skip
    f32 = [n for n, c in _claims().items() if c.dtype == "float32" and (not only or n in only)]
    if f32:
        _rnntheory("report", "--dtype", "float64", "--claims", *f32, "--out", str(work / "float64"), "--cache", cache,
                   "--jobs", str(jobs), "--no-figures", "-q", "--seeds", str(seeds))  # fmt: skip


def run64(work: Path, jobs: int, only: list[str], seeds: int) -> None:
    grid = work / "jitter-grid.json"
    g = json.loads(grid.read_text())
    g["claims"] = {n: spec for n, spec in g["claims"].items() if n in only}
    sub = work / "jitter64-grid.json"
    sub.write_text(json.dumps(g, indent=1))
    _rnntheory("report", "--grid", str(sub), "--dtype", "float64", "--out", str(work / "jitter64"), "--cache",
               str(work / "cache"), "--jobs", str(jobs), "--no-figures", "-q")  # fmt: skip


def _doc(folder: Path) -> dict[str, Any]:
    return {c["name"]: c for c in json.loads((folder / "results.json").read_text())["claims"]}


def _match(cell: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in cell.items() if k not in ("w0_jitter", "dtype")}, sort_keys=True)


def _moves(a: dict[str, Any], b: dict[str, Any]) -> float:
    fa = {f["key"]: f for f in a.get("findings", []) if "key" in f}
    worst = 0.0
    for f in b.get("findings", []):
        g = fa.get(f.get("key"))
        if g is None:
            continue
        try:
            d = abs(float(f["estimate"]) - float(g["estimate"])) / float(g["resolution"])
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            continue
        if math.isfinite(d):
            worst = max(worst, d)
    return worst


def _ceil10(x: float) -> float:
    return 10.0 ** math.ceil(math.log10(x)) if x > 0 else 0.0


def analyse(work: Path) -> dict[str, dict[str, Any]]:
    sys.path.insert(0, str(ROOT))
    import rnntheory.claims as C
    from rnntheory.report import reproduce as R

    registered = {n: C.get(n).dtype for n in C.names()}
    docs = {r: _doc(work / r) for r in RUNS if (work / r / "results.json").exists()}
    base = docs["base"]
    out = {}
    for name, claim in base.items():
        rows = [row for c in claim["cells"] for row in c.get("rows", [])]
        scale = R.scales(rows)
        entry: dict[str, Any] = {"dtype": (claim["cells"][0]["cell"].get("dtype") if claim["cells"] else "")}
        for run_ in RUNS[1:]:
            other = docs.get(run_, {}).get(name)
            if other is None:
                continue
            ref = docs["float64"][name] if run_ == "jitter64" else claim
            by_ref = {_match(c["cell"]): c["rows"] for c in ref["cells"]}
            pairs = [(by_ref[k], c["rows"]) for c in other["cells"] if (k := _match(c["cell"])) in by_ref]
            diffs = R.differences(pairs, scale)
            entry[run_] = {
                "cells": len(pairs),
                "worst": max(diffs.values(), default=0.0),
                "column": max(diffs, key=diffs.get) if diffs else "",
                "diffs": diffs,
                "moves": _moves(ref, other),
            }
        # the changes a machine makes, in the dtype the claim runs in now: a claim moved to float64 by the
        # precision rule is judged on its float64 runs (W0 at float64's roundoff against float64)
        dtype = registered.get(name, entry["dtype"])
        changes = (
            ("jitter64",) if dtype == "float64" and entry["dtype"] == "float32" and "jitter64" in entry else MACHINE
        )
        machine: dict[str, float] = {}
        for run_ in changes:
            for k, d in entry.get(run_, {}).get("diffs", {}).items():
                machine[k] = max(machine.get(k, 0.0), d)
        ints = {
            k for k, vs in R.numeric_columns(rows).items() if all(float(v).is_integer() for v in vs if math.isfinite(v))
        }
        over = {k: d for k, d in machine.items() if d > 1e-3}
        judged = {k for k in over if _judged(name, k)}
        kind = (
            "rounding" if not judged else ("discrete" if all(k in DISCRETE or k in ints for k in judged) else "chaotic")
        )
        within = [d for k, d in machine.items() if k not in over]
        tol = R.Tolerance(
            name,
            kind,
            min(max(_ceil10(R.SAFETY * max(within, default=0.0)), 1e-12), 1e-3),
            {k: _level(d) for k, d in over.items()},
            "" if kind == "rounding" else WHY.get(name, "(no reason recorded: investigate)"),
            max((entry.get(r, {}).get("moves", 0.0) for r in changes), default=0.0),
            dtype,
            {r: entry[r]["worst"] for r in RUNS[1:] if r in entry},
        )
        entry["tolerance"] = tol
        out[name] = entry
    return out


def _fmt(x: float | None) -> str:
    if x is None:
        return "-"
    return "0" if x == 0 else f"{x:.1e}"


def table(result: dict[str, dict[str, Any]], markdown: bool) -> str:
    head = ["claim", "dtype", "kind", "threads 1 vs 2", "W0 at roundoff", "float32 vs float64",
            "float64: W0 at roundoff", "stated tolerance", "findings move (x resolution)"]  # fmt: skip
    lines = []
    for name, e in result.items():
        t = e["tolerance"]
        stated = _fmt(t.rel) + ("".join(f"; {k} {_fmt(v)}" for k, v in t.columns.items()) if t.columns else "")
        cells = [
            name,
            e["dtype"],
            t.kind,
            *(
                f"{_fmt(e[r]['worst'])}" + (f" ({e[r]['column']})" if e[r]["worst"] > 1e-3 else "") if r in e else "-"
                for r in (*MACHINE, "float64", "jitter64")
            ),
            stated,
            f"{t.moves:.3f}" if t.moves is not None else "-",
        ]
        lines.append(cells)
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(c) + " |" for c in lines]
        return "\n".join(out)
    return "\n".join("  ".join(c) for c in [head, *lines])


MOVED = {
    "decoupling": "in float32 W0 at the roundoff moved its judged correlations by up to {worst:.2g} (within 1e-3, "
    "without the tenfold margin of the precision rule)",
    "length_scaling": "in float32 W0 at the roundoff moved a finding's estimate by {moves:.2g} of its resolution "
    "(the samples a chaotic SGD run needs to cross its threshold)",
    "generalisation": "in float32 the SGD runs of its gap part at rounding level (W0 at the roundoff moved its "
    "numbers by {worst:.2g}); float64 makes them reproducible at little cost",
    **dict.fromkeys(
        ("sgd_forward_coupling", "sgd_backward_coupling", "sgd_sign_changes", "sgd_hidden_perturbation"),
        "in float32 the SGD runs part at rounding level (W0 at the roundoff moved the lemmas' quantities along "
        "them by {worst:.2g}); float64 makes them reproducible at little cost",
    ),
}
"""Claims the precision rule moved to float64, and why (filled with the float32 measurement)."""


def precision_note(name: str, e: dict[str, Any], old: str) -> str:
    r"""The precision note of a claim (``Claim.precision``) from its measured sensitivity."""
    t = e["tolerance"]
    if name.startswith("complexity_"):
        return old
    if name in MOVED:
        f32 = {r: e[r] for r in MACHINE if r in e}
        worst = max((d for v in f32.values() for k, d in v["diffs"].items() if _judged(name, k)), default=math.nan)
        moves = max((v["moves"] for v in f32.values()), default=math.nan)
        return (f"float64: {MOVED[name].format(worst=worst, moves=moves)}; in float64 it reproduces to "
                f"{t.rel:.0e} (docs/reporting.md)")  # fmt: skip
    if t.dtype == "float64":
        return f"{old.split('; reproduces')[0]}; reproduces across machines to {t.rel:.0e} (docs/reporting.md)"
    f64 = e.get("float64", {})
    same = f"float32 and float64 give the same verdicts (findings move by at most {f64.get('moves', 0):.2g} of " \
        "their resolution)"  # fmt: skip
    if t.kind == "rounding":
        return f"{same}, and its numbers reproduce across machines to {t.rel:.0e} (docs/reporting.md)"
    return (f"{same}; {t.kind}: {t.why}, so its rows reproduce only to the levels of docs/reporting.md, and its "
            f"findings' estimates move by at most {t.moves:.2g} of their resolution under rounding-level "
            "changes")  # fmt: skip


def write(result: dict[str, dict[str, Any]]) -> None:
    doc = {
        "about": "measured by tools/sensitivity.py: per claim the kind of its numbers, the relative difference "
        "every column may show between machines (rel; columns: where one differs), and moves: the largest move "
        "of a finding's estimate under rounding-level changes, in units of its resolution",
        "claims": {name: e["tolerance"].to_dict() for name, e in result.items()},
    }
    OUT.write_text(json.dumps(doc, indent=1, default=lambda x: "inf") + "\n")
    paper = ROOT / "rnntheory" / "claims" / "published.json"
    data = json.loads(paper.read_text())
    notes = data.setdefault("precision", {})
    for name, e in result.items():
        notes[name] = precision_note(name, e, notes.get(name, ""))
    paper.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote the precision notes of {paper.relative_to(ROOT)}")
    print(f"wrote {OUT.relative_to(ROOT)}")
    from rnntheory.report import reproduce as R

    R._load.cache_clear()
    page = ROOT / "docs" / "reporting.md"
    text = page.read_text()
    a, b = "<!-- tolerances -->\n", "<!-- /tolerances -->"
    if a in text and b in text:
        head, rest = text.split(a, 1)
        page.write_text(head + a + R.table() + "\n" + b + rest.split(b, 1)[1])
        print(f"rewrote the table of {page.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--work", type=Path, required=True)
    r.add_argument("--jobs", type=int, default=2)
    r.add_argument("--claims", nargs="+")
    r.add_argument("--seeds", type=int, default=4, help="seeds per point of the three changed runs (default 4)")
    r64 = sub.add_parser("run64")
    r64.add_argument("--work", type=Path, required=True)
    r64.add_argument("--jobs", type=int, default=2)
    r64.add_argument("--claims", nargs="+", required=True)
    r64.add_argument("--seeds", type=int, default=4)
    a = sub.add_parser("analyse")
    a.add_argument("--work", type=Path, nargs="+", required=True, help="work folders; a later one's claims win")
    a.add_argument("--write", action="store_true")
    a.add_argument("--markdown", action="store_true")
    args = p.parse_args(argv)
    if args.cmd == "run":
        run(args.work, args.jobs, args.claims, args.seeds)
        return 0
    if args.cmd == "run64":
        run64(args.work, args.jobs, args.claims, args.seeds)
        return 0
    result: dict[str, dict[str, Any]] = {}
    for w in args.work:
        result.update(analyse(w))
    print(table(result, args.markdown))
    if args.write:
        write(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
