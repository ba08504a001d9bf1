"""The `rnntheory` command, run as a user would (in a subprocess)."""

import subprocess
import sys


def run(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "rnntheory.cli", *args], capture_output=True, text=True, timeout=timeout)


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
    code = ("import sys, contextlib, io\nfrom rnntheory import cli\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    for args in (['--help'], ['report', '--help'], ['check', '--help'], ['bench', '--help']):\n"
            "        try:\n            cli.main(args)\n        except SystemExit:\n            pass\n"
            "print(sorted(m for m in ('torch', 'numpy', 'pandas', 'scipy', 'sympy', 'matplotlib') if m in sys.modules))")
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

    out = run("report", "--claims", "backward_coupling", "--seeds", "2", "--budget", "25s", "--no-figures", "-q",
              "--out", str(tmp_path / "r"))
    assert out.returncode == 0, out.stderr
    text = (tmp_path / "r" / "report.md").read_text()
    assert "Budgeted run: a budget of 25 s" in text and "--budget 25s --jobs 1" in text
    doc = json.loads((tmp_path / "r" / "results.json").read_text())
    assert doc["report"]["budget"]["looks"]["backward_coupling"] >= 1
    (claim,) = doc["claims"]
    assert all(len(seeds) >= 2 for seeds in claim["seeds"].values())
