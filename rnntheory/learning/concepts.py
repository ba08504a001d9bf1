r"""The concept class of theory.md section 5: the target functions :math:`F^*`, built (given or at
random), evaluated, sampled with labels, and measured by their complexity.

.. math::
    F^*_{j,s}(x^*) = \sum_{i=2}^{j-1} \sum_{r=1}^{p} a^*_{i\to j,r,s}\,
        \Phi_{i\to j,r,s}(\langle w^*_{i\to j,r,s}, x^*_i\rangle),
    \qquad j = 3..L,\ s = 1..d,

with :math:`|a^*| \le 1`, :math:`\|w^*\| = 1`. A :class:`Concept` is a list of :class:`Component`
objects, one per pair :math:`i \to j` (positions 1-based, as in the paper). Labels are
:math:`y^*_j = F^*_j(x^*) + \text{noise}`.

The data distribution, the label noise, OPT and the samples' layout (``LabelledData``) live in
:mod:`rnntheory.learning.data`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Sequence

import torch

from .. import _validation as V
from ..complexity import DEFAULT_C_STAR, Complexity, PhiLike, SmoothFunction, max_complexity, smooth
from ..network.inputs import DEFAULT_EPS_X, inputs_from_data
from .data import NOISE_KINDS, LabelledData, Sampler, label_noise, opt, sampler, sphere_sampler

__all__ = ["Component", "Concept"]


@dataclass(frozen=True)
class Component:
    r"""One pair :math:`i \to j` of the concept with its ``p`` neurons per output coordinate.

    Paper: section 5, the summand
    :math:`\sum_r a^*_{i\to j,r,s}\Phi_{i\to j,r,s}(\langle w^*_{i\to j,r,s}, x^*_i\rangle)`.

    Attributes:
        i: source position, 2 <= i < j (1-based, the paper's).
        j: target position, 3 <= j <= L.
        a: ``(p, d)`` coefficients, each in [-1, 1].
        w: ``(p, d, d_x - 1)`` unit directions.
        phi: ``p x d`` nested tuple of :class:`SmoothFunction` (a single function or one per neuron is
            broadcast by :meth:`Concept.__init__`).
    """

    i: int
    j: int
    a: torch.Tensor
    w: torch.Tensor
    phi: tuple

    @property
    def p(self) -> int:
        return int(self.a.shape[0])


class Concept:
    r"""A concept :math:`F^*` of theory.md section 5: a sum over pairs :math:`i \to j` of smooth two-layer
    networks with ``p`` neurons applied to :math:`x^*_i`.

    Args:
        L: sequence length, >= 3.
        d_x: input dimension of the network, >= 2 (data vectors live in :math:`R^{d_x-1}`).
        d: output dimension, >= 1.
        components: :class:`Component` objects with distinct pairs, or tuples
            ``(i, j, a, w, phi)`` with ``a`` of shape ``(p, d)``, ``w`` of shape ``(p, d, d_x-1)``
            (normalised to unit rows is the caller's job; rows must have norm 1) and ``phi`` a single
            smooth function, a list of ``p`` (one per neuron), or a ``p x d`` nested list.

    Raises:
        ValueError, TypeError: positions outside 2 <= i < j <= L, repeated pairs, bad shapes,
        ``|a| > 1``, directions that are not unit vectors, non-finite entries, bad functions.
    """

    def __init__(self, L: int, d_x: int, d: int, components: Sequence[Any]) -> None:
        fn = "Concept"
        self.L = V.positive_int(fn, "L", L, minimum=3)
        self.d_x = V.positive_int(fn, "d_x", d_x, minimum=2)
        self.d = V.positive_int(fn, "d", d)
        comps: list[Component] = []
        seen: set[tuple[int, int]] = set()
        for c in components:
            if isinstance(c, Component):
                c = (c.i, c.j, c.a, c.w, c.phi)
            if not isinstance(c, (tuple, list)) or len(c) != 5:
                raise TypeError(f"{fn}: component {c!r} must be a Component or a tuple (i, j, a, w, phi)")
            comps.append(self._component(fn, *c))
            key = (comps[-1].i, comps[-1].j)
            if key in seen:
                raise ValueError(f"{fn}: pair i={key[0]} -> j={key[1]} appears twice; expected distinct pairs")
            seen.add(key)
        if not comps:
            raise ValueError(f"{fn}: components is empty; expected at least one pair i -> j")
        self.components = tuple(comps)
        self._plan = self._build_plan()

    def _component(self, fn: str, i: Any, j: Any, a: Any, w: Any, phi: Any) -> Component:
        j = V.positive_int(fn, "j", j, minimum=3)
        if j > self.L:
            raise ValueError(f"{fn}: j={j} must be at most L={self.L}")
        i = V.positive_int(fn, "i", i, minimum=2)
        if i >= j:
            raise ValueError(f"{fn}: i={i} must be < j={j} (a pair i -> j reads an earlier token)")
        V.tensor(fn, "a", a, ndim=2)
        p = int(a.shape[0])
        if p < 1 or a.shape[1] != self.d:
            raise ValueError(f"{fn}: a has shape {tuple(a.shape)}; expected (p, {self.d}) with p >= 1")
        if bool((a.abs() > 1 + 1e-12).any()):
            raise ValueError(f"{fn}: a has entries of magnitude {float(a.abs().max()):.6g}; expected |a*| <= 1")
        V.tensor(fn, "w", w, shape=(p, self.d, self.d_x - 1))
        norms = torch.linalg.vector_norm(w.to(torch.float64), dim=-1)
        if bool(((norms - 1).abs() > 1e-6).any()):
            raise ValueError(
                f"{fn}: w has rows of norm {float(norms.min()):.6g}..{float(norms.max()):.6g}; "
                f"expected unit directions ||w*|| = 1"
            )
        grid = _phi_grid(fn, phi, p, self.d)
        return Component(i, j, a.detach().to(torch.float64).cpu(), w.detach().to(torch.float64).cpu(), grid)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def random(
        cls,
        L: int,
        d_x: int,
        d: int = 1,
        p: int = 3,
        *,
        phi: PhiLike = "sin",
        pairs: Literal["all", "single_lag", "single_pair"] = "all",
        lag: int | None = None,
        pair: tuple[int, int] | None = None,
        seed: int | None = None,
        generator: torch.Generator | None = None,
    ) -> "Concept":
        r"""A random concept: :math:`a^* \sim U[-1, 1]`, :math:`w^*` uniform on the unit sphere of
        :math:`R^{d_x-1}`, the same :math:`\Phi` for every neuron.

        Paper: section 5 (the concept class; single lag and single pair are its special cases).

        Args:
            L, d_x, d: sizes (L >= 3, d_x >= 2, d >= 1).
            p: neurons per pair and output coordinate.
            phi: the smooth function (default ``"sin"``).
            pairs: ``"all"`` (every 2 <= i < j <= L), ``"single_lag"`` (only i = j - lag) or
                ``"single_pair"`` (only ``pair``).
            lag: the lag k >= 1 for ``"single_lag"`` (targets j >= max(3, k + 2)).
            pair: ``(i, j)`` for ``"single_pair"``.
            seed, generator: exactly one; draws on the CPU in float64.

        Returns:
            The :class:`Concept`.

        >>> c = Concept.random(L=5, d_x=8, seed=0)
        >>> c.pairs
        [(2, 3), (2, 4), (3, 4), (2, 5), (3, 5), (4, 5)]
        """
        fn = "Concept.random"
        L = V.positive_int(fn, "L", L, minimum=3)
        d_x = V.positive_int(fn, "d_x", d_x, minimum=2)
        d = V.positive_int(fn, "d", d)
        p = V.positive_int(fn, "p", p)
        gen = V.generator(fn, seed, generator, torch.device("cpu"))
        f = smooth(phi, fn=fn)
        if pairs == "all":
            ij = [(i, j) for j in range(3, L + 1) for i in range(2, j)]
        elif pairs == "single_lag":
            if lag is None:
                raise ValueError(f"{fn}: pairs='single_lag' needs lag=k >= 1")
            k = V.positive_int(fn, "lag", lag)
            ij = [(j - k, j) for j in range(max(3, k + 2), L + 1)]
            if not ij:
                raise ValueError(f"{fn}: lag={k} leaves no pair with 2 <= j - lag < j <= L={L}")
        elif pairs == "single_pair":
            if pair is None or len(pair) != 2:
                raise ValueError(f"{fn}: pairs='single_pair' needs pair=(i, j)")
            ij = [tuple(pair)]
        else:
            raise ValueError(f"{fn}: pairs={pairs!r} must be 'all', 'single_lag' or 'single_pair'")
        comps = []
        for i, j in ij:
            a = 2 * torch.rand(p, d, generator=gen, dtype=torch.float64) - 1
            w = sphere_sampler(p, d, d_x - 1, gen)
            comps.append((i, j, a, w, f))
        return cls(L, d_x, d, comps)

    @classmethod
    def single_lag(
        cls,
        L: int,
        d_x: int,
        lag: int,
        d: int = 1,
        p: int = 3,
        *,
        phi: PhiLike = "sin",
        seed: int | None = None,
        generator: torch.Generator | None = None,
    ) -> "Concept":
        r"""Random concept where only :math:`i = j - \mathrm{lag}` contributes (theory.md section 5).

        >>> Concept.single_lag(L=6, d_x=8, lag=2, seed=0).pairs
        [(2, 4), (3, 5), (4, 6)]
        """
        return cls.random(L, d_x, d, p, phi=phi, pairs="single_lag", lag=lag, seed=seed, generator=generator)

    @classmethod
    def single_pair(
        cls,
        L: int,
        d_x: int,
        i: int,
        j: int,
        d: int = 1,
        p: int = 3,
        *,
        phi: PhiLike = "sin",
        seed: int | None = None,
        generator: torch.Generator | None = None,
    ) -> "Concept":
        r"""Random concept with the single pair :math:`i \to j` (theory.md section 5).

        >>> Concept.single_pair(L=6, d_x=8, i=2, j=5, seed=0).pairs
        [(2, 5)]
        """
        return cls.random(L, d_x, d, p, phi=phi, pairs="single_pair", pair=(i, j), seed=seed, generator=generator)

    # ------------------------------------------------------------------ properties
    @property
    def p(self) -> int:
        """Largest number of neurons of a component."""
        return max(c.p for c in self.components)

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """The pairs ``(i, j)`` (1-based)."""
        return [(c.i, c.j) for c in self.components]

    def functions(self) -> list[SmoothFunction]:
        """The distinct smooth functions of the concept."""
        out: dict[int, SmoothFunction] = {}
        for c in self.components:
            for row in c.phi:
                for f in row:
                    out.setdefault(id(f), f)
        return list(out.values())

    def __repr__(self) -> str:
        names = sorted({f.name for f in self.functions()})
        return f"Concept(L={self.L}, d_x={self.d_x}, d={self.d}, pairs={len(self.components)}, p={self.p}, phi={names})"

    # ------------------------------------------------------------------ evaluation
    def _build_plan(self) -> list[tuple[int, torch.Tensor, torch.Tensor, torch.Tensor, list]]:
        """Per source position i: directions (K, d_x-1), coefficients (K,), flat targets (K,), and
        for each distinct function the column indices it applies to."""
        plan = []
        for i in range(2, self.L + 1):
            ws, as_, tg, fs = [], [], [], []
            for c in self.components:
                if c.i != i:
                    continue
                for r in range(c.p):
                    for s in range(self.d):
                        ws.append(c.w[r, s])
                        as_.append(float(c.a[r, s]))
                        tg.append((c.j - 1) * self.d + s)
                        fs.append(c.phi[r][s])
            if not ws:
                continue
            groups: dict[int, tuple[SmoothFunction, list[int]]] = {}
            for k, f in enumerate(fs):
                groups.setdefault(id(f), (f, []))[1].append(k)
            cols = [(f, torch.tensor(ix)) for f, ix in groups.values()]
            targets, inverse = torch.unique(torch.tensor(tg), return_inverse=True)
            # (T, K) scatter matrix with the coefficients a* folded in: out[targets] += S @ Phi(z)
            S = torch.zeros(len(targets), len(tg), dtype=torch.float64)
            S[inverse, torch.arange(len(tg))] = torch.tensor(as_, dtype=torch.float64)
            plan.append((i, torch.stack(ws), S, targets, cols))
        return plan

    def __call__(self, xstar: torch.Tensor) -> torch.Tensor:
        r"""Evaluate :math:`F^*` on data vectors.

        Args:
            xstar: ``(n, L-1, d_x-1)`` data vectors :math:`x^*_2..x^*_L` (float32 or float64, any device).

        Returns:
            ``(n, L, d)``: ``[:, j-1, s-1]`` is :math:`F^*_{j,s}(x^*)` for j = 3..L; 0 at positions 1, 2.
        """
        fn = "Concept.__call__"
        V.tensor(fn, "xstar", xstar, shape=(None, self.L - 1, self.d_x - 1))
        return self._evaluate(xstar)

    def _evaluate(self, xstar: torch.Tensor) -> torch.Tensor:
        """:meth:`__call__` without the argument checks."""
        n = xstar.shape[0]
        dt, dev = xstar.dtype, xstar.device
        out = torch.zeros(self.L * self.d, n, dtype=dt, device=dev)  # (position, coordinate) major
        xt = xstar.permute(1, 2, 0).contiguous()  # (L-1, d_x-1, n)
        for i, w, S, tg, cols in self._plan:
            zi = w.to(dev, dt) @ xt[i - 2]  # (K, n): row k is <w_k, x*_i> for every sequence
            if len(cols) == 1:
                vals = cols[0][0].torch(zi)
            else:
                vals = torch.empty_like(zi)
                for f, ix in cols:
                    ix = ix.to(dev)
                    vals[ix] = f.torch(zi[ix])
            lo, hi = int(tg[0]), int(tg[-1]) + 1
            if hi - lo == len(tg):  # contiguous targets (all pairs, single lag): an in-place slice add
                out[lo:hi].addmm_(S.to(dev, dt), vals)
            else:
                out.index_add_(0, tg.to(dev), S.to(dev, dt) @ vals)
        return out.T.reshape(n, self.L, self.d)

    def sample(
        self,
        n: int,
        *,
        seed: int | None = None,
        generator: torch.Generator | None = None,
        eps_x: float = DEFAULT_EPS_X,
        noise: float = 0.0,
        noise_kind: Literal["gaussian", "rademacher"] = "gaussian",
        distribution: Literal["sphere", "ball"] | Sampler = "sphere",
        dtype: torch.dtype = torch.float64,
        device: str | torch.device = "cpu",
    ) -> LabelledData:
        r"""Sample labelled sequences from the concept's distribution (theory.md sections 1 and 5).

        Draws, in this order on the CPU in float64: the data vectors, then the noise; then moves to
        ``device``/``dtype`` and evaluates :math:`F^*` there.

        Args:
            n: number of sequences.
            seed, generator: exactly one.
            eps_x: input scale of the paper's normalisation, in (0, 1] (default 0.1).
            noise: noise level :math:`\sigma \ge 0` (standard deviation per label coordinate).
            noise_kind: ``"gaussian"`` (:math:`N(0, \sigma^2)`) or ``"rademacher"`` (:math:`\pm\sigma`).
            distribution: ``"sphere"`` (default: unit vectors), ``"ball"``, or a callable
                ``(n, L-1, d_x-1, generator) -> tensor`` returning vectors of norm at most 1.
            dtype, device: of the returned tensors.

        Returns:
            :class:`LabelledData` (inputs, data vectors, labels ``(n, L, d)``, clean values, mask, OPT).

        Raises:
            ValueError, TypeError: bad sizes, seed, noise, distribution output (shape, finiteness, norm > 1).
        """
        fn = "Concept.sample"
        n = V.positive_int(fn, "n", n)
        gen = V.generator(fn, seed, generator, torch.device("cpu"))
        eps_x = V.real_in(fn, "eps_x", eps_x, low=0.0, high=1.0, low_open=True)
        noise = V.real_in(fn, "noise", noise, low=0.0)
        dt = V.dtype(fn, "dtype", dtype)
        dev = V.device(fn, "device", device)
        if noise_kind not in NOISE_KINDS:
            raise ValueError(f"{fn}: noise_kind={noise_kind!r} must be 'gaussian' or 'rademacher'")
        k = self.d_x - 1
        xs = sampler(fn, distribution)(n, self.L - 1, k, gen)
        V.tensor(fn, "distribution output", xs, shape=(n, self.L - 1, k))
        eta = label_noise(n, self.L - 2, self.d, noise, noise_kind, gen)
        xs = xs.to(torch.float64).cpu().to(dev, dt)
        return LabelledData.of(
            inputs_from_data(xs, eps_x), xs, self._evaluate(xs), eta, opt(noise, noise_kind, self.L, self.d)
        )

    # ------------------------------------------------------------------ complexity
    def complexity(
        self,
        eps: float | None = None,
        R: float = 1.0,
        C_star: float = DEFAULT_C_STAR,
        *,
        measure: Literal["C_eps", "C_s"] = "C_eps",
        degree: int | None = None,
    ) -> Complexity:
        r"""The concept's complexity :math:`C = \max C_\varepsilon(\Phi_{i\to j,r,s}, R)` over its
        components (theory.md section 5); ``R = 1`` since :math:`|\langle w^*, x^*\rangle| \le 1`.

        See :func:`rnntheory.complexity.max_complexity` for the arguments.
        """
        return max_complexity(self.functions(), R, eps, C_star, measure=measure, degree=degree)


def _phi_grid(fn: str, phi: Any, p: int, d: int) -> tuple:
    """Broadcast phi to a p x d nested tuple of SmoothFunction."""
    if isinstance(phi, (SmoothFunction, str)) or not isinstance(phi, (list, tuple)):
        f = smooth(phi, fn=fn)
        return tuple(tuple(f for _ in range(d)) for _ in range(p))
    # a list of numbers is a coefficient list, i.e. one polynomial
    if all(not isinstance(v, (list, tuple, str, SmoothFunction)) and not hasattr(v, "free_symbols") for v in phi):
        f = smooth(phi, fn=fn)
        return tuple(tuple(f for _ in range(d)) for _ in range(p))
    if len(phi) != p:
        raise ValueError(f"{fn}: phi has {len(phi)} entries; expected one function, {p} (one per neuron) or p x d")
    rows = []
    for r, item in enumerate(phi):
        if isinstance(item, (list, tuple)) and not all(isinstance(v, (int, float)) for v in item):
            if len(item) != d:
                raise ValueError(f"{fn}: phi[{r}] has {len(item)} entries; expected d={d}")
            rows.append(tuple(smooth(v, fn=fn) for v in item))
        else:
            f = smooth(item, fn=fn)
            rows.append(tuple(f for _ in range(d)))
    return tuple(rows)
