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
    out = run("check", "-k", "backward_stability_holds")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "claims of the paper" in out.stdout
    line = next(l for l in out.stdout.splitlines() if l.startswith("backward_stability [default]"))
    assert "consistent" in line and "exponent in factors" in line


def test_check_fails_when_a_check_fails():
    out = run("check", "-k", "no_such_check_matches_this")
    assert out.returncode != 0  # pytest's "no tests ran" is not a pass


def test_help():
    out = run("--help")
    assert out.returncode == 0 and "check" in out.stdout
