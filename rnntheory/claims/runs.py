r"""SGD runs of a cell: its settings (:func:`sgd_config`), the batched trajectories of cells that differ only in
their seed (:func:`trajectories`, :func:`trajectory`, each run's :class:`Run`) and how such cells are grouped
(:func:`sgd_batching`). One job: the training run that every learning claim (``sgd_learns``, ``ntk_ball``,
``generalisation``, ``length_scaling``, the lemmas along SGD) builds from a grid cell.

Every run trains only W by vanilla SGD (:func:`rnntheory.learning.batched_sgd.sgd_many`: the runs of cells that
differ only in their seed train together, each to the same bits as alone) with learning rate ``lr0 / (m L)`` (the
gradient's size grows like m L) on the cell's single-lag concept (:func:`rnntheory.claims.cells.cell_concept`: the
same target for every width and seed, so that only the network and the sample stream vary), online or on a fixed
training set of ``N`` samples.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, NamedTuple, Sequence

from .. import _validation as V
from ..learning.batched_sgd import sgd_many
from ..learning.objective import SGDConfig, risk
from ..learning.training import TrainingDiverged, Trajectory, rate
from ..network.model import LOSS_POSITIONS
from ..run.records import Batching
from ..seeds import stream_seed
from .cells import cell_concept, labelled_sample, make_net, stacked_bytes

__all__ = [
    "SGD_GROUP_BYTES",
    "SGD_GROUP_SECONDS",
    "Run",
    "trajectory",
    "trajectories",
    "sgd_batching",
    "sgd_config",
]


class Run(NamedTuple):
    r"""A training run: its trajectory, the zero predictor's held-out risk, the RMS of the clean target
    over positions 3..L of the held-out set, and (for a fixed training set) the final risk on that
    set (NaN for online runs)."""

    trajectory: Trajectory
    zero_risk: float
    target_rms: float
    train_risk: float


def sgd_config(cell: Mapping[str, Any], **changes: Any) -> SGDConfig:
    r"""The SGD settings of a cell: rate ``lr0 / (m L)``, ``steps`` steps of ``batch`` samples, a record
    every ``record_every`` steps, the cell's input scale and label noise for fresh samples, and the
    cell's ``"train"`` stream for fresh samples or the order of minibatches; ``changes`` replace fields."""
    return SGDConfig(
        lr=rate(cell["lr0"], cell["m"], cell["L"]),
        steps=cell["steps"],
        batch_size=cell["batch"],
        record_every=cell["record_every"],
        eps_x=cell["eps_x"],
        noise=cell["noise"],
        seed=stream_seed(cell["seed"], "train"),
        **changes,
    )


def trajectories(cells: Sequence[Mapping[str, Any]]) -> list[Run | TrainingDiverged]:
    r"""Train the networks of ``cells`` together (:func:`rnntheory.learning.batched_sgd.sgd_many`), each online or
    (when the cells have ``N``) on its own N samples: per cell its :class:`Run`, or the TrainingDiverged of a
    run that diverged (the others go on).

    The cells must differ only in their ``seed``; each draws its network, held-out set, training set and sample
    stream from its own seed's streams, and stops (with ``stop_frac``) at its own bar. A cell's result does not
    depend on the other cells of the group: every product of ``sgd_many`` is computed per network, bit for bit
    as for a group of one (tests/claims/test_batched_claims.py), so :func:`trajectory` is the group of one.
    """
    cells = [dict(c) for c in cells]
    if not cells:
        raise ValueError(f"{V.caller(trajectories)}: no cells")
    rest = [{k: v for k, v in c.items() if k != "seed"} for c in cells]
    if any(r != rest[0] for r in rest[1:]):
        raise ValueError(f"{V.caller(trajectories)}: the cells of one group must differ only in their seed")
    first = cells[0]
    concept = cell_concept(first)  # the same target for every seed (the concept's own seed)
    tests = [labelled_sample(concept, c, c["n_test"], "test") for c in cells]
    zeros = [float(0.5 * t.labels[:, LOSS_POSITIONS].pow(2).sum(dim=(1, 2)).mean()) for t in tests]
    rms = [float(t.clean[:, LOSS_POSITIONS].pow(2).mean().sqrt()) for t in tests]
    nets = [make_net({**c, "d": 1}) for c in cells]
    trains = [labelled_sample(concept, c, c["N"], "trainset") for c in cells] if first.get("N") else None
    stops: list[float | None] = [None] * len(cells)
    if first.get("stop_frac") is not None:  # stop once the risk is below OPT + stop_frac (R0 - OPT)
        stops = [t.opt + first["stop_frac"] * (z - t.opt) for t, z in zip(tests, zeros)]
    settings = sgd_config(first, coupling=first.get("stop_frac") is None)
    outs = sgd_many(
        nets,
        concept if trains is None else None,
        settings,
        test=tests,
        seeds=[stream_seed(c["seed"], "train") for c in cells],
        train=trains,
        stop_at=stops,
        diverged="return",
    )
    runs: list[Run | TrainingDiverged] = []
    for q, tj in enumerate(outs):
        if isinstance(tj, TrainingDiverged):
            runs.append(tj)
            continue
        train_risk = float("nan") if trains is None else risk(nets[q].outputs(trains[q].x, tj.W), trains[q])
        runs.append(Run(tj, zeros[q], rms[q], train_risk))
    return runs


def trajectory(cell: Mapping[str, Any]) -> Run:
    r"""Train the cell's network, online or (when the cell has ``N``) on N samples: the trajectory, the
    zero predictor's held-out risk, the target's RMS and, for a fixed training set, the final training risk.
    The group of one of :func:`trajectories`; raises TrainingDiverged for a run that diverged."""
    (run,) = trajectories([cell])
    if isinstance(run, TrainingDiverged):
        raise run
    return run


def _group_size(cell: Mapping[str, Any]) -> int:
    r"""The largest group of SGD runs worth training together (on the reference 2-core CPU, float32, 300 steps of
    4 samples at L = 8, per cell against alone: 16 runs gain 2.9x at m = 128 and 1.6x at m = 256; at m = 512, 4
    runs gain 1.2x and 16 lose, 0.89x, once the stacked W's outgrow the cache; :data:`SGD_GROUP_BYTES` caps them)."""
    return 16


SGD_GROUP_BYTES = 4 * 2**20
"""The most bytes of stacked recurrent matrices in one group of SGD runs (4 MiB: 16 runs at m = 256, 4 at m = 512,
one at m = 1024 in float32), about the cache the batched products stay fast in."""


def sgd_batching(measure_many: Callable[[list[dict[str, Any]]], Sequence[Any]]) -> Batching:
    r"""How the cells of a claim that trains by :func:`trajectories` are measured together: cells that differ
    only in their seed, up to 16 a group, at most :data:`SGD_GROUP_BYTES` of stacked W's and
    :data:`SGD_GROUP_SECONDS` of estimated time, by ``measure_many``
    (a module-level function, for worker processes)."""
    return Batching(
        measure_many,
        over=("seed",),
        size=_group_size,
        nbytes=stacked_bytes,
        max_bytes=SGD_GROUP_BYTES,
        max_seconds=SGD_GROUP_SECONDS,
    )


SGD_GROUP_SECONDS = 60.0
"""The most estimated seconds of a group of SGD runs measured one by one: a run of the default grid takes 1 to 5 s
alone, so that the 20 s default kept groups of 1 to 5 (the default grid's 110 sgd_learns cells on the reference
2-core CPU, one thread: 112 s alone, 92 s grouped, 1.2x); at 60 s they grow to the size and bytes limits (groups of
2 to 10: 119 s alone, 78 s grouped, 1.5x), while a failed group or a killed run loses at most about a minute."""
