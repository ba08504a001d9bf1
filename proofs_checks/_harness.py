"""Runs registry claims once per session and remembers their results for the summary.

Cells go through one cache folder for the whole session, so claims that share their cells
(``sgd_learns`` and ``ntk_ball`` measure the same runs) measure each cell once. The folder is a
temporary one, or the folder named by ``RNNTHEORY_CHECK_CACHE``: a report's cache (for example
``docs/report/.cache`` or the large report's), whose cells have the same keys, so that
``RNNTHEORY_CHECK_CACHE=<report>/.cache pytest -m slow`` judges what the report measured.

The claims that train networks by SGD (``TRAINED``) measure their cells in two worker processes of
one torch thread each where there are two cores: their matrices are small, so one process leaves a
core idle (on the 2-core machine sgd_learns took 79 s instead of about 105 s, generalisation 43 s
instead of 57 s, length_scaling 33 s instead of 41 s; the verdicts are the same). The other claims
multiply matrices large enough for two threads in one process, where two workers were not faster."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from typing import Any

from rnntheory import claims
from rnntheory.checking import ClaimResult

TRAINED = (
    "sgd_learns",
    "ntk_ball",
    "generalisation",
    "length_scaling",
    "sgd_forward_coupling",
    "sgd_backward_coupling",
    "sgd_sign_changes",
    "sgd_hidden_perturbation",
)
"""The claims that train networks by SGD on their default grids. Their checks are marked ``trained``, a step of
the test command of their own (``pytest -m trained``, about 4 minutes on 2 cores), so that the default suite stays
under 10 minutes."""
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
        # two worker processes wherever the grid's compute is more than a few seconds (the default suite
        # stays under 10 minutes on two cores)
        jobs = 2 if (name in TRAINED or claims.get(name).cost(grid).seconds > 5) and (os.cpu_count() or 1) >= 2 else 1
        res = claims.get(name).run(grid, device=device(), cache=_CELLS, jobs=jobs, **overrides)
        _CACHE[key] = res
        if not overrides:
            RESULTS.append(res)
            print(f"\n{res}")
    return _CACHE[key]
