"""Runs registry claims once per session and remembers their results for the summary.

Cells go through one cache folder for the whole session, so claims that share their cells
(``sgd_learns`` and ``ntk_ball`` measure the same runs) measure each cell once. The folder is a
temporary one, or the folder named by ``RNNTHEORY_CHECK_CACHE``: a report's cache (for example
``docs/report/.cache`` or the large report's), whose cells have the same keys, so that
``RNNTHEORY_CHECK_CACHE=<report>/.cache pytest -m slow`` judges what the report measured."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from typing import Any

from rnntheory import claims
from rnntheory.claims import ClaimResult

_CACHE: dict[tuple, ClaimResult] = {}
RESULTS: list[ClaimResult] = []
_CELLS = os.environ.get("RNNTHEORY_CHECK_CACHE") or tempfile.mkdtemp(prefix="rnntheory-check-cells-")
if not os.environ.get("RNNTHEORY_CHECK_CACHE"):
    atexit.register(shutil.rmtree, _CELLS, ignore_errors=True)


def device() -> str:
    return os.environ.get("RNNTHEORY_DEVICE", "cpu")


def run_claim(name: str, grid: str = "default", **overrides: Any) -> ClaimResult:
    """Run a registered claim (cached for the session). Runs without overrides are recorded for the
    end-of-run summary and printed (visible with ``pytest -s``)."""
    key = (name, grid, repr(sorted(overrides.items())))
    if key not in _CACHE:
        res = claims.get(name).run(grid, device=device(), cache=_CELLS, **overrides)
        _CACHE[key] = res
        if not overrides:
            RESULTS.append(res)
            print(f"\n{res}")
    return _CACHE[key]
