r"""The coupling errors along named directions (rnntheory.network.coupling) and the decoupling correlations by
kind of pair (rnntheory.network.decoupling.correlations_by_kind) against plain recomputations: one dense
displacement at a time through the real network's outputs and the pseudo-network, and the pairs sorted into
their kinds by a Python loop."""

import itertools
import math
import re

import pytest
import torch

from rnntheory.network import RNN, coupling, decoupling, infinite, pseudo, sample_inputs
from rnntheory.network import perturbation as P
from rnntheory.testing import TOL


def _setup(m=24, L=5, n=3, d=1, seed=0):
    net = RNN.init(m, 4, d, seed=seed)
    x = sample_inputs(n, L, 4, 0.2, seed=seed + 1)
    tr = net.trace(x)
    units = {
        "random": P.random_direction(net, seed=seed + 2, tau=1.0),
        "other": P.random_direction(net, seed=seed + 3, tau=1.0),
    }
    return net, x, tr, units


def _dense(net, tr, units, name, tau):
    return P.adversarial_direction(net, tr, l=2, tau=tau) if name == coupling.ADVERSARIAL else tau * units[name]


def test_forward_errors_are_the_coupling_error_of_each_displacement_alone():
    net, x, tr, units = _setup()
    taus = (0.25, 1.0, 3.0)
    res = coupling.forward_errors(net, tr, units, taus)
    assert list(res) == ["random", "other", "adversarial"]
    for name, fe in res.items():
        assert fe.errors.shape == (3, 3, 5) and fe.rms.shape == fe.first_order.shape == (3,)
        for r, tau in enumerate(taus):
            Wp = _dense(net, tr, units, name, tau)
            assert math.isclose(math.sqrt(net.m) * float(Wp.norm()), tau, rel_tol=1e-9)
            err = (net.outputs(x, net.W + Wp) - net.outputs(x) - pseudo.outputs(net, tr, Wp)).norm(dim=-1)
            first = pseudo.outputs(net, tr, Wp).norm(dim=-1)  # (n, L)
            torch.testing.assert_close(fe.errors[r], err, rtol=1e-9, atol=1e-13)
            torch.testing.assert_close(fe.rms[r], err.pow(2).mean(dim=0).sqrt().max(), rtol=1e-9, atol=1e-13)
            torch.testing.assert_close(fe.first_order[r], first.pow(2).mean(dim=0).sqrt().max(), **TOL[torch.float64])


def test_backward_errors_are_the_backward_coupling_of_each_displacement_alone():
    net, x, tr, units = _setup(m=16, L=4, n=2, d=2)
    star = P.random_direction(net, seed=9, tau=1.0)
    taus = (0.5, 2.0)
    res = coupling.backward_errors(net, tr, units, taus, W_star=star)
    assert list(res) == ["random", "other", "adversarial"] and all(len(v) == 2 for v in res.values())
    for name, per_tau in res.items():
        for bc, tau in zip(per_tau, taus):
            alone = pseudo.backward_coupling(net, x, _dense(net, tr, units, name, tau), W_star=star)
            torch.testing.assert_close(bc.relative, alone.relative, **TOL[torch.float64])
            torch.testing.assert_close(bc.inner, alone.inner, **TOL[torch.float64])


@pytest.mark.parametrize(
    "call,text",
    [
        (lambda net, tr, u: coupling.forward_errors(net, tr, {"adversarial": u["random"]}, (1.0,)), "adversarial"),
        (lambda net, tr, u: coupling.forward_errors(net, tr, u, ()), "taus is empty"),
        (lambda net, tr, u: coupling.backward_errors(net, tr, u, (-1.0,)), "taus"),
        (lambda net, tr, u: coupling.forward_errors(net, tr, {"x": u["random"][:3]}, (1.0,)), "directions['x']"),
    ],
)
def test_bad_directions_and_radii_are_rejected(call, text):
    net, _, tr, units = _setup()
    with pytest.raises((TypeError, ValueError), match=rf"coupling\.\w+_errors: .*{re.escape(text)}"):
        call(net, tr, units)


def _rms(v):
    return math.sqrt(sum(c * c for c in v) / len(v)) if v else float("nan")


@pytest.mark.parametrize("d", [1, 2])
def test_correlations_by_kind_sort_the_pairs_as_a_loop_does(d):
    net, x, tr, _ = _setup(m=32, L=5, n=2, d=d)
    row = decoupling.correlations_by_kind(net, tr)
    C, pairs = decoupling.feature_correlations(net, tr)
    limit = infinite.feature_correlation(x, pairs)
    kinds = {"shared_i": [], "shared_j": [], "other_lag": [], "same": [], "limit": [], "dev": []}
    lags = set()
    for (p, (i, j)), (q, (ip, jp)) in itertools.product(enumerate(pairs), enumerate(pairs)):
        if p == q:
            continue
        for s in range(x.shape[0]):
            c, lim = float(C[s, p, q]), float(limit[s, p, q])
            if i == ip:
                kinds["shared_i"].append(c)
            if j == jp:
                kinds["shared_j"].append(c)
            if i != ip and j != jp and j - i != jp - ip:
                kinds["other_lag"].append(c)
            if j - i == jp - ip:
                lags.add(j - i)
                for k, v in (("same", c), ("limit", lim), ("dev", c - lim)):
                    kinds[k].append(v)
    for k in ("shared_i", "shared_j", "other_lag"):
        assert math.isclose(row[f"{k}_rms"], _rms(kinds[k]), rel_tol=1e-9), k
    assert math.isclose(row["same_lag_rms"], _rms(kinds["same"]), rel_tol=1e-9)
    assert math.isclose(row["same_lag_limit_rms"], _rms(kinds["limit"]), rel_tol=1e-9)
    assert math.isclose(row["same_lag_dev"], _rms(kinds["dev"]), rel_tol=1e-9)
    summary = decoupling.decoupling(net, tr)
    assert math.isclose(row["back_rms"], float(summary.back_rms.pow(2).mean().sqrt()), rel_tol=1e-12)
    assert ("other_coord_rms" in row) == (d > 1)
    assert {k for k in row if k.startswith("corr_lag")} == {f"corr_lag{k}" for k in lags}
