"""The committed reference report reproduces on this machine: a few cells of every claim, re-measured from the
settings docs/report/results.json stored for them, agree with the committed rows within the claim's measured
reproducibility tolerance (rnntheory/claims/tolerances.json; docs/reporting.md, "Reproducibility, stated as it
is"). A drift between the machine that wrote the report and this one, or a report left stale by a change of the
measuring code (its cache keys no longer match), fails here. Its own step of the test command
(``pytest -m reproduce``, about two minutes on 2 cores)."""

import json
import pathlib

import pytest
import torch

import rnntheory.claims as C
from rnntheory.report import reproduce as R
from rnntheory.run.records import plain

pytestmark = pytest.mark.reproduce

REPORT = pathlib.Path(__file__).resolve().parents[1] / "docs" / "report" / "results.json"
CELLS = 2
"""Cells re-measured per claim: the cheapest by width, length and seed."""


def _claims() -> dict:
    return {c["name"]: c for c in json.loads(REPORT.read_text())["claims"]}


def _cost(cell: dict) -> tuple:
    return (cell.get("m", 0), cell.get("L", 0), cell.get("N", 0), cell.get("steps", 0), cell.get("seed", 0))


@pytest.mark.parametrize("name", C.names())
def test_cells_of_the_committed_report_reproduce(name):
    doc = _claims()
    assert name in doc, f"docs/report lacks {name}: regenerate it (rnntheory report --out docs/report)"
    claim, tol = C.get(name), R.tolerance(name)
    assert tol is not None, f"{name} has no measured tolerance (python tools/sensitivity.py)"
    cells = [c for c in doc[name]["cells"] if c.get("rows")]
    chosen = sorted(cells, key=lambda c: _cost(c["cell"]))[:CELLS]
    scale = R.scales(row for c in cells for row in c["rows"])
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the report was measured (one torch thread per cell)
    try:
        for stored in chosen:
            key = claim.tasks([stored["cell"]])[0].key
            assert key == stored["key"], (
                f"{name}: the committed cell {stored['cell']} has another cache key under today's code (a new "
                "measurement version, seeds or package version): docs/report is stale, regenerate it"
            )
            rows = plain(claim.measure(dict(stored["cell"])), finite=True)  # as results.json stores them
            diffs = R.differences([(stored["rows"], rows)], scale)
            far = R.beyond(diffs, tol)
            assert not far, f"{name}, cell {stored['cell']}: beyond the {tol.kind} tolerance: {far}"
    finally:
        torch.set_num_threads(threads)
