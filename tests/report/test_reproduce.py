"""Reproducibility tolerances (rnntheory.report.reproduce): the difference measure, per column, against an
independent computation, and the measured tolerances every paper claim carries."""

import math

import numpy as np
import pytest

from rnntheory.report import reproduce as R


def test_differences_are_relative_with_a_floor_at_the_columns_scale():
    rows_a = [{"x": 1.0, "y": 1e-9, "n": 3, "flag": True, "s": "a"}, {"x": 3.0, "y": 1.0, "n": 4}]
    rows_b = [{"x": 1.1, "y": 2e-9, "n": 3, "flag": False, "s": "b"}, {"x": 3.0, "y": 1.0, "n": 5}]
    scale = R.scales(rows_a)
    d = R.differences([(rows_a, rows_b)], scale)
    # x: |0.1| / 1.1; y near zero: |1e-9| / (1e-3 * median |y| = 1e-3 * 1.0); n: 1 / 5; booleans and strings left out
    expected = {"x": 0.1 / 1.1, "y": 1e-9 / (1e-3 * np.median([1e-9, 1.0])), "n": 1 / 5}
    assert set(d) == set(expected)
    for k, v in expected.items():
        assert math.isclose(d[k], v, rel_tol=1e-12), k


def test_nan_against_nan_is_equal_and_a_lost_value_is_infinite():
    d = R.differences([([{"x": math.nan, "y": 1.0}], [{"x": math.nan, "y": math.inf}])], {"x": 1.0, "y": 1.0})
    assert d["x"] == 0.0 and d["y"] == math.inf
    d = R.differences([([{"x": 1.0}], [{"x": 1.0}, {"x": 2.0}])], {})
    assert d["rows"] == math.inf


def test_a_stored_null_equals_a_non_finite_number_but_not_a_finite_one():
    """results.json stores NaN and inf as null: against a re-measured NaN or inf that is no difference."""
    d = R.differences([([{"x": None, "y": None}], [{"x": math.nan, "y": 1.0}])], {})
    assert d.get("x", 0.0) == 0.0 and d["y"] == math.inf
    d = R.differences([([{"x": math.inf}], [{"x": None}])], {})
    assert d.get("x", 0.0) == 0.0


def test_beyond_uses_the_column_limits():
    tol = R.Tolerance("c", "discrete", 1e-6, {"flips": 0.2})
    assert R.beyond({"err": 1e-7, "flips": 0.1}, tol) == {}
    assert R.beyond({"err": 1e-5, "flips": 0.3}, tol) == {"err": (1e-5, 1e-6), "flips": (0.3, 0.2)}


def test_every_paper_claim_has_a_measured_tolerance():
    import rnntheory.claims as C

    tols = R.tolerances()
    missing = [n for n in C.names() if n not in tols]
    assert not missing, f"claims without a measured tolerance (python tools/sensitivity.py): {missing}"
    for name, t in tols.items():
        assert t.kind in R.KINDS, name
        if t.kind == "rounding":  # columns of their own: diagnostics the claim does not judge (tools/sensitivity.py)
            assert t.rel <= 1e-3, name
        else:
            assert t.why and t.moves is not None and t.moves <= 0.1, (name, t)


@pytest.mark.parametrize("kind", R.KINDS)
def test_a_tolerance_round_trips_through_its_dict(kind):
    t = R.Tolerance("c", kind, 1e-4, {"x": 0.5}, "why", 0.01)
    d = t.to_dict()
    assert d["kind"] == kind and d["columns"] == {"x": 0.5} and d["moves"] == 0.01
