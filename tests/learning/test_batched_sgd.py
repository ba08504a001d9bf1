"""SGD of several networks at once equals separate runs of training.sgd (float64, up to rounding)."""

import pytest
import torch

from rnntheory.learning.batched_sgd import sgd_many
from rnntheory.learning.concepts import Concept
from rnntheory.learning.training import SGDConfig, sgd
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


def test_a_config_runs_as_keywords_and_seed_and_stop_at_are_refused():
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
    with pytest.raises(ValueError, match="stop_at"):
        sgd_many(nets, concept, config, test=test, seeds=[1, 2], stop_at=0.5)
    with pytest.raises(TypeError, match="record_evry= is not a field of SGDConfig; did you mean record_every="):
        sgd_many(nets, concept, config, test=test, seeds=[1, 2], record_evry=5)
