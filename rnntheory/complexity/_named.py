r"""The named smooth functions and their recognition in sympy expressions.

Paper: section 5 (theory.md), the smooth activations :math:`\Phi(z) = \sum_{i \ge 0} c_i z^i`.
:data:`NAMED` holds ``"exp", "sin", "cos", "sinh", "cosh", "log1p"`` (:math:`\log(1+z)`), ``"tanh"``,
``"sigmoid"``, ``"erf"`` with closed-form coefficients (mpmath and exact sympy), the known radius of
convergence, a known coefficient bound :math:`|c_i| \le M q^{-i} / \Gamma(s i + t)` and the torch
function. :func:`as_combination` recognises a linear combination of named functions of :math:`b z`
plus a polynomial in a sympy expression (``3*sin(z/2) + z**2``, ``1/(1+exp(-z))`` is the sigmoid,
``log(1+z)`` is log1p). :mod:`rnntheory.complexity._smooth` builds :class:`~rnntheory.complexity._smooth.SmoothFunction`
on top of this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import mpmath
import sympy
import torch

from ._precision import INF

__all__ = ["NAMED", "exact_coefficient", "as_combination"]


# ---------------------------------------------------------------------- the table
def _entire(pattern: Callable[[int], Any]) -> Callable[[int], list]:
    """Coefficients pattern(i) / i! for the first n indices (pattern returns 0, 1 or -1)."""

    def coefs(n: int) -> list:
        out, f = [], mpmath.mpf(1)
        for i in range(n):
            if i:
                f /= i
            p = pattern(i)
            out.append(f * p if p else mpmath.mpf(0))
        return out

    return coefs


def _tanh_coefs(n: int) -> list:
    out = []
    for i in range(n):
        if i % 2 == 0:
            out.append(mpmath.mpf(0))
        else:
            k = (i + 1) // 2
            out.append(
                mpmath.mpf(4) ** k * (mpmath.mpf(4) ** k - 1) * mpmath.bernoulli(2 * k) / mpmath.factorial(2 * k)
            )
    return out


def _sigmoid_coefs(n: int) -> list:
    t = _tanh_coefs(n)
    return [mpmath.mpf(1) / 2 if i == 0 else t[i] / mpmath.mpf(2) ** (i + 1) for i in range(n)]


def _erf_coefs(n: int) -> list:
    c = 2 / mpmath.sqrt(mpmath.pi)
    out, f = [], mpmath.mpf(1)
    for i in range(n):
        if i % 2 == 0:
            out.append(mpmath.mpf(0))
        else:
            k = (i - 1) // 2
            if k:
                f /= k
            out.append(c * (-1) ** k * f / (2 * k + 1))
    return out


def _log1p_coefs(n: int) -> list:
    return [mpmath.mpf(0) if i == 0 else mpmath.mpf((-1) ** (i + 1)) / i for i in range(n)]


def exact_coefficient(name: str, i: int) -> sympy.Expr:
    r"""Exact Taylor coefficient c_i of a named function (sympy numbers).

    Args:
        name: a key of :data:`NAMED`.
        i: the index, >= 0.

    Returns:
        :math:`c_i` as an exact sympy number.

    Raises:
        KeyError: an unknown name.
    """
    I, f = sympy.Integer, sympy.factorial
    if name == "exp":
        return 1 / f(i)
    if name in ("sin", "sinh"):
        return I(0) if i % 2 == 0 else (I(-1) ** ((i - 1) // 2) if name == "sin" else I(1)) / f(i)
    if name in ("cos", "cosh"):
        return I(0) if i % 2 else (I(-1) ** (i // 2) if name == "cos" else I(1)) / f(i)
    if name == "log1p":
        return I(0) if i == 0 else sympy.Rational((-1) ** (i + 1), i)
    if name == "tanh":
        if i % 2 == 0:
            return I(0)
        k = (i + 1) // 2
        return I(4) ** k * (I(4) ** k - 1) * sympy.bernoulli(2 * k) / f(2 * k)
    if name == "sigmoid":
        return sympy.Rational(1, 2) if i == 0 else exact_coefficient("tanh", i) / I(2) ** (i + 1)
    if name == "erf":
        if i % 2 == 0:
            return I(0)
        k = (i - 1) // 2
        return 2 / sympy.sqrt(sympy.pi) * I(-1) ** k / (f(k) * (2 * k + 1))
    raise KeyError(name)


def _sigmoid_expr(u: sympy.Expr) -> sympy.Expr:
    return 1 / (1 + sympy.exp(-u))


@dataclass(frozen=True)
class _Named:
    name: str
    expr: Callable[[sympy.Expr], sympy.Expr]
    coefs: Callable[[int], list]
    radius: Any  # mpf or inf
    majorant: tuple  # (M, q, s, t): |c_i| <= M q^-i / Gamma(s i + t) for every i
    torch_fn: Callable[[torch.Tensor], torch.Tensor]


def _majorant_entire() -> tuple:
    return (mpmath.mpf(1), mpmath.mpf(1), mpmath.mpf(1), mpmath.mpf(1))


NAMED: dict[str, _Named] = {
    "exp": _Named("exp", sympy.exp, _entire(lambda i: 1), INF, _majorant_entire(), torch.exp),
    "sin": _Named(
        "sin",
        sympy.sin,
        _entire(lambda i: 0 if i % 2 == 0 else (-1) ** ((i - 1) // 2)),
        INF,
        _majorant_entire(),
        torch.sin,
    ),
    "cos": _Named(
        "cos", sympy.cos, _entire(lambda i: 0 if i % 2 else (-1) ** (i // 2)), INF, _majorant_entire(), torch.cos
    ),
    "sinh": _Named("sinh", sympy.sinh, _entire(lambda i: i % 2), INF, _majorant_entire(), torch.sinh),
    "cosh": _Named("cosh", sympy.cosh, _entire(lambda i: 1 - i % 2), INF, _majorant_entire(), torch.cosh),
    # |c_i| = 1/i <= 1^-i
    "log1p": _Named(
        "log1p",
        lambda u: sympy.log(1 + u),
        _log1p_coefs,
        mpmath.mpf(1),
        (mpmath.mpf(1), mpmath.mpf(1), mpmath.mpf(0), mpmath.mpf(1)),
        torch.log1p,
    ),
    # |c_{2n-1}| = 2 (4^n - 1) zeta(2n) / pi^(2n) <= (2 pi / 3) (pi/2)^-(2n-1)
    "tanh": _Named(
        "tanh",
        sympy.tanh,
        _tanh_coefs,
        mpmath.pi / 2,
        (2 * mpmath.pi / 3, mpmath.pi / 2, mpmath.mpf(0), mpmath.mpf(1)),
        torch.tanh,
    ),
    # sigmoid(z) = 1/2 + tanh(z/2)/2: |c_i| <= (pi/3) pi^-i  (c_0 = 1/2 <= pi/3 too)
    "sigmoid": _Named(
        "sigmoid",
        _sigmoid_expr,
        _sigmoid_coefs,
        mpmath.pi,
        (mpmath.pi / 3, mpmath.pi, mpmath.mpf(0), mpmath.mpf(1)),
        torch.sigmoid,
    ),
    # |c_{2k+1}| = 2/sqrt(pi) / (k! (2k+1)) <= 2/sqrt(pi) / Gamma(i/2 + 1/2)
    "erf": _Named(
        "erf",
        sympy.erf,
        _erf_coefs,
        INF,
        (2 / mpmath.sqrt(mpmath.pi), mpmath.mpf(1), mpmath.mpf(1) / 2, mpmath.mpf(1) / 2),
        torch.erf,
    ),
}
r"""The named functions by name: sympy constructor ``expr(u)``, mpmath coefficients ``coefs(n)``, radius
of convergence, majorant ``(M, q, s, t)`` with :math:`|c_i| \le M q^{-i} / \Gamma(s i + t)` for every
``i``, and the torch function."""


# ---------------------------------------------------------------------- recognition in expressions
def as_combination(expr: sympy.Expr, z: sympy.Symbol) -> tuple[tuple, tuple] | None:
    r"""Recognise sum_k a_k * named_k(b_k z) + polynomial; None when some term is anything else.

    Args:
        expr: a sympy expression.
        z: its variable.

    Returns:
        ``(poly, terms)``: the polynomial part's coefficients ``c_0..c_k`` (sympy numbers) and
        ``((a, name, b), ...)`` meaning ``a * NAMED[name](b z)``; ``None`` when ``expr`` is not such a
        combination (or holds no named function at all).
    """
    poly: dict[int, sympy.Expr] = {}
    terms = []
    for term in sympy.Add.make_args(expr):
        a, rest = term.as_independent(z, as_Add=False)
        if not a.is_real:
            return None
        if rest.is_polynomial(z):
            for (k,), c in sympy.Poly(rest, z).terms():
                poly[k] = poly.get(k, 0) + a * c
            continue
        hit = _named_of_linear(rest, z)
        if hit is None:
            return None
        nm, b = hit
        terms.append((a, nm, b))
    if not terms:
        return None
    deg = max(poly, default=-1)
    p = tuple(sympy.sympify(poly.get(k, 0)) for k in range(deg + 1))
    return p, tuple(terms)


def _linear_scale(arg: sympy.Expr, z: sympy.Symbol) -> sympy.Expr | None:
    b, rest = arg.as_independent(z, as_Add=False)
    if rest == z and b.is_real and b != 0:
        return b
    return None


def _named_of_linear(e: sympy.Expr, z: sympy.Symbol) -> tuple[str, sympy.Expr] | None:
    simple = {
        sympy.exp: "exp",
        sympy.sin: "sin",
        sympy.cos: "cos",
        sympy.sinh: "sinh",
        sympy.cosh: "cosh",
        sympy.tanh: "tanh",
        sympy.erf: "erf",
    }
    if e.func in simple:
        b = _linear_scale(e.args[0], z)
        return None if b is None else (simple[e.func], b)
    if e.func == sympy.log:
        b = _linear_scale(sympy.expand(e.args[0] - 1), z)
        return None if b is None else ("log1p", b)
    if e.is_Pow and e.exp == -1:
        base = sympy.expand(e.base)
        rest = base - 1
        if rest.func == sympy.exp:
            b = _linear_scale(rest.args[0], z)
            if b is not None:
                return ("sigmoid", -b)
    return None
