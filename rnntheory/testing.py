r"""Hypothesis strategies for rnntheory's property tests, and the suite's Hypothesis profiles.

Torch randomness inside a property test comes only from seeds drawn here, so every failing
example is reproducible from Hypothesis's printed blob.

Hypothesis belongs to the test extra (``pip install "rnntheory[test]"``), not to the package's
dependencies: ``import rnntheory`` and every command but ``rnntheory check`` run without it, and
importing this module without it raises an ImportError that says what to install.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import torch

try:
    from hypothesis import HealthCheck, settings
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - the test extra installs it
    raise ImportError(
        'rnntheory.testing needs Hypothesis, part of the test extra: pip install "rnntheory[test]"'
    ) from exc

from .network.inputs import sample_inputs
from .network.model import RNN

__all__ = [
    "TOL",
    "rel_err",
    "Config",
    "seeds",
    "configs",
    "networks",
    "input_sequences",
    "unit_vectors",
    "displacements",
    "smooth_functions",
    "polynomial_coefficients",
    "training_runs",
    "examples",
    "register_profiles",
]


TOL = {
    torch.float64: dict(rtol=1e-10, atol=1e-12),
    torch.float32: dict(rtol=1e-4, atol=1e-5),
}
"""The one dtype-keyed tolerance table of the test suite and the verification suite (``torch.testing.assert_close``
keywords); any override in a test says why."""


def rel_err(actual: torch.Tensor, expected: torch.Tensor) -> float:
    r"""Relative error in Frobenius norm (absolute when the reference is zero)."""
    den = float(torch.linalg.vector_norm(expected))
    num = float(torch.linalg.vector_norm(actual - expected))
    return num / den if den > 0 else num


def seeds() -> st.SearchStrategy[int]:
    """Seeds for torch generators."""
    return st.integers(min_value=0, max_value=2**31 - 1)


@dataclass(frozen=True)
class Config:
    r"""A small RNN configuration: sizes, input scale, and the seeds of network and inputs."""

    m: int
    d_x: int
    d: int
    L: int
    n: int
    eps_x: float
    seed: int
    input_seed: int

    def net(self, dtype: torch.dtype = torch.float64, device: str = "cpu") -> RNN:
        return RNN.init(self.m, self.d_x, self.d, seed=self.seed, dtype=dtype, device=device)

    def inputs(self, dtype: torch.dtype = torch.float64, device: str = "cpu") -> torch.Tensor:
        return sample_inputs(self.n, self.L, self.d_x, self.eps_x, seed=self.input_seed, dtype=dtype, device=device)


def configs(
    *,
    m: tuple[int, int] = (2, 48),
    L: tuple[int, int] = (3, 8),
    d_x: tuple[int, int] = (2, 6),
    d: tuple[int, int] = (1, 3),
    n: tuple[int, int] = (1, 4),
    eps_x: tuple[float, float] = (0.01, 1.0),
) -> st.SearchStrategy[Config]:
    r"""Small configurations (widths 2..48 by default) with seeds drawn by Hypothesis."""
    return st.builds(
        Config,
        m=st.integers(*m),
        d_x=st.integers(*d_x),
        d=st.integers(*d),
        L=st.integers(*L),
        n=st.integers(*n),
        eps_x=st.floats(*eps_x, allow_nan=False, allow_infinity=False),
        seed=seeds(),
        input_seed=seeds(),
    )


def networks(**kwargs) -> st.SearchStrategy[RNN]:
    r"""Randomly initialised networks from :func:`configs`."""
    return configs(**kwargs).map(lambda c: c.net())


@st.composite
def input_sequences(
    draw, n: int, L: int, d_x: int, eps_x: float | None = None, dtype: torch.dtype = torch.float64
) -> torch.Tensor:
    r"""Normalised inputs ``(n, L, d_x)``: data vectors on the sphere, in the ball, or some of them zero."""
    eps = draw(st.floats(0.01, 1.0)) if eps_x is None else eps_x
    mode = draw(st.sampled_from(["sphere", "ball", "zeros"]))
    x = sample_inputs(n, L, d_x, eps, seed=draw(seeds()), norm="ball" if mode == "ball" else "sphere", dtype=dtype)
    if mode == "zeros":
        mask = torch.rand(n, L, 1, generator=torch.Generator().manual_seed(draw(seeds())), dtype=dtype) < 0.5
        mask[:, 0] = False
        x = torch.where(mask, torch.zeros_like(x), x)
    return x


@st.composite
def unit_vectors(draw, d: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    r"""A unit vector in R^d, drawn from a seed (uniform on the sphere)."""
    g = torch.Generator().manual_seed(draw(seeds()))
    v = torch.randn(d, generator=g, dtype=dtype)
    return v / v.norm()


@st.composite
def displacements(draw, net: RNN, *, omega: tuple[float, float] = (1e-4, 1e-1)) -> torch.Tensor:
    r"""A displacement W' for ``net`` of spectral size ``omega`` drawn log-uniformly from the range:
    a Gaussian direction, or a rank-one one (the shape of the adversarial construction)."""
    from .network.sizes import scale_to

    lo, hi = omega
    size = float(10 ** draw(st.floats(math.log10(lo), math.log10(hi))))
    g = torch.Generator().manual_seed(draw(seeds()))
    if draw(st.booleans()):
        M = torch.randn(net.m, net.m, generator=g, dtype=torch.float64)
    else:
        M = torch.outer(
            torch.randn(net.m, generator=g, dtype=torch.float64), torch.randn(net.m, generator=g, dtype=torch.float64)
        )
    return scale_to(M.to(net.device, net.dtype), omega=size)


def polynomial_coefficients(max_degree: int = 8, bound: float = 5.0) -> st.SearchStrategy[list[float]]:
    r"""Coefficients ``[c_0, ..., c_k]`` of a polynomial with a non-zero leading term."""
    coef = st.floats(-bound, bound, allow_nan=False, allow_infinity=False)
    nonzero = coef.filter(lambda c: abs(c) > 1e-3)
    return st.tuples(st.lists(coef, max_size=max_degree), nonzero).map(lambda t: [*t[0], t[1]])


def smooth_functions() -> st.SearchStrategy:
    r"""Smooth functions in every form :func:`rnntheory.complexity.smooth` accepts: named entire
    functions, named functions with a finite radius of convergence, and coefficient lists."""
    named = st.sampled_from(["exp", "sin", "cos", "sinh", "cosh", "erf", "tanh", "sigmoid", "log1p"])
    return st.one_of(named, polynomial_coefficients())


@st.composite
def training_runs(
    draw,
    *,
    m: tuple[int, int] = (48, 256),
    L: tuple[int, int] = (3, 8),
    lr0: tuple[float, float] = (0.05, 2.0),
    steps: tuple[int, int] = (10, 80),
    batch: tuple[int, ...] = (1, 2, 4, 8),
    phi: tuple[str, ...] = ("sin", "tanh", "exp", "z**3 - 2*z"),
    loss: tuple[str, ...] = ("squared", "logistic"),
):
    r"""Whole SGD runs (:class:`rnntheory.learning.along.TrainingRun`): width, length, learning-rate constant
    (log-uniform, rate lr0 / (m L)), batch size, concept (lag, p, Phi), loss, steps and seed, with about
    five records per run. The defaults are where the theorem's regime plausibly holds at these sizes:
    m well above L, rates that keep tau = sqrt(m) ||W_t - W_0||_F of order 1 over the run."""
    from .learning.along import TrainingRun

    L_ = draw(st.integers(*L))
    n_steps = draw(st.integers(*steps))
    return TrainingRun(
        m=draw(st.integers(*m)),
        L=L_,
        lr0=math.exp(draw(st.floats(math.log(lr0[0]), math.log(lr0[1])))),
        batch=draw(st.sampled_from(batch)),
        steps=n_steps,
        seed=draw(st.integers(0, 2**20)),
        lag=draw(st.integers(1, max(1, L_ - 2))),
        p=draw(st.integers(1, 3)),
        phi=draw(st.sampled_from(phi)),
        loss=draw(st.sampled_from(loss)),
        record_every=max(1, n_steps // 5),
    )


def examples(n: int) -> int:
    r"""How many examples a costly property test draws: ``n`` under the ``dev`` and ``ci`` profiles
    (to keep the default suite inside its budget), the profile's own count under ``thorough`` (an
    overnight search: ``HYPOTHESIS_PROFILE=thorough pytest proofs_checks``)."""
    if os.environ.get("HYPOTHESIS_PROFILE") == "thorough":
        return settings.default.max_examples
    return min(int(n), settings.default.max_examples)


def register_profiles() -> None:
    r"""Register the profiles ``dev``, ``ci`` and ``thorough`` and load ``$HYPOTHESIS_PROFILE``
    (default ``dev``; ``ci`` when the environment variable ``CI`` is set)."""
    common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    settings.register_profile("dev", max_examples=25, **common)
    settings.register_profile("ci", max_examples=25, derandomize=True, database=None, print_blob=True, **common)
    settings.register_profile("thorough", max_examples=500, **common)
    default = "ci" if os.environ.get("CI") else "dev"
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", default))
