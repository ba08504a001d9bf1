r"""Vanilla SGD on the recurrent matrix W only (theory.md, section 6), with trajectory recording.

.. math::
    W_{t+1} = W_t - \eta\, \nabla_W \frac{1}{b}\sum_{s \in \text{batch}} \sum_{j=3}^{L} G(\lambda\, y_j(x_s; W_t), y^*_{s,j}),

A and B stay at their initial values. Samples come fresh from a concept at every step ("online",
the theorem's setting) or from a fixed training set of N samples. Along the way the trainer
records, every ``record_every`` steps, on a held-out set: the risk (and OPT), the NTK radius
:math:`\tau_t = \sqrt m \|W_t - W_0\|_F`, the fraction of activation signs changed relative to
:math:`W_0` per position, and the forward coupling error of the displacement :math:`W_t - W_0`.
Each record costs one forward trace of the held-out set at :math:`W_t` plus one pseudo-network pass.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Literal

import pandas as pd
import torch

from .. import _validation as V
from ..network import pseudo
from ..network.backward import grad_factors
from .concepts import Concept, LabelledData
from ..network.model import RNN, Trace

__all__ = ["LOSSES", "risk", "sgd", "Trajectory", "TrainingDiverged", "output_cotangent"]


class TrainingDiverged(FloatingPointError):
    r"""Raised when the loss or W becomes non-finite; the message names the step."""


def _squared(y: torch.Tensor, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r = y - t
    return 0.5 * (r * r).sum(-1), r


def _logistic(y: torch.Tensor, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    # G(y, y*) = log(1 + exp(-y* y)) per coordinate, for labels y* in {-1, +1}
    z = -t * y
    return torch.nn.functional.softplus(z).sum(-1), -t * torch.sigmoid(z)


LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]] = {
    "squared": _squared,
    "logistic": _logistic,
}
r"""Losses G(y, y*) per position: name -> function returning (loss per position, dG/dy).
``squared``: :math:`\frac12\|y - y^*\|^2` (the default); ``logistic``: :math:`\sum_s \log(1 + e^{-y^*_s y_s})`."""


def loss_fn(fn: str, loss: str) -> Callable:
    if loss not in LOSSES:
        raise ValueError(f"{fn}: loss={loss!r} must be one of {sorted(LOSSES)}")
    return LOSSES[loss]


def risk(outputs: torch.Tensor, data: LabelledData, *, loss: str = "squared", lam: float = 1.0) -> float:
    r"""Empirical risk: mean over sequences of :math:`\sum_{j \ge 3} G(\lambda y_j, y^*_j)` (theory.md sec. 1, 6)."""
    G = loss_fn("training.risk", loss)
    per_pos, _ = G(lam * outputs[:, 2:], data.labels[:, 2:])
    return float(per_pos.sum(-1).mean())


def output_cotangent(outputs: torch.Tensor, labels: torch.Tensor, *, loss: str = "squared", lam: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Per-sequence objective and its gradient in the outputs, ``dy`` of shape ``(n, L, d)``, zero at
    positions 1 and 2: :math:`dy_j = \lambda\, \partial_y G(\lambda y_j, y^*_j)` for j = 3..L."""
    G = loss_fn("training.output_cotangent", loss)
    per_pos, dG = G(lam * outputs[:, 2:], labels[:, 2:])
    dy = torch.zeros_like(outputs)
    dy[:, 2:] = lam * dG
    return per_pos.sum(-1), dy


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
        config: the arguments of the run.
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
    *,
    concept: Concept | None = None,
    train: LabelledData | None = None,
    test: LabelledData,
    lr: float,
    steps: int,
    batch_size: int = 1,
    loss: Literal["squared", "logistic"] = "squared",
    lam: float = 1.0,
    record_every: int = 100,
    eps_x: float | None = None,
    noise: float = 0.0,
    seed: int = 0,
    stop_at: float | None = None,
    coupling: bool = True,
    callback: Callable[[int, torch.Tensor], None] | None = None,
) -> Trajectory:
    r"""Vanilla SGD on W only, from :math:`W_0` = ``net.W`` (theory.md, section 6).

    Exactly one of ``concept`` (online: ``batch_size`` fresh samples per step, drawn with
    ``concept.sample(..., eps_x=, noise=)``, drawn for many steps at once) and ``train`` (a fixed set of N samples; minibatches
    drawn uniformly with replacement) must be given.

    Args:
        net: the network at initialisation; its ``W`` is :math:`W_0` and is not modified.
        concept: the concept to sample from (online training).
        train: a fixed training set (:class:`~rnntheory.learning.concepts.LabelledData`).
        test: held-out samples for the record.
        lr: learning rate :math:`\eta > 0`. The gradient's size grows like m L, so stable rates scale like 1/(m L).
        steps: number of SGD steps (>= 0).
        batch_size: sequences per step.
        loss: ``"squared"`` (default) or ``"logistic"``.
        lam: output scale :math:`\lambda > 0` inside G.
        record_every: record cadence in steps (step 0 and the last step are always recorded).
        eps_x: input scale for online sampling (default: the concept's sampling default, 0.1).
        noise: label noise for online sampling.
        seed: seed of the minibatch / sample stream.
        stop_at: stop after the first recorded step whose held-out risk is at most this value.
        coupling: record the forward coupling error (one pseudo-network pass per record); ``False``
            records NaN instead and saves that pass.
        callback: called as ``callback(step, W)`` at every recorded step (step 0 included) once W is
            known to be finite; ``W`` is the live matrix, so clone it to keep it
            (:class:`rnntheory.learning.along.Tracker` measures the lemmas of :math:`W_t - W_0` this way).

    Returns:
        :class:`Trajectory`.

    Raises:
        ValueError, TypeError: bad arguments, data whose sizes or dtype do not match the network.
        TrainingDiverged: the objective or W became non-finite (the message names the step).
    """
    fn = "training.sgd"
    if not isinstance(net, RNN):
        raise TypeError(f"{fn}: net={V.show(net)} must be an rnntheory.RNN")
    if (concept is None) == (train is None):
        raise ValueError(f"{fn}: pass exactly one of concept= (online SGD) or train= (fixed training set)")
    lr = V.real_in(fn, "lr", lr, low=0.0, low_open=True)
    lam = V.real_in(fn, "lam", lam, low=0.0, low_open=True)
    steps = V.positive_int(fn, "steps", steps, minimum=0)
    batch_size = V.positive_int(fn, "batch_size", batch_size)
    record_every = V.positive_int(fn, "record_every", record_every)
    loss_fn(fn, loss)
    check_data(fn, "test", net, test)
    if train is not None:
        check_data(fn, "train", net, train)
    if stop_at is not None:
        stop_at = V.real_in(fn, "stop_at", stop_at)
    if callback is not None and not callable(callback):
        raise TypeError(f"{fn}: callback={V.show(callback)} must be callable as callback(step, W), or None")
    if concept is not None:
        if not isinstance(concept, Concept):
            raise TypeError(f"{fn}: concept={V.show(concept)} must be an rnntheory.learning.concepts.Concept")
        if concept.d_x != net.d_x or concept.d != net.d:
            raise ValueError(
                f"{fn}: concept has d_x={concept.d_x}, d={concept.d}; expected d_x={net.d_x}, d={net.d} to match the network"
            )
    sample_kwargs = {} if eps_x is None else {"eps_x": eps_x}

    gen = torch.Generator().manual_seed(int(seed))
    W = net.W.clone()
    Wt = net.W.T.contiguous()
    rec = Recorder(fn, net, test, loss=loss, lam=lam, lr=lr, batch_size=batch_size, coupling=coupling,
                    callback=callback)

    block = max(1, 4096 // batch_size)
    rec(0, W)
    for step in range(1, steps + 1):
        if concept is not None:
            k = (step - 1) % block
            if k == 0:  # fresh i.i.d. samples, drawn for `block` steps at once (one vectorised call)
                stream = concept.sample(batch_size * min(block, steps - step + 1), generator=gen, noise=noise,
                                        dtype=net.dtype, device=net.device, **sample_kwargs)
            xb = stream.x[k * batch_size : (k + 1) * batch_size]
            yb = stream.labels[k * batch_size : (k + 1) * batch_size]
        else:
            idx = torch.randint(0, train.x.shape[0], (batch_size,), generator=gen).to(net.device)
            xb, yb = train.x[idx], train.labels[idx]
        tr = net.trace_unchecked(xb, W)  # data and W were validated; a non-finite W shows in the objective
        per_seq, dy = output_cotangent(tr.outputs, yb, loss=loss, lam=lam)
        obj = float(per_seq.mean())
        if not math.isfinite(obj):
            raise TrainingDiverged(f"{fn}: the objective became non-finite ({obj}) at step {step}; lower lr={lr:g}")
        # W -= lr / batch * delta^T H in place, no m x m gradient; W^T is kept beside W (the same rank-k
        # update), because the backward products run about twice as fast on a contiguous W^T
        delta, H = grad_factors(net, tr, dy, Wt, check=False)
        W.addmm_(delta.T, H, alpha=-lr / batch_size)
        Wt.addmm_(H.T, delta, alpha=-lr / batch_size)
        rec.add(obj)
        if step % record_every == 0 or step == steps:
            rec(step, W)
            if stop_at is not None and rec.rows[-1]["test_risk"] <= stop_at:
                break
    cfg = dict(lr=lr, steps=steps, batch_size=batch_size, loss=loss, lam=lam, seed=seed, online=concept is not None,
               m=net.m, L=test.x.shape[1])
    return rec.trajectory(W, cfg)


class Recorder:
    r"""(Internal to the trainers; not part of the documented API.) The record of one SGD run (:class:`Trajectory`): every recorded step measures the held-out risk,
    tau, the changed signs and the coupling error of :math:`W_t - W_0` (one trace of the held-out set, one
    pseudo-network pass). Shared by :func:`sgd` and :func:`rnntheory.learning.batched_sgd.sgd_many`."""

    def __init__(self, fn: str, net: RNN, test: LabelledData, *, loss: str, lam: float, lr: float, batch_size: int,
                 coupling: bool, callback: Callable[[int, torch.Tensor], None] | None) -> None:
        self.fn, self.net, self.test, self.loss, self.lam, self.lr = fn, net, test, loss, lam, lr
        self.batch_size, self.coupling, self.callback = batch_size, coupling, callback
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
        net, test, tr0, lam = self.net, self.test, self.tr0, self.lam
        if not V.all_finite(W):
            raise TrainingDiverged(f"{self.fn}: W became non-finite by step {step}; lower lr={self.lr:g}")
        tr = net.trace_unchecked(test.x, W)
        Wp = W - net.W
        per_seq, _ = output_cotangent(tr.outputs, test.labels, loss=self.loss, lam=lam)
        if self.coupling:
            err = (tr.outputs - tr0.outputs - pseudo.outputs(net, tr0, Wp))[:, 2:]
            coupling_rms = float(err.pow(2).mean().sqrt())
        else:
            coupling_rms = float("nan")
        flips = (tr.pattern != tr0.pattern).to(torch.float64).mean(dim=(0, 2))  # (L,)
        self.rows.append(
            {
                "step": step,
                "samples": step * self.batch_size,
                "train_risk": self.running / self.count if self.count else float("nan"),
                "test_risk": float(per_seq.mean()),
                "opt": test.opt,
                "tau": math.sqrt(net.m) * float(torch.linalg.matrix_norm(Wp)),
                "sign_frac": float(flips.mean()),
                "sign_frac_max": float(flips.max()),
                "coupling": coupling_rms,
                "output_rms": float((lam * tr.outputs[:, 2:]).pow(2).mean().sqrt()),
                "seconds": time.perf_counter() - self.t0,
            }
        )
        self.sign_rows.extend({"step": step, "position": l + 1, "sign_frac": float(f)} for l, f in enumerate(flips))
        self.running, self.count = 0.0, 0
        if self.callback is not None:
            self.callback(step, W)

    def trajectory(self, W: torch.Tensor, config: dict) -> Trajectory:
        return Trajectory(W=W, record=pd.DataFrame(self.rows), signs=pd.DataFrame(self.sign_rows),
                          seconds=time.perf_counter() - self.t0, config=config)


def check_data(fn: str, name: str, net: RNN, data: object) -> None:
    if not isinstance(data, LabelledData):
        raise TypeError(f"{fn}: {name}={V.show(data)} must be rnntheory.learning.concepts.LabelledData (from Concept.sample)")
    x = data.x
    if x.shape[-1] != net.d_x or data.labels.shape[-1] != net.d:
        raise ValueError(
            f"{fn}: {name} has d_x={x.shape[-1]}, d={data.labels.shape[-1]}; expected d_x={net.d_x}, d={net.d} to match the network"
        )
    if x.dtype != net.dtype or x.device != net.device:
        raise ValueError(f"{fn}: {name} is {x.dtype} on {x.device}; expected {net.dtype} on {net.device}")
