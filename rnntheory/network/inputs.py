r"""The paper's input convention: building, sampling, inverting and checking input sequences.

Paper (theory.md, section 1): :math:`x_1 = e_{d_x}` and :math:`x_l = (\varepsilon_x x^*_l, 0)` with
:math:`\|x^*_l\| \le 1` for l = 2..L; default :math:`\varepsilon_x = 0.1`.

This module knows nothing of the network (:mod:`rnntheory.network.model` builds on it); every public name here
is also importable from :mod:`rnntheory.network.model` and from :mod:`rnntheory`.
"""

from __future__ import annotations

from typing import Literal

import torch

from .. import _validation as V

__all__ = [
    "DEFAULT_EPS_X",
    "sample_inputs",
    "inputs_from_data",
    "check_inputs",
    "data_vectors",
]

DEFAULT_EPS_X = 0.1
"""Default input scale :math:`\\varepsilon_x` (conventions page: docs/conventions.md)."""


def _input_tolerance(dt: torch.dtype) -> float:
    return 1e-10 if dt == torch.float64 else 1e-5


def check_inputs(x: torch.Tensor, *, eps_x: float | None = None, fn: str = "check_inputs") -> None:
    r"""Raise a ValueError naming the first token that violates the paper's normalisation.

    Paper: section 1. ``x[:, 0]`` must equal :math:`e_{d_x}`; every later token
    :math:`x_l = (\varepsilon_x x^*_l, 0)` must have last coordinate 0 and norm at most
    :math:`\varepsilon_x` (at most 1 when ``eps_x`` is not given). Positions in the message are 1-based
    (the paper's), sequences 0-based.

    Args:
        x: ``(n, L, d_x)`` inputs.
        eps_x: the scale the tokens were built with, if known.
        fn: name of the calling function, for the message.

    Raises:
        ValueError: the first violating (sequence, position), with what was found.
    """
    V.tensor(fn, "x", x, ndim=3)
    if eps_x is not None:
        eps_x = V.real_in(fn, "eps_x", eps_x, low=0.0, high=1.0, low_open=True)
    tol = _input_tolerance(x.dtype)
    first = x[:, 0]
    e = torch.zeros_like(first[0])
    e[-1] = 1.0
    bad = (first - e).abs().amax(dim=-1) > tol
    if bool(bad.any()):
        s = int(bad.nonzero()[0, 0])
        raise ValueError(
            f"{fn}: x[{s}, 0] (sequence {s}, position 1) = {x[s, 0].tolist()} violates the normalisation; "
            f"expected x_1 = e_d_x (last coordinate 1, the rest 0)"
        )
    rest = x[:, 1:]
    last = rest[..., -1].abs() > tol
    if bool(last.any()):
        s, l = (int(v) for v in last.nonzero()[0])
        raise ValueError(
            f"{fn}: x[{s}, {l + 1}] (sequence {s}, position {l + 2}) has last coordinate "
            f"{float(rest[s, l, -1]):.3g}; expected 0 for every token after the first"
        )
    limit = 1.0 if eps_x is None else eps_x
    norms = torch.linalg.vector_norm(rest, dim=-1)
    over = norms > limit * (1 + tol) + tol
    if bool(over.any()):
        s, l = (int(v) for v in over.nonzero()[0])
        name = "1" if eps_x is None else f"eps_x={eps_x}"
        raise ValueError(
            f"{fn}: x[{s}, {l + 1}] (sequence {s}, position {l + 2}) has norm {float(norms[s, l]):.6g}; "
            f"expected at most {name}"
        )


def inputs_from_data(xstar: torch.Tensor, eps_x: float = DEFAULT_EPS_X) -> torch.Tensor:
    r"""Build network inputs from data vectors, in the paper's normalisation.

    Paper: section 1, :math:`x_1 = e_{d_x}`, :math:`x_l = (\varepsilon_x x^*_l, 0)` for l = 2..L.

    Args:
        xstar: ``(n, L-1, d_x-1)`` data vectors :math:`x^*_2..x^*_L`, each of norm at most 1.
        eps_x: input scale in (0, 1].

    Returns:
        ``(n, L, d_x)`` inputs with the same dtype and device as ``xstar``.

    Raises:
        ValueError: a data vector of norm above 1 (named by sequence and paper position), L < 3, bad eps_x.
    """
    fn = "inputs_from_data"
    V.tensor(fn, "xstar", xstar, ndim=3)
    eps_x = V.real_in(fn, "eps_x", eps_x, low=0.0, high=1.0, low_open=True)
    n, Lm1, dx1 = xstar.shape
    if Lm1 < 2:
        raise ValueError(f"{fn}: xstar has shape {tuple(xstar.shape)}; expected (n, L-1, d_x-1) with L >= 3")
    if dx1 < 1:
        raise ValueError(f"{fn}: xstar has shape {tuple(xstar.shape)}; expected d_x - 1 >= 1 data coordinates")
    norms = torch.linalg.vector_norm(xstar, dim=-1)
    tol = _input_tolerance(xstar.dtype)
    over = norms > 1 + tol
    if bool(over.any()):
        s, l = (int(v) for v in over.nonzero()[0])
        raise ValueError(
            f"{fn}: xstar[{s}, {l}] (sequence {s}, position {l + 2}) has norm {float(norms[s, l]):.6g}; "
            f"expected data vectors of norm at most 1"
        )
    x = torch.zeros(n, Lm1 + 1, dx1 + 1, dtype=xstar.dtype, device=xstar.device)
    x[:, 0, -1] = 1.0
    x[:, 1:, :-1] = eps_x * xstar
    return x


def data_vectors(x: torch.Tensor, eps_x: float) -> torch.Tensor:
    r"""Inverse of :func:`inputs_from_data`: ``(n, L-1, d_x-1)`` data vectors :math:`x^*_2..x^*_L`."""
    fn = "data_vectors"
    check_inputs(x, eps_x=eps_x, fn=fn)
    return x[:, 1:, :-1] / eps_x


def sample_inputs(
    n: int,
    L: int,
    d_x: int,
    eps_x: float = DEFAULT_EPS_X,
    seed: int | None = None,
    *,
    generator: torch.Generator | None = None,
    norm: Literal["sphere", "ball"] = "sphere",
    dtype: torch.dtype = torch.float64,
    device: str | torch.device = "cpu",
) -> torch.Tensor:
    r"""Random input sequences in the paper's normalisation.

    Paper: section 1. Data vectors :math:`x^*_l` are drawn independently, uniform on the unit
    sphere of :math:`R^{d_x - 1}` (``norm="sphere"``, the default) or uniform in the unit ball
    (``norm="ball"``), in float64 on the CPU, then scaled by ``eps_x`` (see :func:`inputs_from_data`).

    Args:
        n: number of sequences.
        L: length, >= 3.
        d_x: input dimension, >= 2.
        eps_x: input scale in (0, 1] (default 0.1; docs/conventions.md).
        seed: non-negative integer seed (exactly one of ``seed`` and ``generator``).
        generator: a CPU ``torch.Generator``.
        norm: ``"sphere"`` or ``"ball"``.
        dtype, device: of the result.

    Returns:
        ``(n, L, d_x)``.
    """
    fn = "sample_inputs"
    n = V.positive_int(fn, "n", n)
    L = V.positive_int(fn, "L", L, minimum=3)
    d_x = V.positive_int(fn, "d_x", d_x, minimum=2)
    eps_x = V.real_in(fn, "eps_x", eps_x, low=0.0, high=1.0, low_open=True)
    dt = V.dtype(fn, "dtype", dtype)
    dev = V.device(fn, "device", device)
    if norm not in ("sphere", "ball"):
        raise ValueError(f"{fn}: norm={norm!r} must be 'sphere' or 'ball'")
    gen = V.generator(fn, seed, generator, torch.device("cpu"))
    z = torch.randn(n, L - 1, d_x - 1, generator=gen, dtype=torch.float64)
    z = z / torch.linalg.vector_norm(z, dim=-1, keepdim=True).clamp_min(1e-300)
    if norm == "ball":
        r = torch.rand(n, L - 1, 1, generator=gen, dtype=torch.float64) ** (1.0 / (d_x - 1))
        z = z * r
    return inputs_from_data(z, eps_x).to(dev, dt)
