r"""Symbolic check (sympy) of closed forms of C_eps and C_s (theory.md sec. 5) against
rnntheory.complexity.

* Monomials c z^k: C_eps = |c| ((C* R)^k + (sqrt(log(1/eps)/k) C* R)^k) for k >= 1 and |c| for k = 0;
  C_s = C* (k+1)^1.75 R^k |c|: derived by sympy from the definition as a finite sum.
* exp: the first part of C_eps sums to exp(C* R) (sympy's summation); the second part is compared with
  an independent mpmath nsum. C_s(exp, R) lies between the closed forms C* e^R (R + 1) and
  C* e^R (R^2 + 3R + 1) of the sums with (i+1)^1 and (i+1)^2 (derived as (R d/dR + 1)^p exp(R)), which sandwich
  (i+1)^1.75.
"""

import mpmath
import pytest
import sympy as sp

from rnntheory.complexity import c_eps, c_s

i = sp.Symbol("i", integer=True, nonnegative=True)
A, ell, R, C = sp.symbols("A ell R C", positive=True)


def _definition_eps(coefs, Cs, Rv, eps):
    """C_eps from the definition, as an exact sympy expression (finite sum)."""
    L = sp.log(1 / sp.nsimplify(eps))
    out = abs(coefs[0])
    for k, ck in enumerate(coefs[1:], start=1):
        out += ((Cs * Rv) ** k + (sp.sqrt(L / k) * Cs * Rv) ** k) * abs(ck)
    return out


@pytest.mark.parametrize("k", [0, 1, 2, 5, 9])
@pytest.mark.parametrize("c", [sp.Rational(-3, 7), sp.Integer(2)])
def test_monomial_closed_forms(k, c):
    coefs = [0] * k + [c]
    Cs, Rv, eps = sp.Integer(10), sp.Rational(3, 4), sp.Rational(1, 1024)  # exact in float64
    expected_eps = _definition_eps(coefs, Cs, Rv, eps)
    closed_eps = abs(c) if k == 0 else abs(c) * ((Cs * Rv) ** k + (sp.sqrt(sp.log(1 / eps) / k) * Cs * Rv) ** k)
    assert sp.simplify(expected_eps - closed_eps) == 0
    expected_s = Cs * (k + 1) ** sp.Rational(7, 4) * Rv**k * abs(c)
    with mpmath.workdps(40):
        actual_eps = c_eps(coefs, float(Rv), float(eps), float(Cs)).value
        actual_s = c_s(coefs, float(Rv), float(Cs)).value
        assert abs(actual_eps - sp.N(closed_eps, 40)) <= 1e-25 * abs(actual_eps)
        assert abs(actual_s - sp.N(expected_s, 40)) <= 1e-25 * abs(actual_s)


def test_exp_first_part_closed_form():
    first = sp.summation(A**i / sp.factorial(i), (i, 0, sp.oo))
    assert sp.simplify(first - sp.exp(A)) == 0
    Cs, Rv, eps = 10.0, 1.0, 1e-3
    with mpmath.workdps(40):
        L = mpmath.log(1 / mpmath.mpf(eps))
        second = mpmath.nsum(lambda n: (mpmath.sqrt(L / n) * Cs * Rv) ** n / mpmath.factorial(n), [1, mpmath.inf])
        expected = mpmath.exp(Cs * Rv) + second
        actual = c_eps("exp", Rv, eps, Cs)
        assert abs(actual.value - expected) <= 1e-20 * expected
        assert actual.tail_bound <= 1e-20 * actual.value


def test_exp_c_s_between_closed_forms():
    # sum_i (i+1)^p R^i / i! = (R d/dR + 1)^p exp(R), since R d/dR maps R^i to i R^i
    def op(g):
        return sp.expand(R * sp.diff(g, R) + g)

    lower, upper = op(sp.exp(R)), op(op(sp.exp(R)))
    for p, closed in ((1, lower), (2, upper)):  # cross-check the operator identity on 30 terms
        partial = sum((k + 1) ** p * R**k / sp.factorial(k) for k in range(30))
        assert abs(float((closed - partial).subs(R, sp.Rational(1, 2)))) < 1e-20
    assert sp.simplify(lower - sp.exp(R) * (R + 1)) == 0
    assert sp.simplify(upper - sp.exp(R) * (R**2 + 3 * R + 1)) == 0
    for Rv in (0.5, 1.0, 3.0):
        val = c_s("exp", Rv, 10.0)
        assert 10 * float(lower.subs(R, Rv)) < float(val.value) < 10 * float(upper.subs(R, Rv))
