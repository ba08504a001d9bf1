"""A cache written by an earlier layout of the package is read after a move without measuring again.

tests/data/cache-before-move/ was written by ``Claim.run(cache=...)`` with rnntheory 0.1.0 on torch
2.13.0+cpu, before the modules moved into sub-packages. A cache key is the claim's name, its
measurement version, the cell and the rnntheory, torch and device names; no module path enters it,
so every cell must be found. torch's version is pinned to the one the files were written with (the
key names it on purpose: another torch build measures again)."""

import dataclasses
import json
import pathlib
import shutil

import pytest
import torch

import rnntheory as rt

DATA = pathlib.Path(__file__).parent / "data" / "cache-before-move"
WRITTEN_WITH = "2.13.0+cpu"
CLAIMS = ["complexity_monotone"]
"""The claims whose cells the old cache holds and whose default grid is the one it was written for (an exact
computation: its keys never changed). backward_coupling's cells, drawn with the former seed offsets, are
measured again (see below)."""


@pytest.fixture
def old_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(torch, "__version__", WRITTEN_WITH)
    root = tmp_path / "cache"
    shutil.copytree(DATA, root)
    return root


@pytest.mark.parametrize("name", CLAIMS)
def test_every_cell_is_found(old_cache, name):
    cost = rt.claims.get(name).cost(cache=str(old_cache))
    assert cost.cells > 0
    assert cost.pending == 0, f"{cost.pending} of {cost.cells} cells of {name} would be measured again"


def test_the_old_cells_of_a_random_claim_are_never_served(old_cache):
    """backward_coupling's old cells were drawn with the former seed offsets; since every random object of a
    cell comes from its own stream (rnntheory.seeds), such a claim's version carries ``+streams`` and none of
    its old keys is one of today's: the cells are measured again, never served with the old seeds' rows."""
    claim = rt.claims.get("backward_coupling")
    old = [json.loads(p.read_text()) for p in (old_cache / "backward_coupling").glob("*.json")]
    tasks = claim.tasks([r["cell"] for r in old])
    assert len(old) > 0 and not {t.key for t in tasks} & {r["key"] for r in old}
    assert str(claim.version).endswith("+streams")


@pytest.mark.parametrize("name", CLAIMS)
def test_run_reads_the_old_cells_without_measuring(old_cache, name):
    claim = rt.claims.get(name)

    def never(cell):
        raise AssertionError(f"{name} measured a cell the old cache holds: {cell}")

    claim = dataclasses.replace(claim, measure=never)
    result = claim.run(cache=str(old_cache), progress=False, jobs=1)
    assert result.verdict == "consistent"
    written = {json.loads(p.read_text())["key"] for p in (old_cache / name).glob("*.json")}
    assert len(written) == rt.claims.get(name).cost().cells
