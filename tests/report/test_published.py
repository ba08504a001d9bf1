"""Every published time and count equals its source (tools/published.py): the marked spans of README.md
and docs/*.md, docs/claims.md, the README's summary table and the committed reports' text are what
`python tools/published.py` would write from the committed results and rnntheory/run/timings.json. One
level across findings, and the pure-fit comparison labelled as a description."""

import json
import re
from pathlib import Path

import published as P  # tools/published.py (tools/ is on pytest's pythonpath)
import pytest

from rnntheory import claims, report
from rnntheory.cli import build_parser
from rnntheory.run import cores, durations

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def expected():
    return P.expected()


def test_every_generated_file_equals_what_its_sources_give(expected):
    differ = [rel for rel, text in expected.items() if not P.same(rel, (ROOT / rel).read_text(), text)]
    assert differ == [], (
        f"{differ} differ from their sources (the committed reports, the registry, "
        "rnntheory/run/timings.json): run `python tools/published.py` and commit the result"
    )


def test_results_json_is_compared_up_to_the_last_bits_of_a_refit():
    assert P.same("r.json", '{"a": [1.0, 0.30000000000000004]}', '{"a": [1.0, 0.3]}')
    assert not P.same("r.json", '{"a": [1.0, 0.3001]}', '{"a": [1.0, 0.3]}')
    assert not P.same("r.json", '{"a": 1.0, "b": "x"}', '{"a": 1.0, "b": "y"}')
    assert not P.same("r.md", "0.30000000000000004", "0.3")


def test_every_page_with_numbers_has_spans_and_every_span_a_figure():
    values = P.figures()
    for doc in ("README.md", "docs/index.md", "docs/findings.md", "docs/reporting.md"):
        names = P.SPAN.findall((ROOT / doc).read_text())
        assert names, f"{doc} publishes no figure"
        assert {n for n, _ in names} <= {*values, "report_summary"}, doc


def test_a_figure_that_drifts_is_rewritten_and_an_unknown_span_is_refused():
    values = P.figures()
    stale = "the large grid has <!-- published:large_cells -->927<!-- /published --> cells"
    assert (
        P.render(stale, values)
        == f"the large grid has <!-- published:large_cells -->{values['large_cells']}<!-- /published --> cells"
    )
    with pytest.raises(KeyError, match="no_such_figure"):
        P.render("<!-- published:no_such_figure -->1<!-- /published -->", values, "x.md")


def test_figures_come_from_the_committed_reports_and_the_timings():
    values = P.figures()
    doc = json.loads((ROOT / "docs" / "report" / "results.json").read_text())
    assert values["default_cells"] == str(sum(len(c["cells"]) for c in doc["claims"]))
    verdicts = [c["verdict"] for c in doc["claims"]]
    for v in ("consistent", "inconsistent", "inconclusive"):
        assert values[f"default_{v}"] == str(verdicts.count(v))
    large = json.loads((ROOT / "docs" / "report-large" / "results.json").read_text())
    assert values["large_cells"] == str(sum(len(c["cells"]) for c in large["claims"]))
    # the published wall time is the default --jobs on the 2-core CPU of the reference timings
    assert P.CORES == 2
    assert values["default_wall"] == durations.duration(report.cost().wall(P.CORES), about=True)
    assert values["default_compute"] == durations.duration(report.cost().seconds, about=True)
    assert values["backward_coupling_compute"] == durations.duration(
        claims.get("backward_coupling").cost().seconds, about=True
    )


def test_the_readme_main_command_runs_with_the_default_jobs_and_states_its_time():
    readme = (ROOT / "README.md").read_text()
    command = re.search(r"<!-- main-command -->\s*```bash\n(.*?)\n```", readme, re.S).group(1)
    assert command.endswith("rnntheory report") and "--jobs" not in command
    intro = readme[readme.index("## Two commands") : readme.index("<!-- main-command -->")]
    assert "<!-- published:default_wall -->" in intro and "2-core CPU" in intro
    args = build_parser().parse_args(["report"])
    assert args.jobs is None  # resolved to the cores available when the run starts
    text = " ".join(build_parser()._subparsers._group_actions[0].choices["report"].format_help().split())
    assert f"the cores this process may use, {cores.available()} here" in text


def test_findings_offset_0_column_is_the_committed_default_report():
    text = (ROOT / "docs" / "findings.md").read_text()
    table = P.SPAN.sub(r"\2", text[text.index("| claim | offset 0 |") :]).split("\n\n")[0].splitlines()[2:]
    column = {line.split(" | ")[0].strip("| "): line.split(" | ")[1] for line in table}
    doc = json.loads((ROOT / "docs" / "report" / "results.json").read_text())
    assert column == {c["name"]: c["verdict"] for c in doc["claims"]}


def test_one_level_across_the_findings_of_a_report():
    """Every interval of the default report (t, regression, grouped, exact binomial) is printed at the
    report's 99%; a budgeted report prints each claim's own look level in its table header."""
    text = (ROOT / "docs" / "report" / "report.md").read_text()
    levels = set(re.findall(r"\((\d+(?:\.\d+)?)% (?:t|regression|groups|exact)\b", text))
    assert levels == {"99"}, levels
    from rnntheory import stats

    assert stats.binomial_decision(10, 10).level == 0.99 and stats.binomial_interval(9, 10) == stats.binomial_interval(
        9, 10, 0.99
    )


def test_the_pure_fit_comparison_reads_as_a_description():
    doc = json.loads((ROOT / "docs" / "report" / "results.json").read_text())
    growth = [f for c in doc["claims"] for f in c["findings"] if f["fit"] and f["fit"]["type"] == "GrowthFit"]
    assert growth
    for f in growth:
        assert "as a description, not the test" in f["measured"] and "fits better" not in f["measured"], f["measured"]
        assert "pure fits, as a description (not the test)" in f["detail"]


def test_a_budgeted_summary_labels_each_row_with_its_own_level(tmp_path):
    """The budgeted report's claims end at different looks (99.5% to 99.999%, exact claims 99%): the summary's
    header states no one level, and each row its own, the level its findings table states."""
    from rnntheory.checking.text import pct
    from rnntheory.report import build as report

    # the record of the budgeted hour, less the claims whose designs changed since it ran (theory.md sec. 10)
    doc = json.loads((ROOT / "docs" / "report-budget" / "results.json").read_text())
    changed = {
        "forward_stability",
        "forward_coupling",
        "backward_coupling",
        "sgd_learns",
        "ntk_ball",
        "length_scaling",
        "ntk_limit",
    }
    kept = [c for c in doc["claims"] if c["name"] not in changed]
    (tmp_path / "results.json").write_text(json.dumps({**doc, "claims": kept}))
    import pandas as pd

    rows = pd.read_csv(ROOT / "docs" / "report-budget" / "results.csv", low_memory=False)
    rows[rows["claim"].isin([c["name"] for c in kept])].to_csv(tmp_path / "results.csv", index=False)
    rep = report.from_results(tmp_path)
    levels = {n: res.level for n, res in rep.results.items()}
    assert len(set(levels.values())) > 1
    text = rep.markdown()
    summary = text[text.index("| claim | paper | verdict |") :].split("\n\n")[0].splitlines()
    assert "(CI at the claim's level)" in summary[0] and not re.search(r"\(\d[\d.]*% CI\)", summary[0])
    for line in summary[2:]:
        name = re.match(r"\| \[(\w+)\]", line).group(1)
        assert re.findall(r"\((\d[\d.]*)% CI\)", line) == [pct(levels[name])[:-1]], line


def test_each_committed_grid_file_is_the_design_its_report_measured():
    """docs/grids/<file> is named in a committed report's "Regenerate with" command, and resolves to the grids
    that report stored (points, seeds, fixed and judging settings): the command measures that report again. The
    wide backward-coupling design is the large budget's final design with the wider points added."""
    from rnntheory.report.grids import grid_from_spec, load_grids

    docs = {f: json.loads((ROOT / f / "results.json").read_text()) for f in P.REPORTS.values()}
    files = sorted((ROOT / "docs" / "grids").glob("*.json"))
    assert files
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        made = [doc for doc in docs.values() if rel in doc["report"]["command"]]
        assert len(made) == 1, (rel, len(made))
        stored = {c["name"]: grid_from_spec(c["name"], c["grid"]) for c in made[0]["claims"]}
        assert load_grids(path) == stored, rel
    wide = docs["docs/report-wide"]["claims"][0]["grid"]["points"]
    budget = next(c for c in docs["docs/report-large-budget"]["claims"] if c["name"] == "backward_coupling")
    assert budget["grid"]["points"] == wide[: len(budget["grid"]["points"])]
    assert {(p["L"], p["m"]) for p in wide[len(budget["grid"]["points"]) :]} == {(24, 16384), (32, 8192), (32, 16384)}
