"""Every executor writes the same bytes: a Dask LocalCluster run, a ``--jobs 1`` run and a ``--jobs 2`` run of
the same claims (a float64 claim, a float32 claim and a float32 claim measured along SGD runs) write identical
results.csv files, because every cell is measured with the run's number of torch threads (one by default)
wherever it runs, and every record names that number."""

import json

import pytest

from rnntheory.cli import main

pytestmark = pytest.mark.cluster

GRID = {
    "base": "default",
    "only": True,
    "claims": {
        "product_stability": {"points": [{"L": 8, "m": 64}, {"L": 8, "m": 128}], "seeds": [0, 1]},
        "forward_coupling": {
            "points": [{"sweep": "m", "m": 64, "taus": [1.0]}, {"sweep": "m", "m": 128, "taus": [1.0]}],
            "seeds": [0, 1],
        },
        "sgd_forward_coupling": {
            "points": [{"m": 64}, {"m": 96}],
            "seeds": [0, 1],
            "fixed": {"steps": 60, "record_every": 20},
        },
    },
}


def _run(tmp_path, name, *extra):
    out = tmp_path / name
    assert main(["report", "--grid", str(tmp_path / "grid.json"), "--out", str(out), "--no-figures", "-q", *extra]) in (
        0,
        1,
    )
    return out


def test_jobs_1_jobs_2_and_a_local_cluster_write_identical_results(tmp_path):
    (tmp_path / "grid.json").write_text(json.dumps(GRID))
    one = _run(tmp_path, "one", "--jobs", "1")
    two = _run(tmp_path, "two", "--jobs", "2")
    dask = _run(tmp_path, "dask", "--jobs", "2", "--executor", "dask")
    text = (one / "results.csv").read_bytes()
    assert len(text.splitlines()) > 12
    assert (two / "results.csv").read_bytes() == text
    assert (dask / "results.csv").read_bytes() == text
    records = [json.loads(p.read_text()) for p in (dask / ".cache").rglob("*.json")]
    assert records and {r["threads"] for r in records} == {1}
