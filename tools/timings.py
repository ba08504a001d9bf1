r"""Writes the reference timings that cost previews read (``rnntheory/run/timings.json``) from the
records of finished runs. A repository tool, not part of the installed package::

    python tools/timings.py docs/report/.cache docs/report-large/.cache > rnntheory/run/timings.json

The timings are the medians per claim and grid point of :func:`rnntheory.run.cost.timings_from_records`,
written one point a line so that a change of timings reads as a short diff. After new timings,
``python tools/published.py`` re-syncs the figures the docs publish.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

__all__ = ["ROOT", "main"]

ROOT = Path(__file__).resolve().parents[1]
"""The repository whose rnntheory the tool reads (put first on ``sys.path`` when run as a script)."""


def main(argv: Sequence[str] | None = None) -> int:
    r"""``python tools/timings.py CACHE... > rnntheory/run/timings.json``: the reference timings from the
    records of one or more caches (a report's ``.cache`` folders)."""
    from rnntheory.run.cache import CellCache
    from rnntheory.run.cost import timings_from_records

    p = argparse.ArgumentParser(prog="python tools/timings.py", description=main.__doc__)
    p.add_argument("caches", nargs="+", help="cache folders (e.g. docs/report/.cache docs/report-large/.cache)")
    p.add_argument("--note", default="", help="where and how the times were measured")
    args = p.parse_args(argv)
    records = []
    for root in args.caches:
        store = CellCache(root)
        records += [rec for rec in (store.load(claim, key) for claim, key in store.entries()) if rec is not None]
    data = timings_from_records(records, args.note)
    # one point per line, so that a change of timings reads as a short diff
    groups = ",\n".join(
        f" {json.dumps(g)}: [\n" + ",\n".join("  " + json.dumps(e, sort_keys=True) for e in entries) + "\n ]"
        for g, entries in data["claims"].items()
    )
    sys.stdout.write(f'{{"note": {json.dumps(data["note"])},\n "claims": {{\n{groups}\n}}}}\n')
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.path.insert(0, str(ROOT))  # this checkout's rnntheory, not another installed one
    raise SystemExit(main())
