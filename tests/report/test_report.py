"""The bound-vs-measured report (rnntheory.report, grid files in rnntheory.report.grids, and `rnntheory report`).

The resume test runs the command as a user would, in subprocesses: one uninterrupted run, and one
that is interrupted twice (Ctrl-C, then SIGKILL) and rerun; every file written must be byte-identical.
"""

import dataclasses
import json
import math
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import torch

from rnntheory import claims, report
from rnntheory.checking import REGISTRY, ClaimResult
from rnntheory.checking.findings import cannot_finding, every_case_finding
from rnntheory.checking.text import what_was_shown
from rnntheory.cli import main
from rnntheory.report import grids
from rnntheory.run import batching
from rnntheory.run.cache import CellCache

TINY = {
    "claims": {
        "sgd_learns": {
            "axes": {"m": [32, 48, 64]},
            "seeds": 3,
            "fixed": {"lr0": 0.0625, "steps": 300, "record_every": 75, "n_test": 64},
        }
    }
}
"""Nine cells of about 0.3 s each: slow enough to interrupt between cells."""

SMALL = {
    "claims": {
        "hidden_perturbation": {
            "axes": {"m": [128, 512]},
            "seeds": 3,
            "fixed": {"Ls": [4, 8, 16], "omegas": [0.001, 0.003, 0.01]},
        }
    }
}
"""hidden_perturbation on two widths, three lengths and small omegas (where the change is linear in
omega), three seeds: eighteen cheap cells that hold the claim's reference width, length and omega."""

CHEAP = ["complexity_divergence", "complexity_eps_growth"]
"""Two claims whose default grids take seconds."""


def cli(*args):
    return [sys.executable, "-m", "rnntheory.cli", "report", *args]


def cells_in(folder: Path) -> list[Path]:
    return sorted(folder.glob(".cache/*/*.json"))


def _as_in_a_terminal() -> None:
    r"""Ctrl-C as a user at a terminal has it: a test run started in the background (``cmd &`` in a
    script) hands its children SIGINT ignored, and Python then keeps it ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


PATIENCE = 900.0
"""The outer limit of every wait on a report process: the waits end on the event they wait for (cells
on disk, the process gone); this only ends a test that would hang, however busy the machine is."""


def wait_for_cells(proc, folder: Path, k: int) -> None:
    r"""Wait until ``k`` cells of the report ``proc`` are on disk."""
    t0 = time.monotonic()
    while len(cells_in(folder)) < k:
        assert proc.poll() is None, "the report finished before it could be interrupted"
        assert time.monotonic() - t0 < PATIENCE, f"{len(cells_in(folder))} of {k} cells appeared in {PATIENCE:.0f} s"
        time.sleep(0.01)


def wait_gone(pids: list[int]) -> None:
    r"""Wait until none of ``pids`` is alive (a worker checks its parent every 0.5 s)."""
    t0 = time.monotonic()
    while any(_alive(p) for p in pids) and time.monotonic() - t0 < PATIENCE:
        time.sleep(0.05)
    assert not [p for p in pids if _alive(p)], "worker processes outlived their report"


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".cache" not in p.parts
    }


def test_interrupted_and_killed_report_resumes_to_identical_files(tmp_path):
    grid = tmp_path / "tiny.json"
    grid.write_text(json.dumps(TINY))
    args = ["--grid", str(grid), "--claims", "sgd_learns", "-q", "--jobs", "1"]  # in this process: no pool to kill
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    out = subprocess.run(cli(*args, "--out", str(straight)), capture_output=True, text=True, timeout=PATIENCE)
    assert out.returncode == 0, out.stderr
    assert len(cells_in(straight)) == 9

    # Ctrl-C after two cells: exit status 130, a message on how to resume, only whole cells on disk
    proc = subprocess.Popen(
        cli(*args, "--out", str(resumed)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_as_in_a_terminal,
    )
    wait_for_cells(proc, resumed, 2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=PATIENCE)
    assert proc.returncode == 130, err
    assert "Run the same command again to resume" in err
    first = {p: p.stat().st_mtime_ns for p in cells_in(resumed)}
    assert 2 <= len(first) < 9 and not (resumed / "report.md").exists()

    # SIGKILL a little later: no chance to clean up
    proc = subprocess.Popen(cli(*args, "--out", str(resumed)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_cells(proc, resumed, len(first) + 2)
    proc.kill()
    proc.wait(timeout=PATIENCE)
    assert proc.returncode == -signal.SIGKILL
    assert len(cells_in(resumed)) < 9  # a temporary file may be left behind; it is never read

    out = subprocess.run(cli(*args, "--out", str(resumed)), capture_output=True, text=True, timeout=PATIENCE)
    assert out.returncode == 0, out.stderr
    # cells finished before the interruptions were loaded, not measured again
    assert all(p.stat().st_mtime_ns == t for p, t in first.items())
    actual, expected = files_of(resumed), files_of(straight)
    assert sorted(actual) == sorted(expected) == ["figures/sgd_learns.png", "report.md", "results.csv", "results.json"]
    for name in ("report.md", "results.json"):  # the same command but for its --out, which "Regenerate with" names
        assert f"--out {resumed}".encode() in actual[name]
        actual[name] = actual[name].replace(str(resumed).encode(), str(straight).encode())
    for name in expected:
        assert actual[name] == expected[name], f"{name} differs after resuming"


@pytest.mark.cluster  # starts and stops worker processes: in the test command's own step (pytest -m cluster)
def test_ctrl_c_stops_parallel_workers_at_once_and_the_rerun_completes(tmp_path):
    grid = tmp_path / "tiny.json"
    grid.write_text(json.dumps(TINY))
    args = ["--grid", str(grid), "--claims", "sgd_learns", "-q", "--jobs", "2", "--out", str(tmp_path / "r")]
    proc = subprocess.Popen(
        cli(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_as_in_a_terminal
    )
    wait_for_cells(proc, tmp_path / "r", 2)
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=PATIENCE)
    assert proc.returncode == 130, err
    assert "Traceback" not in err  # the workers ignore SIGINT and are stopped by the main process
    wait_gone(workers)  # no worker goes on measuring
    assert len(cells_in(tmp_path / "r")) < 9
    out = subprocess.run(cli(*args), capture_output=True, text=True, timeout=PATIENCE)
    assert out.returncode == 0, out.stderr
    assert len(cells_in(tmp_path / "r")) == 9
    assert len(pd.read_csv(tmp_path / "r" / "results.csv")) == 9


def _children(pid: int) -> list[int]:
    r"""The live child processes of ``pid`` (from /proc; zombies count as gone)."""
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid) and not fields.get("State", "").startswith("Z"):
            out.append(int(status.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = next(l for l in Path(f"/proc/{pid}/status").read_text().splitlines() if l.startswith("State:"))
    except (OSError, StopIteration):
        return False
    return "Z" not in state.split(":", 1)[1].split()[0]


@pytest.mark.cluster  # kills a report and its worker processes: in the test command's own step
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_no_worker_outlives_a_killed_parallel_report(tmp_path, how):
    grid = tmp_path / "tiny.json"
    grid.write_text(json.dumps(TINY))
    args = ["--grid", str(grid), "--claims", "sgd_learns", "-q", "--jobs", "2", "--out", str(tmp_path / "r")]
    proc = subprocess.Popen(cli(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_cells(proc, tmp_path / "r", 1)
    workers = _children(proc.pid)
    assert workers, "the parallel report started no worker process"
    proc.send_signal(getattr(signal, how))
    _, err = proc.communicate(timeout=PATIENCE)
    if how == "SIGTERM":  # handled like Ctrl-C: a message and the conventional status
        assert proc.returncode == 143 and "terminated" in err and "Traceback" not in err, err
    else:
        assert proc.returncode == -signal.SIGKILL
    wait_gone(workers)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """Two cheap claims (hidden_perturbation on the SMALL grid, complexity_eps_growth on its default
    grid), measured once for the module."""
    spec = SMALL["claims"]["hidden_perturbation"]
    js = claims.get("hidden_perturbation").settings()
    assert js["m_ref"] in spec["axes"]["m"] and js["L_ref"] in spec["fixed"]["Ls"]
    assert js["omega_ref"] in spec["fixed"]["omegas"]
    p = tmp_path_factory.mktemp("grid") / "small.json"
    p.write_text(json.dumps(SMALL))
    return report.run(["hidden_perturbation", "complexity_eps_growth"], p, progress=False)


def test_report_rows_match_an_independent_measurement_of_each_cell(small):
    """Every row of results.csv belongs to a cell whose configuration, measured again directly with
    the claim's measurement function (no sweep, no cache), gives the same values."""
    res = small.results_frame()
    doc = small.to_json()
    assert len(res) == sum(len(c["rows"]) for cl in doc["claims"] for c in cl["cells"])
    for cl in doc["claims"]:
        claim = claims.get(cl["name"])
        for cell in cl["cells"]:
            expected = claim.measure_frame(cell["cell"])
            actual = res[res["cell"] == cell["key"][:16]]
            assert len(actual) == len(expected)
            for col in expected.columns:
                if pd.api.types.is_float_dtype(expected[col]):
                    assert actual[col].to_numpy(float).tolist() == expected[col].to_numpy(float).tolist(), col


def test_results_csv_keeps_integers_and_configuration(small):
    df = small.results_frame()
    assert list(df.columns[:2]) == ["claim", "cell"]
    assert str(df["m"].dtype) == "Int64" and df["m"].dropna().unique().tolist() == [128, 512]
    assert {"device", "dtype", "seed", "omegas"} <= set(df.columns)
    assert df.loc[df["claim"] == "hidden_perturbation", "omegas"].iloc[0] == "[0.001, 0.003, 0.01]"


def test_results_json_is_strict_json_with_grids_and_findings(small):
    doc = small.to_json()
    text = json.dumps(doc, allow_nan=False)  # NaN and infinities are written as null
    assert json.loads(text)["report"]["torch"] == torch.__version__
    hp = doc["claims"][0]
    assert hp["name"] == "hidden_perturbation" and hp["grid"]["seeds"] == [0, 1, 2]
    assert hp["version"] == claims.get("hidden_perturbation").version
    assert hp["judging"] == claims.get("hidden_perturbation").settings()
    assert hp["findings"][0]["fit"]["type"] == "ExponentFit" and hp["findings"][0]["verdict"] == "consistent"
    assert hp["findings"][0]["constant"] == pytest.approx(small.results["hidden_perturbation"].findings[0].constant)


def test_markdown_has_a_summary_and_a_section_per_claim(small):
    md = small.markdown({"hidden_perturbation": "figures/hidden_perturbation.png"})
    assert md.index("## Summary") < md.index("## hidden_perturbation") < md.index("## complexity_eps_growth")
    for name, res in small.results.items():
        c = res.claim
        assert f"| [{name}](#{name}) |" in md
        assert c.statement in md and f"`{c.bound}`" in md
        section = md[md.index(f"## {name}") :]
        assert f"Verdict: **{res.verdict}**" in section
    assert "![hidden_perturbation](figures/hidden_perturbation.png)" in md
    fit = small.results["hidden_perturbation"].findings[0].fit  # the fitted exponent with its interval
    assert fit.slope == pytest.approx(1.0, abs=0.05)
    assert f"exponent in omega {fit.slope:.3g} [{fit.ci_low:.3g}, {fit.ci_high:.3g}]" in md
    assert "Shown: all 4 findings agree with the claimed shape on this grid (inv_eps from 10 to 1e+12; 1 seed)." in md
    shown = what_was_shown(small.results["hidden_perturbation"], 3)
    assert shown in md and "omega from 0.001 to 0.01" in shown and "m from 128 to 512; 3 seeds" in shown


def test_sentences_name_what_was_not_shown(small):
    hp = small.results["hidden_perturbation"]
    wrong = hp.rejudge(exponent=2.0)  # a deliberately wrong claim: exponent 2 in omega
    assert wrong.verdict == "inconsistent" and wrong.findings[0].verdict == "inconsistent"
    assert [f.name for f in wrong.findings if f.verdict == "inconsistent"] == [wrong.findings[0].name]
    text = what_was_shown(wrong, 3)
    assert "Not shown, contradicted at these sizes: " + wrong.findings[0].name + "." in text
    with pytest.raises(ValueError, match="no judging settings \\['m'\\]"):
        hp.rejudge(m=64)  # a measuring setting cannot be changed without measuring
    open_ = ClaimResult(
        hp.claim, "x", hp.data, [every_case_finding("a", [True], key="a"), cannot_finding("b", "d", key="b")]
    )
    text = what_was_shown(open_, 2)
    assert text.startswith("Shown: 1 of 2 findings") and "Not decided: b." in text


def test_write_produces_every_file_and_rewrites_identically(small, tmp_path):
    written = small.write(tmp_path / "a")
    names = sorted(str(p.relative_to(tmp_path / "a")) for p in written)
    assert names == [
        "figures/complexity_eps_growth.png",
        "figures/hidden_perturbation.png",
        "report.md",
        "results.csv",
        "results.json",
    ]
    assert (tmp_path / "a" / "figures" / "hidden_perturbation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    small.write(tmp_path / "b")
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")
    assert pd.read_csv(tmp_path / "a" / "results.csv").shape[0] == len(small.results_frame())


def test_report_equals_claim_run(small):
    expected = claims.get("hidden_perturbation").run(small.grids["hidden_perturbation"])
    pd.testing.assert_frame_equal(small.results["hidden_perturbation"].data, expected.data)
    assert [f.verdict for f in small.results["hidden_perturbation"].findings] == [f.verdict for f in expected.findings]


# ---------------------------------------------------------------------- grids
def test_named_grids_cover_every_claim():
    for name in ("default", "large"):
        named = grids.load_grids(name)
        assert list(named) == claims.names()
        assert all(g is claims.get(n).grid(name) for n, g in named.items())


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_grid_file_points_axes_seeds_and_fixed(tmp_path, suffix):
    p = tmp_path / f"g{suffix}"
    if suffix == ".json":
        p.write_text(
            json.dumps(
                {
                    "base": "large",
                    "claims": {
                        "sign_changes": {"base": "default", "seeds": [3, 5], "fixed": {"m": 256}},
                        "ntk_ball": {"points": [{"m": 64, "lr0": 8.0}]},
                        "decoupling": {"axes": {"m": [64, 128], "L": [4, 6]}, "seeds": 2},
                    },
                }
            )
        )
    else:
        p.write_text(
            'base = "large"\n[claims.sign_changes]\nbase = "default"\nseeds = [3, 5]\nfixed = {m = 256}\n'
            "[claims.ntk_ball]\npoints = [{m = 64, lr0 = 8.0}]\n"
            "[claims.decoupling]\naxes = {m = [64, 128], L = [4, 6]}\nseeds = 2\n"
        )
    loaded = grids.load_grids(p, ["sign_changes", "ntk_ball", "decoupling", "forward_stability"])
    sc = loaded["sign_changes"]
    assert sc.seeds == (3, 5) and sc.fixed["m"] == 256 and sc.points == claims.get("sign_changes").grid().points
    assert (
        loaded["ntk_ball"].points == ({"m": 64, "lr0": 8.0},)
        and loaded["ntk_ball"].seeds == claims.get("ntk_ball").grid("large").seeds
    )
    assert len(loaded["decoupling"].points) == 4 and loaded["decoupling"].seeds == (0, 1)
    assert loaded["forward_stability"] == claims.get("forward_stability").grid("large")  # not listed: the base


@pytest.mark.parametrize(
    "spec, match",
    [
        ({"claims": {"no_such": {}}}, "'no_such' is not a registered claim"),
        ({"claims": {"ntk_ball": {"sizes": [1]}}}, "unknown keys \\['sizes'\\]"),
        ({"claims": {"ntk_ball": {"points": [{"m": 8}], "axes": {"m": [8]}}}}, "gives both points and axes"),
        ({"claims": {"ntk_ball": {"base": "huge"}}}, "grid='huge' is not defined"),
        ({"grids": {}}, "must hold an object with keys 'base', 'claims' and 'only'"),
        # a point that leaves a setting every registered cell has unset would fail every cell: refused
        ({"claims": {"ntk_ball": {"points": [{"m": 64}]}}}, "leaves \\['lr0'\\] unset"),
    ],
)
def test_bad_grid_files_are_rejected(tmp_path, spec, match):
    p = tmp_path / "g.json"
    p.write_text(json.dumps(spec))
    with pytest.raises(ValueError, match=match):
        grids.load_grids(p)


def test_unreadable_or_missing_grid(tmp_path):
    p = tmp_path / "g.json"
    p.write_text("{not json")
    with pytest.raises(ValueError, match="cannot read the grid file"):
        grids.load_grids(p)
    with pytest.raises(ValueError, match="is neither 'default', 'large', 'gpu' nor a file"):
        grids.load_grids(tmp_path / "missing.json")


def test_dumped_grids_load_back_unchanged(tmp_path, capsys):
    assert main(["report", "--dump-grid", str(tmp_path / "g.json"), "--seeds", "2"]) == 0
    assert f"wrote the grids of {len(claims.names())} claims" in capsys.readouterr().out
    actual = grids.load_grids(tmp_path / "g.json")
    for name, g in grids.load_grids("default").items():
        assert grids.grid_spec(actual[name]) == grids.grid_spec(g.with_seeds(2))


@pytest.mark.parametrize(
    "args, match",
    [
        (["--claims", "no_such"], "'no_such' is not a registered claim"),
        (["--grid", "nowhere.json"], "is neither 'default', 'large', 'gpu' nor a file"),
        (["--seeds", "0", "--claims", "hidden_perturbation"], "seeds=0 must be a positive count"),
        (["--jobs", "0", "--claims", "hidden_perturbation"], "jobs=0 must be a positive integer"),
    ],
)
def test_cli_reports_bad_arguments_with_status_2(tmp_path, capsys, args, match):
    assert main(["report", *args, "--out", str(tmp_path), "-q"]) == 2
    err = capsys.readouterr().err
    assert "rnntheory report:" in err and re.search(match, err)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message given when CUDA is missing")
def test_cuda_without_a_gpu_is_a_clear_error():
    with pytest.raises(ValueError, match="report.run: device=.cuda. asks for CUDA, but no CUDA device is available"):
        report.run(["hidden_perturbation"], device="cuda", progress=False)


def test_compute_seconds_and_summary(small):
    s = small.summary()
    assert s["claim"].tolist() == ["hidden_perturbation", "complexity_eps_growth"]
    assert (s["n_consistent"] + s["n_inconsistent"] + s["n_inconclusive"] > 0).all()
    assert all(v >= 0 and math.isfinite(v) for v in small.compute_seconds.values())
    assert set(small.findings()["claim"]) == set(s["claim"])


def test_the_report_page_and_the_claims_reference_come_from_report_markdown(small):
    from rnntheory.report import markdown

    assert small.markdown() == markdown.page(small) and report.claims_reference is markdown.claims_reference
    assert (
        report.headline_finding(small.results["hidden_perturbation"]) is small.results["hidden_perturbation"].deciding()
    )
    assert not hasattr(report, "headline")  # a Finding, not ClaimResult.headline's line: headline_finding


# ---------------------------------------------------------------------- the committed report
ROOT = Path(__file__).resolve().parents[2]


def summary_table(text: str) -> list[str]:
    start = text.index("| claim | paper | verdict |")
    return [line for line in text[start:].splitlines() if line.startswith("|")][: 2 + len(claims.names())]


def test_readme_shows_the_summary_of_the_committed_default_report():
    """README's table is the summary of docs/report/report.md (regenerate both with `rnntheory report`
    and copy the table), its figure exists, and the report covers every registered claim. Claims and
    verdicts must agree; the numbers are compared only by claim and verdict, so that rerunning the
    report on another CPU (which may round differently in the last digits) does not break the suite."""
    rep = (ROOT / "docs" / "report" / "report.md").read_text()
    readme = (ROOT / "README.md").read_text()

    def claim_and_verdict(lines):
        return [tuple(cell.strip() for cell in line.split(" | ")[::2][:2]) for line in lines]

    expected = [line.replace("](#", "](docs/report/report.md#") for line in summary_table(rep)]
    assert claim_and_verdict(summary_table(readme)) == claim_and_verdict(expected)
    doc = json.loads((ROOT / "docs" / "report" / "results.json").read_text())
    assert doc["report"]["grid"] == "default" and [c["name"] for c in doc["claims"]] == claims.names()
    for c in doc["claims"]:
        assert f"| [{c['name']}](docs/report/report.md#{c['name']}) |" in readme
        assert f"**{c['verdict']}**" in next(l for l in expected if f"[{c['name']}]" in l)
        assert (ROOT / "docs" / "report" / "figures" / f"{c['name']}.png").is_file()
    for target in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme):
        assert (ROOT / target).is_file(), target


def test_a_grid_the_analysis_cannot_use_gives_an_inconclusive_claim_not_a_crash(tmp_path):
    p = tmp_path / "g.json"
    one_seed = {"claims": {"hidden_perturbation": {**SMALL["claims"]["hidden_perturbation"], "seeds": 1}}}
    p.write_text(json.dumps(one_seed))  # a t interval over seeds needs at least 2 seeds
    rep = report.run(["hidden_perturbation", "complexity_eps_growth"], p, progress=False)
    res = rep.results["hidden_perturbation"]
    assert res.verdict == "inconclusive" and len(res.findings) == 1
    assert res.findings[0].decision.rule == "cannot analyse"
    assert "1 distinct label; expected at least 2 groups" in res.findings[0].detail
    assert rep.results["complexity_eps_growth"].verdict == "consistent"
    assert "the analysis could not run on these measurements" in rep.markdown()
    rep.write(tmp_path / "out")  # the figure falls back to the claim's plot hints
    assert (tmp_path / "out" / "figures" / "hidden_perturbation.png").is_file()


# ---------------------------------------------------------------------- judging and measuring settings
def test_a_changed_claimed_exponent_rejudges_a_warm_cache_without_measuring(tmp_path, monkeypatch):
    """Changing one claimed exponent and rerunning the report on a warm cache re-measures zero cells:
    a claimed exponent is a judging setting, which enters no cell and no cache key."""
    first = report.run(CHEAP, cache=tmp_path, progress=False)
    stored = len(CellCache(tmp_path))
    assert stored == sum(len(g) for g in first.grids.values())
    claim = claims.get("complexity_eps_growth")
    assert claim.judging["degree"] == 1.0
    monkeypatch.setitem(REGISTRY, claim.name, dataclasses.replace(claim, judging={**claim.judging, "degree": -0.2}))

    def no_measuring(task, key):
        raise AssertionError(f"the cell {task.group} {dict(task.cell)} was measured again")

    monkeypatch.setattr(batching, "measure_cell", no_measuring)
    again = report.run(CHEAP, cache=tmp_path, progress=False)
    assert len(CellCache(tmp_path)) == stored
    assert [r["key"] for r in again.records[claim.name]] == [r["key"] for r in first.records[claim.name]]
    old, new = first.results[claim.name], again.results[claim.name]
    pd.testing.assert_frame_equal(new.data, old.data)
    # the verdict and the findings speak of the new claimed exponent
    assert old.verdict == "consistent" and new.verdict == "inconsistent"
    assert new.settings["degree"] == -0.2 and old.settings["degree"] == 1.0
    (sin,) = [f for f in new.findings if f.name.startswith("C_eps(sin, 1)")]
    # 0.2 lies beyond -0.2 plus the resolution 0.25
    assert sin.verdict == "inconsistent" and sin.claimed == "exponent <= -0.2"
    assert sin.name == "C_eps(sin, 1) grows at most like (1/eps)^-0.2 (C*=10)"
    row = f"| {sin.name} | exponent <= -0.2 | "  # its row in the claim's table of findings
    assert row in again.markdown() and row not in first.markdown()
    doc = {c["name"]: c for c in again.to_json()["claims"]}
    assert doc[claim.name]["judging"]["degree"] == -0.2 and doc[claim.name]["verdict"] == "inconsistent"
    # the other claim is judged exactly as before
    assert [str(f) for f in again.results["complexity_divergence"].findings] == [
        str(f) for f in first.results["complexity_divergence"].findings
    ]


def test_a_changed_measurement_version_does_not_reuse_old_cells(tmp_path, monkeypatch):
    """A claim whose measurement version changed gets new cache keys: every one of its cells is measured
    again (and none of the other claim's); the old cells stay in the cache, unused."""
    first = report.run(CHEAP, cache=tmp_path, progress=False)
    stored = len(CellCache(tmp_path))
    claim = claims.get("complexity_eps_growth")
    bumped = dataclasses.replace(claim, version=claim.version + 1)
    monkeypatch.setitem(REGISTRY, claim.name, bumped)
    measured: list = []
    real = batching.measure_cell

    def counting(task, key):
        measured.append((task.group, task.version))
        return real(task, key)

    monkeypatch.setattr(batching, "measure_cell", counting)
    again = report.run(CHEAP, cache=tmp_path, progress=False)
    n = len(first.grids[claim.name])
    assert n > 0 and measured == [(claim.name, bumped.version)] * n
    assert len(CellCache(tmp_path)) == stored + n
    old_keys = {r["key"] for r in first.records[claim.name]}
    new_keys = {r["key"] for r in again.records[claim.name]}
    assert len(new_keys) == n and not old_keys & new_keys
    assert all(r["version"] == bumped.version for r in again.records[claim.name])
    assert [t.key for t in bumped.tasks(first.grids[claim.name].cells())] == [
        r["key"] for r in again.records[claim.name]
    ]
    pd.testing.assert_frame_equal(
        again.results[claim.name].data, first.results[claim.name].data
    )  # same code, same rows
    assert {c["name"]: c["version"] for c in again.to_json()["claims"]}[claim.name] == bumped.version


def test_a_failing_cell_is_listed_and_the_report_still_completes(tmp_path, monkeypatch):
    """One cell of hidden_perturbation raises (m = 512, seed 1): the report is written, the claim reads
    inconclusive and names the cell, report.md, results.csv and results.json carry the error, the other
    claim is untouched, and a rerun loads the failure instead of measuring it again."""

    real = claims.get("hidden_perturbation")
    calls = []

    def measure(cell):
        calls.append((cell["m"], cell["seed"]))
        if cell["m"] == 512 and cell["seed"] == 1:
            raise RuntimeError("injected failure")
        return real.measure(cell)

    monkeypatch.setitem(REGISTRY, "hidden_perturbation", dataclasses.replace(real, measure=measure))
    p = tmp_path / "small.json"
    p.write_text(json.dumps(SMALL))
    cache = tmp_path / "cache"
    rep = report.run(["hidden_perturbation", "complexity_eps_growth"], p, cache=cache, progress=False)
    res = rep.results["hidden_perturbation"]
    assert res.verdict == "inconclusive" and len(res.failed) == 1
    assert res.failed[0]["cell"]["m"] == 512 and res.failed[0]["error"]["message"] == "injected failure"
    assert any(
        f.name == "every cell of the grid was measured" and "RuntimeError: injected failure" in f.detail
        for f in res.findings
    )
    assert (
        rep.results["complexity_eps_growth"].verdict == "consistent" and not rep.results["complexity_eps_growth"].failed
    )
    rep.write(tmp_path / "out", figures=False)
    text = (tmp_path / "out" / "report.md").read_text()
    assert "**1 cell(s) failed**" in text and "RuntimeError: injected failure" in text and "--retry-failed" in text
    csv = pd.read_csv(tmp_path / "out" / "results.csv")
    bad = csv[csv["error"].notna()]
    assert len(bad) == 1 and bad.iloc[0]["m"] == 512 and bad.iloc[0]["error"] == "RuntimeError: injected failure"
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    cells = next(c for c in doc["claims"] if c["name"] == "hidden_perturbation")["cells"]
    assert [c["error"]["type"] for c in cells if "error" in c] == ["RuntimeError"]
    calls.clear()
    report.run(["hidden_perturbation"], p, cache=cache, progress=False)
    assert calls == []
    again = report.run(["hidden_perturbation"], p, cache=cache, progress=False, retry_failed=True)
    assert calls == [(512, 1)] and len(again.results["hidden_perturbation"].failed) == 1


def test_seed_offset_shifts_every_seed_and_shares_no_cell(tmp_path):
    """--seed-offset K replicates the design with seeds s + K: the grids say so, the cells' keys differ
    from the unshifted ones, and a negative or non-integer offset is refused."""
    base = grids.load_grids("default", ["decoupling", "ntk_limit"])
    shifted = grids.load_grids("default", ["decoupling", "ntk_limit"], seed_offset=1000)
    for n in base:
        assert shifted[n].seeds == tuple(s + 1000 for s in base[n].seeds)
        assert shifted[n].points == base[n].points and shifted[n].fixed == base[n].fixed
        keys = {t.key for t in claims.get(n).tasks(base[n].cells())}
        assert keys.isdisjoint(t.key for t in claims.get(n).tasks(shifted[n].cells()))
    assert grids.load_grids("default", ["decoupling"], seeds=2, seed_offset=5)["decoupling"].seeds == (5, 6)
    for bad, error in ((-1, ValueError), (2.5, TypeError), (True, TypeError)):  # the one validation policy
        with pytest.raises(error, match="seed_offset"):
            grids.load_grids("default", ["decoupling"], seed_offset=bad)
    assert (
        main(["report", "--claims", "decoupling", "--dump-grid", str(tmp_path / "g.json"), "--seed-offset", "7"]) == 0
    )
    spec = json.loads((tmp_path / "g.json").read_text())
    assert spec["claims"]["decoupling"]["seeds"] == [s + 7 for s in base["decoupling"].seeds]
    res = claims.get("complexity_eps_growth").run(seed_offset=3)
    assert res.verdict == "consistent"


def test_report_with_a_scheduler_but_no_dask_executor_is_a_clear_error(tmp_path, capsys):
    code = main(
        ["report", "--claims", "complexity_eps_growth", "--scheduler", "tcp://nowhere:1", "--out", str(tmp_path)]
    )
    assert code == 2
    assert "scheduler='tcp://nowhere:1' is for executor='dask'" in capsys.readouterr().err


def _results(folder: Path, claims_: list[dict]) -> Path:
    folder.mkdir()
    (folder / "results.json").write_text(json.dumps({"report": {"versions": {"torch": "x"}}, "claims": claims_}))
    return folder


def test_compare_reports_verdict_changes_and_relative_differences(tmp_path, capsys):
    cell = lambda key, *vals: {"key": key, "rows": [{"m": 8, "v": v} for v in vals]}  # noqa: E731
    a = _results(
        tmp_path / "a",
        [
            {"name": "c1", "verdict": "consistent", "cells": [cell("k1", 1.0, 2.0)]},
            {"name": "c2", "verdict": "consistent", "cells": [cell("k2", float("nan"))]},
        ],
    )
    b = _results(
        tmp_path / "b",
        [
            {"name": "c1", "verdict": "consistent", "cells": [cell("k1", 1.0, 2.002)]},
            {"name": "c2", "verdict": "inconclusive", "cells": [cell("k2", float("nan"))]},
        ],
    )
    cmp_ = report.compare(a, b)
    rows = {r["claim"]: r for r in cmp_.rows}
    assert rows["c1"]["max_rel_diff"] == pytest.approx(0.002 / 2.002)
    assert rows["c2"]["max_rel_diff"] == 0.0  # NaN against NaN is agreement
    assert cmp_.verdicts_changed == ["c2"] and cmp_.only_in_one == [] and not cmp_.agree
    assert "1 verdict changed: c2" in str(cmp_)
    c3 = _results(tmp_path / "c", [{"name": "c1", "verdict": "consistent", "cells": [cell("k1", 1.0, 2.0)]}])
    partial = report.compare(a, c3)
    assert partial.verdicts_changed == [] and partial.only_in_one == ["c2"] and partial.subset == "B" and partial.agree
    assert "0 verdicts changed; 1 claim in one report only: c2 (B holds only claims of the other" in str(partial)
    from rnntheory import cli as command

    codes = [command.main(["compare", str(a), str(x)]) for x in (a, b, tmp_path)]
    assert codes == [0, 1, 2]
    err = capsys.readouterr().err
    assert "results.json" in err and "Traceback" not in err


def test_results_json_records_the_numerical_versions(small, tmp_path):
    small.write(tmp_path, figures=False)
    versions = json.loads((tmp_path / "results.json").read_text())["report"]["versions"]
    assert {"python", "torch", "numpy", "scipy", "pandas", "sympy", "mpmath", "matplotlib"} <= set(versions)
