r"""Symbolic checks (sympy) of the perturbation algebra (theory.md sec. 3 and 4).

1. Sign changes. Pre-activations g_k ~ N(0, 2/m) (||h|| = 1) have |g_k| with density sqrt(m/pi) at 0,
   so about rho t = m sqrt(m/pi) t coordinates have |g_k| <= t. Flipping coordinate k needs a
   perturbation |delta_k| >= |g_k|; under the budget ||delta||_2 <= omega the most flips come from the
   smallest |g_k| (exchange argument), i.e. a threshold t with cost int_0^t x^2 rho dx = omega^2.
   Solving gives s = (3/pi)^(1/3) m omega^(2/3): exponent 2/3 in omega and 1 in m, derived below.
2. The rank-one construction W' = delta h^T / ||h||^2 has W' h = delta and ||W'||_2 = ||delta|| / ||h||
   (derived from the eigenvalues of W'^T W'); on a sampled g it flips about s coordinates.
3. Forward coupling: the coupling error lives on the s flipped coordinates, with ||e|| <= omega; for an
   s-sparse e, |u^T B e| <= ||u^T B_S|| ||e|| with E||u^T B_S||^2 = s/d. Hence
   err <~ sqrt(s/d) omega = m^(1/2) omega^(4/3) / sqrt(d) up to constants, and omega = tau / sqrt(m) gives
   tau^(4/3) m^(-1/6).
"""

import sympy as sp
import torch

m, omega, t, s, tau, d = sp.symbols("m omega t s tau d", positive=True)


def _flip_count():
    x = sp.Symbol("x", positive=True)
    rho = m * sp.sqrt(m / sp.pi)  # coordinates per unit of threshold near 0
    cost = sp.integrate(x**2 * rho, (x, 0, t))
    t_star = sp.solve(sp.Eq(cost, omega**2), t)
    assert len(t_star) == 1
    return sp.simplify(rho * t_star[0]), t_star[0]


def test_density_of_abs_preactivation_at_zero():
    x = sp.Symbol("x", real=True)
    density_abs = 2 * sp.exp(-(x**2) / (2 * (2 / m))) / sp.sqrt(2 * sp.pi * (2 / m))
    assert sp.simplify(density_abs.subs(x, 0) - sp.sqrt(m / sp.pi)) == 0


def test_sign_change_count_is_m_omega_to_two_thirds():
    count, _ = _flip_count()
    expected = (3 / sp.pi) ** sp.Rational(1, 3) * m * omega ** sp.Rational(2, 3)
    assert sp.simplify(count - expected) == 0
    assert sp.simplify(sp.diff(sp.log(count), omega) * omega) == sp.Rational(2, 3)
    assert sp.simplify(sp.diff(sp.log(count), m) * m) == 1


def test_threshold_strategy_is_optimal_among_thresholds_by_lagrange():
    # maximise the count rho*t subject to the cost rho t^3 / 3 <= omega^2: the budget binds
    lam = sp.Symbol("lam", positive=True)
    rho = sp.Symbol("rho", positive=True)
    lagr = rho * t - lam * (rho * t**3 / 3 - omega**2)
    sol = sp.solve([sp.diff(lagr, t), sp.diff(lagr, lam)], [t, lam], dict=True)
    assert len(sol) == 1
    assert sp.simplify(sol[0][t] - (3 * omega**2 / rho) ** sp.Rational(1, 3)) == 0


def test_rank_one_construction_has_the_claimed_spectral_norm():
    u = sp.Matrix(sp.symbols("u1:4", real=True))
    v = sp.Matrix(sp.symbols("v1:4", real=True))
    W = u * v.T
    eig = (W.T * W).eigenvals()
    top = [e for e in eig if sp.simplify(e) != 0]
    assert len(top) == 1
    assert sp.simplify(top[0] - (u.dot(u) * v.dot(v))) == 0
    # W' = delta h^T / ||h||^2 maps h to delta
    assert sp.simplify(u * v.T * v / v.dot(v) - u) == sp.zeros(3, 1)


def test_rank_one_construction_attains_the_count_on_a_sample():
    mm, om = 4000, 1e-2
    gen = torch.Generator().manual_seed(0)
    h = torch.randn(mm, generator=gen, dtype=torch.float64)
    h = h / h.norm()
    g = torch.randn(mm, generator=gen, dtype=torch.float64) * (2 / mm) ** 0.5
    order = g.abs().argsort()
    costs = torch.cumsum(g.abs()[order] ** 2 * (1 + 1e-9) ** 2, 0)
    k = int((costs <= om**2).sum())  # flip the k smallest |g|
    delta = torch.zeros_like(g)
    idx = order[:k]
    delta[idx] = -g[idx] * (1 + 1e-9)
    Wp = torch.outer(delta, h)  # rank one, ||W'||_2 = ||delta|| / ||h||
    # rank one: the spectral norm equals the Frobenius norm, and is attained at h
    assert float(torch.linalg.matrix_norm(Wp)) <= om * (1 + 1e-9)
    assert abs(float((Wp @ h).norm()) - float(torch.linalg.matrix_norm(Wp))) <= 1e-12
    flips = int(((g > 0) != (g + Wp @ h > 0)).sum())
    expected, _ = _flip_count()
    predicted = float(expected.subs({m: mm, omega: om}))
    assert flips == k
    assert 0.8 < flips / predicted < 1.25, (flips, predicted)


def test_forward_coupling_rate():
    count, _ = _flip_count()
    # E ||u^T B_S||^2 for B_ij ~ N(0, 1/d), u unit, |S| = s: sum over S of sum_r u_r^2 / d = s / d
    u = sp.symbols("u1:4", real=True)
    e_sq = sum(sum(ur**2 / d for ur in u) for _ in range(3))  # s = 3 columns
    assert sp.simplify(e_sq.subs(u[0] ** 2, 1 - u[1] ** 2 - u[2] ** 2) - 3 / d) == 0
    err = sp.sqrt(count / d) * omega  # ||u^T B_S|| * ||e||, ||e|| <= omega
    rate = sp.simplify(err.subs(omega, tau / sp.sqrt(m)))
    assert sp.simplify(sp.diff(sp.log(rate), tau) * tau) == sp.Rational(4, 3)
    assert sp.simplify(sp.diff(sp.log(rate), m) * m) == -sp.Rational(1, 6)
    expected = (3 / sp.pi) ** sp.Rational(1, 6) * tau ** sp.Rational(4, 3) * m ** sp.Rational(-1, 6) / sp.sqrt(d)
    assert sp.simplify(rate - expected) == 0
