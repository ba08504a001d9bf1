r"""The lemma quantities along SGD (rnntheory.learning.along) against independent references: the forward coupling
error from ``torch.func.jvp`` of ``net.outputs``, the gradient change from ``torch.func.jacrev`` at both
matrices, sign patterns and hidden states from a plain forward loop, sizes from ``torch.linalg``; and the
on-the-fly tracker against measuring the stored displacements afterwards."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from rnntheory.learning import along
from rnntheory.learning.concepts import Concept
from rnntheory.learning.training import sgd as plain_sgd
from rnntheory.network import RNN, sample_inputs
from rnntheory.testing import rel_err


def _setup(m=16, L=5, n=3, d=1, d_x=4, seed=0):
    net = RNN.init(m, d_x, d, seed=seed)
    x = sample_inputs(n, L, d_x, 0.3, seed=seed + 1)
    return net, x


def _disp(m, seed, scale=1.0, k=None):
    g = torch.Generator().manual_seed(seed)
    shape = (m, m) if k is None else (k, m, m)
    return torch.randn(*shape, generator=g, dtype=torch.float64) * scale / m**0.5


def _naive_forward(net, x, W):
    r"""h_l = relu(W h_{l-1} + A x_l), position by position: (hidden (n, L, m), signs (n, L, m))."""
    n, L, _ = x.shape
    h = torch.zeros(n, net.m, dtype=torch.float64)
    hs, ss = [], []
    for l in range(L):
        g = h @ W.T + x[:, l] @ net.A.T
        ss.append(g > 0)
        h = torch.relu(g)
        hs.append(h)
    return torch.stack(hs, 1), torch.stack(ss, 1)


def _expected(net, x, Wp):
    r"""Every column of along.measure for one displacement, from the references."""
    m, (n, L, _) = net.m, x.shape
    y0 = net.outputs(x)
    y1 = net.outputs(x, net.W + Wp)
    _, lin = torch.func.jvp(lambda W: net.outputs(x, W), (net.W,), (Wp,))
    err = torch.linalg.vector_norm(y1 - y0 - lin, dim=-1).amax(0)
    J0 = torch.func.jacrev(lambda W: net.outputs(x, W))(net.W)  # (n, L, d, m, m)
    J1 = torch.func.jacrev(lambda W: net.outputs(x, W))(net.W + Wp)
    num = torch.linalg.vector_norm((J1 - J0).reshape(n, L, -1), dim=-1)
    den = torch.linalg.vector_norm(J0.reshape(n, L, -1), dim=-1)
    rel = torch.where(den > 0, num / den.clamp_min(1e-300), torch.zeros_like(num)).amax(0)
    h0, s0 = _naive_forward(net, x, net.W)
    h1, s1 = _naive_forward(net, x, net.W + Wp)
    signs = (s0 != s1).sum(-1).amax(0).to(torch.float64)
    hidden = torch.linalg.vector_norm(h1 - h0, dim=-1).amax(0)
    omega = float(torch.linalg.matrix_norm(Wp, ord=2))
    tau = math.sqrt(m) * float(torch.linalg.matrix_norm(Wp))
    return dict(fwd_err=err, bwd_rel=rel, signs=signs, hidden=hidden, omega=omega, tau=tau)


@pytest.mark.parametrize("m,L,n,d,scale", [(8, 3, 1, 1, 0.3), (16, 5, 3, 1, 1.0), (12, 4, 2, 2, 2.0)])
def test_measure_matches_references(m, L, n, d, scale):
    net, x = _setup(m, L, n, d)
    Wp = _disp(m, 7, scale)
    actual = along.measure(net, x, Wp)
    expected = _expected(net, x, Wp)
    assert list(actual["position"]) == list(range(1, L + 1))
    assert (actual["step"] == 0).all() and (actual["m"] == m).all() and (actual["L"] == L).all()
    for q in along.QUANTITIES:
        assert rel_err(torch.tensor(actual[q].to_numpy()), expected[q]) <= 1e-9, q
    assert actual["omega"].iloc[0] == pytest.approx(expected["omega"], rel=1e-10)
    assert actual["tau"].iloc[0] == pytest.approx(expected["tau"], rel=1e-12)
    # position 1 does not depend on W
    first = actual.iloc[0]
    assert first["fwd_err"] == 0 and first["bwd_rel"] == 0 and first["signs"] == 0 and first["hidden"] == 0


def test_ratios_divide_by_the_bound_shapes():
    net, x = _setup(16, 5, 3)
    df = along.measure(net, x, _disp(16, 8, 1.5))
    m, w, t = 16, df["omega"].to_numpy(), df["tau"].to_numpy()
    np.testing.assert_allclose(df["fwd_ratio"], df["fwd_err"] / (t ** (4 / 3) * m ** (-1 / 6)), rtol=1e-12)
    np.testing.assert_allclose(df["bwd_ratio"], df["bwd_rel"] / (t ** (1 / 3) * m ** (-1 / 6)), rtol=1e-12)
    np.testing.assert_allclose(df["sign_ratio"], df["signs"] / (m * w ** (2 / 3)), rtol=1e-12)
    np.testing.assert_allclose(df["hidden_ratio"], df["hidden"] / w, rtol=1e-12)
    assert along.shape("signs", 0.5, 2.0, 16, exponent=4 / 3) == pytest.approx(16 * 0.5 ** (4 / 3))
    assert along.shape("fwd_err", 0.5, 2.0, 16, m_exponent=-1.5) == pytest.approx(2.0 ** (4 / 3) * 16**-1.5)


def test_zero_displacement_reads_zero_with_nan_ratios():
    net, x = _setup()
    df = along.measure(net, x, torch.zeros(16, 16, dtype=torch.float64))
    assert (df[list(along.QUANTITIES)] == 0).all().all()
    assert df[list(along.RATIOS.values())].isna().all().all()


def test_batched_displacements_match_single_ones():
    net, x = _setup()
    Wk = _disp(16, 9, k=3)
    actual = along.measure(net, x, Wk, steps=[10, 20, 30])
    expected = [along.measure(net, x, Wk[q]).assign(step=s) for q, s in enumerate((10, 20, 30))]
    pd.testing.assert_frame_equal(actual, pd.concat(expected, ignore_index=True), rtol=1e-10)


def _run(net, *, callback=None, steps=30, lr=None, record_every=10):
    c = Concept.single_lag(6, 4, 1, d=1, p=3, phi="sin", seed=0)
    test = c.sample(8, seed=1)
    lr = 1.0 / (net.m * 6) if lr is None else lr
    kw = dict(concept=c, test=test, lr=lr, steps=steps, batch_size=2, record_every=record_every, seed=3, coupling=False)
    return c, kw


@pytest.mark.parametrize("batch", [1, 2, 5])
def test_tracker_matches_measuring_the_stored_displacements(batch):
    net = RNN.init(24, 4, 1, seed=2)
    c, kw = _run(net)
    probe = c.sample(3, seed=4).x
    run = along.sgd(net, probe, batch=batch, keep=(0, 10, 20, 30), **kw)
    assert run.diverged == "" and run.trajectory is not None
    assert sorted(run.lemmas["step"].unique()) == [0, 10, 20, 30]
    Wk = torch.stack([run.kept[s] for s in (0, 10, 20, 30)])
    expected = along.measure(net, probe, Wk, steps=[0, 10, 20, 30])
    pd.testing.assert_frame_equal(run.lemmas, expected, rtol=1e-10)
    # the last kept displacement is the trajectory's
    torch.testing.assert_close(run.kept[30], run.trajectory.W - net.W, rtol=0, atol=0)


def test_callback_sees_every_recorded_step_and_leaves_the_run_unchanged():
    net = RNN.init(20, 4, 1, seed=1)
    _, kw = _run(net, steps=25, record_every=10)
    seen = []
    with_cb = plain_sgd(net, callback=lambda step, W: seen.append((step, W.clone())), **kw)
    without = plain_sgd(net, **kw)
    assert [s for s, _ in seen] == [0, 10, 20, 25]
    torch.testing.assert_close(seen[-1][1], with_cb.W, rtol=0, atol=0)
    torch.testing.assert_close(with_cb.W, without.W, rtol=0, atol=0)


def test_a_diverging_run_is_an_outcome():
    net = RNN.init(16, 4, 1, seed=0)
    c, kw = _run(net, steps=200, lr=50.0, record_every=1)
    run = along.sgd(net, c.sample(2, seed=5).x, **kw)
    assert run.trajectory is None
    assert "step" in run.diverged
    # the steps recorded before the divergence are kept (the last ones may already overflow)
    steps = sorted(run.lemmas["step"].unique())
    assert steps == list(range(len(steps))) and 0 < len(steps) < 200
    assert (run.lemmas[run.lemmas["step"] == 0][list(along.QUANTITIES)] == 0).all().all()


def test_tracker_frame_before_any_record_is_empty_with_the_columns():
    net, x = _setup()
    tr = along.Tracker(net, x)
    df = tr.frame()
    assert len(df) == 0 and {"step", "position", "omega", "tau", *along.QUANTITIES} <= set(df.columns)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():
    net, x = _setup(32, 5, 3)
    Wp = _disp(32, 11, k=2)
    expected = along.measure(net, x, Wp)
    actual = along.measure(net.to(device="cuda"), x.cuda(), Wp.cuda())
    pd.testing.assert_frame_equal(actual, expected, rtol=1e-9)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_training_run_matches_cpu():
    kw = dict(m=64, L=5, lr0=1.0, batch=2, steps=20, seed=3, record_every=5)
    expected = along.TrainingRun(**kw).train().lemmas
    actual = along.TrainingRun(**kw, device="cuda").train().lemmas
    cols = ["step", "position", "omega", "tau", "fwd_err", "bwd_rel", "hidden"]
    pd.testing.assert_frame_equal(actual[cols], expected[cols], rtol=1e-7)
    # a sign may flip differently where a pre-activation is within rounding of 0
    assert (actual["signs"] - expected["signs"]).abs().max() <= 1


def test_training_run_replays_exactly():
    run = along.TrainingRun(m=40, L=4, lr0=0.5, batch=2, steps=12, seed=7, record_every=4, loss="logistic", phi="tanh")
    first, second = run.train(), run.train()
    pd.testing.assert_frame_equal(first.lemmas, second.lemmas, check_exact=True)
    assert sorted(first.lemmas["step"].unique()) == [0, 4, 8, 12]
    assert first.trajectory.config["lr"] == pytest.approx(0.5 / (40 * 4), rel=1e-15)  # the rate rule lr0 / (m L)
