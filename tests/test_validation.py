"""One table of bad inputs: each must raise ValueError/TypeError naming the function, the argument
and the value (design.md: "RNN.init: m=0 must be a positive integer")."""

import math

import pytest
import torch

from rnntheory import _validation as V
from rnntheory import bench
from rnntheory import stats as S
from rnntheory.learning import along, training
from rnntheory.learning.concepts import Concept
from rnntheory.network import RNN, backward, check_inputs, infinite, inputs_from_data, sample_inputs
from rnntheory.stats import verdicts as VD

NET = RNN.init(6, 3, 2, seed=0)
X = sample_inputs(2, 4, 3, 0.1, seed=1)
TR = NET.trace(X)
f64 = torch.float64


_DATA = Concept.single_lag(4, 3, 1, seed=0).sample(2, seed=1)


def with_entry(t, index, value):
    t = t.clone()
    t[index] = value
    return t


CASES = [
    # (id, call, exception, substrings the message must contain)
    ("m=0", lambda: RNN.init(0, 3, 1, seed=0), ValueError, ["RNN.init", "m=0", "positive integer"]),
    ("m<0", lambda: RNN.init(-3, 3, 1, seed=0), ValueError, ["RNN.init", "m=-3"]),
    ("m float", lambda: RNN.init(2.5, 3, 1, seed=0), TypeError, ["RNN.init", "m=2.5", "integer"]),
    ("d_x=1", lambda: RNN.init(4, 1, 1, seed=0), ValueError, ["RNN.init", "d_x=1", ">= 2"]),
    ("d=0", lambda: RNN.init(4, 3, 0, seed=0), ValueError, ["RNN.init", "d=0"]),
    (
        "dtype int",
        lambda: RNN.init(4, 3, 1, seed=0, dtype=torch.int32),
        TypeError,
        ["RNN.init", "dtype=torch.int32", "float64"],
    ),
    (
        "device bad",
        lambda: RNN.init(4, 3, 1, seed=0, device="nosuchdevice"),
        ValueError,
        ["RNN.init", "device='nosuchdevice'"],
    ),
    ("no seed", lambda: RNN.init(4, 3, 1), ValueError, ["RNN.init", "seed="]),
    ("negative seed", lambda: RNN.init(4, 3, 1, seed=-1), ValueError, ["RNN.init", "seed=-1"]),
    ("seed a float", lambda: RNN.init(4, 3, 1, seed=1.5), TypeError, ["RNN.init", "seed=1.5", "non-negative integer"]),
    ("W NaN", lambda: RNN(W=with_entry(NET.W, (0, 0), math.nan), A=NET.A, B=NET.B), ValueError, ["RNN", "W", "NaN"]),
    (
        "W inf",
        lambda: RNN(W=with_entry(NET.W, (1, 2), math.inf), A=NET.A, B=NET.B),
        ValueError,
        ["RNN", "W", "infinite"],
    ),
    (
        "W shape",
        lambda: RNN(W=torch.zeros(6, 5, dtype=f64), A=NET.A, B=NET.B),
        ValueError,
        ["RNN", "W", "(6, 5)", "(6, 6)"],
    ),
    ("W not tensor", lambda: RNN(W=[[1.0]], A=NET.A, B=NET.B), TypeError, ["RNN", "W=[[1.0]]", "torch.Tensor"]),
    (
        "W int dtype",
        lambda: RNN(W=torch.zeros(6, 6, dtype=torch.int64), A=NET.A, B=NET.B),
        TypeError,
        ["RNN", "W", "torch.int64"],
    ),
    (
        "A dtype mismatch",
        lambda: RNN(W=NET.W, A=NET.A.float(), B=NET.B),
        TypeError,
        ["RNN", "A", "torch.float32", "torch.float64"],
    ),
    (
        "A device mismatch",
        lambda: RNN(W=NET.W, A=torch.empty(6, 3, dtype=f64, device="meta"), B=NET.B),
        ValueError,
        ["RNN", "A", "meta", "cpu"],
    ),
    ("B shape", lambda: RNN(W=NET.W, A=NET.A, B=torch.zeros(2, 5, dtype=f64)), ValueError, ["RNN", "B", "(2, 5)"]),
    ("L=2", lambda: sample_inputs(2, 2, 3, 0.1, seed=0), ValueError, ["sample_inputs", "L=2", ">= 3"]),
    ("eps_x=0", lambda: sample_inputs(2, 4, 3, 0.0, seed=0), ValueError, ["sample_inputs", "eps_x=0.0", "(0.0, 1.0]"]),
    ("eps_x>1", lambda: sample_inputs(2, 4, 3, 1.5, seed=0), ValueError, ["sample_inputs", "eps_x=1.5"]),
    ("eps_x nan", lambda: sample_inputs(2, 4, 3, math.nan, seed=0), ValueError, ["sample_inputs", "eps_x=nan"]),
    (
        "norm bad",
        lambda: sample_inputs(2, 4, 3, 0.1, seed=0, norm="cube"),
        ValueError,
        ["sample_inputs", "norm='cube'"],
    ),
    ("x NaN", lambda: NET.trace(with_entry(X, (0, 2, 0), math.nan)), ValueError, ["RNN.trace", "x", "NaN"]),
    ("x inf", lambda: NET.outputs(with_entry(X, (1, 1, 1), -math.inf)), ValueError, ["RNN.outputs", "x", "infinite"]),
    ("x d_x", lambda: NET.trace(torch.zeros(2, 4, 5, dtype=f64)), ValueError, ["RNN.trace", "x", "(2, 4, 5)", "d_x=3"]),
    (
        "x 2-dim",
        lambda: NET.trace(torch.zeros(4, 3, dtype=f64)),
        ValueError,
        ["RNN.trace", "x", "(4, 3)", "3 dimensions"],
    ),
    ("x dtype", lambda: NET.trace(X.float()), TypeError, ["RNN.trace", "x", "torch.float32", "torch.float64"]),
    (
        "x device",
        lambda: NET.trace(torch.empty(2, 4, 3, dtype=f64, device="meta")),
        ValueError,
        ["RNN.trace", "x", "meta"],
    ),
    ("x L<3", lambda: NET.trace(X[:, :2]), ValueError, ["RNN.trace", "L=2", "L >= 3"]),
    (
        "x first token",
        lambda: NET.trace(with_entry(X, (1, 0, 0), 0.5)),
        ValueError,
        ["RNN.trace", "x[1, 0]", "position 1", "e_d_x"],
    ),
    (
        "x last coordinate",
        lambda: NET.trace(with_entry(X, (0, 2, 2), 0.01)),
        ValueError,
        ["RNN.trace", "x[0, 2]", "position 3", "last coordinate"],
    ),
    (
        "x token norm",
        lambda: NET.trace(with_entry(X, (0, 3, 0), 2.0)),
        ValueError,
        ["RNN.trace", "x[0, 3]", "position 4", "norm", "at most 1"],
    ),
    (
        "x above eps_x",
        lambda: check_inputs(X, eps_x=0.05),
        ValueError,
        ["check_inputs", "x[0, 1]", "position 2", "eps_x=0.05"],
    ),
    ("W for outputs", lambda: NET.outputs(X, torch.zeros(5, 5, dtype=f64)), ValueError, ["RNN.outputs", "W", "(5, 5)"]),
    (
        "data norm",
        lambda: inputs_from_data(torch.ones(1, 3, 2, dtype=f64)),
        ValueError,
        ["inputs_from_data", "xstar[0, 0]", "position 2", "at most 1"],
    ),
    (
        "u shape",
        lambda: backward.back_norms(NET, TR, torch.ones(3, dtype=f64)),
        ValueError,
        ["backward.back_norms", "u", "(3,)", "d=2"],
    ),
    (
        "u NaN",
        lambda: backward.back_norms(NET, TR, torch.tensor([math.nan, 1.0], dtype=f64)),
        ValueError,
        ["backward.back_norms", "u", "NaN"],
    ),
    (
        "trace type",
        lambda: backward.back_norms(NET, "trace"),
        TypeError,
        ["backward.back_norms", "tr='trace'", "Trace"],
    ),
    (
        "j=0",
        lambda: backward.back_apply(NET, TR, torch.ones(2, dtype=f64), 0),
        ValueError,
        ["backward.back_apply", "j=0"],
    ),
    (
        "j>L",
        lambda: backward.back_apply(NET, TR, torch.ones(2, dtype=f64), 5),
        ValueError,
        ["backward.back_apply", "j=5", "L=4"],
    ),
    (
        "dy shape",
        lambda: backward.grad_W(NET, TR, torch.ones(2, 4, 1, dtype=f64)),
        ValueError,
        ["backward.grad_W", "dy", "(2, 4, 1)", "(2, 4, 2)"],
    ),
    (
        "pair order",
        lambda: backward.product_norms(NET, TR, [(3, 2)]),
        ValueError,
        ["backward.product_norms", "(3, 2)", "a <= b"],
    ),
    (
        "pair zero",
        lambda: backward.product_norms(NET, TR, [(0, 1)]),
        ValueError,
        ["backward.product_norms", "(0, 1)", "1-based"],
    ),
    ("tol", lambda: backward.product_norms(NET, TR, tol=0.0), ValueError, ["backward.product_norms", "tol=0.0"]),
    (
        "dtype name",
        lambda: V.torch_dtype("float16", "Claim.run"),
        ValueError,
        ["Claim.run: dtype='float16' must be 'float64' or 'float32'"],
    ),
    (
        "dtype torch",
        lambda: V.dtype_name(torch.float16, "Claim.run"),
        ValueError,
        ["Claim.run", "dtype=torch.float16", "'float64' or 'float32'"],
    ),
    ("dtype other", lambda: V.dtype_name(64), ValueError, ["dtype_name", "dtype=64"]),
    ("bench dtype", lambda: bench.kernels(dtypes=["float16"]), ValueError, ["bench.kernels", "dtype='float16'"]),
    ("bench naive_L", lambda: bench.kernels(L=5, naive_L=6), ValueError, ["bench.kernels", "naive_L=6", "L=5"]),
    ("bench m", lambda: bench.kernels(ms=[0]), ValueError, ["bench.kernels", "m=0"]),
    ("bench run time", lambda: bench.kernels(min_run_time=0), ValueError, ["bench.kernels", "min_run_time=0"]),
    ("fit negative", lambda: S.fit_exponent([1, 2, 3], [1, -1, 2]), ValueError, ["stats.fit_exponent", "non-positive"]),
    ("fit lengths", lambda: S.fit_exponent([1, 2, 3], [1, 2]), ValueError, ["stats.fit_exponent", "3 values", "2"]),
    ("fit NaN", lambda: S.fit_exponent([1, 2, 3], [1, math.nan, 2]), ValueError, ["stats.fit_exponent", "NaN"]),
    ("fit one x", lambda: S.fit_exponent([2, 2, 2], [1, 2, 3]), ValueError, ["stats.fit_exponent", "single value"]),
    (
        "fit level",
        lambda: S.fit_exponent([1, 2, 3], [1, 2, 3], level=1.5),
        ValueError,
        ["stats.fit_exponent", "level=1.5"],
    ),
    ("binomial p0", lambda: S.binomial_decision(3, 10, p0=1.5), ValueError, ["stats.binomial_decision", "p0=1.5"]),
    ("binomial k>n", lambda: S.binomial_interval(11, 10), ValueError, ["stats.binomial_interval", "k=11", "n=10"]),
    (
        "verdict bound",
        lambda: VD.exponent(S.fit_exponent([1, 2, 4], [1, 2, 4]), 1.0, bound="middle"),
        ValueError,
        ["verdicts.exponent", "bound='middle'"],
    ),
    # the infinite-width limit
    (
        "inf x NaN",
        lambda: infinite.forward_kernel(with_entry(X, (0, 2, 0), math.nan)),
        ValueError,
        ["infinite.forward_kernel", "x", "NaN"],
    ),
    ("inf x list", lambda: infinite.ntk([[1.0]]), TypeError, ["infinite.ntk", "x=[[1.0]]", "torch.Tensor"]),
    (
        "inf x int",
        lambda: infinite.ntk(torch.zeros(2, 4, 3, dtype=torch.int64)),
        TypeError,
        ["infinite.ntk", "x", "torch.int64"],
    ),
    ("inf x 2-dim", lambda: infinite.ntk(X[0]), ValueError, ["infinite.ntk", "x", "(4, 3)", "3 dimensions"]),
    ("inf L<3", lambda: infinite.forward_kernel(X[:, :2]), ValueError, ["infinite.forward_kernel", "L=2", "L >= 3"]),
    (
        "inf d_x=1",
        lambda: infinite.forward_kernel(X[..., :1]),
        ValueError,
        ["infinite.forward_kernel", "d_x=1", ">= 2"],
    ),
    ("inf no sequences", lambda: infinite.ntk(X[:0]), ValueError, ["infinite.ntk", "(0, 4, 3)", "at least one"]),
    (
        "inf x2 length",
        lambda: infinite.ntk(X, sample_inputs(2, 5, 3, 0.1, seed=1)),
        ValueError,
        ["infinite.ntk", "x2", "(2, 5, 3)", "same L"],
    ),
    (
        "inf x2 d_x",
        lambda: infinite.forward_kernel(X, sample_inputs(2, 4, 4, 0.1, seed=1)),
        ValueError,
        ["infinite.forward_kernel", "x2", "(2, 4, 4)"],
    ),
    (
        "inf x2 device",
        lambda: infinite.ntk(X, torch.empty(2, 4, 3, dtype=f64, device="meta")),
        ValueError,
        ["infinite.ntk", "x2", "meta", "to match x"],
    ),
    (
        "inf x2 inf",
        lambda: infinite.ntk(X, with_entry(X, (1, 1, 1), math.inf)),
        ValueError,
        ["infinite.ntk", "x2", "infinite"],
    ),
    ("inf position 0", lambda: infinite.ntk(X, positions=[0]), ValueError, ["infinite.ntk", "positions=[0]", "1..L=4"]),
    (
        "inf position > L",
        lambda: infinite.ntk(X, positions=[5]),
        ValueError,
        ["infinite.ntk", "positions=[5]", "1..L=4"],
    ),
    (
        "inf positions repeated",
        lambda: infinite.ntk(X, positions=[3, 3]),
        ValueError,
        ["infinite.ntk", "positions=[3, 3]", "distinct"],
    ),
    ("inf d=0", lambda: infinite.ntk(X, d=0), ValueError, ["infinite.ntk", "d=0", "positive integer"]),
    (
        "inf pair order",
        lambda: infinite.backward_correlation(X, pairs=[(3, 2)]),
        ValueError,
        ["infinite.backward_correlation", "(3, 2)", "1 <= i <= j <= L=4"],
    ),
    (
        "inf pair > L",
        lambda: infinite.backward_correlation(X, pairs2=[(1, 5)]),
        ValueError,
        ["infinite.backward_correlation", "pairs2", "(1, 5)"],
    ),
    (
        "inf pair not a pair",
        lambda: infinite.backward_correlation(X, pairs=[3]),
        TypeError,
        ["infinite.backward_correlation", "pairs", "3", "pair"],
    ),
    (
        "inf no pairs",
        lambda: infinite.backward_correlation(X, pairs=[]),
        ValueError,
        ["infinite.backward_correlation", "pairs=[]"],
    ),
    (
        "inf feature i=1",
        lambda: infinite.feature_correlation(X, pairs=[(1, 3)]),
        ValueError,
        ["infinite.feature_correlation", "i = 1", "h_0"],
    ),
    (
        "inf targets shape",
        lambda: infinite.min_norm_fit(X, torch.zeros(2, 3, 2, dtype=f64)),
        ValueError,
        ["infinite.min_norm_fit", "targets", "(2, 3, 2)"],
    ),
    (
        "inf targets NaN",
        lambda: infinite.min_norm_fit(X, torch.full((2, 4, 1), math.nan, dtype=f64)),
        ValueError,
        ["infinite.min_norm_fit", "targets", "NaN"],
    ),
    (
        "inf ridge",
        lambda: infinite.min_norm_fit(X, torch.zeros(2, 4, 1, dtype=f64), ridge=-1.0),
        ValueError,
        ["infinite.min_norm_fit", "ridge=-1.0"],
    ),
    (
        "along W' shape",
        lambda: along.measure(NET, X, torch.zeros(5, 5, dtype=f64)),
        ValueError,
        ["along.measure", "W_prime", "(5, 5)", "(6, 6)"],
    ),
    (
        "along W' NaN",
        lambda: along.measure(NET, X, torch.full((6, 6), math.nan, dtype=f64)),
        ValueError,
        ["along.measure", "W_prime", "NaN"],
    ),
    (
        "along W' float32",
        lambda: along.measure(NET, X, torch.zeros(6, 6)),
        TypeError,
        ["along.measure", "W_prime", "float64"],
    ),
    (
        "along steps length",
        lambda: along.measure(NET, X, torch.zeros(2, 6, 6, dtype=f64), steps=[1]),
        ValueError,
        ["along.measure", "steps", "one per displacement (2)"],
    ),
    (
        "along x not normalised",
        lambda: along.measure(NET, X * 10, torch.zeros(6, 6, dtype=f64)),
        ValueError,
        ["along.measure", "x"],
    ),
    ("along tracker batch", lambda: along.Tracker(NET, X, batch=0), ValueError, ["along.Tracker", "batch=0"]),
    ("along tracker net", lambda: along.Tracker("net", X), TypeError, ["along.Tracker", "net='net'", "RNN"]),
    (
        "along shape quantity",
        lambda: along.shape("loss", 1.0, 1.0, 8),
        ValueError,
        ["along.shape", "quantity='loss'", "fwd_err"],
    ),
    (
        "sgd callback",
        lambda: training.sgd(RNN.init(6, 3, 1, seed=0), train=_DATA, test=_DATA, lr=0.1, steps=1, callback=3),
        TypeError,
        ["training.sgd", "callback=3", "callable"],
    ),
]


@pytest.mark.parametrize("call, exc, parts", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_rejected_with_a_clear_message(call, exc, parts):
    with pytest.raises(exc) as info:
        call()
    message = str(info.value)
    for part in parts:
        assert part in message, f"{part!r} not in {message!r}"


def test_dtype_names_and_torch_dtypes_map_both_ways():
    assert V.DTYPES == {"float64": torch.float64, "float32": torch.float32}
    assert set(V.SUPPORTED_DTYPES) == set(V.DTYPES.values())
    for name, dt in V.DTYPES.items():
        assert V.dtype_name(name) == V.dtype_name(dt) == name
        assert V.torch_dtype(name) is V.torch_dtype(dt) is dt


def test_bench_runs_its_smallest_sizes_from_the_command_line(tmp_path, capsys):
    import json

    from rnntheory.cli import main

    out = tmp_path / "bench.json"
    assert (
        main(
            [
                "bench",
                "--n",
                "1",
                "--L",
                "3",
                "--m",
                "4",
                "--naive-L",
                "3",
                "--dtypes",
                "float64",
                "--min-run-time",
                "0.001",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "jvp/pseudo" in text and "float64" in text and f"saved {out}" in text
    saved = json.loads(out.read_text())
    (row,) = saved["rows"]
    assert (saved["n"], saved["L"], saved["naive_L"], row["dtype"], row["m"]) == (1, 3, 3, "float64", 4)
    assert row["t_trace"] > 0 and row["pseudo_over_trace"] == row["t_pseudo"] / row["t_trace"]
    assert bench.format_results(saved).splitlines()[2].startswith("float64")


SEEDS = [
    # (value, exception, part of the message): a wrong type is a TypeError, a wrong value a ValueError
    (3, None, (0, 1, 2)),
    ([4, 0, 7], None, (4, 0, 7)),
    (0, ValueError, "seeds=0"),
    ([], ValueError, "seeds=[]"),
    ([-1], ValueError, "seeds=[-1]"),
    ([1, 1], ValueError, "repeated seed"),
    (2.5, TypeError, "seeds=2.5"),
    ("12", TypeError, "seeds='12'"),
    (True, TypeError, "seeds=True"),
    ([0, 1.0], TypeError, "seeds=[0, 1.0]"),
    ([True], TypeError, "seeds=[True]"),
]


@pytest.mark.parametrize("value, exc, out", SEEDS, ids=[repr(s[0]) for s in SEEDS])
def test_seeds_follow_the_one_policy(value, exc, out):
    if exc is None:
        assert V.seeds("Grid", value) == out
        return
    with pytest.raises(exc) as info:
        V.seeds("Grid", value)
    message = str(info.value)
    assert message.startswith("Grid: ") and out in message and "distinct non-negative integers" in message, message


@pytest.mark.parametrize(
    "call, exc, part",
    [
        (lambda: V.non_negative_int("f", "k", -1), ValueError, "f: k=-1 must be a non-negative integer"),
        (lambda: V.non_negative_int("f", "k", 1.0), TypeError, "f: k=1.0 must be a non-negative integer"),
        (
            lambda: V.non_negative_int("f", "k", "1", none=True),
            TypeError,
            "f: k='1' must be a non-negative integer or None",
        ),
        (lambda: V.positive_real("f", "R", 0), ValueError, "f: R=0 must be a finite number > 0"),
        (lambda: V.positive_real("f", "R", "1"), TypeError, "f: R='1' must be a real number"),
        (lambda: V.real_in("f", "eps", True, low=0, high=1), TypeError, "f: eps=True must be a real number"),
    ],
)
def test_a_wrong_type_is_a_type_error_and_a_wrong_value_a_value_error(call, exc, part):
    with pytest.raises(exc) as info:
        call()
    assert part in str(info.value)
    assert V.non_negative_int("f", "k", None, none=True) is None


def test_an_mpmath_number_is_a_real_number():
    import mpmath

    assert V.is_real(mpmath.mpf("0.5")) and not V.is_real(True) and not V.is_real("0.5")
    assert V.real_in("f", "x", mpmath.mpf("0.5"), low=0, high=1) == 0.5
