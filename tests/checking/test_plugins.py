"""Claims from outside the package: the example module of docs/new_claim.md runs through a notebook,
`rnntheory report --import` and an installed package's entry point (group rnntheory.claims), with its
findings, controls and report section; registering a name again replaces the claim with a warning; the
walk-through's code is the example module's, and it runs as written."""

import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from rnntheory import claims
from rnntheory.checking import REGISTRY, import_claims, register

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "width_claim.py"
NAME = "hidden_norm_width"


@pytest.fixture
def registry():
    """The registry as it was, restored after the test (other tests list every registered claim)."""
    before, path = dict(REGISTRY), list(sys.path)
    yield REGISTRY
    REGISTRY.clear()
    REGISTRY.update(before)
    sys.path[:] = path
    sys.modules.pop(EXAMPLE.stem, None)


def cli(*args, env=None, cwd=ROOT, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "rnntheory.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return {**env, **extra}


def _section(report_md: str, name: str) -> str:
    return report_md[report_md.index(f"\n## {name}\n") :]


def _check_report(out: Path):
    text = (out / "report.md").read_text()
    part = _section(text, NAME)
    assert "Verdict: **consistent**" in part
    assert "grows at most like m^0" in part and "| consistent (at resolution 0.1) |" in part
    assert "| too_strong: the claimed exponent of m_exponent made stronger: m_exponent = -0.5 | rejected" in part
    assert "| wrong_m: h_norm times m^0.5 (a wrong normalisation in m) | rejected" in part
    assert "cannot detect: the grid measures one length, L = 4" in part
    doc = json.loads((out / "results.json").read_text())
    (claim,) = doc["claims"]
    assert claim["name"] == NAME and claim["verdict"] == "consistent"
    assert [c["status"] for c in claim["controls"]] == ["rejected", "rejected", "cannot detect"]
    return text


def test_registering_a_name_again_replaces_the_claim_with_a_warning(registry):
    old = claims.get("backward_coupling")
    position = claims.names().index("backward_coupling")
    new = type(old)(**{**{f: getattr(old, f) for f in old.__dataclass_fields__}, "title": "redefined"})
    with pytest.warns(UserWarning, match="'backward_coupling' was already registered; this definition replaces it"):
        register(new)
    assert claims.get("backward_coupling") is new and claims.names().index("backward_coupling") == position
    with pytest.raises(TypeError, match="must be a Claim"):
        register("backward_coupling")


def test_a_notebook_cell_run_twice_replaces_its_claim(registry):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert import_claims(str(EXAMPLE)) == [NAME]
    first = claims.get(NAME)
    with pytest.warns(UserWarning, match=f"{NAME!r} was already registered"):
        assert import_claims(str(EXAMPLE)) == [NAME]  # the module is reloaded: its claim registers again
    assert claims.get(NAME) is not first and claims.names().count(NAME) == 1
    module = sys.modules["width_claim"]
    with pytest.warns(UserWarning, match=f"{NAME!r} was already registered"):
        exec(compile(EXAMPLE.read_text(), str(EXAMPLE), "exec"), dict(vars(module)))  # noqa: S102 - a cell run again
    assert claims.names().count(NAME) == 1


def test_import_claims_names_what_it_cannot_import(tmp_path, registry):
    with pytest.raises(TypeError, match="module=3 must be a module name"):
        import_claims(3)
    with pytest.raises(ValueError, match="module=' ' must be a module name"):
        import_claims(" ")
    with pytest.raises(ValueError, match="no module named 'no_such_claims_module'"):
        import_claims("no_such_claims_module")
    with pytest.raises(ValueError, match="the file '.*missing.py' does not exist .*holds no .py file"):
        import_claims(str(tmp_path / "missing.py"))
    (tmp_path / "notes.txt").write_text("not python\n")
    with pytest.raises(ValueError, match="is not a .py file"):
        import_claims(str(tmp_path / "notes.txt"))
    (tmp_path / "broken_claims.py").write_text("raise RuntimeError('half written')\n")
    with pytest.raises(ValueError, match="importing 'broken_claims' failed: RuntimeError: half written"):
        import_claims(str(tmp_path / "broken_claims.py"))


def test_report_import_runs_a_claim_from_outside_the_package(tmp_path):
    out = tmp_path / "r"
    done = cli(
        "report",
        "--import",
        str(EXAMPLE),
        "--claims",
        NAME,
        "--out",
        str(out),
        "--jobs",
        "1",
        "-q",
        "--no-figures",
        env=_env(),
    )
    assert done.returncode == 0, done.stderr
    text = _check_report(out)
    assert f"Regenerate with `rnntheory report --import {EXAMPLE} --claims {NAME} --out {out}`." in text
    assert re.search(rf"^{NAME}\s+consistent", done.stdout, re.M), done.stdout
    # without --import the claim is unknown: a usage error, not a verdict
    done = cli("report", "--claims", NAME, "--out", str(tmp_path / "r2"), env=_env())
    assert done.returncode == 2 and f"{NAME!r} is not a registered claim" in done.stderr
    assert "rnntheory report --import MODULE" in done.stderr  # where a claim of one's own comes from


def _installed(tmp_path: Path, entry: str = "width = tiny_claims") -> Path:
    """A tiny package 'installed' in a folder on PYTHONPATH: its module and its dist-info with the entry point."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(EXAMPLE, site / "tiny_claims.py")
    info = site / "tiny_claims-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tiny-claims\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[rnntheory.claims]\n{entry}\n")
    return site


def test_an_entry_point_brings_its_claim_to_the_report_with_parallel_workers(tmp_path):
    site = _installed(tmp_path)
    env = _env(PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]))
    listed = cli("claims", env=env, cwd=tmp_path)
    assert listed.returncode == 0 and NAME in listed.stdout, listed.stderr
    out = tmp_path / "r"
    # two worker processes: each imports the package's measuring function by name
    done = cli("report", "--claims", NAME, "--out", str(out), "--jobs", "2", "-q", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    _check_report(out)
    assert (out / "figures" / f"{NAME}.png").is_file()
    off = cli(
        "report",
        "--claims",
        NAME,
        "--out",
        str(tmp_path / "r2"),
        env={**env, "RNNTHEORY_DISABLE_PLUGIN_AUTOLOAD": "1"},
        cwd=tmp_path,
    )
    assert off.returncode == 2 and "is not a registered claim" in off.stderr


def test_a_broken_entry_point_is_skipped_with_a_warning(tmp_path):
    site = _installed(tmp_path, "broken = no_such_module_here\nwidth = tiny_claims")
    env = _env(PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]))
    listed = cli("claims", env=env, cwd=tmp_path)
    assert listed.returncode == 0 and NAME in listed.stdout, listed.stderr
    assert "the entry point broken = no_such_module_here (group rnntheory.claims) failed to load" in listed.stderr


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def test_the_walk_through_shows_the_example_module_and_runs_as_written(tmp_path):
    """docs/new_claim.md: every code excerpt is the example module's own text; its notebook lines run
    (in a fresh interpreter, from the repository's root) and print the verdict it describes; its
    command line writes the claim's report section."""
    page = (ROOT / "docs" / "new_claim.md").read_text()
    source = EXAMPLE.read_text()
    python = _blocks(page, "python")
    runs = [b for b in python if b.startswith("import rnntheory as rt")]
    assert len(runs) == 1 and len(python) >= 4
    for block in python:
        if block not in runs:
            assert block in source, f"docs/new_claim.md shows code that is not in {EXAMPLE.name}:\n{block}"
    code = (
        runs[0] + "print('SLOPE', res.findings[0].fit.slope, res.findings[0].fit.ci_low, res.findings[0].fit.ci_high)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=_env(), timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert f"{NAME} (" in done.stdout and "negative controls:" in done.stdout and "too_strong: rejected" in done.stdout
    # one line when the claim starts and one when it is judged: no progress bar with the output redirected
    assert f"{NAME}: measuring 40 cells of the default grid" in done.stderr
    assert re.search(rf"{NAME}: consistent \(1 finding, [\d.]+ s\)", done.stderr), done.stderr
    slope, lo, hi = (float(v) for v in done.stdout.split("SLOPE")[1].split())
    assert round(slope, 2) == 0.01 and round(lo, 2) == -0.04 and round(hi, 2) == 0.05  # as the page says
    (command,) = [
        line for block in _blocks(page, "bash") for line in block.splitlines() if line.startswith("rnntheory report")
    ]
    args = command.split()[1:]
    args[args.index("--out") + 1] = str(tmp_path / "width-report")
    done = cli(*args, "--jobs", "1", "-q", "--no-figures", env=_env())
    assert done.returncode == 0, done.stderr
    _check_report(tmp_path / "width-report")
