r"""The lemmas along a real SGD run (paper section 9): the perturbation and coupling quantities of the
displacement :math:`W' = W_t - W_0` that SGD produces, at every recorded step.

The lemmas of sections 3 and 4 hold for every displacement of the stated size, so in particular for
SGD's. For each displacement this module measures, on held-out (probe) sequences and per position
``l`` (1-based), the worst case over the sequences of

* ``fwd_err``: the forward coupling error :math:`\|y_l(W_0+W') - y_l(W_0) - \mathrm{pseudo}_l(W')\|`;
* ``bwd_rel``: the backward coupling, :math:`\|G_l(W_0+W') - G_l(W_0)\|_F / \|G_l(W_0)\|_F` with
  :math:`G_l` the gradient of :math:`y_l` in W (every output coordinate);
* ``signs``: the sign changes :math:`\|D_l(W_0+W') - D_l(W_0)\|_0`;
* ``hidden``: the hidden-state change :math:`\|h_l(W_0+W') - h_l(W_0)\|`;

with the sizes :math:`\omega = \|W'\|_2` and :math:`\tau = \sqrt m \|W'\|_F`, and each quantity divided
by its bound shape (:data:`SHAPES`), so that a ratio can be read directly:
``fwd_ratio = fwd_err / (tau^(4/3) m^(-1/6))``, ``bwd_ratio = bwd_rel / (tau^(1/3) m^(-1/6))``,
``sign_ratio = signs / (m omega^(2/3))``, ``hidden_ratio = hidden / omega``. The backward shape is this
project's reading of "against tau and m" (docs/conventions.md): the gradient moves through the signs
that flip, a fraction :math:`\omega^{2/3}` of them in the worst case, so its relative change is at
most of order :math:`\omega^{1/3}`, and :math:`\omega \le \tau / \sqrt m`.

One trace of the probe sequences at :math:`W_0` is shared by every displacement; each displacement
costs one forward trace at :math:`W_0 + W'` (shared by all four quantities), one pseudo-network pass
(batched over the displacements given together) and one backward sweep at each end. Use
:func:`measure` for displacements at hand, :class:`Tracker` to measure an SGD run on the fly (no
:math:`W_t` is stored unless asked for), and :func:`sgd` for a whole run whose divergence is an
outcome rather than an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import pandas as pd
import torch

from .. import _validation as V
from ..network import batched as BT
from ..network.model import RNN, Trace, base_trace, check_displacements
from ..network.pseudo import gradient_change, outputs, relative_change
from ..network.sizes import ntk_radius, spectral_norm
from ..seeds import stream_seed
from .training import TrainingDiverged, Trajectory, rate
from .training import sgd as _sgd

__all__ = ["QUANTITIES", "SHAPES", "RATIOS", "shape", "measure", "Tracker", "AlongRun", "sgd", "TrainingRun"]

QUANTITIES = ("fwd_err", "bwd_rel", "signs", "hidden")
"""The measured columns, in the order of the lemmas: forward coupling, backward coupling, sign changes,
hidden-state change."""

SHAPES: Mapping[str, str] = {
    "fwd_err": "tau^(4/3) m^(-1/6)",
    "bwd_rel": "tau^(1/3) m^(-1/6)",
    "signs": "m omega^(2/3)",
    "hidden": "omega",
}
"""The bound shape each quantity is divided by (its ``*_ratio`` column); poly(L) factors are left out."""

RATIOS: Mapping[str, str] = {
    "fwd_err": "fwd_ratio",
    "bwd_rel": "bwd_ratio",
    "signs": "sign_ratio",
    "hidden": "hidden_ratio",
}
"""The ratio column of each quantity."""


def shape(
    quantity: str, omega: Any, tau: Any, m: Any, *, exponent: float | None = None, m_exponent: float | None = None
) -> Any:
    r"""The bound shape of ``quantity`` at the given sizes (arrays or floats); ``exponent`` replaces the
    power of its size (``tau`` or ``omega``) and ``m_exponent`` the power of m, to state a different
    bound (e.g. a deliberately too strong one)."""
    powers = {
        "fwd_err": ("tau", 4.0 / 3.0, -1.0 / 6.0),
        "bwd_rel": ("tau", 1.0 / 3.0, -1.0 / 6.0),
        "signs": ("omega", 2.0 / 3.0, 1.0),
        "hidden": ("omega", 1.0, 0.0),
    }
    if quantity not in powers:
        raise ValueError(f"along.shape: quantity={quantity!r} must be one of {', '.join(QUANTITIES)}")
    size, b, a = powers[quantity]
    b = b if exponent is None else exponent
    a = a if m_exponent is None else m_exponent
    return (tau if size == "tau" else omega) ** b * m**a


def measure(
    net: RNN,
    x: torch.Tensor | None,
    W_prime: torch.Tensor,
    *,
    tr: Trace | None = None,
    steps: Iterable[int] | None = None,
    check: bool = True,
) -> pd.DataFrame:
    r"""The lemma quantities of each displacement, per position, worst case over the sequences.

    Paper: section 9 (sections 3 and 4 evaluated at :math:`W' = W_t - W_0`).

    Args:
        net: the network; :math:`W_0` is ``net.W`` (or ``tr.W``).
        x: ``(n, L, d_x)`` probe sequences (may be ``None`` when ``tr`` is given).
        W_prime: ``(m, m)`` or ``(k, m, m)`` displacements.
        tr: the trace of ``x`` at :math:`W_0`, when at hand (shared by every call).
        steps: a label per displacement (the SGD step); default ``0, 1, ..., k-1``.
        check: verify the input normalisation when no trace is given.

    Returns:
        A tidy DataFrame, one row per (displacement, position ``l`` = 1..L): ``step``, ``position``,
        ``m``, ``L``, ``n``, ``omega``, ``tau``, the :data:`QUANTITIES` (max over sequences; ``signs``
        as a count) and their ratios to :data:`SHAPES` (``fwd_ratio``, ``bwd_ratio``, ``sign_ratio``,
        ``hidden_ratio``; NaN for a zero displacement). Position 1 reads 0 for every quantity:
        :math:`y_1` and :math:`h_1` do not depend on W.

    Raises:
        TypeError, ValueError: bad displacements, a trace of another network, ``steps`` of the wrong length.
    """
    fn = "along.measure"
    tr = base_trace(fn, net, x, tr, check=check)
    Wp, _ = check_displacements(fn, net, W_prime)
    k = Wp.shape[0]
    labels = list(range(k)) if steps is None else [int(s) for s in steps]
    if len(labels) != k:
        raise ValueError(f"{fn}: steps has {len(labels)} labels; expected one per displacement ({k})")
    m, L = net.m, tr.L
    omega = spectral_norm(Wp).to(torch.float64).cpu()
    tau = ntk_radius(Wp).to(torch.float64).cpu()
    moved = BT.traces(net, tr, Wp)
    traces = [moved[q] for q in range(k)]
    real = torch.stack([t.outputs for t in traces])  # (k, n, L, d)
    err = torch.linalg.vector_norm(real - tr.outputs - outputs(net, tr, Wp), dim=-1)  # (k, n, L)
    dist, gnorm = gradient_change(net, tr, traces)  # every output coordinate
    rel = relative_change(dist, gnorm)  # (k, n, L)
    signs = torch.stack([(t.pattern != tr.pattern).sum(dim=-1) for t in traces])  # (k, n, L)
    hidden = torch.stack([torch.linalg.vector_norm(t.hidden[:, 1:] - tr.hidden[:, 1:], dim=-1) for t in traces])
    q = {
        "fwd_err": err.amax(dim=1),
        "bwd_rel": rel.amax(dim=1),
        "signs": signs.amax(dim=1).to(torch.float64),
        "hidden": hidden.amax(dim=1),
    }
    q = {name: v.to(torch.float64).cpu() for name, v in q.items()}  # (k, L)
    rows = []
    for a in range(k):
        w, t = float(omega[a]), float(tau[a])
        for l0 in range(L):
            row: dict[str, Any] = {
                "step": labels[a],
                "position": l0 + 1,
                "m": m,
                "L": L,
                "n": tr.n,
                "omega": w,
                "tau": t,
            }
            for name in QUANTITIES:
                v = float(q[name][a, l0])
                row[name] = v
                s = shape(name, w, t, m)
                row[RATIOS[name]] = v / s if s > 0 else float("nan")
            rows.append(row)
    return pd.DataFrame(rows)


@dataclass
class Tracker:
    r"""Measures the lemmas of :math:`W_t - W_0` at every recorded step of an SGD run, on the fly.

    Pass it as ``callback`` to :func:`rnntheory.learning.training.sgd` (or use :func:`sgd`). Each call
    ``tracker(step, W)`` measures :math:`W - W_0` on the probe sequences (:func:`measure`); the
    displacements are buffered ``batch`` at a time (memory ``batch * m^2`` numbers) and measured
    together, so no :math:`W_t` outlives its batch unless its step is in ``keep``.

    Attributes:
        net: the network at initialisation (:math:`W_0` = ``net.W``).
        x: ``(n, L, d_x)`` probe sequences (held out).
        batch: displacements measured together (>= 1).
        keep: steps whose displacement is kept in ``kept`` (e.g. the last one, to draw directions of
            the same size).
        kept: ``{step: W_t - W_0}`` for the kept steps.
    """

    net: RNN
    x: torch.Tensor
    batch: int = 1
    keep: tuple[int, ...] = ()
    kept: dict[int, torch.Tensor] = field(default_factory=dict)

    def __post_init__(self) -> None:
        fn = "along.Tracker"
        if not isinstance(self.net, RNN):
            raise TypeError(f"{fn}: net={V.show(self.net)} must be an rnntheory.RNN")
        self.batch = V.positive_int(fn, "batch", self.batch)
        self.keep = tuple(int(s) for s in self.keep)
        self._tr = self.net.trace(self.x)
        self._W0 = self.net.W
        self._pending: list[tuple[int, torch.Tensor]] = []
        self._frames: list[pd.DataFrame] = []

    @property
    def trace(self) -> Trace:
        r"""The trace of the probe sequences at :math:`W_0`, shared by every measurement."""
        return self._tr

    def __call__(self, step: int, W: torch.Tensor) -> None:
        Wp = W - self._W0
        if int(step) in self.keep:
            self.kept[int(step)] = Wp.clone()
        self._pending.append((int(step), Wp))
        if len(self._pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        r"""Measure the buffered displacements now."""
        if self._pending:
            steps = [s for s, _ in self._pending]
            Wp = torch.stack([w for _, w in self._pending])
            self._pending = []
            self._frames.append(measure(self.net, None, Wp, tr=self._tr, steps=steps))

    def frame(self) -> pd.DataFrame:
        r"""Every measurement so far (buffered ones included), one row per (step, position)."""
        self.flush()
        if not self._frames:
            return measure(self.net, None, torch.zeros_like(self._W0)[None], tr=self._tr).iloc[:0]
        return pd.concat(self._frames, ignore_index=True)


@dataclass(frozen=True)
class AlongRun:
    r"""An SGD run with the lemmas measured along it (:func:`sgd`).

    Attributes:
        lemmas: :func:`measure`'s table for every recorded step (step 0 included, where W' = 0).
        trajectory: the run's :class:`~rnntheory.learning.training.Trajectory`; ``None`` when it diverged.
        diverged: the divergence message (:class:`~rnntheory.learning.training.TrainingDiverged`), or ``""``.
        kept: ``{step: W_t - W_0}`` for the steps asked for.
        trace: the trace of the probe sequences at :math:`W_0` that every measurement shared.
    """

    lemmas: pd.DataFrame
    trajectory: Trajectory | None
    diverged: str
    kept: dict[int, torch.Tensor]
    trace: Trace


def sgd(net: RNN, probe: torch.Tensor, *, batch: int = 1, keep: Iterable[int] = (), **sgd_args: Any) -> AlongRun:
    r"""Train ``net`` with :func:`rnntheory.learning.training.sgd` and measure the lemmas of :math:`W_t - W_0` on
    the ``probe`` sequences at every recorded step.

    Paper: section 9.

    Args:
        net: the network at initialisation.
        probe: ``(n, L, d_x)`` held-out sequences the lemmas are measured on.
        batch: displacements measured together (:class:`Tracker`).
        keep: steps whose displacement is returned in ``kept``.
        **sgd_args: every argument of :func:`rnntheory.learning.training.sgd` but ``net`` and ``callback``,
            by keyword: ``concept=`` or ``train=``, ``test=``, ``config=`` (an
            :class:`~rnntheory.learning.objective.SGDConfig`) and its fields (``lr=``, ``steps=``, ...).

    Returns:
        :class:`AlongRun`. A run that diverges (:class:`~rnntheory.learning.training.TrainingDiverged`) is an
        outcome: its ``diverged`` names the step, ``lemmas`` holds the steps recorded before it.
    """
    tracker = Tracker(net, probe, batch=batch, keep=tuple(keep))
    try:
        tj = _sgd(net, callback=tracker, **sgd_args)
        diverged = ""
    except TrainingDiverged as exc:  # the tracker saw only finite W_t (sgd checks W before each record)
        tj, diverged = None, str(exc)
    return AlongRun(tracker.frame(), tj, diverged, dict(tracker.kept), tracker.trace)


@dataclass(frozen=True)
class TrainingRun:
    r"""One whole SGD run with the lemmas measured along it, as plain data: ``TrainingRun(...).train()``
    replays it exactly (the Hypothesis strategy :func:`rnntheory.testing.training_runs` draws these,
    and a failing property test prints the one that failed).

    Online SGD on W only (:func:`rnntheory.learning.training.sgd`) on the concept
    ``Concept.single_lag(L, d_x, lag, p=p, phi=phi)``, at the rate ``lr0 / (m L)``
    (:func:`rnntheory.learning.training.rate`), with
    ``batch`` fresh samples per step, ``steps`` steps, a record every ``record_every`` steps, held-out
    risk on ``n_test`` sequences and the lemmas on ``n_probe`` probe sequences. The concept, the network,
    the sample stream, the test set and the probe are drawn from the streams ``"concept"``, ``"network"``,
    ``"train"``, ``"test"`` and ``"probe"`` of ``seed`` (:func:`rnntheory.seeds.stream_seed`).
    """

    m: int
    L: int
    lr0: float
    batch: int
    steps: int
    seed: int
    lag: int = 1
    p: int = 3
    phi: str = "sin"
    loss: str = "squared"
    d_x: int = 8
    record_every: int = 10
    n_test: int = 16
    n_probe: int = 4
    eps_x: float = 0.1
    dtype: str = "float64"
    device: str = "cpu"

    def train(self) -> AlongRun:
        r"""Train and measure (:func:`sgd`)."""
        from .concepts import Concept

        dt = getattr(torch, self.dtype)

        def S(stream: str) -> int:
            return stream_seed(self.seed, stream)

        concept = Concept.single_lag(self.L, self.d_x, self.lag, p=self.p, phi=self.phi, seed=S("concept"))
        net = RNN.init(self.m, self.d_x, 1, seed=S("network"), dtype=dt, device=self.device)
        test = concept.sample(self.n_test, seed=S("test"), eps_x=self.eps_x, dtype=dt, device=self.device)
        probe = concept.sample(self.n_probe, seed=S("probe"), eps_x=self.eps_x, dtype=dt, device=self.device).x
        return sgd(
            net,
            probe,
            concept=concept,
            test=test,
            eps_x=self.eps_x,
            lr=rate(self.lr0, self.m, self.L),
            steps=self.steps,
            batch_size=self.batch,
            record_every=self.record_every,
            loss=self.loss,
            seed=S("train"),
            coupling=False,
        )
