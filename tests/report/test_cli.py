"""The `rnntheory` command, run as a user would (in a subprocess)."""

import json
import subprocess
import sys

import pytest


def run(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "rnntheory.cli", *args], capture_output=True, text=True, timeout=timeout
    )


def test_claims_lists_the_registry():
    from rnntheory import claims

    out = run("claims")
    assert out.returncode == 0, out.stderr
    for name in claims.names():
        assert name in out.stdout


def test_check_prints_one_line_per_claim_with_its_verdict():
    # the parametrised proofs_checks test that judges every claim through the shared path, on one
    # claim whose default grid takes seconds
    out = run("check", "-k", "test_claim_is_judged and complexity_eps_growth")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 passed" in out.stdout
    assert "claims of the paper" in out.stdout
    line = next(l for l in out.stdout.splitlines() if l.startswith("complexity_eps_growth [default]"))
    assert line.split()[2] == "consistent" and "exponent in inv_eps" in line


def test_check_fails_when_a_check_fails():
    out = run("check", "-k", "no_such_check_matches_this")
    assert out.returncode != 0  # pytest's "no tests ran" is not a pass
    assert "no check matches -k 'no_such_check_matches_this'; the claims are forward_stability," in out.stderr


def test_check_runs_from_any_folder(tmp_path):
    """The verification suite is an installed package: it needs neither the repository as the working folder
    nor its pytest configuration (its markers and warning filters are registered by its own conftest)."""
    out = subprocess.run(
        [sys.executable, "-m", "rnntheory.cli", "check", "-k", "test_claim_is_judged and complexity_eps_growth"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 passed" in out.stdout and "PytestUnknownMarkWarning" not in out.stdout + out.stderr


def test_help():
    out = run("--help")
    assert out.returncode == 0 and "check" in out.stdout


def test_version():
    from rnntheory import __version__

    out = run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"rnntheory {__version__}"


def test_bare_command_prints_help():
    out = run()
    assert out.returncode == 0 and "usage: rnntheory" in out.stdout and "report" in out.stdout


def test_help_does_not_load_torch():
    """``rnntheory --help`` answers at once: parsing the command line imports no numerical library."""
    code = (
        "import sys, contextlib, io\nfrom rnntheory import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    for args in (['--help'], ['report', '--help'], ['check', '--help'], ['bench', '--help']):\n"
        "        try:\n            cli.main(args)\n        except SystemExit:\n            pass\n"
        "print(sorted(m for m in ('torch', 'numpy', 'pandas', 'scipy', 'sympy', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_report_budget_refuses_what_is_not_a_duration_and_a_dry_run(tmp_path):
    out = run("report", "--budget", "soon", "--out", str(tmp_path / "r"))
    assert out.returncode == 2 and "'soon' is not a duration" in out.stderr, out.stderr
    out = run("report", "--budget", "10m", "--dry-run", "--out", str(tmp_path / "r"))
    assert out.returncode == 2 and "--dry-run with --budget" in out.stderr, out.stderr
    assert not (tmp_path / "r").exists()


def test_report_budget_writes_its_rounds_into_the_report(tmp_path):
    """A budgeted report on one cheap claim: the header says what the budget did, results.json has
    the rounds and the seeds of every point."""
    import json

    out = run(
        "report",
        "--claims",
        "backward_coupling",
        "--seeds",
        "2",
        "--budget",
        "8s",
        "--no-figures",
        "-q",
        "--jobs",
        "1",
        "--out",
        str(tmp_path / "r"),
    )
    assert out.returncode == 0, out.stderr
    text = (tmp_path / "r" / "report.md").read_text()
    assert "Budgeted run: a budget of 8 s" in text and "--budget 8s --jobs 1" in text
    doc = json.loads((tmp_path / "r" / "results.json").read_text())
    assert doc["report"]["budget"]["looks"]["backward_coupling"] >= 1
    (claim,) = doc["claims"]
    assert all(len(seeds) >= 2 for seeds in claim["seeds"].values())


# ---------------------------------------------------------------------- compare, dry run, dump grid, --jobs
def _report_folder(folder, claims_):
    folder.mkdir()
    cells = lambda key, v: [{"key": key, "rows": [{"m": 8, "v": v}]}]  # noqa: E731
    doc = {
        "report": {"versions": {"torch": "x"}},
        "claims": [{"name": n, "verdict": verdict, "cells": cells(n, v)} for n, verdict, v in claims_],
    }
    (folder / "results.json").write_text(json.dumps(doc))
    return folder


def test_compare_claims_and_common_and_the_exit_rule_in_its_help(tmp_path, capsys):
    """A replication of part of a report: --common compares the claims both hold, --claims the named
    ones; the exit rule is in `compare --help`."""
    from rnntheory.cli import main
    from rnntheory.report import comparison

    full = _report_folder(
        tmp_path / "full", [("a", "consistent", 1.0), ("b", "inconclusive", 2.0), ("c", "consistent", 3.0)]
    )
    part = _report_folder(tmp_path / "part", [("a", "consistent", 1.0), ("b", "inconclusive", 2.0)])
    assert main(["compare", str(full), str(part)]) == 0  # part is a run of some of full's claims: c is listed only
    assert "1 claim in one report only: c (B holds only claims of the other" in capsys.readouterr().out
    other = _report_folder(tmp_path / "other", [("a", "consistent", 1.0), ("d", "consistent", 4.0)])
    assert main(["compare", str(part), str(other)]) == 1  # neither holds only claims of the other
    assert "2 claims in one report only: b, d" in capsys.readouterr().out
    assert main(["compare", str(full), str(part), "--common"]) == 0
    out = capsys.readouterr().out
    assert "0 verdicts changed" in out and "1 claim not compared: c" in out
    assert main(["compare", str(full), str(part), "--claims", "b"]) == 0
    assert main(["compare", str(full), str(part), "--claims", "c"]) == 2
    assert "'c' is not a claim of" in capsys.readouterr().err
    changed = _report_folder(tmp_path / "changed", [("a", "inconsistent", 1.0)])
    assert main(["compare", str(full), str(changed), "--common"]) == 1
    assert comparison.compare(full, changed, common=True).left_out == ("b", "c")
    help_text = " ".join(run("compare", "--help").stdout.split())
    for part_ in (
        "exit status: 0 when every compared claim is in both reports with the same verdict",
        "1 when a verdict changed, a claim was measured on another design in each report",
        "or a claim is in one report only (unless --common or --claims",
        "or the other report holds only claims of this one",
        "2 when a folder has no readable results.json",
        "--common",
        "--claims",
    ):
        assert part_ in help_text, part_


def test_dry_run_lists_claims_that_share_cells_and_counts_them_once(capsys):
    from rnntheory import claims, report
    from rnntheory.cli import main

    assert (
        main(["report", "--dry-run", "--claims", "sgd_learns", "ntk_ball", "complexity_eps_growth", "--jobs", "2"]) == 0
    )
    text = capsys.readouterr().out
    lines = {line.split()[0]: line for line in text.splitlines() if line.strip()}
    n = len(claims.get("ntk_ball").grid())
    assert lines["ntk_ball"].split()[1] == str(n) and "shares cells with sgd_learns" in lines["ntk_ball"]
    total = lines["total"].split()
    assert total[1] == str(len(claims.get("sgd_learns").grid()) + len(claims.get("complexity_eps_growth").grid()))
    assert f"the report, which lists them under each claim, counts {int(total[1]) + n})" in text
    c = report.cost(["sgd_learns", "ntk_ball"])
    # ntk_ball's cells are sgd_learns's runs at its one length: all shared, none measured twice
    assert n < len(claims.get("sgd_learns").grid())
    assert c.shared == {"ntk_ball": {"sgd_learns": n}} and c.cells == len(claims.get("sgd_learns").grid())
    assert c.by_claim().loc["ntk_ball", "shared"] == n
    # every claim of the default grid is listed, those sharing cells included
    assert list(report.cost().by_claim().index) == claims.names()


def test_dry_run_refuses_the_jobs_the_run_refuses_and_defaults_to_the_cores(capsys):
    from rnntheory.cli import main
    from rnntheory.run import cores

    for bad in ("0", "-2"):
        assert main(["report", "--dry-run", "--claims", "complexity_eps_growth", "--jobs", bad]) == 2
        assert f"jobs={bad} must be a positive integer" in capsys.readouterr().err
    assert main(["report", "--dry-run", "--claims", "complexity_eps_growth"]) == 0
    assert f"estimated wall time with --jobs {cores.available()}:" in capsys.readouterr().out


def test_a_dumped_grid_file_measures_exactly_the_run_it_was_written_for(tmp_path, capsys):
    """--dump-grid with --claims, --seeds and --seed-offset: the file alone (no --claims) plans the same
    claims and the same cells."""
    from rnntheory import report
    from rnntheory.cli import main
    from rnntheory.report import grids

    path = tmp_path / "g.json"
    asked = ["--claims", "decoupling", "backward_coupling", "--seeds", "3", "--seed-offset", "5"]
    assert main(["report", *asked, "--dump-grid", str(path)]) == 0
    spec = json.loads(path.read_text())
    assert spec["only"] is True and list(spec["claims"]) == ["decoupling", "backward_coupling"]
    again = grids.load_grids(path)
    planned = grids.load_grids("default", ["decoupling", "backward_coupling"], seeds=3, seed_offset=5)
    assert list(again) == list(planned)
    assert {n: grids.grid_spec(g) for n, g in again.items()} == {n: grids.grid_spec(g) for n, g in planned.items()}
    keys = lambda c: sorted(c.table["cell"])  # noqa: E731
    assert keys(report.cost(grid=path)) == keys(
        report.cost(["decoupling", "backward_coupling"], seeds=3, seed_offset=5)
    )
    # a file without "only" still measures every claim, the unlisted ones on its base grid
    path.write_text(json.dumps({"claims": spec["claims"]}))
    assert len(grids.load_grids(path)) > 2
    path.write_text(json.dumps({**spec, "only": "yes"}))
    with pytest.raises(ValueError, match="only='yes' must be true or false"):
        grids.load_grids(path)


# ---------------------------------------------------------------------- the edges a new user meets
def _args(*argv):
    from rnntheory.cli import build_parser

    args = build_parser().parse_args(["report", *argv])
    args.jobs = 1 if args.jobs is None else args.jobs
    return args


def test_the_default_output_is_an_ignored_folder_and_regenerate_names_any_other(tmp_path):
    """A default run writes to report/, which git ignores, never over the committed docs/report; the
    "Regenerate with" line names --out when it is not the default, and --threads when not 1."""
    from pathlib import Path

    from rnntheory.cli.report import DEFAULT_OUT, command_line

    root = Path(__file__).resolve().parents[2]
    assert _args().out == DEFAULT_OUT == "report"
    assert "/report/" in (root / ".gitignore").read_text().splitlines()
    assert "rnntheory compare docs/report report" in (root / "README.md").read_text()
    assert command_line(_args()) == "rnntheory report"
    assert command_line(_args("--out", "report/")) == "rnntheory report"
    assert command_line(_args("--out", "docs/report")) == "rnntheory report --out docs/report"
    threads = command_line(_args("--threads", "2", "--out", str(tmp_path)))
    assert threads == f"rnntheory report --threads 2 --out {tmp_path}"


def test_threads_in_help_and_dry_run_say_what_happens(capsys):
    from rnntheory.cli import main

    help_text = " ".join(run("report", "--help").stdout.split())
    assert "--threads N torch threads per cell, the same for every executor: in this process with --jobs 1" in help_text
    assert main(["report", "--dry-run", "--claims", "complexity_eps_growth", "--jobs", "1"]) == 0
    assert "cells are measured in this process, one at a time, 1 torch thread per cell" in capsys.readouterr().out
    assert main(["report", "--dry-run", "--claims", "complexity_eps_growth", "--jobs", "2", "--threads", "2"]) == 0
    assert (
        "cells are measured in 2 worker processes, one cell each at a time, 2 torch threads per cell"
        in capsys.readouterr().out
    )
    assert main(["report", "--dry-run", "--claims", "complexity_eps_growth", "--threads", "0"]) == 2
    assert "--threads 0" in capsys.readouterr().err


def test_a_negative_or_spaced_budget(capsys):
    """--budget -5m is explained (not argparse's "expected one argument"); --budget "5 min" is accepted and
    the "Regenerate with" line gives it back in a form the command line takes."""
    import shlex

    from rnntheory.cli import build_parser, main
    from rnntheory.cli.report import command_line

    assert main(["report", "--budget", "-5m", "--claims", "complexity_eps_growth"]) == 2
    assert "--budget -5m: '-5m' must be a positive duration" in capsys.readouterr().err
    cmd = command_line(_args("--budget", "5 min", "--claims", "complexity_eps_growth"))
    assert cmd == "rnntheory report --claims complexity_eps_growth --budget 5m --jobs 1"
    again = build_parser().parse_args(shlex.split(cmd)[1:])
    assert again.budget == "5m" and again.claims == ["complexity_eps_growth"]


def test_an_unknown_claim_hints_at_import_and_a_missing_file_says_so(tmp_path, capsys):
    from rnntheory.cli import main

    assert main(["report", "--dry-run", "--claims", "hidden_norm_widht"]) == 2
    err = capsys.readouterr().err
    assert "'hidden_norm_widht' is not a registered claim" in err and "--import MODULE" in err
    assert main(["report", "--dry-run", "--import", str(tmp_path / "width_claims.py")]) == 2
    assert f"the file '{tmp_path / 'width_claims.py'}' does not exist" in capsys.readouterr().err


def test_a_default_run_writes_nothing_git_tracks():
    """The default --out is ignored by git and holds no tracked file, so that `rnntheory report` in a fresh
    clone leaves `git status` clean (docs/report, the committed reference, is never its output)."""
    import shutil
    from pathlib import Path

    from rnntheory.cli.report import DEFAULT_OUT

    root = Path(__file__).resolve().parents[2]
    if shutil.which("git") is None or not (root / ".git").exists():
        pytest.skip("not a git checkout")
    for path in (f"{DEFAULT_OUT}/report.md", f"{DEFAULT_OUT}/.cache/claim/key.json"):
        ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=root, capture_output=True)
        assert ignored.returncode == 0, f"git does not ignore {path}"
    tracked = subprocess.run(["git", "ls-files", DEFAULT_OUT], cwd=root, capture_output=True, text=True)
    assert tracked.stdout == ""


def test_an_interrupt_while_the_report_is_written_says_so_and_exits_130(tmp_path, monkeypatch, capsys):
    """Ctrl-C (or SIGTERM, handled the same way) while the files are written: no traceback, the conventional
    status, and a message that the folder is incomplete and that a rerun writes it from the kept cells."""
    from rnntheory.cli import main
    from rnntheory.report import build

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(build.Report, "write", interrupted)
    out, cache = tmp_path / "r", tmp_path / "cache"
    argv = ["report", "--claims", "complexity_eps_growth", "--no-figures", "-q", "--jobs", "1"]
    assert main([*argv, "--out", str(out), "--cache", str(cache)]) == 130
    err = capsys.readouterr().err
    assert "interrupted while writing" in err and "which is incomplete" in err and "nothing is measured again" in err
    assert "Traceback" not in err


def test_compare_names_a_claim_measured_on_another_design(tmp_path, capsys):
    """Two reports of one claim whose grids differ in a point (or a fixed or judging setting) are no replication:
    compare names the claim and disagrees (exit 1), even with equal verdicts; other seeds per point (a seed offset,
    a budgeted run's added seeds) are the same design."""
    from rnntheory.cli import main
    from rnntheory.report import comparison

    def folder(name, points, fixed, judging):
        f = _report_folder(tmp_path / name, [("a", "consistent", 1.0)])
        doc = json.loads((f / "results.json").read_text())
        doc["claims"][0].update(grid={"points": points, "seeds": [0, 1], "fixed": fixed}, judging=judging)
        (f / "results.json").write_text(json.dumps(doc))
        return f

    base = folder("base", [{"m": 8}, {"m": 16}], {"L": 8}, {"degree": 1.0})
    seeds = folder("seeds", [{"m": 8, "seeds": [5, 6, 7]}, {"m": 16}], {"L": 8}, {"degree": 1.0})
    points = folder("points", [{"m": 8}, {"m": 32}], {"L": 8}, {"degree": 1.0})
    fixed = folder("fixed", [{"m": 8}, {"m": 16}], {"L": 6}, {"degree": 2.0})
    assert comparison.compare(base, seeds).agree and comparison.compare(base, seeds).other_design == {}
    assert comparison.compare(base, points).other_design == {"a": "points"}
    assert comparison.compare(base, fixed).other_design == {"a": "fixed settings, judging settings"}
    assert main(["compare", str(base), str(points)]) == 1
    out = capsys.readouterr().out
    assert "another design: points differ (not a replication)" in out
    assert "1 claim measured on another design in each report, not a replication: a" in out


def test_a_seed_offset_beyond_the_seed_range_is_refused_before_anything_runs(capsys):
    """A seed (with its offset) outside [0, 2^28) cannot name its cell's random streams: refused with the
    arguments (exit 2, also for a dry run), not as a failure of every cell after the estimate said 1 s."""
    from rnntheory.cli import main

    argv = ["report", "--claims", "backward_stability", "--seeds", "2", "--seed-offset", "300000000"]
    assert main([*argv, "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "backward_stability's largest seed is 300000001 (seed offset 300000000 included)" in err
    assert "[0, 268435456)" in err
    assert main(["report", "--claims", "backward_stability", "--seed-offset", str(2**28 - 100), "--dry-run"]) == 0


def test_small_mistakes_get_plain_answers(tmp_path, capsys):
    """A misspelt top-level key of a grid file is named; the gpu grid on the CPU is warned about; a reader that
    stops early (`rnntheory report --dry-run | head -1`) ends the command without a traceback."""
    from rnntheory.cli import main

    bad = tmp_path / "g.json"
    bad.write_text(json.dumps({"bse": "default", "claims": {}}))
    assert main(["report", "--grid", str(bad), "--dry-run"]) == 2
    assert "must hold an object with keys 'base', 'claims' and 'only'; it has 'bse'" in capsys.readouterr().err
    assert main(["report", "--grid", "gpu", "--claims", "forward_stability", "--dry-run"]) == 0
    assert "the gpu grid (widths 16384..65536) is meant for --device cuda" in capsys.readouterr().err
    cmd = f"{sys.executable} -m rnntheory.cli report --dry-run --claims ntk_limit | head -1"
    out = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=300)
    assert out.stdout.startswith("claim") and "Traceback" not in out.stderr, out.stderr


def test_a_setting_no_cell_can_take_is_refused_when_the_grid_is_loaded(tmp_path, capsys):
    """eps_x = 5 (inputs of norm beyond 1) would fail every cell after a dry run that said seconds: the paper's
    claims build a cell's inputs when the grid is loaded (Claim.check_cell), so the run stops at once (exit 2)
    naming the claim, the point and the setting."""
    from rnntheory.cli import main

    g = tmp_path / "g.json"
    g.write_text(json.dumps({"claims": {"backward_stability": {"fixed": {"eps_x": 5.0}}}, "only": True}))
    assert main(["report", "--grid", str(g), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "backward_stability: the grid point {'L': 8, 'm': 64}: sample_inputs: eps_x=5.0 must be" in err
