r"""Vanilla SGD on the recurrent matrix W only (theory.md, section 6), with trajectory recording.

.. math::
    W_{t+1} = W_t - \eta\, \nabla_W \frac{1}{b}\sum_{s \in \text{batch}}
        \sum_{j=3}^{L} G(\lambda\, y_j(x_s; W_t), y^*_{s,j}),

A and B stay at their initial values. Samples come fresh from a concept at every step ("online",
the theorem's setting) or from a fixed training set of N samples. The settings of a run are one
:class:`~rnntheory.learning.objective.SGDConfig`, checked when it is built (the loss G, the risk and the
settings are :mod:`rnntheory.learning.objective`). Along the way the trainer records, every
``record_every`` steps, on a held-out set: the risk (and OPT), the NTK radius
:math:`\tau_t = \sqrt m \|W_t - W_0\|_F`, the fraction of activation signs changed relative to
:math:`W_0` per position, and the forward coupling error of the displacement :math:`W_t - W_0`.
Each record costs one forward trace of the held-out set at :math:`W_t` plus one pseudo-network pass.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import pandas as pd
import torch

from .. import _validation as V
from ..network import pseudo
from ..network.backward import grad_factors
from ..network.model import LOSS_POSITIONS, RNN
from .concepts import Concept
from .data import LabelledData
from .objective import SGDConfig, configure, output_cotangent

__all__ = ["rate", "sgd", "Trajectory", "TrainingDiverged"]

SAMPLE_BLOCK = 4096
"""Online SGD draws its fresh samples about this many at a time (whole steps' worth, one vectorised call)."""


class TrainingDiverged(FloatingPointError):
    r"""Raised when the loss or W becomes non-finite; the message names the step."""


def rate(lr0: float, m: int, L: int) -> float:
    r"""The SGD learning rate of the claims and of :class:`~rnntheory.learning.along.TrainingRun`:
    :math:`\eta = \mathrm{lr}_0 / (m L)`, the one home of this rule.

    Paper: section 6 (:math:`W_{t+1} = W_t - \eta \nabla_W \ldots`) and section 10 (the main theorem's
    rate :math:`\eta \sim 1/m`). The gradient in W of the objective summed over the positions grows like
    :math:`m L` (m rows of hidden states of size :math:`O(1)` in each of about L terms), so a rate
    constant ``lr0`` of order 1 gives steps of comparable size at every width and length.

    Args:
        lr0: the rate constant :math:`\mathrm{lr}_0 > 0`.
        m: the width, >= 1.
        L: the sequence length, >= 1.

    Returns:
        :math:`\mathrm{lr}_0 / (m L)` as a float.

    Raises:
        TypeError, ValueError: ``lr0`` not a finite positive number, ``m`` or ``L`` not a positive integer.

    >>> rate(8.0, 512, 8)
    0.001953125
    """
    fn = "training.rate"
    lr0 = V.positive_real(fn, "lr0", lr0)
    m = V.positive_int(fn, "m", m)
    L = V.positive_int(fn, "L", L)
    return lr0 / (m * L)


@dataclass
class Trajectory:
    r"""The result of :func:`sgd`.

    Attributes:
        W: the final recurrent matrix :math:`W_T`.
        record: tidy table, one row per recorded step: ``step``, ``samples`` (seen so far),
            ``train_risk`` (mean minibatch objective since the last record), ``test_risk`` (held-out),
            ``opt``, ``tau`` (:math:`\sqrt m\|W_t - W_0\|_F`), ``sign_frac`` (mean over positions of the
            fraction of changed signs), ``sign_frac_max``, ``coupling`` (RMS forward coupling error over
            held-out sequences and positions 3..L), ``output_rms`` (RMS of :math:`\lambda y_j`, j >= 3).
        signs: tidy table, one row per (recorded step, position): ``step``, ``position`` (1-based), ``sign_frac``.
        seconds: wall time of the run.
        config: the settings of the run (``lr``, ``steps``, ``batch_size``, ``loss``, ``lam``, ``seed``),
            whether it was ``online``, and the width ``m`` and length ``L``.
    """

    W: torch.Tensor
    record: pd.DataFrame
    signs: pd.DataFrame
    seconds: float
    config: dict = field(default_factory=dict)

    @property
    def average_test_risk(self) -> float:
        r"""Average of the held-out risk over the recorded steps after step 0 (the theorem averages over t)."""
        r = self.record[self.record["step"] > 0]["test_risk"]
        return float(r.mean()) if len(r) else float("nan")

    def __repr__(self) -> str:
        last = self.record.iloc[-1]
        return (
            f"Trajectory(steps={int(last['step'])}, test_risk={last['test_risk']:.4g}, opt={last['opt']:.4g}, "
            f"tau={last['tau']:.3g}, sign_frac={last['sign_frac']:.3g}, seconds={self.seconds:.1f})"
        )


def sgd(
    net: RNN,
    data_or_concept: Concept | LabelledData | None = None,
    config: SGDConfig | None = None,
    *,
    test: LabelledData,
    concept: Concept | None = None,
    train: LabelledData | None = None,
    callback: Callable[[int, torch.Tensor], None] | None = None,
    **overrides: Any,
) -> Trajectory:
    r"""Vanilla SGD on W only, from :math:`W_0` = ``net.W`` (theory.md, section 6).

    The samples come from exactly one of: a :class:`~rnntheory.learning.concepts.Concept` (online:
    ``batch_size`` fresh samples per step, drawn with ``concept.sample(..., eps_x=, noise=)`` for many
    steps at once) or a fixed training set (:class:`~rnntheory.learning.data.LabelledData`;
    minibatches drawn uniformly with replacement), given as ``data_or_concept`` or as ``concept=`` /
    ``train=``. The settings are ``config`` with ``overrides`` replaced, so
    ``sgd(net, concept, test=test, lr=0.01, steps=100)`` and
    ``sgd(net, concept, SGDConfig(lr=0.01, steps=100), test=test)`` run the same.

    Args:
        net: the network at initialisation; its ``W`` is :math:`W_0` and is not modified.
        data_or_concept: the concept to sample from (online training) or a fixed training set.
        config: the settings (:class:`SGDConfig`: ``lr``, ``steps``, ``batch_size``, ``loss``, ``lam``,
            ``record_every``, ``eps_x``, ``noise``, ``seed``, ``stop_at``, ``coupling``).
        test: held-out samples for the record.
        concept, train: the concept or the training set by name (instead of ``data_or_concept``).
        callback: called as ``callback(step, W)`` at every recorded step (step 0 included) once W is
            known to be finite; ``W`` is the live matrix, so clone it to keep it
            (:class:`rnntheory.learning.along.Tracker` measures the lemmas of :math:`W_t - W_0` this way).
        **overrides: fields of :class:`SGDConfig` (``lr=``, ``steps=``, ...), replacing those of ``config``.

    Returns:
        :class:`Trajectory`.

    Raises:
        ValueError, TypeError: bad settings (a keyword that is no field of :class:`SGDConfig` is a
            TypeError naming it), data whose sizes or dtype do not match the network.
        TrainingDiverged: the objective or W became non-finite (the message names the step).
    """
    fn = "training.sgd"
    if not isinstance(net, RNN):
        raise TypeError(f"{fn}: net={V.show(net)} must be an rnntheory.RNN")
    config = configure(fn, config, overrides)
    source = _source(fn, net, data_or_concept, concept, train)
    check_data(fn, "test", net, test)
    if callback is not None and not callable(callback):
        raise TypeError(f"{fn}: callback={V.show(callback)} must be callable as callback(step, W), or None")

    W = net.W.clone()
    Wt = net.W.T.contiguous()
    rec = Recorder(fn, net, test, config, callback=callback)
    rec(0, W)
    batches = minibatches(source, config, net, torch.Generator().manual_seed(config.seed))
    for step, (xb, yb) in enumerate(batches, start=1):
        rec.add(_step(fn, net, W, Wt, xb, yb, config, step))
        if config.due(step):
            rec(step, W)
            if config.stop_at is not None and rec.rows[-1]["test_risk"] <= config.stop_at:
                break
    return rec.trajectory(W, seed=config.seed, online=isinstance(source, Concept))


def _source(fn: str, net: RNN, data_or_concept: Any, concept: Any, train: Any) -> Concept | LabelledData:
    r"""The one sample source of :func:`sgd` (a concept or a fixed training set), checked against the network."""
    if sum(s is not None for s in (data_or_concept, concept, train)) != 1:
        raise ValueError(f"{fn}: pass exactly one of concept= (online SGD) or train= (fixed training set)")
    if isinstance(data_or_concept, Concept):
        concept = data_or_concept
    elif isinstance(data_or_concept, LabelledData):
        train = data_or_concept
    elif data_or_concept is not None:
        raise TypeError(
            f"{fn}: data_or_concept={V.show(data_or_concept)} must be a Concept (online SGD) or "
            f"LabelledData (a fixed training set)"
        )
    if concept is not None:
        check_concept(fn, net, concept)
        return concept
    check_data(fn, "train", net, train)
    return train


def _step(
    fn: str,
    net: RNN,
    W: torch.Tensor,
    Wt: torch.Tensor,
    xb: torch.Tensor,
    yb: torch.Tensor,
    config: SGDConfig,
    step: int,
) -> float:
    r"""One SGD step on the minibatch ``(xb, yb)``, in place on W and its transpose ``Wt``; returns the
    minibatch objective."""
    tr = net.trace_unchecked(xb, W)  # data and W were validated; a non-finite W shows in the objective
    per_seq, dy = output_cotangent(tr.outputs, yb, loss=config.loss, lam=config.lam)
    obj = float(per_seq.mean())
    if not math.isfinite(obj):
        raise TrainingDiverged(f"{fn}: the objective became non-finite ({obj}) at step {step}; lower lr={config.lr:g}")
    # W -= lr / batch * delta^T H in place, no m x m gradient; W^T is kept beside W (the same rank-k
    # update), because the backward products run about twice as fast on a contiguous W^T
    delta, H = grad_factors(net, tr, dy, Wt, check=False)
    W.addmm_(delta.T, H, alpha=-config.lr / config.batch_size)
    Wt.addmm_(H.T, delta, alpha=-config.lr / config.batch_size)
    return obj


def minibatches(
    source: Concept | LabelledData, config: SGDConfig, net: RNN, gen: torch.Generator
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    r"""The minibatches ``(x, labels)`` of steps 1..``config.steps``, in the network's dtype and device:
    ``batch_size`` fresh samples per step from a concept, drawn from ``gen`` for about
    :data:`SAMPLE_BLOCK` samples at once, or ``batch_size`` samples of a fixed set, drawn uniformly
    with replacement. Shared by :func:`sgd` and :func:`rnntheory.learning.batched_sgd.sgd_many`."""
    b, steps = config.batch_size, config.steps
    if isinstance(source, LabelledData):
        for _ in range(steps):
            idx = torch.randint(0, source.x.shape[0], (b,), generator=gen).to(net.device)
            yield source.x[idx], source.labels[idx]
        return
    block = max(1, SAMPLE_BLOCK // b)
    eps_x = {} if config.eps_x is None else {"eps_x": config.eps_x}  # else the concept's sampling default
    for first in range(1, steps + 1, block):
        count = min(block, steps - first + 1)
        stream = source.sample(
            b * count, generator=gen, noise=config.noise, dtype=net.dtype, device=net.device, **eps_x
        )
        for k in range(count):
            yield stream.x[k * b : (k + 1) * b], stream.labels[k * b : (k + 1) * b]


class Recorder:
    r"""(Internal to the trainers; not part of the documented API.) The record of one SGD run (:class:`Trajectory`):
    every recorded step measures the held-out risk, tau, the changed signs and the coupling error of :math:`W_t - W_0`
    (one trace of the held-out set, one
    pseudo-network pass). Shared by :func:`sgd` and :func:`rnntheory.learning.batched_sgd.sgd_many`."""

    def __init__(
        self,
        fn: str,
        net: RNN,
        test: LabelledData,
        config: SGDConfig,
        *,
        callback: Callable[[int, torch.Tensor], None] | None = None,
    ) -> None:
        self.fn, self.net, self.test, self.config, self.callback = fn, net, test, config, callback
        self.tr0 = net.trace(test.x)
        self.rows: list[dict] = []
        self.sign_rows: list[dict] = []
        self.running, self.count = 0.0, 0
        self.t0 = time.perf_counter()

    def add(self, obj: float) -> None:
        r"""One step's minibatch objective, for the mean training risk since the last record."""
        self.running += obj
        self.count += 1

    def __call__(self, step: int, W: torch.Tensor) -> None:
        net, test, tr0, lam = self.net, self.test, self.tr0, self.config.lam
        if not V.all_finite(W):
            raise TrainingDiverged(f"{self.fn}: W became non-finite by step {step}; lower lr={self.config.lr:g}")
        tr = net.trace_unchecked(test.x, W)
        Wp = W - net.W
        per_seq, _ = output_cotangent(tr.outputs, test.labels, loss=self.config.loss, lam=lam)
        if self.config.coupling:
            err = (tr.outputs - tr0.outputs - pseudo.outputs(net, tr0, Wp))[:, LOSS_POSITIONS]
            coupling_rms = float(err.pow(2).mean().sqrt())
        else:
            coupling_rms = float("nan")
        flips = (tr.pattern != tr0.pattern).to(torch.float64).mean(dim=(0, 2))  # (L,)
        self.rows.append(
            {
                "step": step,
                "samples": step * self.config.batch_size,
                "train_risk": self.running / self.count if self.count else float("nan"),
                "test_risk": float(per_seq.mean()),
                "opt": test.opt,
                "tau": math.sqrt(net.m) * float(torch.linalg.matrix_norm(Wp)),
                "sign_frac": float(flips.mean()),
                "sign_frac_max": float(flips.max()),
                "coupling": coupling_rms,
                "output_rms": float((lam * tr.outputs[:, LOSS_POSITIONS]).pow(2).mean().sqrt()),
                "seconds": time.perf_counter() - self.t0,
            }
        )
        self.sign_rows.extend({"step": step, "position": l + 1, "sign_frac": float(f)} for l, f in enumerate(flips))
        self.running, self.count = 0.0, 0
        if self.callback is not None:
            self.callback(step, W)

    def trajectory(self, W: torch.Tensor, *, seed: int, online: bool) -> Trajectory:
        r"""The run's :class:`Trajectory`, ending at ``W`` (``seed``: its sample stream's seed)."""
        c = self.config
        config = dict(
            lr=c.lr,
            steps=c.steps,
            batch_size=c.batch_size,
            loss=c.loss,
            lam=c.lam,
            seed=seed,
            online=online,
            m=self.net.m,
            L=self.test.x.shape[1],
        )
        return Trajectory(
            W=W,
            record=pd.DataFrame(self.rows),
            signs=pd.DataFrame(self.sign_rows),
            seconds=time.perf_counter() - self.t0,
            config=config,
        )


def check_data(fn: str, name: str, net: RNN, data: object) -> None:
    if not isinstance(data, LabelledData):
        raise TypeError(
            f"{fn}: {name}={V.show(data)} must be rnntheory.learning.data.LabelledData (from Concept.sample)"
        )
    x = data.x
    if x.shape[-1] != net.d_x or data.labels.shape[-1] != net.d:
        raise ValueError(
            f"{fn}: {name} has d_x={x.shape[-1]}, d={data.labels.shape[-1]}; "
            f"expected d_x={net.d_x}, d={net.d} to match the network"
        )
    if x.dtype != net.dtype or x.device != net.device:
        raise ValueError(f"{fn}: {name} is {x.dtype} on {x.device}; expected {net.dtype} on {net.device}")


def check_concept(fn: str, net: RNN, concept: object) -> None:
    if not isinstance(concept, Concept):
        raise TypeError(f"{fn}: concept={V.show(concept)} must be an rnntheory.learning.concepts.Concept")
    if concept.d_x != net.d_x or concept.d != net.d:
        raise ValueError(
            f"{fn}: concept has d_x={concept.d_x}, d={concept.d}; expected d_x={net.d_x}, d={net.d} "
            f"to match the network"
        )
