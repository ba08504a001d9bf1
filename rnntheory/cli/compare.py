r"""``rnntheory compare``: two report folders side by side (:func:`rnntheory.report.compare`), with the
exit status of :data:`_COMPARE_EXIT`.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_parser"]

_COMPARE_EXIT = (
    "exit status: 0 when every compared claim is in both reports with the same verdict; 1 when a "
    "verdict changed, a claim was measured on another design in each report (other grid points, fixed or "
    "judging settings; other seeds are the same design), or a claim is in one report only (unless --common or "
    "--claims leaves it out, or the other report holds only claims of this one: a run of some of its claims); "
    "2 when a folder has no "
    "readable results.json or a claim named by --claims is missing from a report. Measured numbers change the "
    "status only with --strict (1 when a claim's shared cells differ beyond its measured reproducibility "
    "tolerance, docs/reporting.md); otherwise their largest relative differences, whether they lie within "
    "each claim's tolerance, and the findings' intervals are printed."
)


def add_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    r"""Add ``rnntheory compare`` to the subcommands ``sub`` of the command."""
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


def _compare(args: argparse.Namespace) -> int:
    r"""``rnntheory compare A B [--claims ...] [--common]``: the exit status of :data:`_COMPARE_EXIT`."""
    from ..report import compare

    try:
        cmp_ = compare(args.a, args.b, claims=args.claims, common=args.common)
    except ValueError as exc:
        print(f"rnntheory compare: {exc}", file=sys.stderr)
        return 2
    print(cmp_)
    return 0 if cmp_.agree and not (args.strict and cmp_.beyond_tolerance) else 1
