r"""The ``rnntheory`` command: the parser that gathers the subcommands, and :func:`main`, which runs one.
Each subcommand is a module of this package, with its options and what it does:

* ``rnntheory report`` (:mod:`~rnntheory.cli.report`): measure every claim on a grid and write the
  bound-vs-measured report (``report/`` by default, a folder git ignores; docs/report is the committed
  reference; see ``rnntheory report --help`` and :mod:`rnntheory.report`).
* ``rnntheory check`` (:mod:`~rnntheory.cli.check`): run the verification suite (pytest on proofs_checks)
  and print one line per claim with its verdict and measured figure.
* ``rnntheory claims`` (:mod:`~rnntheory.cli.claims`): list the registered claims.
* ``rnntheory compare`` (:mod:`~rnntheory.cli.compare`): two report folders side by side.
* ``rnntheory bench`` (:mod:`~rnntheory.cli.bench`): speed ratios measured in one run (see
  ``rnntheory bench --help``).

Each imports what it runs inside the function that runs it, so that ``rnntheory --help`` loads no
numerical library.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from . import bench, check, claims, compare, report

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rnntheory",
        description="Check the lemmas of Allen-Zhu & Li (NeurIPS 2019) numerically on real ReLU RNNs.",
    )
    from .. import __version__

    p.add_argument("--version", action="version", version=f"rnntheory {__version__}")
    sub = p.add_subparsers(dest="command")
    for command in (report, check, claims, compare, bench):  # in the order of `rnntheory --help`
        command.add_parser(sub)
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
    try:
        return int(args.func(args))
    except BrokenPipeError:  # the reader of the output went away (`rnntheory report --dry-run | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's flush of stdout at exit would raise again
        return 141
