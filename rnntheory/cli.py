r"""The ``rnntheory`` command.

* ``rnntheory report``: measure every claim on a grid and write the bound-vs-measured report
  (docs/report/ by default; see ``rnntheory report --help`` and :mod:`rnntheory.report`).
* ``rnntheory check``: run the verification suite (pytest on proofs_checks) and print one line per
  claim with its verdict and measured figure.
* ``rnntheory claims``: list the registered claims.
* ``rnntheory bench``: speed ratios measured in one run (see ``rnntheory bench --help``).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

__all__ = ["main"]


def _check(args: argparse.Namespace) -> int:
    import pytest

    os.environ["RNNTHEORY_DEVICE"] = args.device
    pytest_args = ["--pyargs", "proofs_checks", "-q", "-p", "no:cacheprovider", "--no-header", "-rfE"]
    pytest_args += ["-m", "" if args.slow else "not slow"]
    if args.k:
        pytest_args += ["-k", args.k]
    if args.verbose:
        pytest_args.append("-v")
    pytest_args += args.pytest_args
    return int(pytest.main(pytest_args))


def _report(args: argparse.Namespace) -> int:
    from . import report

    return report.main(args)


def _claims(args: argparse.Namespace) -> int:
    from . import claims

    for name in claims.names():
        c = claims.get(name)
        print(f"{name:<24} {c.reference}\n{'':<24} bound: {c.bound}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from . import bench

    return bench.main(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rnntheory",
        description="Check the lemmas of Allen-Zhu & Li (NeurIPS 2019) numerically on real ReLU RNNs.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    from . import report

    r = sub.add_parser("report", help="measure every claim and write the bound-vs-measured report")
    report.add_arguments(r)
    r.set_defaults(func=_report)

    c = sub.add_parser("check", help="run the verification suite (pytest on proofs_checks)")
    c.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    c.add_argument("--slow", action="store_true", help="also run the large grids (marked slow)")
    c.add_argument("-k", default="", help="only checks matching this pytest -k expression")
    c.add_argument("-v", "--verbose", action="store_true")
    c.add_argument("pytest_args", nargs="*", help="further arguments for pytest (after --)")
    c.set_defaults(func=_check)

    cl = sub.add_parser("claims", help="list the registered claims")
    cl.set_defaults(func=_claims)

    try:
        from . import bench
    except ImportError:  # pragma: no cover - bench is part of the package
        bench = None
    if bench is not None:
        b = sub.add_parser("bench", help="speed ratios measured in one run")
        bench.add_arguments(b)
        b.set_defaults(func=_bench)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
