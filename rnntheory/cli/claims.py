r"""``rnntheory claims``, and the claims any command can choose: the paper's, those that installed packages
declare by an entry point, and those of the modules named by ``--import`` (which ``rnntheory report`` takes too).
"""

from __future__ import annotations

import argparse
import os
import sys

__all__ = ["add_parser", "add_import_option", "load_claims"]


def add_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    r"""Add ``rnntheory claims`` to the subcommands ``sub`` of the command."""
    cl = sub.add_parser("claims", help="list the registered claims")
    cl.add_argument(
        "--markdown",
        action="store_true",
        help="the whole reference (statement, bound, grids, judging settings, controls) as docs/claims.md",
    )
    add_import_option(cl)
    cl.set_defaults(func=_claims)


def add_import_option(p: argparse.ArgumentParser) -> None:
    r"""The option ``--import MODULE`` of ``p``: the claims a command can choose beyond the registered ones."""
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


def load_claims(args: argparse.Namespace) -> None:
    r"""Register the claims from outside the package: entry points, then ``--import`` modules."""
    from .. import claims  # noqa: F401 - the paper's claims register first
    from ..checking.plugins import DISABLE_AUTOLOAD, import_claims, load_entry_points

    if not os.environ.get(DISABLE_AUTOLOAD):
        load_entry_points()
    for module in args.imports:
        import_claims(module)


def _claims(args: argparse.Namespace) -> int:
    try:
        load_claims(args)
    except ValueError as exc:
        print(f"rnntheory claims: {exc}", file=sys.stderr)
        return 2
    if args.markdown:
        from ..report import claims_reference

        sys.stdout.write(claims_reference())
        return 0
    from .. import claims

    for name in claims.names():
        c = claims.get(name)
        print(f"{name:<24} {c.reference}\n{'':<24} bound: {c.bound}")
    return 0
