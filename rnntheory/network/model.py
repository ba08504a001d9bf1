r"""The Elman ReLU network of the paper: its random initialisation, forward trace, and the checks the
analysis modules share for a network, its traces and displacements :math:`W'`.

Paper (theory.md, section 1): with :math:`h_0 = 0` and, for :math:`l = 1..L`,

.. math::
    g_l = W h_{l-1} + A x_l,\qquad h_l = \mathrm{relu}(g_l),\qquad y_l = B h_l,\qquad
    D_l = \mathrm{diag}(1[g_l > 0]).

Initialisation: :math:`W_{ij}, A_{ij} \sim N(0, 2/m)`, :math:`B_{ij} \sim N(0, 1/d)`.

Indexing: the paper's position ``l`` (1-based) is index ``l - 1`` of every ``(n, L, ...)``
tensor; ``hidden[:, l]`` is :math:`h_l`, so ``hidden[:, 0]`` is :math:`h_0 = 0`.

Inputs follow the paper's convention, defined in :mod:`rnntheory.network.inputs` (``sample_inputs``,
``inputs_from_data``, ``data_vectors``, ``check_inputs``, ``DEFAULT_EPS_X``).

The module is a little over 400 lines on purpose: the RNN and its Trace are one pair of types, and
the checks of a network, a trace and a displacement that every analysis module shares belong beside
them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import torch

from .. import _validation as V
from .inputs import check_inputs

__all__ = [
    "RNN",
    "Trace",
    "check_trace",
    "check_displacements",
    "base_trace",
    "perturbed_traces",
    "forward_outputs",
    "LOSS_POSITIONS",
]

LOSS_POSITIONS = slice(2, None)
r"""The positions j = 3..L that carry a target and that the objective sums over, as an index of the
position axis: ``outputs[:, LOSS_POSITIONS]`` is :math:`y_3..y_L`. The target of position j reads the
data vectors :math:`x^*_i` with 2 <= i < j (theory.md sections 1, 5), so positions 1 and 2 have none."""


@dataclass(frozen=True, repr=False)
class Trace:
    r"""Everything one forward pass computes, batched over ``n`` sequences.

    Attributes:
        pre: ``(n, L, m)``; ``pre[:, l-1]`` is the pre-activation :math:`g_l`.
        hidden: ``(n, L+1, m)``; ``hidden[:, l]`` is :math:`h_l`, with ``hidden[:, 0] = 0``.
        pattern: ``(n, L, m)`` bool; ``pattern[:, l-1]`` is the diagonal of :math:`D_l`.
        outputs: ``(n, L, d)``; ``outputs[:, l-1]`` is :math:`y_l = B h_l`.
        x: ``(n, L, d_x)`` the inputs.
        W: ``(m, m)`` the recurrent matrix the trace was computed with.

    The tensors are views of time-major buffers (so they may be non-contiguous);
    ``Trace.time_major(name)`` returns the contiguous ``(L, n, ...)`` buffer.
    """

    pre: torch.Tensor
    hidden: torch.Tensor
    pattern: torch.Tensor
    outputs: torch.Tensor
    x: torch.Tensor
    W: torch.Tensor

    @property
    def n(self) -> int:
        return int(self.pre.shape[0])

    @property
    def L(self) -> int:
        return int(self.pre.shape[1])

    @property
    def m(self) -> int:
        return int(self.pre.shape[2])

    def time_major(self, name: Literal["pre", "hidden", "pattern", "outputs"]) -> torch.Tensor:
        r"""The ``(L, n, ...)`` layout of a field (``(L+1, n, m)`` for ``hidden``); a view, no copy."""
        return getattr(self, name).transpose(0, 1)

    def hidden_norms(self) -> torch.Tensor:
        r"""``(n, L)``: ``[:, l-1]`` is :math:`\|h_l\|_2` for l = 1..L."""
        return torch.linalg.vector_norm(self.hidden[:, 1:], dim=-1)

    def __repr__(self) -> str:
        return (
            f"Trace(n={self.n}, L={self.L}, m={self.m}, d={self.outputs.shape[-1]}, "
            f"dtype={self.pre.dtype}, device={self.pre.device})"
        )


class RNN:
    r"""The paper's Elman ReLU network with recurrent matrix ``W`` (the initialisation :math:`W_0`),
    input matrix ``A`` and output matrix ``B``; no biases. Only ``W`` is ever trained.

    Paper: section 1, :math:`g_l = W h_{l-1} + A x_l`, :math:`h_l = \mathrm{relu}(g_l)`, :math:`y_l = B h_l`.

    Args:
        W: ``(m, m)`` recurrent matrix.
        A: ``(m, d_x)`` input matrix, ``d_x >= 2``.
        B: ``(d, m)`` output matrix.

    Raises:
        TypeError: a non-tensor, or a dtype other than float32/float64, or dtypes that differ.
        ValueError: inconsistent shapes, differing devices, NaN or infinite entries.

    >>> net = RNN.init(m=64, d_x=8, d=1, seed=0)            # the paper's random initialisation
    >>> RNN(W=net.W * 0.5, A=net.A, B=net.B).m               # a network from given tensors (validated)
    64
    """

    def __init__(self, *, W: torch.Tensor, A: torch.Tensor, B: torch.Tensor) -> None:
        fn = "RNN"
        V.tensor(fn, "W", W, ndim=2)
        m = int(W.shape[0])
        V.tensor(fn, "W", W, shape=(m, m))
        V.tensor(fn, "A", A, shape=(m, None), dtype=W.dtype, device=W.device, match=f"W ({W.dtype} on {W.device})")
        if A.shape[1] < 2:
            raise ValueError(f"{fn}: A has shape {tuple(A.shape)}; expected d_x >= 2 columns")
        V.tensor(fn, "B", B, shape=(None, m), dtype=W.dtype, device=W.device, match=f"W ({W.dtype} on {W.device})")
        if B.shape[0] < 1:
            raise ValueError(f"{fn}: B has shape {tuple(B.shape)}; expected d >= 1 rows")
        self.W = W
        self.A = A
        self.B = B

    # ------------------------------------------------------------------ construction
    @classmethod
    def init(
        cls,
        m: int,
        d_x: int,
        d: int,
        *,
        seed: int | None = None,
        generator: torch.Generator | None = None,
        dtype: torch.dtype = torch.float64,
        device: str | torch.device = "cpu",
    ) -> "RNN":
        r"""Random initialisation of theory.md section 1.

        Draws, in this order, :math:`W_{ij} \sim N(0, 2/m)`, :math:`A_{ij} \sim N(0, 2/m)`,
        :math:`B_{ij} \sim N(0, 1/d)`, independently, in float64 on the CPU, then converts to
        ``dtype`` and moves to ``device``. A seed therefore gives the same network on every
        device, and the float32 network is the float64 one rounded.

        Args:
            m: width (number of recurrent neurons), >= 1.
            d_x: input dimension, >= 2.
            d: output dimension, >= 1.
            seed: non-negative integer seed (exactly one of ``seed`` and ``generator``).
            generator: a CPU ``torch.Generator`` to draw from.
            dtype: ``torch.float64`` (default) or ``torch.float32``.
            device: where the tensors live, e.g. ``"cpu"`` or ``"cuda"``.

        Returns:
            The network.

        Raises:
            ValueError, TypeError: bad sizes, seed, dtype or device.

        >>> net = RNN.init(m=64, d_x=8, d=1, seed=0)
        >>> net.m, tuple(net.W.shape), net.W.dtype
        (64, (64, 64), torch.float64)
        """
        fn = "RNN.init"
        m = V.positive_int(fn, "m", m)
        d_x = V.positive_int(fn, "d_x", d_x, minimum=2)
        d = V.positive_int(fn, "d", d)
        dt = V.dtype(fn, "dtype", dtype)
        dev = V.device(fn, "device", device)
        gen = V.generator(fn, seed, generator, torch.device("cpu"))
        f64 = torch.float64
        W = torch.randn(m, m, generator=gen, dtype=f64) * (2.0 / m) ** 0.5
        A = torch.randn(m, d_x, generator=gen, dtype=f64) * (2.0 / m) ** 0.5
        B = torch.randn(d, m, generator=gen, dtype=f64) * (1.0 / d) ** 0.5
        return cls(W=W.to(dt).to(dev), A=A.to(dt).to(dev), B=B.to(dt).to(dev))

    # ------------------------------------------------------------------ properties
    @property
    def m(self) -> int:
        return int(self.W.shape[0])

    @property
    def d_x(self) -> int:
        return int(self.A.shape[1])

    @property
    def d(self) -> int:
        return int(self.B.shape[0])

    @property
    def dtype(self) -> torch.dtype:
        return self.W.dtype

    @property
    def device(self) -> torch.device:
        return self.W.device

    def to(self, *, dtype: torch.dtype | None = None, device: str | torch.device | None = None) -> "RNN":
        r"""A copy with another dtype and/or device."""
        dt = self.dtype if dtype is None else V.dtype("RNN.to", "dtype", dtype)
        dev = self.device if device is None else V.device("RNN.to", "device", device)
        return RNN(W=self.W.to(dev, dt), A=self.A.to(dev, dt), B=self.B.to(dev, dt))

    def with_W(self, W: torch.Tensor) -> "RNN":
        r"""The same ``A`` and ``B`` with another recurrent matrix (for example :math:`W_0 + W'`)."""
        return RNN(W=self.check_matrix("RNN.with_W", "W", W), A=self.A, B=self.B)

    def __repr__(self) -> str:
        return f"RNN(m={self.m}, d_x={self.d_x}, d={self.d}, dtype={self.dtype}, device={self.device})"

    # ------------------------------------------------------------------ checks
    def check_inputs(self, fn: str, x: Any, *, check: bool = True) -> torch.Tensor:
        r"""Validate a batch of inputs ``(n, L, d_x)`` against this network (and the normalisation if ``check``)."""
        V.tensor(fn, "x", x, ndim=3, dtype=self.dtype, device=self.device)
        if x.shape[2] != self.d_x:
            raise ValueError(f"{fn}: x has shape {tuple(x.shape)}; expected (n, L, {self.d_x}) to match d_x={self.d_x}")
        if x.shape[0] < 1:
            raise ValueError(f"{fn}: x has shape {tuple(x.shape)}; expected at least one sequence")
        if x.shape[1] < 3:
            raise ValueError(f"{fn}: x has L={x.shape[1]} positions; expected L >= 3")
        if check:
            check_inputs(x, fn=fn)
        return x

    def check_matrix(self, fn: str, name: str, W: Any) -> torch.Tensor:
        r"""Validate an ``(m, m)`` matrix (recurrent matrix or displacement) against this network."""
        return V.tensor(fn, name, W, shape=(self.m, self.m), dtype=self.dtype, device=self.device)

    # ------------------------------------------------------------------ forward passes
    def trace(self, x: torch.Tensor, W: torch.Tensor | None = None, *, check: bool = True) -> Trace:
        r"""One forward pass recording every pre-activation, hidden state, pattern and output.

        Paper: section 1, the recursion for :math:`g_l, h_l, D_l, y_l`.

        Args:
            x: ``(n, L, d_x)`` inputs in the paper's normalisation (see :func:`check_inputs`).
            W: recurrent matrix to use (default: this network's ``W``, i.e. :math:`W_0`).
            check: verify the input normalisation (turn off only for deliberate off-spec experiments).

        Returns:
            A :class:`Trace`; position ``l`` of the paper is index ``l - 1``.

        Raises:
            ValueError, TypeError: bad shapes, dtypes, devices, non-finite values, or (with
            ``check``) inputs violating the normalisation.
        """
        fn = "RNN.trace"
        x = self.check_inputs(fn, x, check=check)
        W = self.W if W is None else self.check_matrix(fn, "W", W)
        return self.trace_unchecked(x, W)

    def trace_unchecked(self, x: torch.Tensor, W: torch.Tensor) -> Trace:
        r"""The forward pass of :meth:`trace` without any argument check.

        For inner loops that validated ``x`` (``(n, L, d_x)``, this network's dtype and device) and ``W``
        (``(m, m)``) once; a wrong argument here gives a torch error or a meaningless trace, and a
        non-finite ``W`` is not detected.
        """
        n, L, _ = x.shape
        # time-major buffers: pre[l] starts as A x_{l+1} and receives W h_l in place.
        pre = torch.matmul(x.transpose(0, 1), self.A.T).contiguous()
        hidden = torch.empty(L + 1, n, self.m, dtype=self.dtype, device=self.device)
        hidden[0].zero_()
        for l in range(L):
            if l > 0:  # W h_l as (W @ H^T)^T: with few sequences BLAS is faster this way than H @ W^T
                pre[l].add_(torch.matmul(W, hidden[l].T).T)
            torch.clamp_min(pre[l], 0, out=hidden[l + 1])
        outputs = torch.matmul(hidden[1:], self.B.T)
        return Trace(
            pre=pre.transpose(0, 1),
            hidden=hidden.transpose(0, 1),
            pattern=(pre > 0).transpose(0, 1),
            outputs=outputs.transpose(0, 1),
            x=x,
            W=W,
        )

    def outputs(self, x: torch.Tensor, W: torch.Tensor | None = None, *, check: bool = True) -> torch.Tensor:
        r"""``(n, L, d)`` outputs :math:`y_l` with recurrent matrix ``W`` (default :math:`W_0`).

        Written without in-place operations, so it is differentiable in ``W`` by autograd
        and by ``torch.func`` transforms (the tests use it as the reference for JVPs and gradients).

        Args:
            x: ``(n, L, d_x)`` inputs.
            W: recurrent matrix (default: this network's ``W``).
            check: verify the input normalisation.

        Returns:
            ``(n, L, d)``; ``[:, l-1]`` is :math:`y_l`.
        """
        fn = "RNN.outputs"
        x = self.check_inputs(fn, x, check=check)
        if W is None:
            W = self.W
        else:
            # under autograd or torch.func the finiteness scan would be data-dependent control flow
            traced = isinstance(W, torch.Tensor) and (W.requires_grad or _is_functorch_wrapped(W))
            V.tensor(fn, "W", W, shape=(self.m, self.m), dtype=self.dtype, device=self.device, finite=not traced)
        return forward_outputs(W, self.A, self.B, x)


# ---------------------------------------------------------------------- helpers for the analysis modules
def check_trace(fn: str, net: RNN, tr: Trace) -> Trace:
    r"""Check that ``tr`` is a trace of ``net``: an :class:`RNN` and a :class:`Trace` of the same width
    ``m``, output dimension ``d``, dtype and device, computed with ``net``'s A and B (``A x_1`` and ``B h_1``
    recomputed from the trace, to rounding): another network's trace of the same shape would give wrong numbers
    silently. Its W may differ: the trace carries its own (``tr.W``), the base point :math:`W_0` of the functions
    that take one, so a trace of ``net.with_W(W1)`` goes with ``net`` at :math:`W_0 = W_1`.

    Every function that takes ``(net, tr)`` calls it first (:mod:`rnntheory.network.backward`,
    :mod:`rnntheory.network.pseudo`, :mod:`rnntheory.network.perturbation`, ...).

    Args:
        fn: the calling function, for the message.
        net: the network.
        tr: the trace, normally from ``net.trace(x)``.

    Returns:
        ``tr``.

    Raises:
        TypeError: ``net`` is not an :class:`RNN` or ``tr`` not a :class:`Trace`.
        ValueError: ``tr`` comes from another network (m, d, dtype or device differ, or A or B).
    """
    if not isinstance(net, RNN):
        raise TypeError(f"{fn}: net={V.show(net)} must be an rnntheory.RNN")
    if not isinstance(tr, Trace):
        raise TypeError(f"{fn}: tr={V.show(tr)} must be an rnntheory.network.Trace (from net.trace(x))")
    if tr.m != net.m or tr.outputs.shape[-1] != net.d:
        raise ValueError(
            f"{fn}: tr has m={tr.m}, d={tr.outputs.shape[-1]}; expected a trace of this network (m={net.m}, d={net.d})"
        )
    if tr.pre.dtype != net.dtype or tr.pre.device != net.device:
        raise ValueError(f"{fn}: tr is {tr.pre.dtype} on {tr.pre.device}; expected {net.dtype} on {net.device}")
    if not (_close(tr.pre[:, 0], tr.x[:, 0] @ net.A.T) and _close(tr.outputs[:, 0], tr.hidden[:, 1] @ net.B.T)):
        raise ValueError(f"{fn}: tr was computed with another A or B than net's; expected net.trace(x)")
    return tr


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    r"""Whether two computations of the same values agree to rounding, relative to their size (another order of
    a product moves the last bits; another network's parameters move them at order one)."""
    fi = torch.finfo(b.dtype)
    return b.numel() == 0 or bool((a - b).abs().max() <= 1e3 * fi.eps * b.abs().max().clamp_min(fi.tiny))


def check_displacements(fn: str, net: RNN, W_prime: Any, name: str = "W_prime") -> tuple[torch.Tensor, bool]:
    r"""Validate one displacement ``(m, m)`` or a batch ``(k, m, m)`` of displacements :math:`W'` of ``net``.

    Args:
        fn: the calling function, for the message.
        net: the network (its m, dtype and device).
        W_prime: the displacement(s).
        name: the argument's name, for the message.

    Returns:
        ``(Wp, single)``: ``Wp`` of shape ``(k, m, m)`` (a view with ``k = 1`` for one matrix) and
        whether ``W_prime`` was a single matrix, i.e. whether the caller drops the leading k axis of
        its result.

    Raises:
        TypeError, ValueError: not a float tensor of the network's dtype, another device, a wrong
        shape, NaN or infinite entries.
    """
    V.tensor(fn, name, W_prime, ndim=(2, 3), dtype=net.dtype, device=net.device)
    m = net.m
    if tuple(W_prime.shape[-2:]) != (m, m) or (W_prime.ndim == 3 and W_prime.shape[0] < 1):
        raise ValueError(
            f"{fn}: {name} has shape {tuple(W_prime.shape)}; expected ({m}, {m}) or (k, {m}, {m}) with m={m}"
        )
    if W_prime.ndim == 2:
        return W_prime[None], True
    return W_prime, False


def base_trace(fn: str, net: RNN, x: Any, tr: Trace | None = None, *, check: bool = True) -> Trace:
    r"""The trace at :math:`W_0` for a function that takes inputs ``x`` and an optional trace ``tr``.

    Args:
        fn: the calling function, for the message.
        net: the network.
        x: ``(n, L, d_x)`` inputs, or ``None`` when ``tr`` is given.
        tr: the trace of ``x`` at :math:`W_0`, when at hand.
        check: verify the input normalisation when the trace is computed here.

    Returns:
        ``tr`` when given (checked with :func:`check_trace`, and against ``x`` when both are given),
        else ``net.trace(x)``.

    Raises:
        TypeError, ValueError: bad inputs, a trace of another network, or ``x`` differing from ``tr.x``.
    """
    if tr is None:
        return net.trace(net.check_inputs(fn, x, check=check), check=False)
    check_trace(fn, net, tr)
    if x is not None and x is not tr.x:
        net.check_inputs(fn, x, check=False)
        if x.shape != tr.x.shape or not torch.equal(x, tr.x):
            raise ValueError(
                f"{fn}: x={V.show(x)} differs from the inputs of tr={tr!r}; pass the inputs the trace was computed from"
            )
    return tr


def perturbed_traces(net: RNN, tr: Trace, W_prime: torch.Tensor) -> list[Trace]:
    r"""One forward trace at :math:`W_0 + W'_q` for every displacement of a batch, on the inputs of ``tr``.

    :math:`W_0` is ``tr.W``; the input normalisation is not checked again. Pass a trace checked with
    :func:`check_trace` and displacements from :func:`check_displacements`.

    Args:
        net: the network.
        tr: the trace at :math:`W_0`.
        W_prime: ``(k, m, m)`` displacements.

    Returns:
        ``k`` traces, the q-th at ``tr.W + W_prime[q]``.
    """
    return [net.trace(tr.x, tr.W + W_prime[q], check=False) for q in range(W_prime.shape[0])]


def _is_functorch_wrapped(t: torch.Tensor) -> bool:
    try:
        return bool(torch._C._functorch.is_functorch_wrapped_tensor(t))
    except AttributeError:  # pragma: no cover - older torch
        return False


def forward_outputs(W: torch.Tensor, A: torch.Tensor, B: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    r"""The out-of-place forward pass of one network, ``(n, L, d)`` outputs, unchecked: a pure function of
    ``(W, A, B, x)`` that ``torch.func`` can map over stacked networks (``vmap``) or differentiate
    (:meth:`RNN.outputs` checks its arguments and calls it)."""
    Ax = torch.matmul(x, A.T)
    h = torch.relu(Ax[:, 0])
    ys = [h @ B.T]
    for l in range(1, x.shape[1]):
        h = torch.relu(h @ W.T + Ax[:, l])
        ys.append(h @ B.T)
    return torch.stack(ys, dim=1)
