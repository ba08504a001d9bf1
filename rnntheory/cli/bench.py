r"""``rnntheory bench``: the speed ratios of :mod:`rnntheory.bench`, measured in one run, printed as a table
and saved as JSON.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_parser"]


def add_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    r"""Add ``rnntheory bench`` to the subcommands ``sub`` of the command."""
    b = sub.add_parser("bench", help="speed ratios measured in one run")
    _bench_arguments(b)
    b.set_defaults(func=_bench)


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
    from .. import bench
    from ..bench import many

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
            result["throughput"] = many.throughput(min_run_time=args.min_run_time, device=args.device)
    except (TypeError, ValueError) as exc:
        print(f"rnntheory bench: {exc}", file=sys.stderr)
        return 2
    print(bench.format_results(result))
    if "throughput" in result:
        print(many.format_throughput(result["throughput"]))
    bench.save(result, args.out)
    print(f"saved {args.out}")
    return 0
