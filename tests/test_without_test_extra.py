"""The package runs without its test extra: Hypothesis and pytest are needed by the test suite and
``rnntheory check`` only. Each check runs in a fresh interpreter where importing either fails, as on a
machine where ``pip install rnntheory`` left them out."""

import subprocess
import sys

BLOCK = "import sys; sys.modules['hypothesis'] = None; sys.modules['pytest'] = None; "


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCK + code], capture_output=True, text=True, timeout=300)


def test_every_package_imports_and_a_report_is_planned_without_hypothesis_or_pytest():
    out = _run(
        "import rnntheory as rt, importlib\n"
        "for p in ('network', 'complexity', 'learning', 'stats', 'run', 'claims', 'report', 'cli'):\n"
        "    m = importlib.import_module('rnntheory.' + p)\n"
        "    [getattr(m, n) for n in getattr(m, '__all__', [])]\n"
        "from rnntheory.cli import main\n"
        "sys.exit(main(['report', '--dry-run', '--claims', 'backward_coupling']))\n"
    )
    assert out.returncode == 0, out.stderr
    assert "backward_coupling" in out.stdout


def test_a_claim_runs_without_hypothesis_or_pytest():
    out = _run("import rnntheory as rt; r = rt.claims.get('complexity_monotone').run(progress=False); print(r.verdict)")
    assert out.returncode == 0, out.stderr
    assert "consistent" in out.stdout


def test_check_says_what_to_install_and_testing_names_the_extra():
    out = _run("from rnntheory.cli import main; sys.exit(main(['check']))")
    assert out.returncode == 2
    assert 'pip install "rnntheory[test]"' in out.stderr
    out = _run("import rnntheory.testing")
    assert out.returncode != 0 and 'pip install "rnntheory[test]"' in out.stderr
