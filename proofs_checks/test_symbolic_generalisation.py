r"""Symbolic check (sympy) of the Rademacher complexity of a Frobenius ball of linear functions
(theory.md sec. 6): for F = {X -> <W, X> : ||W||_F <= B} and points X_1..X_N,

    R_hat(F) = (1/N) E_sigma sup_W sum_n sigma_n <W, X_n> = (B/N) E ||sum_n sigma_n X_n||_F
             <= (B/N) sqrt(sum_n ||X_n||_F^2) <= B max_n ||X_n||_F / sqrt(N).

Derived: the supremum by Lagrange multipliers, E sigma_n sigma_k = [n = k] by enumerating signs, the
Jensen step, and exact enumeration over all 2^N sign vectors on a small instance. Applied to the
pseudo-network (radius tau = sqrt(m) ||W'||_F, features of norm sqrt(m) c): B ||X|| = tau c, so the
bound tau c / sqrt(N) does not depend on m.
"""

import itertools

import sympy as sp


def test_supremum_over_the_ball_is_B_times_the_norm():
    B = sp.Symbol("B", positive=True)
    v = sp.symbols("v1:4", real=True)
    w = sp.symbols("w1:4", real=True)
    lam = sp.Symbol("lam", real=True)
    lagr = sum(wi * vi for wi, vi in zip(w, v)) - lam * (sum(wi**2 for wi in w) - B**2)
    sols = sp.solve([sp.diff(lagr, x) for x in (*w, lam)], [*w, lam], dict=True)
    values = {sp.simplify(sum(sol[wi] * vi for wi, vi in zip(w, v))) for sol in sols}
    norm = sp.sqrt(sum(vi**2 for vi in v))
    assert any(sp.simplify(val - B * norm) == 0 for val in values)
    assert any(sp.simplify(val + B * norm) == 0 for val in values)


def test_cross_terms_vanish_in_expectation():
    N = 4
    xs = sp.symbols(f"x1:{N + 1}", real=True)  # scalar stand-ins for the inner products <X_n, X_k>
    total = 0
    for signs in itertools.product((-1, 1), repeat=N):
        total += sp.expand(sum(sg * x for sg, x in zip(signs, xs)) ** 2)
    actual = sp.simplify(total / 2**N)
    expected = sum(x**2 for x in xs)
    assert sp.simplify(actual - expected) == 0


def test_rademacher_bound_on_an_exact_instance():
    B = sp.Integer(2)
    X = [sp.Matrix([[1, 0], [0, 1]]), sp.Matrix([[0, 2], [1, 0]]), sp.Matrix([[1, 1], [1, -1]])]
    N = len(X)
    exact = 0
    for signs in itertools.product((-1, 1), repeat=N):
        S = sum((sg * x for sg, x in zip(signs, X)), sp.zeros(2, 2))
        exact += B * sp.sqrt(sum(v**2 for v in S))  # sup over the ball, derived above
    exact = exact / 2**N / N
    jensen = B / N * sp.sqrt(sum(sum(v**2 for v in x) for x in X))
    worst = B * sp.sqrt(max(sum(v**2 for v in x) for x in X)) / sp.sqrt(N)
    assert float(exact) <= float(jensen) + 1e-15
    assert float(jensen) <= float(worst) + 1e-15


def test_pseudo_network_bound_does_not_depend_on_m():
    tau, m, c, N = sp.symbols("tau m c N", positive=True)
    B = tau / sp.sqrt(m)  # ||W'||_F = tau / sqrt(m)
    feature_norm = sp.sqrt(m) * c
    bound = sp.simplify(B * feature_norm / sp.sqrt(N))
    assert sp.diff(bound, m) == 0
    assert sp.simplify(bound - tau * c / sp.sqrt(N)) == 0
