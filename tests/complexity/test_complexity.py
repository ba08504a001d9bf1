r"""Unit tests of rnntheory.complexity against independent references: closed forms for polynomials
and exp, direct mpmath sums, sympy series and finite differences for Taylor coefficients."""

import math

import mpmath
import pytest
import sympy as sp
import torch
from hypothesis import given
from hypothesis import strategies as st

from rnntheory.complexity import (
    Complexity,
    c_eps,
    c_s,
    choose_truncation,
    max_complexity,
    radius_of_convergence,
    smooth,
    taylor_coefficients,
    truncate,
    truncation_error,
)
from rnntheory.testing import TOL

z = sp.Symbol("z")
NAMED_EXPR = {
    "exp": sp.exp(z),
    "sin": sp.sin(z),
    "cos": sp.cos(z),
    "sinh": sp.sinh(z),
    "cosh": sp.cosh(z),
    "log1p": sp.log(1 + z),
    "tanh": sp.tanh(z),
    "sigmoid": 1 / (1 + sp.exp(-z)),
    "erf": sp.erf(z),
}


# ---------------------------------------------------------------------- coefficients
@pytest.mark.parametrize("name", sorted(NAMED_EXPR))
def test_named_coefficients_match_sympy_series(name):
    expected_series = sp.series(NAMED_EXPR[name], z, 0, 10).removeO()
    expected = [expected_series.coeff(z, k) if k else expected_series.subs(z, 0) for k in range(10)]
    actual = taylor_coefficients(name, 10)
    assert all(sp.simplify(a - e) == 0 for a, e in zip(actual, expected)), (actual, expected)


@pytest.mark.parametrize(
    "expr",
    [
        sp.exp(z) * sp.sin(z),
        1 / (1 + z**2),
        sp.sqrt(4 + z),
        sp.atan(z / 2),
        sp.log(2 + sp.cos(z)),
        sp.tanh(z) ** 2,
        sp.erf(z) + sp.exp(-(z**2)),
    ],
)
def test_generic_coefficients_match_finite_differences(expr):
    f = sp.lambdify(z, expr, "mpmath")
    with mpmath.workdps(40):
        expected = [mpmath.diff(f, 0, k) / mpmath.factorial(k) for k in range(8)]
        actual = taylor_coefficients(expr, 8, exact=False)
        assert all(abs(a - e) <= 1e-20 * (1 + abs(e)) for a, e in zip(actual, expected)), (actual, expected)


def test_generic_exact_coefficients_are_rationals():
    actual = taylor_coefficients(sp.exp(z) * sp.sin(z), 6)
    expected = [0, 1, 1, sp.Rational(1, 3), 0, sp.Rational(-1, 30)]
    assert actual == expected


def test_recognised_combinations():
    f = smooth(3 * sp.sin(z / 2) + z**2 - 1)
    assert f.kind == "combination"
    expected = [-1, sp.Rational(3, 2), 1, sp.Rational(-1, 16)]
    assert taylor_coefficients(f, 4) == expected
    assert smooth(1 / (1 + sp.exp(-2 * z))).terms[0][1] == "sigmoid"
    assert smooth(sp.log(1 + z / 3)).terms[0][1] == "log1p"


# ---------------------------------------------------------------------- radius of convergence
@pytest.mark.parametrize(
    "phi, expected",
    [
        ("tanh", mpmath.pi / 2),
        ("sigmoid", mpmath.pi),
        ("log1p", 1),
        ("exp", mpmath.inf),
        ("erf", mpmath.inf),
        (sp.tanh(2 * z), mpmath.pi / 4),
        (1 / (1 + z**2), 1),
        (1 / (3 - z), 3),
        (sp.sqrt(4 + z), 4),
        (sp.exp(z) * sp.sin(z), mpmath.inf),
        ([1, 2, 3], mpmath.inf),
        (sp.log(1 + z**2), 1),
    ],
)
def test_radius_of_convergence(phi, expected):
    actual = radius_of_convergence(phi)
    assert actual == expected or abs(actual - expected) <= 1e-25 * abs(expected)


# ---------------------------------------------------------------------- complexity values
def _direct_eps(coefs, A, ell, n=600):
    """The definition summed term by term to n terms (every case below has terms < 1e-40 beyond)."""
    terms = [(A**i + (mpmath.sqrt(ell / i) * A) ** i) * abs(coefs(i)) for i in range(1, n)]
    assert max(terms[-5:]) < 1e-40 * max(terms)
    return abs(coefs(0)) + mpmath.fsum(terms)


_COEF = {
    "exp": lambda i: 1 / mpmath.factorial(i),
    "sin": lambda i: 0 if i % 2 == 0 else (-1) ** ((i - 1) // 2) / mpmath.factorial(i),
    "cosh": lambda i: 0 if i % 2 else 1 / mpmath.factorial(i),
    "log1p": lambda i: 0 if i == 0 else mpmath.mpf(1) / i,
}
_ARGS = [(1.0, 1e-3, 10.0), (0.05, 0.3, 10.0), (2.0, 1e-9, 3.0), (0.02, 1e-6, 10.0)]


@pytest.mark.parametrize(
    "name, R, eps, C", [(name, R, eps, C) for name in _COEF for R, eps, C in _ARGS if name != "log1p" or C * R < 1]
)
def test_c_eps_matches_direct_mpmath_sum(name, R, eps, C):
    with mpmath.workdps(40):
        expected = _direct_eps(_COEF[name], mpmath.mpf(C) * R, mpmath.log(1 / mpmath.mpf(eps)))
        actual = c_eps(name, R, eps, C)
        assert abs(actual.value - expected) <= 1e-18 * expected
        # the rigorous interval [value, value + tail] holds the reference, up to rounding at 40 digits
        tol = mpmath.mpf("1e-30")
        assert actual.value * (1 - tol) <= expected <= actual.upper * (1 + tol)


@pytest.mark.parametrize("name, R", [("tanh", 1.0), ("sigmoid", 2.5), ("sin", 3.0), ("log1p", 0.7)])
def test_c_s_matches_direct_mpmath_sum(name, R):
    with mpmath.workdps(40):
        n = 4000
        cs = taylor_coefficients(name, n, exact=False)
        expected = 7 * mpmath.fsum((i + 1) ** mpmath.mpf(1.75) * mpmath.mpf(R) ** i * abs(cs[i]) for i in range(n))
        actual = c_s(name, R, 7.0)
        assert abs(actual.value - expected) <= 1e-15 * expected


def test_exp_closed_form_of_first_part():
    # with eps -> 1 the second part is tiny: C_eps(exp, R) -> exp(C* R)
    eps = 1 - 1e-12
    actual = c_eps("exp", 1.0, eps, 10.0)
    expected = mpmath.exp(10)
    assert 0 < actual.value - expected < 1e-3 * expected


@st.composite
def _polynomials(draw):
    coefs = draw(st.lists(st.fractions(min_value=-5, max_value=5, max_denominator=50), min_size=1, max_size=8))
    return [sp.Rational(c.numerator, c.denominator) for c in coefs]


@given(coefs=_polynomials(), r64=st.integers(1, 256), C=st.integers(1, 10_000), k=st.integers(1, 60))
def test_polynomial_closed_form_agrees_exactly(coefs, r64, C, k):
    # R = r64/64 and eps = 2^-k are exact in float64, so the exact closed form applies to the same arguments
    Rq, eps = sp.Rational(r64, 64), sp.Rational(1, 2**k)
    L = sp.log(1 / eps)
    expected_eps = abs(coefs[0]) + sum(
        ((C * Rq) ** i + (sp.sqrt(L / i) * C * Rq) ** i) * abs(c) for i, c in enumerate(coefs) if i
    )
    expected_s = C * sum((i + 1) ** sp.Rational(7, 4) * Rq**i * abs(c) for i, c in enumerate(coefs))
    with mpmath.workdps(40):
        actual_eps = c_eps(coefs, float(Rq), float(eps), C)
        actual_s = c_s(coefs, float(Rq), C)
        for actual, expected in ((actual_eps, expected_eps), (actual_s, expected_s)):
            e = sp.N(expected, 45)
            assert abs(actual.value - e) <= 1e-25 * abs(e)  # agreement to the working precision
            assert actual.tail_bound == 0


# ---------------------------------------------------------------------- the "done means"
def test_done_means_sin():
    a = c_eps(sp.sin(z), R=1, eps=1e-3, C_star=10)
    b = c_s(sp.sin(z), R=1, C_star=10)
    for r in (a, b):
        assert isinstance(r, Complexity) and not r.divergent and r.converged
        assert r.terms > 0 and math.isfinite(r.log10)
        assert r.log10 == pytest.approx(float(mpmath.log10(r.value)), rel=1e-12)


def test_done_means_tanh():
    assert not c_s("tanh", R=1).divergent
    div = c_s("tanh", R=2)
    assert div.divergent and abs(div.radius - mpmath.pi / 2) < 1e-25 and div.log10 == math.inf
    assert c_eps("tanh", R=1, eps=1e-3, C_star=10).divergent
    k = choose_truncation("tanh", 1.0, 1e-3).k
    for r in (c_s("tanh", R=1, degree=k), c_s("tanh", R=2, degree=k), c_eps("tanh", 1, 1e-3, 10, degree=k)):
        assert not r.divergent and math.isfinite(r.log10) and r.tail_bound == 0


def test_divergence_at_float_radius_does_not_hang():
    assert c_s("tanh", math.pi / 2).divergent
    assert c_eps("sigmoid", math.pi / 10, 0.1, 10).divergent
    assert c_s(1 / (1 + z**2), 1.0).divergent


def test_slow_convergence_reports_tail():
    r = c_s("log1p", 1 - 1e-6, 1.0, max_terms=1000)
    assert not r.converged and r.tail_bound > 0 and r.upper > r.value


# ---------------------------------------------------------------------- truncation
def test_truncate_is_the_taylor_polynomial():
    p = truncate("tanh", 5)
    assert p.degree == 5
    assert sp.simplify(p.expr - (z - z**3 / 3 + 2 * z**5 / 15)) == 0


@pytest.mark.parametrize("name, R, eps", [("tanh", 1.0, 1e-6), ("sin", 2.0, 1e-9), ("log1p", 0.5, 1e-4)])
def test_choose_truncation_error_bound_covers_measured_error(name, R, eps):
    tr = choose_truncation(name, R, eps)
    assert tr.error_bound <= eps
    assert tr.measured_error <= float(tr.error_bound) * (1 + 1e-9) + 1e-15
    assert truncation_error(name, tr.k - 1, R) > eps  # smallest such degree


def test_choose_truncation_log_rule():
    tr = choose_truncation("sigmoid", 1.0, 1e-4, rule="log")
    assert tr.k == math.ceil(math.log(1e4))


def test_truncation_of_torch_evaluation():
    x = torch.linspace(-1, 1, 11, dtype=torch.float64)
    actual = truncate("exp", 30).torch(x)
    expected = torch.exp(x)
    torch.testing.assert_close(actual, expected, **TOL[torch.float64])


@pytest.mark.parametrize("phi", ["sin", sp.exp(z) * sp.sin(z), [1, -2, 0.5], 2 * sp.tanh(z / 3) + z])
def test_torch_evaluation_matches_mpmath(phi):
    f = smooth(phi)
    x = torch.linspace(-0.9, 0.9, 7, dtype=torch.float64)
    g = sp.lambdify(f.symbol, f.expr, "mpmath")
    expected = torch.tensor([float(g(float(v))) for v in x], dtype=torch.float64)
    torch.testing.assert_close(f.torch(x), expected, **TOL[torch.float64])


def test_max_complexity():
    vals = [c_eps(f, 1.0, 1e-3, 10.0) for f in ("sin", "exp", "cos")]
    expected = max(vals, key=lambda c: c.value)
    actual = max_complexity(["sin", "exp", "cos", "sin"], 1.0, 1e-3, 10.0)
    assert actual.value == expected.value and actual.function == "exp"
    assert max_complexity(["sin", "tanh"], 1.0, 1e-3, 10.0).divergent


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: c_eps(sp.Abs(z), 1, 0.1), ValueError, r"c_eps: phi=Abs\(z\).*not analytic"),
        (lambda: c_eps(sp.sqrt(z), 1, 0.1), ValueError, r"c_eps: phi=sqrt\(z\).*branch point"),
        (lambda: c_s(1 / z, 1), ValueError, r"c_s: phi=1/z.*pole"),
        (lambda: c_s(sp.log(z), 1), ValueError, r"c_s: phi=log\(z\).*analytic"),
        (lambda: c_s(sp.Piecewise((z, z > 0), (0, True)), 1), ValueError, r"c_s: .*not analytic"),
        (lambda: c_s(sp.sin(z) * sp.Symbol("y"), 1), ValueError, r"c_s: .*free symbols"),
        (lambda: c_s(sp.gamma(z + 1), 1), ValueError, r"c_s: .*gamma.*not supported"),
        (lambda: c_eps("sin", 1, 0), ValueError, r"c_eps: eps=0 must be a finite number in \(0, 1\)"),
        (lambda: c_eps("sin", 1, 1), ValueError, r"c_eps: eps=1 must be a finite number in \(0, 1\)"),
        (lambda: c_eps("sin", 1, -0.5), ValueError, r"c_eps: eps=-0.5 must be a finite number in \(0, 1\)"),
        (lambda: c_eps("sin", 1, float("nan")), ValueError, r"c_eps: eps=nan must be a finite number in \(0, 1\)"),
        (lambda: c_eps("sin", 0, 0.1), ValueError, r"c_eps: R=0 must be a finite number > 0"),
        (lambda: c_s("sin", -1), ValueError, r"c_s: R=-1 must be a finite number > 0"),
        (lambda: c_s("sin", float("inf")), ValueError, r"c_s: R=inf must be a finite number > 0"),
        (lambda: c_s("sin", "1"), TypeError, r"c_s: R='1' must be a real number"),
        (lambda: c_s("sin", 1, C_star=0), ValueError, r"c_s: C_star=0 must be a finite number > 0"),
        (lambda: c_s([1.0, float("nan")], 1), ValueError, r"c_s: phi\[1\]=nan must be a finite"),
        (lambda: c_s([1.0, float("inf")], 1), ValueError, r"c_s: phi\[1\]=inf must be a finite"),
        (lambda: c_s([], 1), ValueError, r"c_s: phi=\[\] must hold at least one"),
        (lambda: c_s(["a"], 1), TypeError, r"c_s: phi\[0\]='a' must be a real number"),
        (lambda: c_s("nosuchfunction(", 1), ValueError, r"c_s: phi='nosuchfunction\(' is neither a known name"),
        (lambda: c_s(object(), 1), TypeError, r"c_s: phi=.* must be a sympy expression"),
        (lambda: c_s("sin", 1, degree=-1), ValueError, r"c_s: degree=-1 must be a non-negative integer"),
        (lambda: c_s("sin", 1, degree=1.5), TypeError, r"c_s: degree=1.5 must be a non-negative integer"),
        (lambda: taylor_coefficients("sin", 0), ValueError, r"taylor_coefficients: n=0 must be a positive integer"),
        # a wrong type is a TypeError, a wrong value a ValueError (the policy of rnntheory._validation)
        (lambda: taylor_coefficients("sin", 2.0), TypeError, r"taylor_coefficients: n=2.0 must be an integer >= 1"),
        (lambda: c_eps("sin", 1, "0.1"), TypeError, r"c_eps: eps='0.1' must be a real number"),
        (lambda: c_eps("sin", True, 0.1), TypeError, r"c_eps: R=True must be a real number"),
        (lambda: c_s("sin", 1, dps=20.5), TypeError, r"c_s: dps=20.5 must be an integer >= 15"),
        (lambda: c_s("sin", 1, dps=10), ValueError, r"c_s: dps=10 must be an integer >= 15"),
        (lambda: c_s("sin", 1, max_terms=None), TypeError, r"c_s: max_terms=None must be an integer >= 2"),
        (lambda: c_s("sin", 1, degree="3"), TypeError, r"c_s: degree='3' must be a non-negative integer or None"),
        (lambda: truncate("sin", None), TypeError, r"truncate: k=None must be a non-negative integer"),
        (
            lambda: truncation_error("sin", -1, 1.0),
            ValueError,
            r"truncation_error: k=-1 must be a non-negative integer",
        ),
        (
            lambda: choose_truncation("sin", 1.0, 1e-3, k_max=1.5),
            TypeError,
            r"choose_truncation: k_max=1.5 must be an integer",
        ),
        (lambda: choose_truncation("tanh", 2.0, 1e-3), ValueError, r"choose_truncation: R=2.0 is at or beyond"),
        (lambda: choose_truncation("sin", 1.0, 1e-3, rule="x"), ValueError, r"choose_truncation: rule='x'"),
        (lambda: max_complexity([], 1.0, 0.1), ValueError, r"max_complexity: phis is empty"),
        (lambda: max_complexity(["sin"], 1.0), ValueError, r"max_complexity: eps=None"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_an_mpmath_real_is_a_real_argument():
    assert c_s("sin", mpmath.mpf(1), 10).value == c_s("sin", 1.0, 10).value


# ---------------------------------------------------------------------- closed forms for exp, in every branch
@pytest.mark.parametrize("R, eps, C", [(1.0, 1e-3, 10.0), (0.3, 0.2, 3.0), (2.0, 1e-12, 7.0)])
def test_c_eps_of_exp_is_e_to_the_A_plus_the_second_series(R, eps, C):
    r"""C_eps(exp, R) = |c_0| + sum_{i>=1} (A^i + (sqrt(ell/i) A)^i) / i! = e^A + sum_{i>=1} (sqrt(ell/i) A)^i / i!
    (the first part in closed form, the i = 0 term counted once), with A = C* R and ell = log(1/eps)."""
    with mpmath.workdps(40):
        A, ell = mpmath.mpf(C) * mpmath.mpf(R), mpmath.log(1 / mpmath.mpf(eps))
        expected = mpmath.exp(A) + mpmath.nsum(
            lambda i: (mpmath.sqrt(ell / i) * A) ** i / mpmath.factorial(i), [1, mpmath.inf]
        )
        actual = c_eps("exp", R, eps, C)
        assert abs(actual.value - expected) <= 1e-18 * expected
        k = 6  # the truncated series (degree=): a finite sum, the same terms up to degree k
        expected_k = 1 + mpmath.fsum(
            (A**i + (mpmath.sqrt(ell / i) * A) ** i) / mpmath.factorial(i) for i in range(1, k + 1)
        )
        actual_k = c_eps("exp", R, eps, C, degree=k)
        assert abs(actual_k.value - expected_k) <= 1e-25 * expected_k and actual_k.tail_bound == 0


@pytest.mark.parametrize("R, C", [(1.0, 10.0), (0.25, 1e4), (3.0, 2.0)])
def test_c_s_of_exp_matches_its_series_and_its_truncation(R, C):
    with mpmath.workdps(40):
        x = mpmath.mpf(R)
        expected = C * mpmath.nsum(lambda i: (i + 1) ** mpmath.mpf(1.75) * x**i / mpmath.factorial(i), [0, mpmath.inf])
        assert abs(c_s("exp", R, C).value - expected) <= 1e-18 * expected
        expected_k = C * mpmath.fsum((i + 1) ** mpmath.mpf(1.75) * x**i / mpmath.factorial(i) for i in range(5))
        assert abs(c_s("exp", R, C, degree=4).value - expected_k) <= 1e-25 * expected_k


def test_generic_expression_branch_matches_the_closed_form_coefficients():
    r"""exp(z) sin(z) = Im exp((1 + i) z) has c_i = 2^(i/2) sin(i pi / 4) / i!; the generic (series
    arithmetic) branch must give the direct sums of both measures."""
    coef = lambda i: 2 ** (mpmath.mpf(i) / 2) * mpmath.sin(i * mpmath.pi / 4) / mpmath.factorial(i)  # noqa: E731
    with mpmath.workdps(40):
        A, ell = mpmath.mpf(3), mpmath.log(1 / mpmath.mpf(0.01))  # the float 0.01, as c_eps receives it
        expected_eps = abs(coef(0)) + mpmath.fsum(
            (A**i + (mpmath.sqrt(ell / i) * A) ** i) * abs(coef(i)) for i in range(1, 200)
        )
        expected_s = 3 * mpmath.fsum((i + 1) ** mpmath.mpf(1.75) * abs(coef(i)) for i in range(200))
        assert abs(c_eps(sp.exp(z) * sp.sin(z), 1.0, 0.01, 3.0).value - expected_eps) <= 1e-18 * expected_eps
        assert abs(c_s(sp.exp(z) * sp.sin(z), 1.0, 3.0).value - expected_s) <= 1e-18 * expected_s


@pytest.mark.parametrize("c0", [0.0, 2.5, -4.0])
def test_the_constant_term_is_counted_once(c0):
    r"""Convention for i = 0 (theory.md sec. 5): only the first term, so the i = 0 summand of C_eps is |c_0|,
    and of C_s it is C* |c_0| (the weight (0 + 1)^1.75 R^0 = 1)."""
    base_eps, base_s = c_eps([0.0, 1.0], 1.0, 0.1, 2.0).value, c_s([0.0, 1.0], 1.0, 2.0).value
    assert c_eps([c0, 1.0], 1.0, 0.1, 2.0).value - base_eps == pytest.approx(abs(c0), abs=1e-30)
    assert c_s([c0, 1.0], 1.0, 2.0).value - base_s == pytest.approx(2.0 * abs(c0), abs=1e-30)
    assert c_eps([c0], 0.5, 0.1, 2.0).value == pytest.approx(abs(c0), abs=1e-30)
