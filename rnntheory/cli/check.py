r"""``rnntheory check``: the verification suite (pytest on proofs_checks), one line per claim with its
verdict and measured figure; it needs the test extra.
"""

from __future__ import annotations

import argparse
import os
import sys

__all__ = ["add_parser"]


def add_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    r"""Add ``rnntheory check`` to the subcommands ``sub`` of the command."""
    c = sub.add_parser("check", help="run the verification suite (pytest on proofs_checks; needs the test extra)")
    c.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    c.add_argument("--slow", action="store_true", help="also run the large grids (marked slow)")
    c.add_argument("-k", default="", help="only checks matching this pytest -k expression")
    c.add_argument("-v", "--verbose", action="store_true")
    c.add_argument("pytest_args", nargs="*", help="further arguments for pytest (after --)")
    c.set_defaults(func=_check)


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
    code = int(pytest.main(pytest_args))
    if code == int(pytest.ExitCode.NO_TESTS_COLLECTED) and args.k:
        from ..claims import names

        print(
            f"rnntheory check: no check matches -k {args.k!r}; the claims are {', '.join(names())} "
            "(-k takes a pytest expression over the checks' names, e.g. -k sign_changes)",
            file=sys.stderr,
        )
    return code
