"""Bad settings are refused before any cell is measured, with a message that names the argument, the
value and what is accepted: grid files (one family), the Python API (``Claim.run``, ``claims.measure``,
``report.run``) and the command line (exit status 2, no traceback). One table per family."""

import dataclasses
import json

import pandas as pd
import pytest

from rnntheory import claims, cli, report
from rnntheory.checking import ANALYSIS_ERRORS, Grid
from rnntheory.report.grids import load_grids

GRID_FILES = [
    # (case, grid file content, parts of the message)
    ("claims is a list", {"claims": []}, ["claims=[]", "must be an object"]),
    ("a claim maps to a number", {"claims": {"sign_changes": 5}}, ["'sign_changes'", "got 5"]),
    ("seeds a float", {"claims": {"sign_changes": {"seeds": 2.5}}}, ["seeds=2.5", "positive count"]),
    ("seeds a string", {"claims": {"sign_changes": {"seeds": "12"}}}, ["seeds='12'"]),
    ("seeds true", {"claims": {"sign_changes": {"seeds": True}}}, ["seeds=True"]),
    ("seeds repeated", {"claims": {"sign_changes": {"seeds": [0, 0]}}}, ["seeds=[0, 0]", "repeated seed"]),
    ("seeds zero", {"claims": {"sign_changes": {"seeds": 0}}}, ["seeds=0"]),
    ("seeds negative", {"claims": {"sign_changes": {"seeds": [-1]}}}, ["seeds=[-1]"]),
    ("m a string", {"claims": {"sign_changes": {"axes": {"m": ["abc"]}}}}, ["m='abc'", "must be int"]),
    ("m a float", {"claims": {"sign_changes": {"points": [{"m": 512.5}]}}}, ["m=512.5", "must be int"]),
    (
        "unknown fixed setting",
        {"claims": {"sign_changes": {"fixed": {"width": 256}}}},
        ["['width']", "expected some of"],
    ),
    ("unknown point setting", {"claims": {"sign_changes": {"points": [{"widht": 256}]}}}, ["['widht']"]),
    ("no points", {"claims": {"sign_changes": {"points": []}}}, ["points=()", "measures nothing"]),
    ("a point not an object", {"claims": {"sign_changes": {"points": [256]}}}, ["the point 256", "mapping"]),
    ("an empty axis", {"claims": {"sign_changes": {"axes": {"m": []}}}}, ["axes.m=[]"]),
    ("an axis not a list", {"claims": {"sign_changes": {"axes": {"m": 256}}}}, ["axes.m=256", "list"]),
    ("fixed not an object", {"claims": {"sign_changes": {"fixed": [1]}}}, ["fixed=[1]", "object"]),
    ("unknown base", {"base": "huge"}, ["base='huge'", "'default' or 'large'"]),
    ("unknown key", {"claims": {"sign_changes": {"seed": 3}}}, ["unknown keys ['seed']"]),
    ("unknown judging setting", {"claims": {"sign_changes": {"judging": {"resolution": 1}}}}, ["resolution"]),
    ("unknown claim", {"claims": {"sign_change": {}}}, ["'sign_change' is not a registered claim"]),
    ("m negative", {"claims": {"sign_changes": {"points": [{"m": -64}]}}}, ["m=-64", "must be positive"]),
    ("a zero length", {"claims": {"sign_changes": {"fixed": {"L": 0}}}}, ["L=0", "must be positive"]),
]


@pytest.mark.parametrize("case, spec, parts", GRID_FILES, ids=[c[0] for c in GRID_FILES])
def test_bad_grid_file_is_refused(tmp_path, case, spec, parts):
    path = tmp_path / "grid.json"
    path.write_text(json.dumps(spec))
    with pytest.raises(ValueError) as info:
        load_grids(path, ["sign_changes"])
    message = str(info.value)
    assert message.startswith("grids.load_grids") or message.startswith("Claim.settings"), message
    for part in parts:
        assert part in message, f"{part!r} not in {message!r}"


SIGN = claims.get("sign_changes")
API = [
    # (case, call, exception, parts of the message)
    ("Claim.run unknown setting", lambda: SIGN.run(width=256), ValueError, ["Claim.run", "['width']"]),
    ("Claim.run wrong type", lambda: SIGN.run(m="abc"), TypeError, ["Claim.run", "m='abc'", "int"]),
    ("Claim.run seeds=0", lambda: SIGN.run(seeds=0), ValueError, ["Claim.run", "seeds=0"]),
    ("Claim.run seeds repeated", lambda: SIGN.run(seeds=[1, 1]), ValueError, ["Claim.run", "repeated"]),
    ("Claim.run device meta", lambda: SIGN.run(device="meta"), ValueError, ["Claim.run", "device='meta'"]),
    ("Claim.run device typo", lambda: SIGN.run(device="gpu"), ValueError, ["Claim.run", "device='gpu'"]),
    ("Claim.run dtype float16", lambda: SIGN.run(dtype="float16"), ValueError, ["Claim.run", "dtype='float16'"]),
    ("Claim.run fixes a swept setting", lambda: SIGN.run(m=4096), ValueError, ["Claim.run", "sweeps ['m']", "m=4096"]),
    ("Claim.cost unknown setting", lambda: SIGN.cost(width=256), ValueError, ["Claim.cost", "['width']"]),
    ("Claim.cost device meta", lambda: SIGN.cost(device="meta"), ValueError, ["Claim.cost", "device='meta'"]),
    (
        "claims.measure unknown setting",
        lambda: claims.measure("sign_changes", bogus=1),
        ValueError,
        ["Claim.cell", "['bogus']"],
    ),
    (
        "measure_frame unknown setting in the cell",
        lambda: SIGN.measure_frame({**SIGN.cell(), "bogus": 1}),
        ValueError,
        ["Claim.measure_frame", "['bogus']"],
    ),
    (
        "report.run device",
        lambda: report.run(["sign_changes"], device="nonsense", progress=False),
        ValueError,
        ["report.run", "device='nonsense'"],
    ),
    (
        "report.run dtype",
        lambda: report.run(["sign_changes"], dtype="float16", progress=False),
        ValueError,
        ["report.run", "dtype='float16'"],
    ),
]


@pytest.mark.parametrize("case, call, exc, parts", API, ids=[c[0] for c in API])
def test_bad_api_argument_is_refused(case, call, exc, parts):
    with pytest.raises(exc) as info:
        call()
    for part in parts:
        assert part in str(info.value), f"{part!r} not in {info.value!r}"


CLI = [
    # (case, arguments, part of the message)
    ("device nonsense", ["--device", "nonsense"], "device='nonsense'"),
    ("device meta", ["--device", "meta"], "device='meta'"),
    ("out is a file", ["--out", "{file}"], "a file is in the way"),
    ("cache is a file", ["--cache", "{file}"], "a file is in the way"),
    ("cache and no-cache", ["--cache", "{tmp}/c", "--no-cache"], "contradict"),
    ("dump-grid into a missing folder", ["--dump-grid", "{tmp}/no/such/grid.json"], "does not exist"),
    ("grid file with bad seeds", ["--grid", "{badgrid}"], "seeds='12'"),
    ("unknown claim", ["--claims", "sign_change"], "not a registered claim"),
    ("jobs 0", ["--jobs", "0"], "jobs=0"),
]


@pytest.mark.parametrize("case, args, part", CLI, ids=[c[0] for c in CLI])
def test_bad_command_line_exits_2_with_a_message(tmp_path, capsys, case, args, part):
    (tmp_path / "file").write_text("x")
    (tmp_path / "bad.json").write_text(json.dumps({"claims": {"sign_changes": {"seeds": "12"}}}))
    fill = {"file": str(tmp_path / "file"), "tmp": str(tmp_path), "badgrid": str(tmp_path / "bad.json")}
    argv = [
        "report",
        "-q",
        "--claims",
        "complexity_eps_growth",
        "--out",
        str(tmp_path / "r"),
        *[a.format(**fill) for a in args],
    ]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert part in err and "Traceback" not in err, err
    assert not (tmp_path / "r" / ".cache").exists() or not any((tmp_path / "r" / ".cache").rglob("*.json"))


# ---------------------------------------------------------------------- setup mistakes are errors, never verdicts
COUPLING = claims.get("backward_coupling")


def test_a_custom_grid_that_forgot_the_fixed_settings_is_refused_before_any_cell(tmp_path):
    with pytest.raises(ValueError, match=r"leaves \['L', 'd', 'd_x', 'eps_x', 'n', 'tau_star', 'taus'\] unset"):
        COUPLING.run(Grid.product({"m": [64, 128]}, seeds=2), cache=tmp_path)
    assert not any(tmp_path.iterdir())  # nothing was measured
    with pytest.raises(ValueError, match="must be positive"):
        COUPLING.cost(COUPLING.grid().with_fixed(n=-4))


@pytest.mark.parametrize(
    "judging, error, parts",
    [
        (dict(m_exponent="three"), TypeError, ["m_exponent='three'", "must be a number"]),
        (dict(m_exponent=float("nan")), ValueError, ["m_exponent=nan", "finite"]),
        (dict(m_resolution=-1), ValueError, ["m_resolution=-1", "positive"]),
        (dict(m_resolution=0.0), ValueError, ["m_resolution=0.0", "exact checks"]),
        (dict(end_points=True), TypeError, ["end_points=True"]),
        (dict(slope=1.0), ValueError, ["no judging settings ['slope']"]),
    ],
)
def test_a_bad_judging_value_is_an_error_not_a_verdict(judging, error, parts):
    frame = COUPLING.measure_frame(m=64)
    res = COUPLING.judge(frame)
    for call in (lambda: res.rejudge(**judging), lambda: COUPLING.judge(frame, **judging)):
        with pytest.raises(error) as info:
            call()
        for part in parts:
            assert part in str(info.value), str(info.value)
    with pytest.raises(ValueError, match="growth_factor=8"):
        claims.get("product_stability").settings(growth_factor=8)


def test_a_bug_in_an_analysis_propagates():
    """A KeyError (a missing column: a bug, not a lack of data) is raised, never read as inconclusive."""
    frame = COUPLING.measure_frame(m=64).drop(columns=["inner"])
    with pytest.raises(KeyError, match="inner"):
        COUPLING.judge(pd.concat([frame, frame.assign(m=128)]))


def test_only_a_lack_of_data_reads_inconclusive():
    """ANALYSIS_ERRORS holds the errors of data that cannot support an analysis, never a KeyError or an
    IndexError (bugs); an IndexError raised in an analysis propagates through judge and rejudge."""
    for error in ANALYSIS_ERRORS:
        assert not issubclass(error, LookupError), error
        assert not issubclass(KeyError, error) and not issubclass(IndexError, error), error

    def analyse(df, judging):
        return [df["inner"].to_list()[len(df)]]  # one past the end: a bug

    broken = dataclasses.replace(COUPLING, analyse=analyse)
    frame = COUPLING.measure_frame(m=64)
    with pytest.raises(IndexError):
        broken.judge(frame)
    res = dataclasses.replace(COUPLING.judge(frame), claim=broken)
    with pytest.raises(IndexError):
        res.rejudge()


@pytest.mark.parametrize(
    "call, exc, part",
    [
        (lambda: Grid(points="m", seeds=2), TypeError, "points='m'"),
        (lambda: Grid(points=(), seeds=2), ValueError, "points=()"),
        (lambda: Grid(points=({"m": 64},), seeds=[0, 1.5]), TypeError, "seeds=[0, 1.5]"),
        (lambda: Grid(points=({"m": 64, "seeds": [-1]},), seeds=2), ValueError, "seeds=[-1]"),
        (lambda: SIGN.grid().with_seed_offset(1.5), TypeError, "offset=1.5"),
        (lambda: SIGN.grid().with_seed_offset(-1), ValueError, "offset=-1"),
        (lambda: SIGN.grid().grow("2"), TypeError, "factor='2'"),
        (lambda: SIGN.run(seeds="3"), TypeError, "Claim.run: seeds='3'"),
    ],
)
def test_a_grid_refuses_a_wrong_type_with_a_type_error(call, exc, part):
    with pytest.raises(exc) as info:
        call()
    assert part in str(info.value), str(info.value)
