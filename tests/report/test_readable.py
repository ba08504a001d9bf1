"""Results read the same in a notebook, on a terminal and in the report: print(result) shows the
findings, the negative controls and what was (not) shown; a notebook renders the report's tables
(_repr_markdown_); controls and costs print as tables and rounded numbers; one headline rule; a
log line per claim when no progress bar is shown; every public constructor has a working example."""

import doctest
import math
import re
import warnings

import pytest

from rnntheory import checking, claims, report
from rnntheory.checking.text import HEADLINE_RULE, measured, what_was_shown
from rnntheory.learning import concepts
from rnntheory.network import model
from rnntheory.run import cost
from rnntheory.run.cache import CellCache
from rnntheory.run.records import Task

NAME = "complexity_eps_growth"  # four cells, under a second


def _report(result):
    meta = {
        "grid": "default",
        "command": "rnntheory report",
        "seeds": None,
        "dtype": "float64",
        "device": "cpu",
        "device_name": "cpu",
        "rnntheory": "x",
        "torch": "x",
    }
    return report.Report(
        {NAME: result},
        {NAME: claims.get(NAME).grid()},
        {NAME: [{"seconds": 0.0, "rows": [], "key": "", "cell": {}}]},
        meta,
    )


@pytest.fixture(scope="module")
def result():
    return claims.get(NAME).run(progress=False)


def test_print_shows_what_the_report_shows(result):
    text = str(result)
    for o in result.controls():
        assert f"    {o.kind}: {o.status} ({o.what}" in text
    assert "negative controls:" in text
    assert what_was_shown(result, 1) in text
    assert all(f.name in text for f in result.findings)


def test_a_notebook_renders_the_reports_tables(result):
    md = result._repr_markdown_()
    section = _report(result).markdown()
    for table_line in md.splitlines():
        if table_line.startswith("| ") and not table_line.startswith("| claim"):
            assert table_line in section, table_line  # the same rows as the report's section
    assert f"**{NAME}**: **consistent**" in md and "| negative control | result |" in md


def test_controls_print_as_a_table_and_are_computed_once(result):
    ctl = result.controls()
    assert isinstance(ctl, checking.Controls) and result.controls() is ctl
    assert repr(ctl) == str(ctl) == "\n".join(str(o) for o in ctl)
    assert "ControlOutcome(" not in repr(ctl)
    assert ctl._repr_markdown_().startswith("| negative control | result |")
    assert "| negative control | result |" in ctl[0]._repr_markdown_()


def test_costs_print_rounded_and_render_as_markdown():
    c = claims.get("backward_coupling").cost()
    wall = c.wall(2)
    assert wall == round(wall, 4) and repr(wall) == repr(round(wall, 4)) and len(repr(wall)) <= 8
    assert c.seconds == round(c.seconds, 4)
    md = c._repr_markdown_()
    assert md.startswith("| claim | cells | cached | to run | est. compute | longest cell |")
    assert "| backward_coupling | 432 |" in md and "estimated wall time: about" in md


def test_one_headline_rule_for_the_api_the_report_and_the_command_line(result):
    head = result.deciding()
    assert head is report.headline_finding(result) and head.verdict == result.verdict
    assert head is next(f for f in result.findings if f.verdict == result.verdict)
    assert result.headline == f"{NAME}: {result.verdict} -- {head.name}: {measured(head)}"
    assert _report(result).summary().loc[0, "headline"] == f"{head.name}: {measured(head)}"
    # the committed report and the README state the rule in the same words
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert HEADLINE_RULE in (root / "docs" / "report" / "report.md").read_text()
    assert HEADLINE_RULE in (root / "README.md").read_text()


def test_claim_run_logs_a_line_per_claim_when_no_bar_is_shown(capsys):
    claims.get(NAME).run()  # progress="auto": under pytest nobody watches, so no bar
    err = capsys.readouterr().err
    assert re.fullmatch(
        rf"{NAME}: measuring 4 cells of the default grid\n{NAME}: consistent \(4 findings, "
        r"[\d.]+ s\)\n",
        err,
    ), err
    claims.get(NAME).run(progress=False)
    assert capsys.readouterr().err == ""


CONSTRUCTORS = [
    model.RNN,
    model.RNN.init,
    checking.Grid,
    checking.Grid.product,
    checking.Claim,
    checking.register,
    checking.Control,
    checking.Finding,
    checking.ClaimResult,
    cost.Cost,
    Task,
    CellCache,
    concepts.Concept.random,
    concepts.Concept.single_lag,
    concepts.Concept.single_pair,
    checking.import_claims,
]


@pytest.mark.parametrize("obj", CONSTRUCTORS, ids=lambda o: o.__qualname__)
def test_every_public_constructor_has_an_example_that_runs(obj):
    assert ">>>" in (obj.__doc__ or ""), f"{obj.__qualname__} has no example"
    module = __import__(obj.__module__, fromlist=["_"])
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # register's example registers a claim again on purpose
        for test in doctest.DocTestFinder(recurse=False).find(obj, globs=dict(vars(module))):
            runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_a_finding_level_is_printed_beside_each_table(result):
    assert f"measured ({100 * result.level:.4g}% CI)" in result._repr_markdown_()
    assert math.isclose(result.level, 0.99)
