"""A claim whose measuring code raises on every cell: the report is still written and names the first
error and the cell that raised it, ``print(result)`` works, the controls say they could not run, the
command exits 1; the failures are cached with the fingerprint of the code that raised them, replayed
(with a line naming --retry-failed) while that code is unchanged, and measured again without a flag once
it changes. A finished cell keeps its record and its key whatever the fingerprint."""

import json
import sys
from pathlib import Path

import pytest

from rnntheory.checking import REGISTRY, Claim, Grid
from rnntheory.checking.controls import cannot_detect, too_strong, wrong_m
from rnntheory.checking.findings import exponent_finding
from rnntheory.run.cache import CellCache
from rnntheory.run.executors import run_tasks
from rnntheory.run.records import Task, code_fingerprint, measure_again

BROKEN = """
from rnntheory.checking import Claim, Grid, register
from rnntheory.checking.controls import cannot_detect, too_strong, wrong_m
from rnntheory.checking.findings import exponent_finding

GRIDS = {"default": Grid.product({"m": [64, 128, 256]}, seeds=3), "large": Grid.product({"m": [64, 512]}, seeds=3)}


def measure(cell):
    return [{"m": cell["m"], "seed": cell["seed"], "y": cell["width"] ** 0.0}]   # BUG: the cell has no "width"


register(Claim("edge_all_fail", "t", "an edge case", "y = O(1) in m", "y", "y <= c * m^0", grids=GRIDS, measure=measure,
               analyse=lambda df, j: [exponent_finding("y is flat in m", df, "m", "y", j["a"], key="a", resolution=0.1,
                                                       groups=None, level=j.level)], judging={"a": 0.0},
               controls=(too_strong("a decay like m^-1", a=-1.0), wrong_m("y"),
                         cannot_detect("exponential", "growth in L", "no length sweep"))))
"""
FIXED = BROKEN.replace(
    'cell["width"] ** 0.0}]   # BUG: the cell has no "width"', '1.0 + 0.01 * cell["seed"]}]  # fixed'
)


@pytest.fixture
def registry():
    before, path = dict(REGISTRY), list(sys.path)
    yield REGISTRY
    REGISTRY.clear()
    REGISTRY.update(before)
    sys.path[:] = path
    sys.modules.pop("edge_claims", None)


def _broken_claim() -> Claim:
    def measure(cell):
        raise AttributeError("'Trace' object has no attribute 'hiddenx'")

    return Claim(
        "edge_broken",
        "t",
        "r",
        "s",
        "q",
        "b",
        grids={"default": Grid.product({"m": [64, 128]}, seeds=2), "large": Grid.product({"m": [64]}, seeds=2)},
        measure=measure,
        analyse=lambda df, j: [exponent_finding("f", df, "m", "y", j["a"], key="a", resolution=0.1, groups=None)],
        judging={"a": 0.0},
        controls=(too_strong("too strong", a=-1.0), wrong_m("y"), cannot_detect("exponential", "x", "no L")),
    )


def test_every_cell_failing_names_the_first_error_and_print_works(tmp_path):
    res = _broken_claim().run(cache=tmp_path, progress=False)
    assert res.verdict == "inconclusive" and len(res.failed) == 4 and len(res.data) == 0
    first = res.findings[0]
    assert "every cell failed, the first with AttributeError: 'Trace' object has no attribute 'hiddenx'" in first.detail
    assert "cell m=64, seed=0" in first.detail and "the same in 3 more cells" in first.detail
    assert [o.status for o in res.controls()] == ["not run"] * 3  # no rows to alter: not a KeyError
    text = str(res)
    assert "AttributeError" in text and "not run" in text and "Not measured: every cell failed" in text
    assert "failed cell" in res.decide()
    assert res._repr_markdown_()


def test_a_failure_is_replayed_only_to_the_same_code(tmp_path, capsys):
    calls = []

    def fail(cell):
        calls.append(cell["seed"])
        raise RuntimeError("boom")

    def ok(cell):
        calls.append(cell["seed"])
        return [{"seed": cell["seed"]}]

    cells = [{"seed": s} for s in range(3)]
    assert code_fingerprint(fail) != code_fingerprint(ok)  # two functions of one module: their names differ
    recs = run_tasks([Task("g", fail, c) for c in cells], cache=tmp_path)
    assert all(r["code"] == code_fingerprint(fail) for r in recs) and sorted(calls) == [0, 1, 2]
    calls.clear()
    run_tasks([Task("g", fail, c) for c in cells], cache=tmp_path)
    assert calls == [] and "--retry-failed" in capsys.readouterr().err  # replayed, and the hint says how not to
    again = run_tasks([Task("g", ok, c) for c in cells], cache=tmp_path)  # the same keys, other code
    assert sorted(calls) == [0, 1, 2] and all("error" not in r and "code" not in r for r in again)
    calls.clear()
    run_tasks([Task("g", fail, c) for c in cells], cache=tmp_path)  # a finished cell keeps its record
    assert calls == []
    old = dict(again[0], error={"type": "X", "message": "y", "traceback": ""})  # a failure written before fingerprints
    old.pop("code", None)
    assert measure_again(old, Task("g", ok, cells[0])) and not measure_again(again[0], Task("g", fail, cells[0]))


def test_the_report_of_a_claim_that_always_fails_is_written_and_exits_1(tmp_path, registry):
    from rnntheory.cli import main

    module = tmp_path / "edge_claims.py"
    module.write_text(BROKEN)
    out = tmp_path / "r"
    argv = [
        "report",
        "--import",
        str(module),
        "--claims",
        "edge_all_fail",
        "--out",
        str(out),
        "--jobs",
        "1",
        "-q",
        "--no-figures",
    ]
    assert main(argv) == 1
    text = (out / "report.md").read_text()
    assert "**9 cell(s) failed**" in text
    assert "The first error: **KeyError: 'width'**, raised by the cell" in text and '"m": 64, "seed": 0' in text
    assert 'cell["width"]' in text  # the end of the traceback, with the offending line
    assert "| too_strong: a decay like m^-1 | not run:" in text
    doc = json.loads((out / "results.json").read_text())
    assert doc["claims"][0]["verdict"] == "inconclusive"
    keys = sorted(k for _, k in CellCache(out / ".cache").entries())
    module.write_text(FIXED)  # the bug fixed, no version bumped, no flag given: measured again
    registry.pop("edge_all_fail")
    assert main(argv) == 0
    text = (out / "report.md").read_text()
    assert "failed" not in text.split("## Summary")[0] and "KeyError" not in text
    assert sorted(k for _, k in CellCache(out / ".cache").entries()) == keys  # the same cells, the same keys


def test_the_fingerprint_follows_the_module_source(tmp_path, registry):
    from rnntheory.checking import import_claims

    module = tmp_path / "edge_claims.py"
    module.write_text(BROKEN)
    import_claims(str(module))
    first = REGISTRY["edge_all_fail"].tasks([{"m": 64, "seed": 0}])[0]
    module.write_text(FIXED + "\n# a comment: the module changed\n")
    registry.pop("edge_all_fail")
    import_claims(str(module))
    second = REGISTRY["edge_all_fail"].tasks([{"m": 64, "seed": 0}])[0]
    assert first.key == second.key and first.code != second.code
    assert Path(module).is_file()
