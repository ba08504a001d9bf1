r"""``rnntheory report``: its options, and the run that measures every claim and writes the
bound-vs-measured report (``report/`` by default, a folder git ignores; docs/report is the committed
reference; :mod:`rnntheory.report` writes it), with its dry run, its grid dump and its summary.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import TYPE_CHECKING, Sequence

from ..run import cores
from .claims import add_import_option, load_claims

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from ..report.document import Report
    from ..run.options import RunOptions

__all__ = ["DEFAULT_OUT", "add_parser", "command_line"]

DEFAULT_OUT = "report"
"""Where ``rnntheory report`` writes by default: a folder git ignores (.gitignore), so that a run never
overwrites the committed reference report in docs/report, which it is compared against."""


def add_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    r"""Add ``rnntheory report`` to the subcommands ``sub`` of the command."""
    r = sub.add_parser("report", help="measure every claim and write the bound-vs-measured report")
    _report_arguments(r)
    r.set_defaults(func=_report)


def _report_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--grid",
        default="default",
        help="default (minutes on a laptop CPU), large, gpu (the regime designs at widths 16384..65536, for one GPU "
        "with --device cuda; only the claims that define one), or a JSON/TOML grid file",
    )
    p.add_argument(
        "--claims", nargs="+", metavar="NAME", help="only these claims (default: all; see `rnntheory claims`)"
    )
    p.add_argument(
        "--out",
        default=DEFAULT_OUT,
        help=f"output folder (default: {DEFAULT_OUT}/, which git ignores; docs/report is the committed "
        "reference to compare against: rnntheory compare docs/report report)",
    )
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    p.add_argument(
        "--dtype",
        choices=("float64", "float32"),
        help="measure every claim in this dtype (default: each claim's own, the precision policy of "
        "docs/reporting.md: float32 where float32 and float64 give the same verdicts)",
    )
    p.add_argument("--seeds", type=int, help="replace every grid's seeds by 0..N-1")
    p.add_argument(
        "--seed-offset",
        type=int,
        default=0,
        dest="seed_offset",
        metavar="K",
        help="shift every seed by K: an independent replication (no shared cache entries)",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        help=f"cells measured at once: worker processes (default: the cores this process may use, "
        f"{cores.available()} here, divided by --threads; --jobs 1 measures in this process, one cell at "
        "a time; with --executor dask and no --scheduler: the LocalCluster's workers)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        metavar="N",
        help="torch threads per cell, the same for every executor: in this process with --jobs 1, in each "
        "local worker, on each Dask worker (default 1, as the reference timings were measured; keep "
        "jobs x threads within the cores: idle threads of an oversubscribed CPU spin)",
    )
    p.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="local (this machine, --jobs processes) or dask (a Dask cluster; pip install -e '.[distributed]')",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a Dask scheduler, e.g. tcp://host:8786 (with --executor dask; without it a LocalCluster is started)",
    )
    p.add_argument("--cache", help="folder of finished cells (default: OUT/.cache); rerun to resume")
    p.add_argument("--no-cache", action="store_true", help="keep no cells: an interrupted run starts over")
    p.add_argument(
        "--retry-failed",
        action="store_true",
        dest="retry_failed",
        help="measure again the cells that failed in an earlier run (a failed cell is otherwise kept "
        "as an outcome: its claim reads inconclusive and the report lists it)",
    )
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p.add_argument("--dump-grid", metavar="FILE", help="write the resolved grids as a grid file and stop")
    p.add_argument(
        "--dry-run",
        action="store_true",
        dest="dry_run",
        help="measure nothing: print the cells per claim, how many are cached and the estimated time",
    )
    p.add_argument(
        "--budget",
        metavar="DURATION",
        help="after the grid, spend the rest of DURATION (e.g. 1h, 30m, 1h30m; counted from the start) on "
        "rounds of added seeds where they decide most, each look at an alpha-spending level "
        "(rnntheory.checking.budget)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    add_import_option(p)


def command_line(args: argparse.Namespace) -> str:
    r"""The ``rnntheory report`` command line that makes the report of ``args`` again: its "Regenerate with"
    line (the defaults left out)."""
    parts = ["rnntheory report"] + [f"--import {m}" for m in args.imports]
    if args.grid != "default":
        parts.append(f"--grid {args.grid}")
    if args.claims:
        parts.append("--claims " + " ".join(args.claims))
    if args.device != "cpu":
        parts.append(f"--device {args.device}")
    if args.dtype is not None:
        parts.append(f"--dtype {args.dtype}")
    if args.seeds is not None:
        parts.append(f"--seeds {args.seeds}")
    if args.seed_offset:
        parts.append(f"--seed-offset {args.seed_offset}")
    if args.threads != 1:
        parts.append(f"--threads {args.threads}")
    if args.budget:
        from ..run.durations import canonical

        parts.append(f"--budget {canonical(args.budget)} --jobs {args.jobs}")  # as the command line takes it back
    if os.path.normpath(args.out) != DEFAULT_OUT:
        parts.append(f"--out {args.out}")
    return " ".join(parts)


def _check_paths(args: argparse.Namespace, out: "Path") -> None:
    r"""Refuse, before any cell is measured, an output or cache that cannot be written."""
    if args.cache and args.no_cache:
        raise ValueError(f"--cache {args.cache} and --no-cache contradict each other; give one")
    for flag, path in (("--out", out), ("--cache", None if args.cache is None else type(out)(args.cache))):
        if path is None:
            continue
        if path.exists() and not path.is_dir():
            raise ValueError(f"{flag} {path}: a file is in the way; name a folder")
        probe = path
        while not probe.exists():
            probe = probe.parent
        if not os.access(probe, os.W_OK):
            raise ValueError(f"{flag} {path}: {probe} is not writable")


def _options(args: argparse.Namespace, cache: "Path | None") -> "RunOptions":
    r"""The run's :class:`~rnntheory.run.RunOptions` from the command line: built once, checked once (its
    messages name the option, as the command line does)."""
    from ..run.options import RunOptions

    try:
        return RunOptions(
            device=args.device,
            dtype=args.dtype,
            seeds=args.seeds,
            seed_offset=args.seed_offset,
            cache=cache,
            jobs=args.jobs,
            threads=args.threads,
            progress=not args.quiet,
            retry_failed=args.retry_failed,
            executor=args.executor,
            scheduler=args.scheduler,
            budget=args.budget or None,
        )
    except (TypeError, ValueError) as exc:
        raise ValueError(str(exc).removeprefix("RunOptions: ")) from None


def _dry_run(args: argparse.Namespace, options: "RunOptions") -> int:
    r"""``rnntheory report --dry-run``: the cost table, measuring and writing nothing."""
    from ..report import build as report
    from ..run.durations import duration

    c = report.cost(args.claims, args.grid, options)
    print(c)
    print(f"\n{_how_measured(args)}")
    if c.pending:
        print(
            f"estimated wall time with --jobs {args.jobs}: {duration(c.wall(args.jobs), about=True)} "
            f"(compute {duration(c.seconds, about=True)}; "
            "from per-cell times measured on a 2-core CPU in each claim's own "
            "dtype, one torch thread per cell; see rnntheory.run.cost)"
        )
    else:
        print("\nevery cell is cached: the report is written in the time its figures take")
    return 0


def _how_measured(args: argparse.Namespace) -> str:
    r"""How the cells are measured, in one line: where, how many at once, with how many torch threads each."""
    t = f"{args.threads} torch thread{'s' if args.threads != 1 else ''} per cell"
    if args.executor == "dask":
        where = (
            f"the Dask scheduler at {args.scheduler}"
            if args.scheduler
            else f"a local Dask cluster of {args.jobs} workers"
        )
        return f"cells are measured on {where}, {t}"
    if args.jobs == 1:
        return f"cells are measured in this process, one at a time, {t}"
    return f"cells are measured in {args.jobs} worker processes, one cell each at a time, {t}"


def _report(args: argparse.Namespace) -> int:
    r"""``rnntheory report``: run, write, print the summary. Exit status 0 when the report was written with
    every cell measured (whatever the verdicts), 1 when it was written but cells failed (a claim whose
    measuring code raised: report.md names the first error and the cell that raised it), 2 for bad
    arguments, 130 when interrupted by Ctrl-C and 143 by SIGTERM (rerun to resume)."""
    from pathlib import Path

    from ..report import build as report
    from ..run.cache import CellCache

    terminated = []

    def on_sigterm(signum: int, frame: object) -> None:  # stop as Ctrl-C does: workers ended, cells kept
        terminated.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        if isinstance(args.threads, bool) or args.threads < 1:
            raise ValueError(f"--threads {args.threads}: threads={args.threads!r} must be a positive integer")
        if args.jobs is None:
            args.jobs = max(1, cores.available() // args.threads)
        if isinstance(args.jobs, bool) or args.jobs < 1:  # refused before a dry run as the run refuses it
            raise ValueError(f"--jobs {args.jobs}: jobs={args.jobs!r} must be a positive integer")
        load_claims(args)
        if args.dump_grid:
            return _dump_grid(args)
        out = Path(args.out)
        _check_paths(args, out)
        cache = None if args.no_cache else Path(args.cache) if args.cache else out / ".cache"
        if args.budget:
            from ..run.durations import parse_duration

            try:
                parse_duration(args.budget)
            except ValueError as exc:
                raise ValueError(f"--budget {args.budget}: {str(exc).split(': ', 1)[-1]}") from None
        if args.budget and args.dry_run:
            raise ValueError(
                "--dry-run with --budget: a budgeted run decides its rounds as it goes; preview the "
                "grid without --budget"
            )
        options = _options(args, cache)
        if args.grid == "gpu" and not str(args.device).startswith("cuda"):
            print(
                "rnntheory report: the gpu grid (widths 16384..65536) is meant for --device cuda; on this device "
                "its cells take hours and tens of GB each (the dry run estimates them)",
                file=sys.stderr,
            )
        if args.dry_run:
            return _dry_run(args, options)
        print(f"rnntheory report: {_how_measured(args)}; writing to {out}/", file=sys.stderr, flush=True)
        rep = report.run(
            args.claims,
            args.grid,
            options,
            command=command_line(args),
            log=lambda msg: print(msg, file=sys.stderr, flush=True),
        )
    except (ValueError, TypeError) as exc:
        print(f"rnntheory report: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        done = len(CellCache(cache)) if cache is not None else 0
        how = "terminated" if terminated else "interrupted"
        print(
            f"\nrnntheory report: {how}; {done} finished cells are kept in {cache}. "
            "Run the same command again to resume.",
            file=sys.stderr,
        )
        return 143 if terminated else 130
    try:
        written = rep.write(out, figures=not args.no_figures)
    except KeyboardInterrupt:
        how = "terminated" if terminated else "interrupted"
        kept = f"every cell is kept in {cache}" if cache is not None else "no cell was kept (--no-cache)"
        print(
            f"\nrnntheory report: {how} while writing {out}/, which is incomplete; {kept}. Run the same command "
            "again to write it" + (" (nothing is measured again)." if cache is not None else "."),
            file=sys.stderr,
        )
        return 143 if terminated else 130
    _print_summary(args, rep, written, out)
    return 1 if any(res.failed for res in rep.results.values()) else 0


def _dump_grid(args: argparse.Namespace) -> int:
    r"""``rnntheory report --dump-grid FILE``: write the resolved grids as a grid file, measuring nothing."""
    import json
    from pathlib import Path

    from ..report.grids import grid_spec, load_grids

    if not Path(args.dump_grid).resolve().parent.is_dir():
        raise ValueError(f"--dump-grid {args.dump_grid}: the folder {Path(args.dump_grid).parent} does not exist")
    grids = load_grids(args.grid, args.claims, seeds=args.seeds, seed_offset=args.seed_offset)
    # "only": the file measures exactly these claims, with these seeds, when loaded without --claims
    spec = {"base": "default", "only": True, "claims": {n: grid_spec(g) for n, g in grids.items()}}
    Path(args.dump_grid).write_text(json.dumps(spec, indent=1) + "\n")
    print(f"wrote the grids of {len(grids)} claims to {args.dump_grid}")
    return 0


def _print_summary(args: argparse.Namespace, rep: "Report", written: Sequence["Path"], out: "Path") -> None:
    r"""After a report is written: one line per claim (verdict, compute, headline finding or what would
    decide it), the failed cells, and what was written where."""
    from ..checking.text import measured
    from ..report.document import headline_finding

    width = max(len(n) for n in rep.results)
    print(f"\n{'claim':<{width}}  verdict       compute  headline / to decide")
    secs = rep.compute_seconds
    for n, res in rep.results.items():
        head = headline_finding(res)
        todo = rep.decide(n, args.jobs)  # at the speed this run measured
        what = f"to decide: {todo}" if todo else ("" if head is None else measured(head))
        print(f"{n:<{width}}  {res.verdict:<12}  {secs[n]:6.1f}s  {what}")
    failed = {n: res.failed for n, res in rep.results.items() if res.failed}
    if failed:
        from ..checking.claim import describe_failures

        print(f"\n{sum(map(len, failed.values()))} cell(s) failed; exit status 1. The first error of each claim:")
        for n, fs in failed.items():
            every = " (every cell: nothing judged)" if len(fs) == len(rep.records[n]) else ""
            print(f"  {n}, {len(fs)} of {len(rep.records[n])} cells{every}: {describe_failures(fs, 1)}")
        print(
            "report.md lists them with the end of each traceback. A failed cell is measured again once its claim's "
            "code changes; --retry-failed measures it again in any case."
        )
    kinds = "report.md, results.csv, results.json" + ("" if args.no_figures else ", figures/")
    print(f"\n{len(rep.results)} claims in {rep.wall_seconds:.0f} s; wrote {len(written)} files to {out}/ ({kinds})")
