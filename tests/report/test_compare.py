"""`rnntheory compare` for the two kinds of replication: fresh seeds (no cell in common: per finding both
estimates with their intervals and whether they overlap) and the same seeds (the largest relative difference,
naming the quantity and the cell behind it)."""

import json
import math

from rnntheory.report import compare
from rnntheory.report.comparison import _interval


def _finding(key, est, lo, hi, verdict="consistent"):
    return {
        "key": key,
        "name": key,
        "verdict": verdict,
        "claimed": "exponent <= 0",
        "estimate": est,
        "ci_low": lo,
        "ci_high": hi,
    }


def _report(folder, claims_):
    folder.mkdir()
    doc = {"report": {"versions": {"torch": "x"}}, "claims": claims_}
    (folder / "results.json").write_text(json.dumps(doc))
    return folder


def test_a_replication_with_fresh_seeds_compares_each_findings_interval(tmp_path, capsys):
    cell = lambda key, v: {"key": key, "cell": {"m": 8, "seed": 0}, "rows": [{"m": 8, "v": v}]}  # noqa: E731
    a = _report(
        tmp_path / "a",
        [
            {
                "name": "c",
                "verdict": "consistent",
                "cells": [cell("k0", 1.0)],
                "findings": [
                    _finding("slope", -0.5, -0.6, -0.4),
                    _finding("rate", 0.01, -0.02, 0.04),
                    {
                        "key": "exact",
                        "name": "exact",
                        "verdict": "consistent",
                        "estimate": None,
                        "ci_low": None,
                        "ci_high": None,
                    },
                ],
            }
        ],
    )
    b = _report(
        tmp_path / "b",
        [
            {
                "name": "c",
                "verdict": "consistent",
                "cells": [cell("k1000", 1.1)],
                "findings": [
                    _finding("slope", -0.45, -0.55, -0.35),
                    _finding("rate", 0.2, 0.1, 0.3),
                    {"key": "exact", "name": "exact", "verdict": "consistent"},
                ],
            }
        ],
    )
    cmp_ = compare(a, b)
    assert cmp_.rows[0]["shared_cells"] == 0 and cmp_.agree
    pairs = {p.key: p for p in cmp_.findings}
    assert pairs["slope"].overlap is True and pairs["rate"].overlap is False and pairs["exact"].overlap is None
    assert [p.key for p in cmp_.apart] == ["rate"]
    lines = {line.split()[0]: " ".join(line.split()) for line in str(cmp_).splitlines() if line.startswith("    ")}
    assert lines["slope"] == "slope -0.5 [-0.6, -0.4] -0.45 [-0.55, -0.35] overlap"
    assert lines["rate"] == "rate 0.01 [-0.02, 0.04] 0.2 [0.1, 0.3] APART" and lines["exact"] == "exact - - -"
    text = str(cmp_)
    assert "the intervals of 1 of 2 findings overlap (apart: c/rate)" in text


def test_the_same_seeds_name_the_quantity_behind_the_largest_difference(tmp_path):
    cell = lambda rows: {"key": "k", "cell": {"m": 512, "seed": 3, "device": "cpu"}, "rows": rows}  # noqa: E731
    a = _report(
        tmp_path / "a",
        [
            {
                "name": "c",
                "verdict": "consistent",
                "findings": [],
                "cells": [cell([{"m": 512, "tau": 1.0, "flips": 10}])],
            }
        ],
    )
    b = _report(
        tmp_path / "b",
        [
            {
                "name": "c",
                "verdict": "consistent",
                "findings": [],
                "cells": [cell([{"m": 512, "tau": 1.0 + 1e-9, "flips": 4}])],
            }
        ],
    )
    cmp_ = compare(a, b)
    row = cmp_.rows[0]
    assert math.isclose(row["max_rel_diff"], 0.6) and row["max_rel_where"] == "flips; m=512, seed=3"
    assert "0.6 (flips; m=512, seed=3)" in str(cmp_)


def test_a_report_written_before_the_estimates_were_stored_gives_them_from_its_fits():
    assert _interval({"fit": {"type": "ExponentFit", "slope": 0.5, "ci_low": 0.4, "ci_high": 0.6}}) == (0.5, 0.4, 0.6)
    assert _interval({"fit": {"type": "GrowthFit", "rate": {"value": 0.1, "ci_low": 0.0, "ci_high": 0.2}}}) == (
        0.1,
        0.0,
        0.2,
    )
    assert _interval({"fit": {"type": "MeanInterval", "mean": 2.0, "ci_low": 1.0, "ci_high": 3.0}}) == (2.0, 1.0, 3.0)
    assert all(math.isnan(v) for v in _interval({"fit": None}))


def _tolerant(monkeypatch, **tols):
    from rnntheory.report import reproduce as R

    monkeypatch.setattr(R, "tolerances", lambda: {n: R.Tolerance(n, **t) for n, t in tols.items()})


def _same_cells(tmp_path, name, rows_a, rows_b):
    cell = lambda rows: {"key": "k", "cell": {"m": 64, "seed": 0}, "rows": rows}  # noqa: E731
    a = _report(tmp_path / "a", [{"name": name, "verdict": "consistent", "findings": [], "cells": [cell(rows_a)]}])
    b = _report(tmp_path / "b", [{"name": name, "verdict": "consistent", "findings": [], "cells": [cell(rows_b)]}])
    return a, b


def test_differences_within_the_claims_tolerance_are_said_to_be(tmp_path, monkeypatch):
    _tolerant(monkeypatch, c={"rel": 1e-6})
    a, b = _same_cells(tmp_path, "c", [{"err": 1.0, "m": 64}], [{"err": 1.0 + 1e-8, "m": 64}])
    cmp_ = compare(a, b)
    assert cmp_.beyond_tolerance == {} and cmp_.rows[0]["within"].startswith("within")
    assert "1 of 1 claims within their reproducibility tolerance" in str(cmp_)


def test_a_quantity_beyond_the_tolerance_is_named_and_strict_fails(tmp_path, monkeypatch, capsys):
    from rnntheory.cli import main

    _tolerant(monkeypatch, c={"rel": 1e-6, "columns": {"flips": 0.5}, "kind": "discrete"})
    a, b = _same_cells(
        tmp_path,
        "c",
        [{"err": 1.0, "flips": 10}, {"err": 2.0, "flips": 8}],
        [{"err": 1.001, "flips": 9}, {"err": 2.0, "flips": 8}],
    )
    cmp_ = compare(a, b)
    far = cmp_.beyond_tolerance["c"]
    assert set(far) == {"err"} and math.isclose(far["err"][0], 0.001 / 1.001) and far["err"][1] == 1e-6
    assert "beyond tolerance: err differs by" in str(cmp_)
    assert main(["compare", str(a), str(b)]) == 0  # numbers change the status only when asked
    assert main(["compare", str(a), str(b), "--strict"]) == 1
    capsys.readouterr()


def test_a_claim_without_a_measured_tolerance_is_compared_as_before(tmp_path, monkeypatch):
    _tolerant(monkeypatch)
    a, b = _same_cells(tmp_path, "c", [{"err": 1.0}], [{"err": 2.0}])
    cmp_ = compare(a, b)
    assert cmp_.rows[0]["within"] == "-" and cmp_.beyond_tolerance == {}
