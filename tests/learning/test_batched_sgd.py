"""SGD of several networks at once equals separate runs of training.sgd (float64, up to rounding)."""

import pytest
import torch

from rnntheory.learning.batched_sgd import sgd_many
from rnntheory.learning.concepts import Concept
from rnntheory.learning.objective import SGDConfig
from rnntheory.learning.training import TrainingDiverged, sgd
from rnntheory.network import RNN


@pytest.mark.parametrize("batch", [1, 4])
def test_many_networks_equal_separate_runs(batch):
    L, m = 6, 48
    concept = Concept.single_lag(L, 6, 1, d=1, p=3, phi="sin", seed=0)
    test = concept.sample(8, seed=99)
    nets = [RNN.init(m, 6, 1, seed=s) for s in range(3)]
    kw = dict(concept=concept, test=test, lr=2.0 / (m * L), steps=30, batch_size=batch, record_every=10)
    many = sgd_many(nets, seeds=[5, 6, 7], **kw)
    for q, net in enumerate(nets):
        one = sgd(net, seed=5 + q, **kw)
        rel = float(torch.linalg.matrix_norm(many[q].W - one.W) / torch.linalg.matrix_norm(one.W - net.W))
        assert rel < 1e-10
        for col in ("test_risk", "tau", "train_risk", "coupling"):
            assert many[q].record[col].to_numpy() == pytest.approx(one.record[col].to_numpy(), rel=1e-9, nan_ok=True)
        assert many[q].record["sign_frac"].tolist() == one.record["sign_frac"].tolist()


def test_networks_must_match():
    concept = Concept.single_lag(4, 6, 1, d=1, p=3, phi="sin", seed=0)
    test = concept.sample(2, seed=1)
    with pytest.raises(ValueError, match="same m"):
        sgd_many(
            [RNN.init(8, 6, 1, seed=0), RNN.init(16, 6, 1, seed=0)],
            concept=concept,
            test=test,
            lr=0.1,
            steps=1,
            seeds=[0, 1],
        )
    with pytest.raises(ValueError, match="one per network"):
        sgd_many([RNN.init(8, 6, 1, seed=0)], concept=concept, test=test, lr=0.1, steps=1, seeds=[0, 1])


def test_a_config_runs_as_keywords_and_one_seed_is_refused():
    concept = Concept.single_lag(4, 6, 1, d=1, p=3, phi="sin", seed=0)
    test = concept.sample(2, seed=1)
    nets = [RNN.init(8, 6, 1, seed=s) for s in range(2)]
    config = SGDConfig(lr=0.1, steps=3, record_every=2)
    by_config = sgd_many(nets, concept, config, test=test, seeds=[1, 2])
    by_keywords = sgd_many(nets, concept=concept, test=test, seeds=[1, 2], lr=0.1, steps=3, record_every=2)
    assert all(torch.equal(a.W, b.W) and a.config == b.config for a, b in zip(by_config, by_keywords))
    assert [tj.config["seed"] for tj in by_config] == [1, 2]
    with pytest.raises(TypeError, match="seeds="):
        sgd_many(nets, concept, config, test=test, seeds=[1, 2], seed=3)
    with pytest.raises(ValueError, match="stop_at has 3 entries"):
        sgd_many(nets, concept, config, test=test, seeds=[1, 2], stop_at=[0.5, 0.5, 0.5])
    with pytest.raises(TypeError, match="record_evry= is not a field of SGDConfig; did you mean record_every="):
        sgd_many(nets, concept, config, test=test, seeds=[1, 2], record_evry=5)


def _close(many, one, net):
    rel = float(torch.linalg.matrix_norm(many.W - one.W) / torch.linalg.matrix_norm(one.W - net.W).clamp_min(1e-300))
    assert rel < 1e-10
    assert many.record["step"].tolist() == one.record["step"].tolist()
    for col in ("test_risk", "tau", "train_risk", "coupling", "opt"):
        assert many.record[col].to_numpy() == pytest.approx(one.record[col].to_numpy(), rel=1e-9, nan_ok=True)
    assert many.config == one.config


def test_each_network_with_its_own_test_set_training_set_and_stop_equals_its_separate_run():
    """What the SGD claims' runs take per seed: a held-out set, a fixed training set (generalisation) and a stop
    (length: the risk bar depends on the seed's held-out set); a stopped network leaves the batch, the others go
    on, and every result equals training.sgd of that network alone; callbacks see every recorded step."""
    L, m, K = 5, 32, 3
    concept = Concept.single_lag(L, 6, 1, d=1, p=3, phi="sin", seed=0)
    tests = [concept.sample(6, seed=90 + q) for q in range(K)]
    trains = [concept.sample(12, seed=70 + q, noise=0.1) for q in range(K)]
    nets = [RNN.init(m, 6, 1, seed=s) for s in range(K)]
    kw = dict(lr=4.0 / (m * L), steps=40, batch_size=2, record_every=5)
    free = [sgd(nets[q], train=trains[q], test=tests[q], seed=3 + q, **kw) for q in range(K)]
    # a stop that network 1 reaches early and the others never
    bar = [None, float(free[1].record["test_risk"].iloc[2]) * (1 + 1e-6), -1.0]  # above it by more than rounding
    seen: list = [[] for _ in range(K)]
    calls = [lambda s, W, q=q: seen[q].append((s, float(W.sum()))) for q in range(K)]
    many = sgd_many(nets, train=trains, test=tests, seeds=[3, 4, 5], stop_at=bar, callbacks=calls, **kw)
    for q in range(K):
        alone: list = []
        one = sgd(
            nets[q],
            train=trains[q],
            test=tests[q],
            seed=3 + q,
            stop_at=bar[q],
            callback=lambda s, W: alone.append((s, float(W.sum()))),
            **kw,
        )
        _close(many[q], one, nets[q])
        assert [s for s, _ in seen[q]] == [s for s, _ in alone]
        assert [w for _, w in seen[q]] == pytest.approx([w for _, w in alone], rel=1e-9)
    assert int(many[1].record["step"].iloc[-1]) <= 10 and int(many[0].record["step"].iloc[-1]) == 40


def test_a_diverging_network_fails_alone_with_the_error_of_its_separate_run():
    """diverged="return": the network that diverges gets the TrainingDiverged training.sgd raises for it alone (the
    same message), and the others train to the end as if alone; diverged="raise" stops everything."""
    L, m = 5, 32
    concept = Concept.single_lag(L, 6, 1, d=1, p=3, phi="sin", seed=0)
    test = concept.sample(6, seed=1)
    nets = [RNN.init(m, 6, 1, seed=s) for s in range(3)]
    nets[1] = RNN(W=nets[1].W * 40.0, A=nets[1].A, B=nets[1].B)  # explodes within a few steps
    kw = dict(concept=concept, test=test, lr=2.0 / (m * L), steps=20, record_every=5)
    many = sgd_many(nets, seeds=[0, 1, 2], diverged="return", **kw)
    with pytest.raises(TrainingDiverged) as alone:
        sgd(nets[1], seed=1, **kw)
    assert isinstance(many[1], TrainingDiverged) and str(many[1]) == str(alone.value)
    for q in (0, 2):
        _close(many[q], sgd(nets[q], seed=q, **kw), nets[q])
    with pytest.raises(TrainingDiverged, match="network 1"):
        sgd_many(nets, seeds=[0, 1, 2], **kw)


@pytest.mark.parametrize("m", [64, 256])
def test_a_network_trains_to_the_same_bits_in_any_group(m):
    """float32, the claims' shapes (batch 4, L = 8): network q's W and record are bit for bit those of its group of
    one, whatever the group's size and companions, also when a companion stops early or diverges and leaves the
    batch (so that a cell's rows do not depend on how the cells were grouped)."""
    L, K = 8, 4
    f32 = torch.float32
    concept = Concept.single_lag(L, 6, 1, d=1, p=3, phi="sin", seed=0)
    tests = [concept.sample(8, seed=90 + q, dtype=f32) for q in range(K)]
    nets = [RNN.init(m, 6, 1, seed=s, dtype=f32) for s in range(K)]
    nets[3] = RNN(W=nets[3].W * 40.0, A=nets[3].A, B=nets[3].B)  # diverges within a few steps
    kw = dict(concept=concept, lr=8.0 / (m * L), steps=40, batch_size=4, record_every=5, diverged="return")
    alone = [sgd_many([nets[q]], test=[tests[q]], seeds=[q], **kw)[0] for q in range(K)]
    stop = [None, float(alone[1].record["test_risk"].iloc[2]), None, None]  # network 1 stops at its third record
    alone[1] = sgd_many([nets[1]], test=[tests[1]], seeds=[1], stop_at=[stop[1]], **kw)[0]
    assert isinstance(alone[3], TrainingDiverged) and int(alone[1].record["step"].iloc[-1]) == 10
    for order in ([0, 1, 2, 3], [3, 2, 0], [2, 1], [1, 0, 3, 2]):
        group = sgd_many(
            [nets[q] for q in order],
            test=[tests[q] for q in order],
            seeds=order,
            stop_at=[stop[q] for q in order],
            **kw,
        )
        for q, got in zip(order, group):
            want = alone[q]
            if isinstance(want, TrainingDiverged):
                assert isinstance(got, TrainingDiverged) and str(got) == str(want)
                continue
            assert torch.equal(got.W, want.W)
            cols = [c for c in want.record.columns if c != "seconds"]  # seconds: wall time
            assert got.record[cols].equals(want.record[cols])
            assert got.signs.equals(want.signs)
