"""The claims that train by SGD, and forward stability (K networks traced in one product), measure their cells in
groups (rnntheory.run.batching), and a cell's rows are the same bytes alone and in a group of any size with any
companions, so that --jobs 1, --jobs 2, Dask and a resumed run write the same results.

The reference of a cell is ``claim.measure(cell)`` (the cell alone); a group is the claim's
``batching.measure_many``; rows are compared as JSON text (``rnntheory.run.records.to_json``), byte for byte.
Small widths (m = 128, where a broadcast matmul once gave a group of one other bits) and short runs: the
bitwise independence itself is a property of every product of ``sgd_many`` (tests/learning/test_batched_sgd.py
tests it at the claims' widths).
"""

import json

import pytest
import torch

from rnntheory import claims
from rnntheory.run.executors import run_tasks
from rnntheory.run.records import to_json

# (claim, point of its default grid, overrides): small widths, a few records; length_scaling's runs stop at
# their own bars (seeds leave the group at different steps), generalisation's gap runs train on N samples
CASES = {
    "sgd_learns": (3, dict(m=128, steps=60, record_every=20, n_test=32)),
    "length_scaling": (0, dict(m=128, steps=200, record_every=10, n_test=32, stop_frac=0.8)),
    "generalisation": (11, dict(m=128, N=8, steps=60, record_every=20, n_test=32)),
    "forward_stability": (0, dict(m=128, Ls=(8, 16))),
}


@pytest.fixture(autouse=True)
def one_thread():
    """One torch thread, as run_tasks measures (two threads on a busy 2-core machine spin)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def cells_of(name: str, seeds=range(6)):
    claim = claims.get(name)
    point, over = CASES[name]
    return claim, [claim.cell(point=point, seed=s, **over) for s in seeds]


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_cell_measures_to_the_same_bytes_alone_and_in_any_group(name):
    claim, cells = cells_of(name)
    assert claim.batching is not None and claim.batching.size_for(cells[0]) > 1
    alone = [to_json(claim.measure(dict(c))) for c in cells]
    assert len(set(alone)) == len(cells)  # the seeds' runs differ
    for order in ([0, 1, 2], [4, 1, 3], [5, 0, 2, 1, 4, 3]):
        group = claim.batching.measure_many([dict(cells[q]) for q in order])
        assert [to_json(rows) for rows in group] == [alone[q] for q in order], f"group {order}"
    if name == "length_scaling":  # the runs reached their bars at different steps and left the group
        samples = [row["samples"] for c in alone for row in json.loads(c)]
        assert len(set(samples)) > 2 and min(samples) < 200 * 4


def test_gap_cells_group_and_rademacher_cells_stay_single():
    claim = claims.get("generalisation")
    rad = claim.cell(point=0)
    assert rad["kind"] == "rademacher" and claim.batching.size_for(rad) == 1
    small = claim.cell(point=0, m=64, N=8, mc=50)
    assert to_json(claim.batching.measure_many([small])[0]) == to_json(claim.measure(dict(small)))


def test_the_group_size_follows_the_bytes_of_the_stacked_matrices():
    claim = claims.get("sgd_learns")
    sizes = {m: claim.batching.size_for(claim.cell(m=m)) for m in (128, 256, 512, 1024)}
    assert sizes == {128: 16, 256: 16, 512: 4, 1024: 1}  # float32; 4 MiB of W's
    assert claim.batching.size_for(claim.cell(m=512, dtype="float64")) == 2


@pytest.mark.parametrize("name", sorted(CASES))
def test_runs_with_one_and_two_jobs_write_the_same_rows(name):
    """One job measures the 4 cells as one group, two jobs as two groups of 2 (each a worker process)."""
    claim, cells = cells_of(name, seeds=range(4))
    tasks = claim.tasks(cells)
    one = run_tasks(tasks, jobs=1)
    two = run_tasks(tasks, jobs=2)
    assert [r.get("group_size") for r in one] == [4] * 4 and [r.get("group_size") for r in two] == [2] * 4
    assert [to_json(r["rows"]) for r in one] == [to_json(r["rows"]) for r in two]
    assert [r["key"] for r in one] == [r["key"] for r in two]
    assert [to_json(r["rows"]) for r in one] == [to_json(claim.measure(dict(c))) for c in cells]


def test_forward_stability_traced_in_a_group_equals_one_trace_per_network_to_rounding():
    """The independent reference: each network traced alone by RNN.trace (float32 products summed in another
    order), the rows compared to float32 rounding."""
    import numpy as np

    from rnntheory.claims.cells import make_inputs, make_net

    claim, cells = cells_of("forward_stability", seeds=range(4))
    group = claim.batching.measure_many([dict(c) for c in cells])
    for cell, rows in zip(cells, group):
        x = make_inputs(cell, L=max(cell["Ls"]))
        hn = make_net(cell).trace(x).hidden_norms()
        for row in rows:
            h = hn[:, : row["L"]]
            assert np.isclose(row["max_norm"], float(h.max()), rtol=1e-5)
            assert np.isclose(row["min_norm"], float(h.min()), rtol=1e-5)


def test_forward_stability_groups_follow_the_bytes_of_the_stacked_matrices():
    claim = claims.get("forward_stability")
    sizes = {m: claim.batching.size_for(claim.cell(m=m)) for m in (64, 512, 1024, 2048, 4096)}
    assert sizes == {64: 16, 512: 4, 1024: 1, 2048: 1, 4096: 1}  # float32; 4 MiB of W's
