r"""Claims anchored to numbers: every registered claim re-measures one cell of its default grid, and the
anchor computes the same quantity again by a different computation, row by row.

A claim check that pins only verdicts and exponents cannot see a quantity that is wrong by a constant
factor, or wrong in a way that keeps its exponent (an error in the pseudo-network's backward coupling
once moved the relative coupling error to 0.905 and every claim still passed). Here each claim's
``measure`` runs on one cell (``claim.cell(point=..., dtype="float64")``, with small overrides where the
default cell is slow; each anchor's docstring names them), and the anchor recomputes its columns from
the same network, inputs and displacement directions (built by :mod:`rnntheory.claims.cells` and the
claim's own builders: only the quantity's computation is independent):

* a naive forward loop of the network at ``W0 + W'`` (dense ``W'``) instead of the batched traces;
* autograd (``torch.autograd.grad``, ``torch.func.jvp``, ``torch.func.jacrev``) instead of the backward
  sweeps, the pseudo-network recursion and the Gram-matrix identities;
* dense products and ``torch.linalg.matrix_norm(ord=2)`` / ``svdvals`` instead of subspace iteration
  and Lanczos; ``sqrt(m) ||W'||_F`` by hand for the NTK radius;
* the infinite-width recursion of theory.md section 8 written out with explicit sums over k;
* mpmath sums of the definitions of theory.md section 5 with closed-form Taylor coefficients;
* a hand-written SGD loop (``W <- W - lr0 / (m L) * grad``, the gradient by autograd of the minibatch
  mean of the squared loss summed over positions 3..L) for the claims that train.

Tolerances: every cell runs in float64, so two computations of the same number agree to rounding; the
default is ``TOL[float64]`` of rnntheory.testing (rtol 1e-10, atol 1e-12). An anchor that needs more
says why (a difference of nearly equal numbers, a kernel solve at ridge 1e-10, an iteration stopped at
its tolerance, a Monte Carlo estimate). Integer counts (sign flips, samples) must agree exactly.

``test_every_registered_claim_has_an_anchor`` fails for a registered claim without an anchor in
:data:`ANCHORS`. Two more checks anchor a claim's *judgement* to numbers: every verdict follows the rule
of theory.md section 7 from its own interval, claimed value and resolution (also with the claimed value
moved so that the interval holds the edge of the indifference zone), and a budgeted claim run judges
its k-th look at level ``1 - 0.01 * 2^-k`` (alpha spending, rnntheory.checking.budget).

The mutation check (tools/mutants.py, CONTRIBUTING.md) names these tests as the claim checks of every
planted error but one (a statistics change). Runtime: about 20 s on one core (the anchors that train
share their runs per family; a quarter of it is the first call of torch.func and the budgeted run).
"""

from __future__ import annotations

import functools
import itertools
import math

import mpmath
import numpy as np
import pandas as pd
import pytest
import torch

from rnntheory import claims
from rnntheory.claims import cells as CE
from rnntheory.network import perturbation as P
from rnntheory.network.sizes import scale_to
from rnntheory.testing import TOL

F64 = torch.float64
TIGHT = TOL[F64]  # rtol 1e-10, atol 1e-12: two float64 computations of one number


def approx(expected, rel=TIGHT["rtol"], abs=TIGHT["atol"]):  # noqa: A002 - pytest.approx's own names
    return pytest.approx(expected, rel=rel, abs=abs)


def cell_of(name: str, point: int = 0, **overrides):
    r"""The claim and one float64 cell of its default grid (first seed of the point)."""
    claim = claims.get(name)
    return claim, claim.cell(point=point, dtype="float64", **overrides)


def measured(claim, cell) -> pd.DataFrame:
    return claim.measure_frame(cell)


def close(got, want, what: str, rel=TIGHT["rtol"], abs=TIGHT["atol"]) -> None:  # noqa: A002
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape, f"{what}: {got.shape} rows measured, {want.shape} recomputed"
    assert np.allclose(got, want, rtol=rel, atol=abs, equal_nan=True), (
        f"{what}: claim {got.ravel()[:8]} ... vs anchor {want.ravel()[:8]} ...; largest relative difference "
        f"{np.nanmax(np.abs(got - want) / np.maximum(np.abs(want), 1e-300)):.3g}"
    )


# ---------------------------------------------------------------------- the independent computations
def forward_lists(W: torch.Tensor, A: torch.Tensor, B: torch.Tensor, x: torch.Tensor):
    r"""The network of theory.md section 1 by a plain loop over positions: the lists ``g_1..g_L``,
    ``h_0..h_L`` (``h_0 = 0``) and ``y_1..y_L``, each ``(n, .)``; differentiable in W, and each entry a
    node of the autograd graph (for gradients in ``h_i`` or ``g_i``)."""
    n, L, _ = x.shape
    h = x.new_zeros(n, W.shape[0])
    pres, hs, ys = [], [h], []
    for l in range(L):
        g = h @ W.T + x[:, l] @ A.T
        h = torch.relu(g)
        pres.append(g)
        hs.append(h)
        ys.append(h @ B.T)
    return pres, hs, ys


def forward(W: torch.Tensor, A: torch.Tensor, B: torch.Tensor, x: torch.Tensor):
    r"""``(pre (n, L, m), hidden (n, L+1, m), out (n, L, d))`` of :func:`forward_lists`."""
    pres, hs, ys = forward_lists(W, A, B, x)
    return torch.stack(pres, 1), torch.stack(hs, 1), torch.stack(ys, 1)


def outputs_at(net, x, W):
    return forward(W, net.A, net.B, x)[2]


def pseudo_outputs(net, x, W_prime, W0=None):
    r"""``pseudo_j(x; W')``: the directional derivative of y_j at W0 in direction W' (theory.md section 3), by
    ``torch.func.jvp`` of the plain forward loop."""
    W0 = net.W if W0 is None else W0
    return torch.func.jvp(lambda W: outputs_at(net, x, W), (W0,), (W_prime,))[1]


def output_jacobian(net, x, W):
    r"""``(n, L, d, m, m)``: the gradient of every output y_j(x_s) in W, by ``torch.func.jacrev``."""
    return torch.func.jacrev(lambda V: outputs_at(net, x, V))(W)


def spectral(M: torch.Tensor) -> float:
    return float(torch.linalg.matrix_norm(M.to(F64), ord=2))


def radius(M: torch.Tensor) -> float:
    return math.sqrt(M.shape[-1]) * float(torch.linalg.matrix_norm(M.to(F64), ord="fro"))


def limit_forward(x, x2=None):
    r"""theory.md section 8, written out: ``S (n, n2, L+1, L+1)`` (hidden indices, row and column 0 for h_0 = 0)
    and ``Sdot (n, n2, L, L)`` (``[.., l-1, l'-1]``), looping over (l, l') in float64 numpy."""
    x = np.asarray(x.detach().cpu(), dtype=np.float64)
    x2 = x if x2 is None else np.asarray(x2.detach().cpu(), dtype=np.float64)
    n, L, _ = x.shape

    def own(z):  # S_{l,l} of each sequence with itself, by the same recursion (theta = 0 on the diagonal)
        S = np.zeros((z.shape[0], L + 1))
        for l in range(1, L + 1):
            Q = 2 * (S[:, l - 1] + (z[:, l - 1] ** 2).sum(-1))
            S[:, l] = Q / (2 * np.pi) * (np.sin(0.0) + np.pi * np.cos(0.0))
        return S

    Sa, Sb = own(x), own(x2)
    S = np.zeros((n, x2.shape[0], L + 1, L + 1))
    Sdot = np.zeros((n, x2.shape[0], L, L))
    for l in range(1, L + 1):
        for p in range(1, L + 1):
            Q = 2 * (S[:, :, l - 1, p - 1] + np.einsum("ad,bd->ab", x[:, l - 1], x2[:, p - 1]))
            qa = 2 * (Sa[:, l - 1] + (x[:, l - 1] ** 2).sum(-1))
            qb = 2 * (Sb[:, p - 1] + (x2[:, p - 1] ** 2).sum(-1))
            nrm = np.sqrt(qa[:, None] * qb[None, :])
            th = np.arccos(np.clip(Q / nrm, -1.0, 1.0))
            S[:, :, l, p] = nrm / (2 * np.pi) * (np.sin(th) + (np.pi - th) * np.cos(th))
            Sdot[:, :, l - 1, p - 1] = (np.pi - th) / (2 * np.pi)
    return S, Sdot


def limit_ntk(x, positions, d=1):
    r"""``lim K((x,j,s),(x',j',s')) / m`` of theory.md section 8 for one coordinate (d = 1 here: [s = s']),
    ``(n, J, n, J)``, by the explicit sum over k = 0..min(j, j')-1 of
    ``Sdot_{j,j'} prod_{t=1..k} 2 Sdot_{j-t,j'-t} S_{j-k-1,j'-k-1}``."""
    S, Sd = limit_forward(x)
    n = S.shape[0]
    J = len(positions)
    K = np.zeros((n, J, n, J))
    for a, j in enumerate(positions):
        for b, jp in enumerate(positions):
            tot = np.zeros((n, n))
            for k in range(min(j, jp)):
                prod = Sd[:, :, j - 1, jp - 1].copy()
                for t in range(1, k + 1):
                    prod *= 2 * Sd[:, :, j - t - 1, jp - t - 1]
                tot += prod * S[:, :, j - k - 1, jp - k - 1]
            K[:, a, :, b] = tot / d
    return K


def min_norm_tau(K: np.ndarray, y: np.ndarray, ridge: float) -> tuple[float, np.ndarray]:
    r"""The ridge fit ``(K + ridge * mean(diag K) I) alpha = y`` by an LU solve (numpy): ``alpha^T K alpha``
    and ``K alpha``."""
    lam = ridge * float(np.mean(np.diag(K)))
    alpha = np.linalg.solve(K + lam * np.eye(len(y)), y)
    return float(alpha @ K @ alpha), K @ alpha


# ---------------------------------------------------------------------- anchors: initialisation (section 4)
def anchor_forward_stability():
    r"""forward_stability, point 0 (m = 64, Ls 8..64, 4 sequences): ``max_norm``, ``min_norm`` (of ||h_l||
    over l <= L and the sequences), ``log_dev`` (mean over sequences of |log ||h_L|| - log sqrt(1 + (L-1)
    eps_x^2)|) and ``S_logdev`` (RMS of log(||h_l||^2 / S_ll)) from the plain forward loop, with S_ll from
    the section 8 recursion (limit_forward). Tolerance TOL[float64]."""
    claim, cell = cell_of("forward_stability")
    df = measured(claim, cell)
    net = CE.make_net(cell)
    x = CE.make_inputs(cell, L=max(cell["Ls"]))
    hn = forward(net.W, net.A, net.B, x)[1][:, 1:].norm(dim=-1).numpy()  # (n, Lmax)
    S, _ = limit_forward(x)
    ar = np.arange(x.shape[0])
    Sll = np.stack([S[ar, ar, l, l] for l in range(1, x.shape[1] + 1)], axis=1)  # (n, Lmax)
    assert sorted(df["L"]) == sorted(cell["Ls"])
    for L in cell["Ls"]:
        row = df[df["L"] == L].iloc[0]
        h = hn[:, :L]
        want = {
            "max_norm": h.max(),
            "min_norm": h.min(),
            "log_dev": np.mean(np.abs(np.log(h[:, -1]) - 0.5 * math.log(1 + (L - 1) * cell["eps_x"] ** 2))),
            "S_logdev": math.sqrt(np.mean(np.log(h**2 / Sll[:, :L]) ** 2)),
        }
        for col, v in want.items():
            close(row[col], v, f"forward_stability L={L} {col}")


def anchor_product_stability():
    r"""product_stability, point 0 (L = 8, m = 64, 2 sequences, tol 1e-3): ``norm`` = max over sequences of
    ||P_(1,b)||_2 with P_(1,b) = D_b W ... D_1 W formed as a dense product and measured by ``svdvals``,
    for every row's number of factors b. The claim's subspace iteration stops when an estimate moves by
    less than ``tol`` relative; its estimate is a lower bound, so it must lie in [(1 - 20 tol) s, s (1 + 1e-12)]
    for the exact s (20 tol: a stopping rule on the change of the estimate bounds its error by tol / (1 - rate),
    and the convergence rate of a block of 4 on these products stays far below 0.95)."""
    claim, cell = cell_of("product_stability")
    df = measured(claim, cell)
    net = CE.make_net(cell)
    pre = forward(net.W, net.A, net.B, CE.make_inputs(cell))[0]  # (n, L, m)
    assert df["converged"].all()
    for _, row in df.iterrows():
        b = int(row["factors"])
        norms = []
        for s in range(pre.shape[0]):
            Pm = torch.eye(net.m, dtype=F64)
            for c in range(b):
                Pm = (pre[s, c] > 0).to(F64)[:, None] * (net.W @ Pm)
            norms.append(float(torch.linalg.svdvals(Pm)[0]))
        exact = max(norms)
        assert exact * (1 - 20 * cell["tol"]) <= row["norm"] <= exact * (1 + 1e-12), (b, row["norm"], exact)


def anchor_backward_stability():
    r"""backward_stability, point 0 (L = 8, m = 64, d = 2, 2 sequences): ``norm`` and ``mean_norm`` per number
    of factors j - i + 1, from e_s^T Back_(i->j) = d y_(j,s) / d h_i by autograd through the plain forward
    loop (max over coordinates s and sequences, then max / mean over the pairs with that lag), times
    sqrt(d / m). Tolerance TOL[float64]."""
    claim, cell = cell_of("backward_stability")
    df = measured(claim, cell)
    net = CE.make_net(cell)
    x = CE.make_inputs(cell)
    W = net.W.clone().requires_grad_(True)
    _, hs, ys = forward_lists(W, net.A, net.B, x)
    L, d = x.shape[1], net.d
    per_lag: dict[int, list[float]] = {}
    for j in range(1, L + 1):
        best = np.zeros(j)  # max over s and sequences of ||e_s^T Back_(i->j)||, i = 1..j
        for s in range(d):
            grads = torch.autograd.grad(ys[j - 1][:, s].sum(), hs[1 : j + 1], retain_graph=True)
            best = np.maximum(best, np.array([float(g.norm(dim=-1).max()) for g in grads]))
        for i in range(1, j + 1):
            per_lag.setdefault(j - i + 1, []).append(best[i - 1] * math.sqrt(d / net.m))
    assert sorted(df["factors"]) == sorted(per_lag)
    for _, row in df.iterrows():
        vals = per_lag[int(row["factors"])]
        close(row["norm"], max(vals), f"backward_stability factors={row['factors']} norm")
        close(row["mean_norm"], np.mean(vals), f"backward_stability factors={row['factors']} mean_norm")


# ---------------------------------------------------------------------- anchors: displacements (section 4)
def _check_size(W_prime: torch.Tensor, *, omega: float | None = None, tau: float | None = None, what: str = "") -> None:
    r"""The displacement has the size the claim says: ||W'||_2 by ``matrix_norm(ord=2)`` (an SVD) or
    sqrt(m) ||W'||_F by hand; rel 1e-9 (the SVD's own rounding on m <= 512)."""
    if omega is not None:
        assert spectral(W_prime) == approx(omega, rel=1e-9), f"{what}: ||W'||_2 is not omega = {omega}"
    if tau is not None:
        assert radius(W_prime) == approx(tau, rel=1e-9), f"{what}: sqrt(m) ||W'||_F is not tau = {tau}"


def anchor_hidden_perturbation():
    r"""hidden_perturbation, point 0 (m = 128, Ls 4..32, 4 sequences, five omegas, three directions):
    ``change``, ``mean_change`` (max and mean over sequences and l <= L of ||h_l(W0 + W') - h_l(W0)||) and
    ``flips`` (max over sequences of the sign changes summed over l <= L) from two plain forward loops, at
    W0 and at the dense W0 + W'; every W' is checked to have spectral norm omega. Tolerance rel 1e-9: the
    change is a difference of hidden states of norm about 1 (rounding 1e-16) and is at least 1e-4 here."""
    claim, cell = cell_of("hidden_perturbation")
    df = measured(claim, cell)
    net = CE.make_net(cell)
    x = CE.make_inputs(cell, L=max(cell["Ls"]))
    tr = net.trace(x)
    units = CE.unit_directions(cell, net, tr)
    pre0, H0, _ = forward(net.W, net.A, net.B, x)
    for om in cell["omegas"]:
        mats = {
            "random": units["random"] * om,
            "gradient": units["gradient"] * om,
            "adversarial": P.adversarial_direction(net, tr, l=cell["adv_l"], omega=om),
        }
        for name, Wp in mats.items():
            _check_size(Wp, omega=om, what=f"hidden_perturbation {name} omega={om}")
            pre1, H1, _ = forward(net.W + Wp, net.A, net.B, x)
            hc = (H1[:, 1:] - H0[:, 1:]).norm(dim=-1).numpy()  # (n, Lmax)
            flips = ((pre1 > 0) != (pre0 > 0)).sum(-1).numpy()
            for L in cell["Ls"]:
                row = df[(df["direction"] == name) & (df["omega"] == om) & (df["L"] == L)]
                assert len(row) == 1, (name, om, L)
                row = row.iloc[0]
                close(row["change"], hc[:, :L].max(), f"hidden_perturbation {name} omega={om} L={L} change", rel=1e-9)
                close(row["mean_change"], hc[:, :L].mean(), f"{name} omega={om} L={L} mean_change", rel=1e-9)
                assert row["flips"] == flips[:, :L].sum(1).max(), (name, om, L, row["flips"])


def anchor_sign_changes():
    r"""sign_changes, point 0 (m = 512, L = 8, 8 sequences, five omegas): ``flips`` and ``flips_max`` (mean and
    max over sequences of ||D_l(W0 + W') - D_l(W0)||_0) at positions 2..L from plain forward loops at the
    dense W0 + W'; random and gradient directions checked to have ||W'||_2 = omega (an SVD, where the claim
    uses Lanczos at m > 256); the adversarial rank-one W' of each (omega, sequence) traced on its own
    sequence. Counts agree exactly (a mean over 8 sequences is exact in float64)."""
    claim, cell = cell_of("sign_changes")
    df = measured(claim, cell)
    net = CE.make_net(cell)
    x = CE.make_inputs(cell)
    tr = net.trace(x)
    units = CE.unit_directions(cell, net, tr)
    for name in ("random", "gradient"):
        _check_size(units[name], omega=1.0, what=f"sign_changes {name} unit direction")
    pre0 = forward(net.W, net.A, net.B, x)[0]
    L, n, l = x.shape[1], x.shape[0], cell["adv_l"]
    for om in cell["omegas"]:
        counts = {
            name: ((forward(net.W + units[name] * om, net.A, net.B, x)[0] > 0) != (pre0 > 0)).sum(-1)
            for name in ("random", "gradient")
        }
        own = []
        for s in range(n):
            Wp = P.adversarial_direction(net, tr, l=l, omega=om, sequence=s)
            pre1 = forward(net.W + Wp, net.A, net.B, x[s : s + 1])[0]
            own.append(((pre1 > 0) != (pre0[s : s + 1] > 0)).sum(-1)[0])
        counts["adversarial"] = torch.stack(own)
        for name, c in counts.items():
            c = c.to(F64)
            for pos in range(2, L + 1):
                row = df[(df["direction"] == name) & (df["omega"] == om) & (df["position"] == pos)]
                assert len(row) == 1, (name, om, pos)
                assert row["flips"].iloc[0] == float(c[:, pos - 1].mean()), (name, om, pos)
                assert row["flips_max"].iloc[0] == float(c[:, pos - 1].max()), (name, om, pos)


# ---------------------------------------------------------------------- anchors: coupling (section 3)
def anchor_forward_coupling():
    r"""forward_coupling, point 4 (the tau sweep: m = 512, L = 8, 4 sequences, six taus, three directions):
    ``err`` (max over positions of the RMS over sequences of ||err_j||), ``err_max`` and ``err_seq0``, with
    err_j = y_j(W0 + W') - y_j(W0) - pseudo_j(W') from the plain forward loop and pseudo_j by ``torch.func.jvp``;
    every W' is checked to have NTK radius tau. Tolerance rel 1e-8: err is a difference of outputs of size
    about 1 (rounding 1e-16) and is at least 1e-5 here."""
    claim, cell = cell_of("forward_coupling", point=4)
    df = measured(claim, cell)
    net = CE.make_net(cell)
    x = CE.make_inputs(cell)
    tr = net.trace(x)
    units = CE.unit_directions(cell, net, tr, scale="tau")
    y0 = outputs_at(net, x, net.W)
    for tau in cell["taus"]:
        mats = {
            "random": units["random"] * tau,
            "gradient": units["gradient"] * tau,
            "adversarial": P.adversarial_direction(net, tr, l=2, tau=tau),
        }
        for name, Wp in mats.items():
            _check_size(Wp, tau=tau, what=f"forward_coupling {name} tau={tau}")
            err = (outputs_at(net, x, net.W + Wp) - y0 - pseudo_outputs(net, x, Wp)).norm(dim=-1)  # (n, L)
            row = df[(df["direction"] == name) & (df["tau"] == tau)]
            assert len(row) == 1, (name, tau)
            row = row.iloc[0]
            what = f"forward_coupling {name} tau={tau}"
            close(row["err"], float(err.pow(2).mean(0).sqrt().max()), f"{what} err", rel=1e-8)
            close(row["err_max"], float(err.max()), f"{what} err_max", rel=1e-8)
            close(row["err_seq0"], float(err[0].max()), f"{what} err_seq0", rel=1e-8)


def anchor_backward_coupling():
    r"""backward_coupling, point 0 (m = 256, L = 8, 4 sequences, tau = tau* = 1): ``relative`` and
    ``relative_max`` (mean and max over sequences and positions 2..L of ||G_j(W0 + W') - G_j(W0)||_F /
    ||G_j(W0)||_F) and ``inner`` (mean of |<G_j(W0 + W') - G_j(W0), W*>|), with G_j the full gradient of y_j
    in W by ``torch.func.jacrev`` at both matrices, subtracted directly; W' and W* are checked to have
    radius tau and tau*. Tolerance rel 1e-9 (the difference of gradients of norm about 1 is at least 1e-3)."""
    from rnntheory.seeds import generator

    claim, cell = cell_of("backward_coupling")
    df = measured(claim, cell)
    net = CE.make_net(cell)
    x = CE.make_inputs(cell)
    tr = net.trace(x)
    units = CE.unit_directions(cell, net, tr, scale="tau")
    gen = generator(cell["seed"], "star")
    star = scale_to(torch.randn(net.m, net.m, generator=gen, dtype=F64), tau=cell["tau_star"])
    _check_size(star, tau=cell["tau_star"], what="backward_coupling W*")
    G0 = output_jacobian(net, x, net.W)  # (n, L, d, m, m)
    g0 = G0.flatten(2).norm(dim=-1)  # (n, L)
    for tau in cell["taus"]:
        mats = {
            "random": scale_to(units["random"], tau=tau),
            "gradient": scale_to(units["gradient"], tau=tau),
            "adversarial": P.adversarial_direction(net, tr, l=2, tau=tau),
        }
        for name, Wp in mats.items():
            _check_size(Wp, tau=tau, what=f"backward_coupling {name} tau={tau}")
            dG = output_jacobian(net, x, net.W + Wp) - G0
            rel = (dG.flatten(2).norm(dim=-1) / g0)[:, 1:]  # positions 2..L: y_1 does not depend on W
            inner = (dG * star).sum(dim=(-1, -2)).norm(dim=-1)[:, 1:]  # |<dG_j, W*>|, norm over coordinates
            row = df[(df["direction"] == name) & (df["tau"] == tau)]
            assert len(row) == 1, (name, tau)
            row = row.iloc[0]
            what = f"backward_coupling {name} tau={tau}"
            close(row["relative"], float(rel.mean()), f"{what} relative", rel=1e-9)
            close(row["relative_max"], float(rel.max()), f"{what} relative_max", rel=1e-9)
            close(row["inner"], float(inner.mean()), f"{what} inner", rel=1e-9)


def _rms(v) -> float:
    v = np.asarray(v, dtype=float)
    return math.sqrt(float(np.mean(v**2))) if v.size else float("nan")


def _cos(a: torch.Tensor, b: torch.Tensor) -> float:
    na, nb = float(a.norm()), float(b.norm())
    return float(a @ b) / (na * nb) if na > 0 and nb > 0 else 0.0


def anchor_decoupling():
    r"""decoupling, point 0 (m = 128, L = 8, d = 2, 4 sequences): every column. The backward vectors
    Back_(i->j)^T u = d(u^T y_j)/d h_i and D_i Back_(i->j)^T u = d(u^T y_j)/d g_i by autograd through the plain
    forward loop (u = (1, 1)/sqrt(2)); cosines and block correlations cos(a, a') cos(h_(i-1), h_(i'-1)) pair by
    pair in Python loops; the equal-lag limit from the section 8 recursion, R_(j,j',k) = Sdot_(j,j') prod_(t=1..k)
    2 Sdot_(j-t,j'-t) normalised, times the limit cosine of the hidden states. Tolerance rel 1e-9 (cosines of
    vectors from two computations, RMS over hundreds of them)."""
    claim, cell = cell_of("decoupling")
    row = measured(claim, cell).iloc[0]
    net = CE.make_net(cell)
    x = CE.make_inputs(cell)
    n, L, d = x.shape[0], x.shape[1], net.d
    W = net.W.clone().requires_grad_(True)
    pres, hs, ys = forward_lists(W, net.A, net.B, x)
    u = torch.full((d,), d**-0.5, dtype=F64)
    back, delta, coord = {}, {}, {}  # [(i, j)] -> (n, m)
    for j in range(1, L + 1):
        g = torch.autograd.grad((ys[j - 1] @ u).sum(), hs[1 : j + 1] + pres[:j], retain_graph=True)
        for i in range(1, j + 1):
            back[i, j], delta[i, j] = g[i - 1], g[j + i - 1]
        for c in range(min(d, 2)):
            gc = torch.autograd.grad(ys[j - 1][:, c].sum(), pres[:j], retain_graph=True)
            for i in range(1, j + 1):
                coord[i, j, c] = gc[i - 1]
    H = [h.detach() for h in hs]
    # Back_(i->j)^T u for fixed i and different j (j, j' >= i, j != j'), every ordered pair
    bc = [
        [
            _cos(back[i, j][s], back[i, jp][s])
            for i in range(1, L + 1)
            for j in range(i, L + 1)
            for jp in range(i, L + 1)
            if jp != j
        ]
        for s in range(n)
    ]
    close(row["back_rms"], math.sqrt(np.mean([_rms(v) ** 2 for v in bc])), "decoupling back_rms", rel=1e-9)
    close(row["back_max"], max(abs(c) for v in bc for c in v), "decoupling back_max", rel=1e-9)
    pairs = [(i, j) for j in range(2, L + 1) for i in range(2, j + 1)]
    S, Sd = limit_forward(x)

    def lim(s, p, q):
        (i, j), (ip, jp) = p, q
        if j - i != jp - ip:
            return 0.0
        k = j - i

        def R(a, b):
            return Sd[s, s, a - 1, b - 1] * np.prod([2 * Sd[s, s, a - t - 1, b - t - 1] for t in range(1, k + 1)])

        cb = R(j, jp) / math.sqrt(R(j, j) * R(jp, jp))
        return cb * S[s, s, i - 1, ip - 1] / math.sqrt(S[s, s, i - 1, i - 1] * S[s, s, ip - 1, ip - 1])

    kinds = {"shared_i": [], "shared_j": [], "other_lag": [], "equal": []}
    lags: dict[int, list[tuple[float, float]]] = {}
    other = []
    for s in range(n):
        for p, q in itertools.product(pairs, pairs):
            (i, j), (ip, jp) = p, q
            same_lag = j - i == jp - ip
            if d > 1 and same_lag:
                other.append(_cos(coord[i, j, 0][s], coord[ip, jp, 1][s]))
            if p == q:
                continue
            C = _cos(delta[i, j][s], delta[ip, jp][s]) * _cos(H[i - 1][s], H[ip - 1][s])
            if i == ip:
                kinds["shared_i"].append(C)
            if j == jp:
                kinds["shared_j"].append(C)
            if i != ip and j != jp and not same_lag:
                kinds["other_lag"].append(C)
            if same_lag:
                kinds["equal"].append((C, lim(s, p, q)))
                lags.setdefault(j - i, []).append((C, lim(s, p, q)))
    for k in ("shared_i", "shared_j", "other_lag"):
        close(row[f"{k}_rms"], _rms(kinds[k]), f"decoupling {k}_rms", rel=1e-9)
    eq = np.array(kinds["equal"])
    close(row["same_lag_rms"], _rms(eq[:, 0]), "decoupling same_lag_rms", rel=1e-9)
    close(row["same_lag_limit_rms"], _rms(eq[:, 1]), "decoupling same_lag_limit_rms", rel=1e-9)
    close(row["same_lag_dev"], _rms(eq[:, 0] - eq[:, 1]), "decoupling same_lag_dev", rel=1e-9)
    if d > 1:
        close(row["other_coord_rms"], _rms(other), "decoupling other_coord_rms", rel=1e-9)
    for k, v in lags.items():
        v = np.array(v)
        close(row[f"corr_lag{k}"], v[:, 0].mean(), f"decoupling corr_lag{k}", rel=1e-9)
        close(row[f"limit_lag{k}"], v[:, 1].mean(), f"decoupling limit_lag{k}", rel=1e-9)


# ---------------------------------------------------------------------- anchors: the infinite-width limit (section 8)
def anchor_ntk_limit():
    r"""ntk_limit, point 0 (m = 64, L = 6, 4 sequences): ``ntk_err``, ``S_err``, ``Sdot_err``. The empirical
    NTK / m from flattened gradients of y_j (positions 3..L) by ``torch.func.jacrev``; S and Sdot from the
    hidden states and patterns of the plain forward loop; their limits from the section 8 recursion and the
    explicit NTK sum (limit_ntk). Tolerance rel 1e-9 (errors of about 0.1 from two computations)."""
    claim, cell = cell_of("ntk_limit")
    row = measured(claim, cell).iloc[0]
    net = CE.make_net(cell)
    x = CE.make_inputs(cell)
    n, L, m = x.shape[0], x.shape[1], net.m
    pos = list(range(3, L + 1))
    Phi = output_jacobian(net, x, net.W)[:, 2:, 0].reshape(n * len(pos), m * m)
    K = (Phi @ Phi.T / m).numpy()
    K_inf = limit_ntk(x, pos).reshape(n * len(pos), n * len(pos))
    pre, H, _ = forward(net.W, net.A, net.B, x)
    S_lim, Sd_lim = limit_forward(x)
    S_emp = torch.einsum("alk,bpk->ablp", H, H).numpy()
    Sd_emp = (torch.einsum("alk,bpk->ablp", (pre > 0).to(F64), (pre > 0).to(F64)) / m).numpy()

    def rel(a, b):
        return float(np.linalg.norm(a - b) / np.linalg.norm(b))

    close(row["ntk_err"], rel(K, K_inf), "ntk_limit ntk_err", rel=1e-9)
    close(row["S_err"], rel(S_emp, S_lim), "ntk_limit S_err", rel=1e-9)
    close(row["Sdot_err"], rel(Sd_emp, Sd_lim), "ntk_limit Sdot_err", rel=1e-9)


def anchor_pseudo_solution():
    r"""pseudo_solution, point 0 (m = 64, L = 6, N = 48, ridge 1e-10): ``tau_star`` = sqrt(m) sqrt(alpha^T K alpha)
    and ``residual_rms``, ``target_rms`` of the ridge fit of the clean target at positions 3..L, with K the Gram
    matrix of the flattened gradients (``torch.func.jacrev``) and an LU solve (numpy) instead of the claim's
    factor kernel and Cholesky; ``tau_inf`` the same fit with the limit kernel of the explicit section 8 sum.
    Tolerances: tau* rel 1e-9 (the solve at relative ridge 1e-10 amplifies rounding by up to the kernel's
    condition number, about 2e6 here; measured agreement 1e-12); the residual, about 1e-8 of the target (the
    ridge's own effect), rel 1e-4 (measured 5e-6); the target's RMS TOL[float64]."""

    claim, cell = cell_of("pseudo_solution")
    row = measured(claim, cell).iloc[0]
    net = CE.make_net({**cell, "d": 1})
    data = CE.labelled_sample(CE.cell_concept(cell), cell, cell["N"], "trainset")
    N, L, m = data.x.shape[0], data.x.shape[1], net.m
    pos = list(range(3, L + 1))
    Phi = output_jacobian(net, data.x, net.W)[:, 2:, 0].reshape(N * len(pos), m * m)
    K = (Phi @ Phi.T).numpy()
    y = data.clean[:, 2:, 0].reshape(-1).numpy()
    norm_sq, fitted = min_norm_tau(K, y, cell["ridge"])
    target_rms = math.sqrt(np.mean(y**2))
    close(row["tau_star"], math.sqrt(m * norm_sq), "pseudo_solution tau_star", rel=1e-9)
    close(row["target_rms"], target_rms, "pseudo_solution target_rms")
    close(row["residual_rms"], math.sqrt(np.mean((fitted - y) ** 2)), "pseudo_solution residual_rms", rel=1e-4)
    norm_inf, _ = min_norm_tau(limit_ntk(data.x, pos).reshape(N * len(pos), N * len(pos)), y, cell["ridge"])
    close(row["tau_inf"], math.sqrt(norm_inf), "pseudo_solution tau_inf", rel=1e-9)


def anchor_generalisation_rademacher():
    r"""generalisation, point 0 (Rademacher: m = 256, N = 16, L = 8, tau = 1, 2000 sign vectors): ``value``
    against the exact expectation over all 2^16 sign vectors of tau / (sqrt(m) N) sqrt(sigma^T K sigma) (the
    supremum over the ball of the linear class), with K the Gram matrix of the flattened gradients of y_L
    (``torch.func.jacrev``). The claim's value is a Monte Carlo mean of the same supremum: it must lie within
    4.5 of its standard errors (the exact one, from the enumeration) of the exact expectation (the seed is fixed,
    so this is deterministic; a chance failure at 4.5 standard errors would be 7e-6)."""

    claim, cell = cell_of("generalisation")
    assert cell["kind"] == "rademacher"
    row = measured(claim, cell).iloc[0]
    net = CE.make_net({**cell, "d": 1})
    data = CE.labelled_sample(CE.cell_concept(cell), cell, cell["N"], "trainset")
    N, m = data.x.shape[0], net.m
    Phi = torch.func.jacrev(lambda W: outputs_at(net, data.x, W)[:, -1, 0])(net.W).reshape(N, m * m)
    K = (Phi @ Phi.T).numpy()
    signs = np.array(list(itertools.product((-1.0, 1.0), repeat=N - 1)))  # sigma and -sigma give the same value
    signs = np.concatenate([np.ones((len(signs), 1)), signs], axis=1)
    sup = np.sqrt(np.clip(np.einsum("sa,ab,sb->s", signs, K, signs), 0, None)) * cell["tau"] / (math.sqrt(m) * N)
    se = sup.std() / math.sqrt(cell["mc"])
    assert abs(row["value"] - sup.mean()) <= 4.5 * se, (row["value"], sup.mean(), se)
    assert not row["diverged"]


# ---------------------------------------------------------------------- anchors: complexity (section 5), mpmath
def _abs_coefficients(name: str, n: int) -> list:
    r"""|c_0|, ..., |c_(n-1)| of the Taylor series at 0, in closed form: exp 1/i!; sin 1/i! for odd i;
    tanh |c_(2k-1)| = 2 (2/pi)^(2k) lambda(2k), lambda(s) = (1 - 2^-s) zeta(s) = sum over odd q of q^-s
    (from the Bernoulli series tanh z = sum 2^(2k) (2^(2k) - 1) B_(2k) z^(2k-1) / (2k)!)."""
    if name == "exp":
        return [1 / mpmath.factorial(i) for i in range(n)]
    if name == "sin":
        return [1 / mpmath.factorial(i) if i % 2 else mpmath.mpf(0) for i in range(n)]
    if name == "tanh":
        out = []
        for i in range(n):
            if i % 2 == 0:
                out.append(mpmath.mpf(0))
                continue
            k = (i + 1) // 2
            lam = (1 - mpmath.mpf(2) ** (-2 * k)) * mpmath.zeta(2 * k) if k < 40 else 1 + mpmath.mpf(3) ** (-2 * k)
            out.append(2 * (2 / mpmath.pi) ** (2 * k) * lam)
        return out
    raise ValueError(name)


def _c_eps(coefs, R, eps, C) -> mpmath.mpf:
    r"""C_eps(Phi, R) = |c_0| + sum_(i>=1) ((C R)^i + (sqrt(log(1/eps)/i) C R)^i) |c_i| (theory.md section 5)."""
    A, ell = mpmath.mpf(C) * mpmath.mpf(R), mpmath.log(1 / mpmath.mpf(eps))
    return coefs[0] + mpmath.fsum((A**i + (mpmath.sqrt(ell / i) * A) ** i) * c for i, c in enumerate(coefs) if i > 0)


def _c_s(coefs, R, C) -> mpmath.mpf:
    r"""C_s(Phi, R) = C sum_(i>=0) (i+1)^1.75 R^i |c_i| (theory.md section 5)."""
    x = mpmath.mpf(R)
    return mpmath.mpf(C) * mpmath.fsum((i + 1) ** mpmath.mpf("1.75") * x**i * c for i, c in enumerate(coefs))


def _terms_needed(A: float) -> int:
    r"""Enough terms of an entire series with |c_i| <= 1/i! at C R <= A, sqrt(log(1/eps)) <= 6: the term
    (7 A)^i / i! is below 1e-40 of the sum."""
    return int(7 * 2.72 * A + 120)


def anchor_complexity_monotone():
    r"""complexity_monotone, points 0 and 1 (sin, exp; C* = 10, eps = 1e-3): every row's ``log10`` (C_eps against R,
    C_s against R, C_eps against 1/eps at R = 1) recomputed as an mpmath sum of the definitions with closed-form
    coefficients, at 40 digits. Tolerance 1e-12 in log10 (the claim stops at a relative tail of 1e-20)."""
    claim = claims.get("complexity_monotone")
    for point, name in ((0, "sin"), (1, "exp")):
        cell = claim.cell(point=point, dtype="float64")
        assert cell["function"] == name
        df = measured(claim, cell)
        C, eps = cell["C_star"], cell["eps"]
        with mpmath.workdps(40):
            for _, r in df.iterrows():
                x = mpmath.mpf(r["x"])
                coefs = _abs_coefficients(name, _terms_needed(C * (float(x) if r["sweep"].endswith("vs R") else 1.0)))
                if r["sweep"] == "C_eps vs R":
                    v = _c_eps(coefs, x, eps, C)
                elif r["sweep"] == "C_s vs R":
                    v = _c_s(coefs, x, C)
                else:
                    v = _c_eps(coefs, 1, 1 / x, C)
                assert r["log10"] == approx(float(mpmath.log10(v)), rel=0, abs=1e-12), (name, r["sweep"], r["x"])


def anchor_complexity_eps_growth():
    r"""complexity_eps_growth, points 1 and 2 (exp; tanh truncated at the degree the claim chose; R = 1, C* = 10,
    eps = 1e-1..1e-12): ``log10`` and ``value`` of C_eps(Phi, 1) by the mpmath sums of the definition; for tanh
    the sum stops at the row's degree, and the truncated series is checked to be within eps of tanh on [-1, 1]
    (the truncation's purpose; 201 points). Tolerance 1e-12 in log10, rel 1e-10 on the value."""
    claim = claims.get("complexity_eps_growth")
    for point, name in ((1, "exp"), (2, "tanh")):
        cell = claim.cell(point=point, dtype="float64")
        assert cell["function"] == name
        df = measured(claim, cell)
        with mpmath.workdps(40):
            for _, r in df.iterrows():
                eps = 1 / mpmath.mpf(r["inv_eps"])
                if name == "tanh":
                    assert bool(r["truncated"])
                    k = int(r["degree"])
                    coefs = _abs_coefficients("tanh", k + 1)
                    signed = [c * (-1) ** ((i - 1) // 2) for i, c in enumerate(coefs)]
                    worst = max(
                        abs(mpmath.tanh(z) - mpmath.polyval(signed[::-1], z)) for z in mpmath.linspace(-1, 1, 201)
                    )
                    assert worst <= eps, (k, worst, eps)
                else:
                    coefs = _abs_coefficients("exp", _terms_needed(cell["C_star"] * cell["R"]))
                v = _c_eps(coefs, cell["R"], eps, cell["C_star"])
                assert r["log10"] == approx(float(mpmath.log10(v)), rel=0, abs=1e-12), (name, r["inv_eps"])
                assert r["value"] == approx(float(v), rel=1e-10), (name, r["inv_eps"])


def anchor_complexity_divergence():
    r"""complexity_divergence, point 0 (tanh, C* = 10), deltas overridden to (0.2, 0.1, 0.05, 0.02) (the default's
    0.01 and 0.005 take 4 s in the claim and need 10^4 terms here): ``log10_c_s`` inside the radius by the mpmath
    sum of C_s with the closed-form coefficients, which reduces to (4 C*/pi) sum_k (2k)^1.75 (1 - delta)^(2k-1)
    lambda(2k); ``reported_radius`` and ``radius_gap`` against the radius by the ratio test of those coefficients;
    the divergence flags against R / rho >= 1 (at rho the terms tend to 4 C*/pi (2k)^1.75, not to 0). Tolerance
    1e-12 in log10, 1e-15 relative on the radius."""
    claim, cell = cell_of("complexity_divergence", deltas=(0.2, 0.1, 0.05, 0.02))
    assert cell["function"] == "tanh"
    df = measured(claim, cell)
    with mpmath.workdps(40):
        c = _abs_coefficients("tanh", 123)
        rho = mpmath.sqrt(c[119] / c[121])  # ratio test: |c_(i)/c_(i+2)| -> rho^2 for odd i
        claimed = mpmath.mpf(cell["radii"]["tanh"])
        assert list(df["reported_radius"]) == approx([float(rho)] * len(df), rel=1e-15, abs=0)
        assert df["radius_gap"].max() == approx(float(abs(rho - claimed) / claimed), rel=0, abs=1e-15)
        for _, r in df.iterrows():
            R = claimed * (1 - mpmath.mpf(r["delta"]))
            beyond = R >= rho * (1 - mpmath.mpf(10) ** -15)
            assert bool(r["c_s_divergent"]) == beyond and bool(r["c_eps_divergent"]) == beyond, dict(r)
            if beyond:
                continue
            q = R / rho
            terms = int((35 * math.log(10) + 20) / -math.log(float(q))) + 20  # (2k)^1.75 q^(2k) < 1e-35 of the sum
            v = _c_s(_abs_coefficients("tanh", terms), R, cell["C_star"])
            assert r["log10_c_s"] == approx(float(mpmath.log10(v)), rel=0, abs=1e-12), (r["delta"], r["log10_c_s"])


# ---------------------------------------------------------------------- anchors: learning (sections 6 and 9)
def sample_stream(source, config, net):
    r"""The minibatches of an SGD run of the claims, drawn as ``training.sgd`` draws them (its documented sample
    stream; the inputs of the run, not the quantity): one generator seeded ``config.seed``; online, the concept's
    fresh samples ``batch_size * 1024`` at a time (4096 samples a call) with the run's eps_x and noise; from a fixed
    training set, ``batch_size`` indices uniform with replacement per step."""
    gen = torch.Generator().manual_seed(config.seed)
    b, steps = config.batch_size, config.steps
    if hasattr(source, "labels"):  # a fixed training set (LabelledData)
        for _ in range(steps):
            idx = torch.randint(0, source.x.shape[0], (b,), generator=gen)
            yield source.x[idx], source.labels[idx]
        return
    block = max(1, 4096 // b)
    eps_x = {} if config.eps_x is None else {"eps_x": config.eps_x}
    for first in range(1, steps + 1, block):
        count = min(block, steps - first + 1)
        s = source.sample(b * count, generator=gen, noise=config.noise, dtype=net.dtype, device=net.device, **eps_x)
        for k in range(count):
            yield s.x[k * b : (k + 1) * b], s.labels[k * b : (k + 1) * b]


def hand_sgd(net, source, config, lr: float, record) -> torch.Tensor:
    r"""Vanilla SGD on W by hand: for the run's minibatches (:func:`sample_stream`), ``W <- W - lr * grad`` with
    grad the autograd gradient of the minibatch mean of sum_(j=3..L) 0.5 (y_j - y*_j)^2 through the plain forward
    loop. ``record(step, W)`` runs at step 0, every ``record_every`` steps and the last; a true return stops the
    run (the claims' stop rule)."""
    W = net.W.clone()
    record(0, W)
    for step, (xb, yb) in enumerate(sample_stream(source, config, net), start=1):
        Wg = W.clone().requires_grad_(True)
        obj = 0.5 * (outputs_at(net, xb, Wg) - yb)[:, 2:].pow(2).sum() / xb.shape[0]
        W = W - lr * torch.autograd.grad(obj, Wg)[0]
        if (step % config.record_every == 0 or step == config.steps) and record(step, W):
            break
    return W


def _rate(cell) -> float:
    r"""The rate of every SGD claim, lr0 / (m L), by hand; the claim's configured rate and the toolkit's one home
    of the rule (``training.rate``, which the SGD settings of the claims are documented to follow) must agree."""
    from rnntheory.claims.runs import sgd_config
    from rnntheory.learning.training import rate

    lr = cell["lr0"] / (cell["m"] * cell["L"])
    assert sgd_config(cell).lr == approx(lr), "the claim's SGD rate is not lr0 / (m L)"
    assert rate(cell["lr0"], cell["m"], cell["L"]) == approx(lr), "training.rate is not lr0 / (m L)"
    return lr


def _risk(out, labels) -> float:
    return float(0.5 * (out - labels)[:, 2:].pow(2).sum(dim=(1, 2)).mean())


@functools.lru_cache(maxsize=None)
def sgd_run_anchor():
    r"""sgd_learns and ntk_ball share their runs (cache group ``sgd_run``): point 3 of the default grid (lr0 = 8,
    m = 128, L = 8; the large rate, where W moves furthest), steps overridden to 300 with a record every 50 (the
    default 1200 steps take 2.5 s in the claim and as long again by hand). Returns the claim's row and the
    anchor's values, recomputed from a hand SGD run (:func:`hand_sgd`): at each record the held-out risk, tau by
    hand, the fraction of changed signs, and the RMS coupling error over positions 3..L with pseudo by
    ``torch.func.jvp``; then the claim's summaries of them (average over the second half, the maxima, the means
    after step 0); OPT in closed form 0.5 noise^2 d (L - 2) (theory.md section 5); the zero predictor's risk and the
    target's RMS from the held-out labels."""
    from rnntheory.claims.runs import sgd_config

    claim, cell = cell_of("sgd_learns", point=3, steps=300, record_every=50)
    assert cell["lr0"] == 8.0 and not cell["N"]
    row = measured(claim, cell).iloc[0]
    lr = _rate(cell)
    concept = CE.cell_concept(cell)
    test = CE.labelled_sample(concept, cell, cell["n_test"], "test")
    net = CE.make_net({**cell, "d": 1})
    pre0, _, y0 = forward(net.W, net.A, net.B, test.x)
    recs = []

    def record(step, W):
        pre, _, out = forward(W, net.A, net.B, test.x)
        Wp = W - net.W
        err = (out - y0 - pseudo_outputs(net, test.x, Wp))[:, 2:]
        recs.append(
            {
                "step": step,
                "risk": _risk(out, test.labels),
                "tau": radius(Wp),
                "sign_frac": float(((pre > 0) != (pre0 > 0)).to(F64).mean()),
                "coupling": float(err.pow(2).mean().sqrt()),
            }
        )
        return False

    hand_sgd(net, concept, sgd_config(cell), lr, record)
    r = pd.DataFrame(recs)
    after = r[r["step"] > 0]
    want = {
        "opt": 0.5 * cell["noise"] ** 2 * 1 * (cell["L"] - 2),
        "zero_risk": float(0.5 * test.labels[:, 2:].pow(2).sum(dim=(1, 2)).mean()),
        "target_rms": float(test.clean[:, 2:].pow(2).mean().sqrt()),
        "init_risk": r["risk"].iloc[0],
        "final_risk": r["risk"].iloc[-1],
        "avg_risk": r.loc[r["step"] >= cell["steps"] / 2, "risk"].mean(),
        "tau": r["tau"].iloc[-1],
        "max_tau": r["tau"].max(),
        "sign_frac": after["sign_frac"].mean(),
        "coupling": after["coupling"].mean(),
        "coupling_max": after["coupling"].max(),
    }
    return row, want


def _compare_run(name: str, columns: tuple[str, ...]) -> None:
    row, want = sgd_run_anchor()
    assert not row["diverged"]
    for col in columns:
        # 300 float64 SGD steps by two computations of the gradient: measured agreement 1e-15
        close(row[col], want[col], f"{name} {col}")


def anchor_sgd_learns():
    r"""sgd_learns: ``opt``, ``zero_risk``, ``target_rms``, ``init_risk``, ``avg_risk``, ``final_risk`` of
    :func:`sgd_run_anchor`. Tolerance TOL[float64] (300 float64 SGD steps by two computations of the gradient
    agree to 1e-15: the rounding does not grow along these runs)."""
    _compare_run("sgd_learns", ("opt", "zero_risk", "target_rms", "init_risk", "avg_risk", "final_risk"))


def anchor_ntk_ball():
    r"""ntk_ball: ``tau``, ``max_tau``, ``sign_frac``, ``coupling``, ``coupling_max`` of :func:`sgd_run_anchor`
    (the same runs as sgd_learns). Tolerance TOL[float64]."""
    _compare_run("ntk_ball", ("tau", "max_tau", "sign_frac", "coupling", "coupling_max"))


@functools.lru_cache(maxsize=None)
def sgd_along_anchor():
    r"""The four sgd_* lemma claims share their runs (cache group ``sgd_along``): point 0 of the default grid
    (m = 128, L = 8, lr0 = 1, 400 steps of 4 samples, a record every 50, 4 probe sequences). At every recorded
    step of a hand SGD run (:func:`hand_sgd`), per position l, the worst case over the probe sequences of: the
    forward coupling error with pseudo by ``torch.func.jvp``; the relative change of the full gradient of y_l in
    W (``torch.func.jacrev`` at W_t and W_0, subtracted directly); the sign changes; the hidden-state change;
    and omega_t by ``matrix_norm(ord=2)``, tau_t = sqrt(m) ||W_t - W_0||_F by hand. Returns the claim's SGD rows
    and the anchor's, both indexed by (step, position), and m."""
    from rnntheory.claims.runs import sgd_config

    claim, cell = cell_of("sgd_forward_coupling")
    df = measured(claim, cell)
    lr = _rate(cell)
    concept = CE.cell_concept(cell)
    probe = CE.labelled_sample(concept, cell, cell["n_probe"], "probe").x
    net = CE.make_net({**cell, "d": 1})
    pre0, H0, y0 = forward(net.W, net.A, net.B, probe)
    G0 = output_jacobian(net, probe, net.W).flatten(2)  # (n, L, d m m)
    g0 = G0.norm(dim=-1)
    rows = []

    def record(step, W):
        pre, H, out = forward(W, net.A, net.B, probe)
        Wp = W - net.W
        dist = (output_jacobian(net, probe, W).flatten(2) - G0).norm(dim=-1)
        q = {
            "fwd_err": (out - y0 - pseudo_outputs(net, probe, Wp)).norm(dim=-1),
            # 0 / 0 at position 1 (y_1 does not depend on W) reads 0, as in the claim
            "bwd_rel": torch.where(g0 > 0, dist / torch.where(g0 > 0, g0, 1.0), torch.where(dist > 0, torch.inf, 0.0)),
            "signs": ((pre > 0) != (pre0 > 0)).sum(-1).to(F64),
            "hidden": (H[:, 1:] - H0[:, 1:]).norm(dim=-1),
        }
        om, tau = spectral(Wp), radius(Wp)
        for l in range(probe.shape[1]):
            rows.append(
                {
                    "step": step,
                    "position": l + 1,
                    "omega": om,
                    "tau": tau,
                    **{k: float(v[:, l].max()) for k, v in q.items()},
                }
            )
        return False

    hand_sgd(net, concept, sgd_config(cell, coupling=False), lr, record)
    sgd = df[df["direction"] == "sgd"].set_index(["step", "position"]).sort_index()
    want = pd.DataFrame(rows).set_index(["step", "position"]).sort_index()
    assert list(sgd.index) == list(want.index)
    return sgd, want, net.m


SHAPES = {
    "fwd_err": ("fwd_ratio", lambda om, tau, m: tau ** (4 / 3) * m ** (-1 / 6)),
    "bwd_rel": ("bwd_ratio", lambda om, tau, m: tau ** (1 / 3) * m ** (-1 / 6)),
    "signs": ("sign_ratio", lambda om, tau, m: m * om ** (2 / 3)),
    "hidden": ("hidden_ratio", lambda om, tau, m: om),
}
"""Each lemma's ratio column and the bound shape it divides by (theory.md section 9; NaN where W' = 0)."""


def _compare_along(name: str, column: str, rel: float = TIGHT["rtol"]) -> None:
    sgd, want, m = sgd_along_anchor()
    for col in ("omega", "tau", column):  # omega, tau: TOL[float64] (measured agreement 2e-15)
        close(sgd[col].to_numpy(), want[col].to_numpy(), f"{name} {col}", rel=rel if col == column else TIGHT["rtol"])
    ratio, shape = SHAPES[column]
    with np.errstate(divide="ignore", invalid="ignore"):
        s = shape(want["omega"].to_numpy(), want["tau"].to_numpy(), m)
        close(
            sgd[ratio].to_numpy(),
            np.where(s > 0, want[column].to_numpy() / s, np.nan),
            f"{name} {ratio}",
            rel=max(rel, 1e-9),
        )


def anchor_sgd_forward_coupling():
    r"""sgd_forward_coupling: ``fwd_err``, its ratio ``fwd_ratio`` to tau^(4/3) m^(-1/6), ``omega`` and ``tau`` of
    :func:`sgd_along_anchor`, every step and position. Tolerances: fwd_err and its ratio rel 1e-9 (a difference
    of outputs of size 1, at least 0.03 after step 0; measured 1e-13); omega and tau TOL[float64]."""
    _compare_along("sgd_forward_coupling", "fwd_err", 1e-9)


def anchor_sgd_backward_coupling():
    r"""sgd_backward_coupling: ``bwd_rel``, ``bwd_ratio`` (to tau^(1/3) m^(-1/6)), omega, tau of
    :func:`sgd_along_anchor`. Tolerance TOL[float64], the ratio rel 1e-9."""
    _compare_along("sgd_backward_coupling", "bwd_rel")


def anchor_sgd_sign_changes():
    r"""sgd_sign_changes: ``signs`` (a count: exact), ``sign_ratio`` (to m omega^(2/3), rel 1e-9), omega, tau of
    :func:`sgd_along_anchor`."""
    _compare_along("sgd_sign_changes", "signs", 0.0)


def anchor_sgd_hidden_perturbation():
    r"""sgd_hidden_perturbation: ``hidden``, ``hidden_ratio`` (to omega), omega, tau of :func:`sgd_along_anchor`.
    Tolerance TOL[float64] (a difference of hidden states of norm 1, at least 0.09 after step 0; measured
    4e-15), the ratio rel 1e-9."""
    _compare_along("sgd_hidden_perturbation", "hidden")


def anchor_length_scaling():
    r"""length_scaling, point 0 (L = 4, m = 256, lr0 = 8, a record every 25 steps, stop at OPT + 0.5 (R0 - OPT)):
    ``threshold`` (OPT in closed form, R0 from the held-out labels) and ``samples`` (4 x the first recorded step
    whose held-out risk is at most the threshold) and ``reached``, from a hand SGD run (:func:`hand_sgd`).
    Tolerance TOL[float64] on the threshold; the step is exact."""
    from rnntheory.claims.runs import sgd_config

    claim, cell = cell_of("length_scaling")
    row = measured(claim, cell).iloc[0]
    lr = _rate(cell)
    concept = CE.cell_concept(cell)
    test = CE.labelled_sample(concept, cell, cell["n_test"], "test")
    net = CE.make_net({**cell, "d": 1})
    opt = 0.5 * cell["noise"] ** 2 * (cell["L"] - 2)
    zero = float(0.5 * test.labels[:, 2:].pow(2).sum(dim=(1, 2)).mean())
    threshold = opt + cell["stop_frac"] * (zero - opt)
    hit = []

    def record(step, W):
        if step > 0 and _risk(outputs_at(net, test.x, W), test.labels) <= threshold:
            hit.append(step)
            return True
        return False

    hand_sgd(net, concept, sgd_config(cell, coupling=False), lr, record)
    assert not row["diverged"]
    close(row["threshold"], threshold, "length_scaling threshold")
    assert bool(row["reached"]) == bool(hit)
    assert row["samples"] == (hit[0] if hit else cell["steps"]) * cell["batch"], (row["samples"], hit)


def anchor_generalisation():
    r"""generalisation, two cells: the Rademacher cell of :func:`anchor_generalisation_rademacher`, and the first
    gap cell (point 11: m = 128, N = 8, L = 8, noise 0.2, lr0 = 8; steps overridden to 150 with one record at
    the end, of the default 600, to keep it short): ``value`` = held-out risk - training risk at the end of a
    hand SGD run on the fixed training set (:func:`hand_sgd`, its minibatches drawn with replacement by the
    run's stream). Tolerance TOL[float64]."""
    from rnntheory.claims.runs import sgd_config

    anchor_generalisation_rademacher()
    claim, cell = cell_of("generalisation", point=11, steps=150, record_every=150)
    assert cell["kind"] == "gap"
    row = measured(claim, cell).iloc[0]
    lr = _rate(cell)
    concept = CE.cell_concept(cell)
    test = CE.labelled_sample(concept, cell, cell["n_test"], "test")
    train = CE.labelled_sample(concept, cell, cell["N"], "trainset")
    net = CE.make_net({**cell, "d": 1})
    W = hand_sgd(net, train, sgd_config(cell), lr, lambda step, W: False)
    assert not row["diverged"]
    gap = _risk(outputs_at(net, test.x, W), test.labels) - _risk(outputs_at(net, train.x, W), train.labels)
    close(row["value"], gap, "generalisation gap value")


# ---------------------------------------------------------------------- every claim has an anchor
ANCHORS = {
    "forward_stability": anchor_forward_stability,
    "product_stability": anchor_product_stability,
    "backward_stability": anchor_backward_stability,
    "hidden_perturbation": anchor_hidden_perturbation,
    "sign_changes": anchor_sign_changes,
    "forward_coupling": anchor_forward_coupling,
    "backward_coupling": anchor_backward_coupling,
    "decoupling": anchor_decoupling,
    "complexity_monotone": anchor_complexity_monotone,
    "complexity_eps_growth": anchor_complexity_eps_growth,
    "complexity_divergence": anchor_complexity_divergence,
    "sgd_learns": anchor_sgd_learns,
    "ntk_ball": anchor_ntk_ball,
    "pseudo_solution": anchor_pseudo_solution,
    "generalisation": anchor_generalisation,
    "length_scaling": anchor_length_scaling,
    "ntk_limit": anchor_ntk_limit,
    "sgd_forward_coupling": anchor_sgd_forward_coupling,
    "sgd_backward_coupling": anchor_sgd_backward_coupling,
    "sgd_sign_changes": anchor_sgd_sign_changes,
    "sgd_hidden_perturbation": anchor_sgd_hidden_perturbation,
}
"""Claim name -> its anchor (a function that measures one cell and asserts on every compared column)."""


def test_every_registered_claim_has_an_anchor():
    missing = [n for n in claims.names() if n not in ANCHORS]
    stale = sorted(set(ANCHORS) - set(claims.names()))
    assert not missing, f"claims without an anchor in proofs_checks/test_anchors.py: {missing}"
    assert not stale, f"anchors of claims that are not registered: {stale}"


@pytest.mark.parametrize("name", claims.names())
def test_anchor(name):
    if name not in ANCHORS:
        pytest.fail(f"{name} has no anchor: add one to ANCHORS in proofs_checks/test_anchors.py")
    ANCHORS[name]()


# ---------------------------------------------------------------------- the judgement, anchored to numbers
def _section7(lo: float, hi: float, a: float, r: float, below: bool) -> tuple[str, bool]:
    r"""The verdict rule of theory.md section 7 from an interval [lo, hi], the claimed value a, the resolution r and
    the allowed side (below a, or above it): the verdict and whether it holds only at the resolution."""
    inside, within, beyond = (hi <= a, hi <= a + r, lo > a + r) if below else (lo >= a, lo >= a - r, hi < a - r)
    if inside:
        return "consistent", False
    if within:
        return "consistent", True
    return ("inconsistent", False) if beyond else ("inconclusive", False)


def _small_grid(claim):
    r"""ntk_limit on three widths (64, 128, 256 at L = 6) and two networks each: about 0.3 s of cells."""
    from rnntheory.checking import Grid

    return Grid(points=tuple({"m": m, "L": 6} for m in (64, 128, 256)), seeds=(0, 1), fixed=claim.grid().fixed)


def _interval_findings(res):
    return [
        f
        for f in res.findings
        if f.decision.rule in ("exponent", "mean", "growth")
        and all(math.isfinite(v) for v in (f.decision.ci_low, f.decision.ci_high, f.decision.value))
    ]


def test_verdicts_follow_the_rule_of_section_7():
    r"""ntk_limit on a small grid (:func:`_small_grid`): every finding's verdict is the section 7 rule applied to
    its own interval, claimed value and resolution (:func:`_section7`); then the same rows judged with the
    claimed exponent just below the interval and a resolution of half its width, so that the interval lies
    above the claimed value and contains the zone's edge a + r: the rule says "inconclusive" (more networks
    decide it), never "inconsistent"."""
    claim = claims.get("ntk_limit")
    grid = _small_grid(claim)
    res = claim.run(grid, progress=False)
    found = _interval_findings(res)
    assert found, str(res)
    for f in found:
        d = f.decision
        rule = _section7(d.ci_low, d.ci_high, d.value, d.resolution, d.below)
        assert (str(d.verdict), d.at_resolution) == rule, str(f)
    d = found[0].decision
    assert d.below and found[0].key.startswith("m_exponent"), found[0].key
    a, r = d.ci_low - 0.01 * d.width, 0.5 * d.width
    moved = claim.judge(res.data, grid, m_exponent=a, m_resolution=r)
    (f,) = [g for g in moved.findings if g.key == found[0].key]
    assert (f.decision.ci_low, f.decision.ci_high) == approx((d.ci_low, d.ci_high))
    rule = _section7(f.decision.ci_low, f.decision.ci_high, a, r, True)
    assert (str(f.decision.verdict), f.decision.at_resolution) == rule == ("inconclusive", False), str(f)


def test_a_budgeted_claim_judges_its_kth_look_at_level_1_minus_alpha_2_to_the_minus_k(monkeypatch):
    r"""ntk_limit on the small grid (:func:`_small_grid`, whose m exponent two networks a width leave undecided)
    with a budget of 3 s: the grid is judged, then rounds of added networks are judged again. Look k must be
    judged at level 1 - 0.01 * 2^-k (alpha spending: the miss rates of all looks sum to at most 1%), every
    interval of the result at the last look's level, and there must be at least two looks."""
    from rnntheory.checking.claim import Claim

    claim = claims.get("ntk_limit")
    levels = []
    judge = Claim.judge

    def counting(self, *args, **kwargs):
        if self is claim:
            levels.append(kwargs.get("level"))
        return judge(self, *args, **kwargs)

    monkeypatch.setattr(Claim, "judge", counting)
    res = claim.run(_small_grid(claim), budget=3, progress=False)
    assert len(levels) >= 2, f"the budget gave one look only: {levels}"
    assert levels == approx([1 - 0.01 * 2.0**-k for k in range(1, len(levels) + 1)], rel=0, abs=1e-15)
    assert res.level == approx(levels[-1], rel=0, abs=1e-15)
    fits = [f.fit for f in _interval_findings(res) if f.fit is not None]
    assert fits and all(fit.level == approx(res.level, rel=0, abs=1e-15) for fit in fits)
