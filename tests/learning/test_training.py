"""Vanilla SGD on W against manual updates and autograd (theory.md sec. 6)."""

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from rnntheory.learning.concepts import Concept
from rnntheory.learning.objective import SGDConfig, output_cotangent, risk
from rnntheory.learning.training import TrainingDiverged, rate, sgd
from rnntheory.network import RNN
from rnntheory.network.backward import grad_W
from rnntheory.testing import TOL, rel_err

CUDA = [
    pytest.param(
        "cuda", marks=[pytest.mark.cuda, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")]
    )
]

L, DX = 5, 4


@pytest.fixture(scope="module")
def setup():
    net = RNN.init(24, DX, 1, seed=0)
    concept = Concept.single_lag(L, DX, 1, seed=1)
    train = concept.sample(16, seed=2, noise=0.1)
    test = concept.sample(8, seed=3)
    return net, concept, train, test


def test_one_step_equals_manual_update_and_autograd(setup):
    net, concept, train, test = setup
    lr, b = 0.01, 4
    tj = sgd(net, train=train, test=test, lr=lr, steps=1, batch_size=b, seed=7)
    idx = torch.randint(0, 16, (b,), generator=torch.Generator().manual_seed(7))
    xb, yb = train.x[idx], train.labels[idx]
    _, dy = output_cotangent(net.outputs(xb), yb)
    expected = net.W - lr * grad_W(net, net.trace(xb), dy / b)
    torch.testing.assert_close(tj.W, expected, **TOL[torch.float64])
    # the same step from autograd on the objective (1/b) sum_s sum_{j>=3} 0.5 ||y_j - y*_j||^2
    W = net.W.clone().requires_grad_(True)
    obj = 0.5 * ((net.outputs(xb, W)[:, 2:] - yb[:, 2:]) ** 2).sum() / b
    obj.backward()
    assert rel_err(tj.W, net.W - lr * W.grad) <= TOL[torch.float64]["rtol"]


@given(lr0=st.floats(1e-3, 1e3), m=st.integers(1, 1 << 16), L=st.integers(1, 256))
def test_rate_is_lr0_over_m_L(lr0, m, L):
    """The one home of the rate rule eta = lr0 / (m L) (theory.md sec. 6), against the formula."""
    expected = lr0 / m / L
    assert rate(lr0, m, L) == pytest.approx(expected, rel=1e-15)
    assert rate(lr0, m, L) * m * L == pytest.approx(lr0, rel=1e-14)


def test_rate_examples_and_bad_arguments():
    assert rate(8.0, 512, 8) == 8.0 / 4096
    assert rate(1.0, 64, 5) == pytest.approx(1 / 320, rel=1e-15)
    assert rate(2, 10, 3) == pytest.approx(1 / 15, rel=1e-15)  # not lr0 / m = 0.2, nor lr0 / L
    for kwargs, exc, text in [
        (dict(lr0=0.0, m=4, L=3), ValueError, "lr0=0.0"),
        (dict(lr0=1.0, m=0, L=3), ValueError, "m=0"),
        (dict(lr0=1.0, m=4, L=2.5), TypeError, "L=2.5"),
        (dict(lr0=math.nan, m=4, L=3), ValueError, "lr0=nan"),
    ]:
        with pytest.raises(exc, match="training.rate") as info:
            rate(**kwargs)
        assert text in str(info.value)


@pytest.mark.parametrize("device", ["cpu", *CUDA])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("m, L, lr0, b", [(24, 5, 4.0, 4), (40, 7, 1.0, 1)])
def test_one_step_at_the_rate_rule_is_W_minus_eta_times_the_autograd_gradient(setup, m, L, lr0, b, dtype, device):
    """One step of sgd at lr = rate(lr0, m, L) equals the hand-written W - lr0 / (m L) * grad, the
    gradient by autograd of the minibatch objective (1/b) sum_s sum_{j>=3} 0.5 ||y_j - y*_j||^2."""
    net = RNN.init(m, DX, 1, seed=m, dtype=dtype, device=device)
    train = Concept.single_lag(L, DX, 1, seed=1).sample(12, seed=2, noise=0.1, dtype=dtype, device=device)
    test = Concept.single_lag(L, DX, 1, seed=1).sample(4, seed=3, dtype=dtype, device=device)
    tj = sgd(net, train=train, test=test, lr=rate(lr0, m, L), steps=1, batch_size=b, seed=9, coupling=False)
    idx = torch.randint(0, 12, (b,), generator=torch.Generator().manual_seed(9)).to(device)
    xb, yb = train.x[idx], train.labels[idx]
    W = net.W.clone().requires_grad_(True)
    obj = 0.5 * ((net.outputs(xb, W)[:, 2:] - yb[:, 2:]) ** 2).sum() / b
    (grad,) = torch.autograd.grad(obj, W)
    expected = net.W - lr0 / (m * L) * grad
    assert rel_err(tj.W - net.W, expected - net.W) <= 10 * TOL[dtype]["rtol"]  # the step itself, not W_0 + step
    assert tj.config["lr"] == pytest.approx(lr0 / (m * L), rel=1e-15)


@pytest.mark.parametrize("loss", ["squared", "logistic"])
def test_output_cotangent_matches_autograd(loss):
    y = torch.randn(3, L, 2, dtype=torch.float64, requires_grad=True)
    t = torch.sign(torch.randn(3, L, 2, dtype=torch.float64))
    per_seq, dy = output_cotangent(y, t, loss=loss, lam=0.7)
    per_seq.sum().backward()
    torch.testing.assert_close(dy, y.grad, **TOL[torch.float64])
    assert torch.equal(dy[:, :2], torch.zeros_like(dy[:, :2]))  # positions 1, 2 carry no loss


def test_A_B_and_W0_never_change_and_record_starts_at_zero(setup):
    net, concept, train, test = setup
    W0, A0, B0 = net.W.clone(), net.A.clone(), net.B.clone()
    tj = sgd(net, concept=concept, test=test, lr=0.02, steps=20, record_every=10, seed=1)
    assert torch.equal(net.W, W0) and torch.equal(net.A, A0) and torch.equal(net.B, B0)
    first = tj.record.iloc[0]
    assert first["step"] == 0 and first["tau"] == 0 and first["sign_frac"] == 0 and first["coupling"] == 0
    assert first["test_risk"] == pytest.approx(risk(net.outputs(test.x), test))
    assert list(tj.record["step"]) == [0, 10, 20]
    assert set(tj.signs["position"]) == set(range(1, L + 1))
    last = tj.record.iloc[-1]
    assert last["tau"] == pytest.approx(math.sqrt(24) * float((tj.W - W0).norm()))


def test_online_sgd_is_reproducible_and_learns(setup):
    net, concept, train, test = setup
    a = sgd(net, concept=concept, test=test, lr=0.02, steps=200, record_every=100, seed=5)
    b = sgd(net, concept=concept, test=test, lr=0.02, steps=200, record_every=100, seed=5)
    assert torch.equal(a.W, b.W)
    assert a.record["test_risk"].iloc[-1] < a.record["test_risk"].iloc[0]


@pytest.mark.parametrize(
    "kwargs, exc, parts",
    [
        (dict(lr=math.nan, steps=1), ValueError, ["training.sgd", "lr=nan"]),
        (dict(lr=0.1, steps=-1), ValueError, ["training.sgd", "steps=-1"]),
        (dict(lr=0.1, steps=1, batch_size=0), ValueError, ["training.sgd", "batch_size=0"]),
        (dict(lr=0.1, steps=1, loss="hinge"), ValueError, ["training.sgd", "loss='hinge'"]),
        (dict(lr=0.1, steps=1, lam=0.0), ValueError, ["training.sgd", "lam=0.0"]),
    ],
)
def test_bad_arguments(setup, kwargs, exc, parts):
    net, concept, train, test = setup
    with pytest.raises(exc) as info:
        sgd(net, train=train, test=test, **kwargs)
    assert all(p in str(info.value) for p in parts), str(info.value)


def test_mismatched_concept_and_data(setup):
    net, concept, train, test = setup
    other = Concept.single_lag(L, DX + 1, 1, seed=1)
    with pytest.raises(ValueError, match=r"training.sgd: concept has d_x=5, d=1; expected d_x=4"):
        sgd(net, concept=other, test=test, lr=0.1, steps=1)
    with pytest.raises(ValueError, match=r"training.sgd: test has d_x=5"):
        sgd(net, train=train, test=other.sample(4, seed=0), lr=0.1, steps=1)
    with pytest.raises(ValueError, match="exactly one of concept"):
        sgd(net, concept=concept, train=train, test=test, lr=0.1, steps=1)


def test_diverging_run_names_the_step(setup):
    net, concept, train, test = setup
    with pytest.raises(TrainingDiverged, match=r"at step \d+"):
        sgd(net, train=train, test=test, lr=1e3, steps=200, record_every=1000)


def test_stop_at_ends_at_the_first_record_below_and_coupling_can_be_skipped(setup):
    net, concept, train, test = setup
    full = sgd(net, concept=concept, test=test, lr=0.02, steps=300, record_every=20, seed=4)
    level = float(full.record["test_risk"].iloc[5])
    first = int(full.record[(full.record["step"] > 0) & (full.record["test_risk"] <= level)]["step"].iloc[0])
    short = sgd(
        net, concept=concept, test=test, lr=0.02, steps=300, record_every=20, seed=4, stop_at=level, coupling=False
    )
    assert int(short.record["step"].iloc[-1]) == first
    assert short.record["coupling"].isna().all()
    assert list(short.record["test_risk"]) == list(full.record["test_risk"].iloc[: len(short.record)])


def test_a_config_and_keywords_run_the_same(setup):
    net, concept, train, test = setup
    config = SGDConfig(lr=0.02, steps=30, batch_size=2, record_every=10, seed=3)
    by_keywords = sgd(net, concept=concept, test=test, lr=0.02, steps=30, batch_size=2, record_every=10, seed=3)
    by_config = sgd(net, concept, config, test=test)
    overridden = sgd(
        net, concept, SGDConfig(lr=0.5, steps=30, seed=3), test=test, lr=0.02, batch_size=2, record_every=10
    )
    for tj in (by_config, overridden):
        assert torch.equal(tj.W, by_keywords.W)
        assert tj.record.drop(columns="seconds").equals(by_keywords.record.drop(columns="seconds"))
        assert tj.config == by_keywords.config
    fixed = sgd(net, train, config, test=test)
    assert torch.equal(fixed.W, sgd(net, train=train, test=test, config=config).W) and not fixed.config["online"]


def test_a_misspelt_keyword_names_the_field(setup):
    net, concept, train, test = setup
    with pytest.raises(
        TypeError, match=r"training.sgd: batchsize= is not a field of SGDConfig; did you mean batch_size="
    ):
        sgd(net, concept, test=test, lr=0.1, steps=1, batchsize=4)
    with pytest.raises(TypeError, match="training.sgd: config=3 must be an SGDConfig"):
        sgd(net, concept, 3, test=test)
    with pytest.raises(TypeError, match="data_or_concept=3 must be a Concept"):
        sgd(net, 3, test=test, lr=0.1, steps=1)


@pytest.mark.parametrize(
    "kwargs, exc, part",
    [
        (dict(steps=1), TypeError, "lr"),
        (dict(lr=0.1, steps=1.5), TypeError, "steps=1.5"),
        (dict(lr=0.1, steps=1, record_every=0), ValueError, "record_every=0"),
        (dict(lr=0.1, steps=1, eps_x=2.0), ValueError, "eps_x=2.0"),
        (dict(lr=0.1, steps=1, noise=-1.0), ValueError, "noise=-1.0"),
        (dict(lr=0.1, steps=1, seed=-1), ValueError, "seed=-1"),
        (dict(lr=0.1, steps=1, stop_at=math.inf), ValueError, "stop_at=inf"),
        (dict(lr=0.1, steps=1, coupling=1), TypeError, "coupling=1"),
    ],
)
def test_a_config_is_checked_when_built(kwargs, exc, part):
    with pytest.raises(exc, match=r"SGDConfig") as info:
        SGDConfig(**kwargs)
    assert part in str(info.value)


def test_a_config_is_frozen_and_keeps_checked_values():
    config = SGDConfig(lr=1, steps=10, eps_x=1)
    assert config.lr == 1.0 and isinstance(config.lr, float) and config.eps_x == 1.0
    with pytest.raises(AttributeError):
        config.lr = 0.5
