r"""The ``rnntheory`` command (over 400 lines: the options of ``report``, each with the help that says
what it does, are most of it).

* ``rnntheory report``: measure every claim on a grid and write the bound-vs-measured report
  (``report/`` by default, a folder git ignores; docs/report is the committed reference; see
  ``rnntheory report --help`` and :mod:`rnntheory.report`).
* ``rnntheory check``: run the verification suite (pytest on proofs_checks) and print one line per
  claim with its verdict and measured figure.
* ``rnntheory claims``: list the registered claims.
* ``rnntheory bench``: speed ratios measured in one run (see ``rnntheory bench --help``).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import TYPE_CHECKING, Sequence

from .run import cores

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from .report.build import Report
    from .run.options import RunOptions

__all__ = ["main", "DEFAULT_OUT"]

DEFAULT_OUT = "report"
"""Where ``rnntheory report`` writes by default: a folder git ignores (.gitignore), so that a run never
overwrites the committed reference report in docs/report, which it is compared against."""


def _check(args: argparse.Namespace) -> int:
    try:
        import hypothesis  # noqa: F401 (the checks draw their examples with it)
        import pytest
    except ImportError as exc:
        print(
            f"rnntheory check: the verification suite needs {exc.name}, part of the test extra: "
            'pip install "rnntheory[test]"',
            file=sys.stderr,
        )
        return 2

    os.environ["RNNTHEORY_DEVICE"] = args.device
    pytest_args = ["--pyargs", "proofs_checks", "-q", "-p", "no:cacheprovider", "--no-header", "-rfE"]
    pytest_args += ["-m", "" if args.slow else "not slow"]
    if args.k:
        pytest_args += ["-k", args.k]
    if args.verbose:
        pytest_args.append("-v")
    pytest_args += args.pytest_args
    return int(pytest.main(pytest_args))


def _claims(args: argparse.Namespace) -> int:
    try:
        _load_claims(args)
    except ValueError as exc:
        print(f"rnntheory claims: {exc}", file=sys.stderr)
        return 2
    if args.markdown:
        from .report import claims_reference

        sys.stdout.write(claims_reference())
        return 0
    from . import claims

    for name in claims.names():
        c = claims.get(name)
        print(f"{name:<24} {c.reference}\n{'':<24} bound: {c.bound}")
    return 0


_COMPARE_EXIT = (
    "exit status: 0 when every compared claim is in both reports with the same verdict; 1 when a "
    "verdict changed, or a claim is in one report only (unless --common or --claims leaves it out, or "
    "the other report holds only claims of this one: a run of some of its claims); 2 when a folder has no "
    "readable results.json or a claim named by --claims is missing from a report. Measured numbers change the "
    "status only with --strict (1 when a claim's shared cells differ beyond its measured reproducibility "
    "tolerance, docs/reporting.md); otherwise their largest relative differences, whether they lie within "
    "each claim's tolerance, and the findings' intervals are printed."
)


def _compare(args: argparse.Namespace) -> int:
    r"""``rnntheory compare A B [--claims ...] [--common]``: the exit status of :data:`_COMPARE_EXIT`."""
    from .report import compare

    try:
        cmp_ = compare(args.a, args.b, claims=args.claims, common=args.common)
    except ValueError as exc:
        print(f"rnntheory compare: {exc}", file=sys.stderr)
        return 2
    print(cmp_)
    return 0 if cmp_.agree and not (args.strict and cmp_.beyond_tolerance) else 1


def _bench_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=64, help="sequences per batch (default 64)")
    parser.add_argument("--L", type=int, default=50, help="sequence length (default 50)")
    parser.add_argument("--m", type=int, nargs="+", default=[1024], help="widths (default 1024)")
    parser.add_argument("--large", action="store_true", help="also m = 4096 when memory allows")
    parser.add_argument(
        "--naive-L",
        type=int,
        default=10,
        dest="naive_L",
        help="length for the all-pairs variant, whose cost grows like L^3 (default 10)",
    )
    parser.add_argument("--dtypes", nargs="+", default=["float32", "float64"], choices=["float32", "float64"])
    parser.add_argument(
        "--min-run-time",
        type=float,
        default=0.2,
        dest="min_run_time",
        help="seconds spent timing each quantity; the median per call is kept (default 0.2)",
    )
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--out", default="bench.json", help="where to save the JSON (default bench.json)")
    parser.add_argument(
        "--no-throughput",
        action="store_true",
        dest="no_throughput",
        help="skip the throughput rows (batched traces against one trace per network and "
        "torch.func.vmap; SGD steps in float32 and float64 against the memory-bound limit)",
    )


def _bench(args: argparse.Namespace) -> int:
    r"""``rnntheory bench``: run the benchmark, print the table and save the JSON."""
    from . import bench

    ms = list(args.m) + ([4096] if args.large and 4096 not in args.m else [])
    try:
        result = bench.kernels(
            n=args.n,
            L=args.L,
            ms=ms,
            naive_L=args.naive_L,
            dtypes=args.dtypes,
            min_run_time=args.min_run_time,
            device=args.device,
        )
        if not args.no_throughput:
            result["throughput"] = bench.throughput(min_run_time=args.min_run_time, device=args.device)
    except (TypeError, ValueError) as exc:
        print(f"rnntheory bench: {exc}", file=sys.stderr)
        return 2
    print(bench.format_results(result))
    if "throughput" in result:
        print(bench.format_throughput(result["throughput"]))
    bench.save(result, args.out)
    print(f"saved {args.out}")
    return 0


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
    _import_argument(p)


def _import_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--import",
        dest="imports",
        action="append",
        default=[],
        metavar="MODULE",
        help="import MODULE (a module name, or the path of a .py file) first, so that the claims it "
        "registers can be chosen; repeatable. Installed packages declare claims by an entry point in "
        "the group rnntheory.claims, loaded without this flag unless the environment sets "
        "RNNTHEORY_DISABLE_PLUGIN_AUTOLOAD (docs/new_claim.md)",
    )


def _load_claims(args: argparse.Namespace) -> None:
    r"""Register the claims from outside the package: entry points, then ``--import`` modules."""
    from . import claims  # noqa: F401 - the paper's claims register first
    from .checking.plugins import DISABLE_AUTOLOAD, import_claims, load_entry_points

    if not os.environ.get(DISABLE_AUTOLOAD):
        load_entry_points()
    for module in args.imports:
        import_claims(module)


def _command(args: argparse.Namespace) -> str:
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
        from .run.durations import canonical

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
    from .run.options import RunOptions

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
    from .report import build as report
    from .run.durations import duration

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

    from .report import build as report
    from .run.cache import CellCache

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
        _load_claims(args)
        if args.dump_grid:
            return _dump_grid(args)
        out = Path(args.out)
        _check_paths(args, out)
        cache = None if args.no_cache else Path(args.cache) if args.cache else out / ".cache"
        if args.budget:
            from .run.durations import parse_duration

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
        if args.dry_run:
            return _dry_run(args, options)
        print(f"rnntheory report: {_how_measured(args)}; writing to {out}/", file=sys.stderr, flush=True)
        rep = report.run(
            args.claims,
            args.grid,
            options,
            command=_command(args),
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
    _print_summary(args, rep, rep.write(out, figures=not args.no_figures), out)
    return 1 if any(res.failed for res in rep.results.values()) else 0


def _dump_grid(args: argparse.Namespace) -> int:
    r"""``rnntheory report --dump-grid FILE``: write the resolved grids as a grid file, measuring nothing."""
    import json
    from pathlib import Path

    from .report.grids import grid_spec, load_grids

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
    from .checking.text import measured
    from .report.build import headline_finding

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
        from .checking.claim import describe_failures

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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rnntheory",
        description="Check the lemmas of Allen-Zhu & Li (NeurIPS 2019) numerically on real ReLU RNNs.",
    )
    from . import __version__

    p.add_argument("--version", action="version", version=f"rnntheory {__version__}")
    sub = p.add_subparsers(dest="command")

    r = sub.add_parser("report", help="measure every claim and write the bound-vs-measured report")
    _report_arguments(r)
    r.set_defaults(func=_report)

    c = sub.add_parser("check", help="run the verification suite (pytest on proofs_checks; needs the test extra)")
    c.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    c.add_argument("--slow", action="store_true", help="also run the large grids (marked slow)")
    c.add_argument("-k", default="", help="only checks matching this pytest -k expression")
    c.add_argument("-v", "--verbose", action="store_true")
    c.add_argument("pytest_args", nargs="*", help="further arguments for pytest (after --)")
    c.set_defaults(func=_check)

    cl = sub.add_parser("claims", help="list the registered claims")
    cl.add_argument(
        "--markdown",
        action="store_true",
        help="the whole reference (statement, bound, grids, judging settings, controls) as docs/claims.md",
    )
    _import_argument(cl)
    cl.set_defaults(func=_claims)

    cmp_ = sub.add_parser(
        "compare",
        help="two report folders side by side: verdicts, each finding's estimates and "
        "intervals, the largest relative differences (exit status 1 when a verdict changed)",
        description="Two report folders side by side: per claim both verdicts, the findings whose "
        "verdicts changed (matched by key), per finding both estimates with their intervals and "
        "whether they overlap (a replication with fresh seeds shares no cell), and over the cells "
        "both hold (the same seeds) the largest relative difference of any measured number, with "
        "the quantity and the cell behind it, and whether the differences lie within each claim's "
        "measured reproducibility tolerance (naming any quantity beyond it).",
        epilog=_COMPARE_EXIT,
    )
    cmp_.add_argument("a", metavar="DIR_A", help="a report folder (with results.json), e.g. docs/report")
    cmp_.add_argument("b", metavar="DIR_B", help="another report folder")
    cmp_.add_argument("--claims", nargs="+", metavar="NAME", help="compare only these claims (each must be in both)")
    cmp_.add_argument(
        "--common",
        action="store_true",
        help="compare only the claims both reports hold (e.g. a replication of part of a report)",
    )
    cmp_.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 also when a claim's shared cells differ beyond its measured reproducibility tolerance",
    )
    cmp_.set_defaults(func=_compare)

    b = sub.add_parser("bench", help="speed ratios measured in one run")
    _bench_arguments(b)
    b.set_defaults(func=_bench)
    return p


def _attach_values(argv: Sequence[str]) -> list[str]:
    r"""``--budget -5m`` as ``--budget=-5m``: argparse takes a value that begins with "-" for an option and says
    only "expected one argument"; attached, the option's own check explains it."""
    out = list(argv)
    for i in range(len(out) - 1, 0, -1):
        if out[i - 1] == "--budget" and out[i][:1] == "-" and out[i][1:2].isdigit():
            out[i - 1 : i + 1] = [f"--budget={out[i]}"]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_attach_values(sys.argv[1:] if argv is None else argv))
    if args.command is None:  # bare `rnntheory`: what it can do
        parser.print_help()
        return 0
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
