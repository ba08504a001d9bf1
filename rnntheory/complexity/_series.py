r"""Generic sympy expressions as power series: Taylor coefficients by power-series arithmetic in
mpmath, rigorous bounds on a disc, and the radius of convergence.

Paper: section 5 (theory.md), :math:`\Phi(z) = \sum_{i \ge 0} c_i z^i` for :math:`\Phi` built from
``+ * / **``, ``exp, log, sin, cos, sinh, cosh, tanh, atan, erf`` and constants
(:func:`check_supported`). :func:`series_coefficients` computes the coefficients;
:func:`disc_deviation` bounds :math:`|\Phi(z) - \Phi(0)|` on the closed disc :math:`|z| \le r` from the
expression tree (the Cauchy bound :math:`|c_i| \le M(r) r^{-i}` of
:meth:`~rnntheory.complexity._smooth.SmoothFunction.cauchy_candidates`); :func:`find_radius` gives the radius
of convergence as the modulus of the nearest zero of a denominator / logarithm argument /
fractional-power base (``sympy.solve``; a root test on 200 coefficients when solving fails).
"""

from __future__ import annotations

import math
from typing import Any

import mpmath
import sympy

from ._precision import INF, numeric

__all__ = ["NoBound", "check_supported", "series_coefficients", "disc_deviation", "find_radius"]

_SUPPORTED = (
    sympy.Add,
    sympy.Mul,
    sympy.Pow,
    sympy.exp,
    sympy.log,
    sympy.sin,
    sympy.cos,
    sympy.sinh,
    sympy.cosh,
    sympy.tanh,
    sympy.atan,
    sympy.erf,
)


class NoBound(Exception):
    """No finite bound on the disc (it reaches a singularity, or the tree bound is too weak)."""


def check_supported(fn: str, expr: sympy.Expr, z: sympy.Symbol) -> None:
    r"""Check that every node of ``expr`` that depends on ``z`` is one the power-series arithmetic knows.

    Args:
        fn: the calling function's name, for error messages.
        expr: the expression.
        z: its variable.

    Raises:
        ValueError: a node other than ``+ * / **``, ``exp, log, sin, cos, sinh, cosh, tanh, atan, erf``.
    """
    for node in sympy.preorder_traversal(expr):
        if not node.has(z) or node == z:
            continue
        if not isinstance(node, _SUPPORTED):
            raise ValueError(
                f"{fn}: phi={expr} contains {node.func.__name__}, which is not supported; "
                f"expected + * / ** exp log sin cos sinh cosh tanh atan erf (or pass the Taylor "
                f"coefficients)"
            )


def _const(e: sympy.Expr) -> Any:
    n = numeric(e)
    v = complex(n)
    if v.imag != 0 or not math.isfinite(v.real):
        raise ValueError(f"smooth: constant {e} must be a finite real number")
    return mpmath.mpf(n)


def _mul(a: list, b: list) -> list:
    n = len(a)
    return [mpmath.fsum(a[i] * b[k - i] for i in range(k + 1)) for k in range(n)]


def _recip(a: list) -> list:
    if a[0] == 0:
        raise ValueError("smooth: division by a series that vanishes at 0 (a pole at z = 0)")
    n = len(a)
    b = [1 / a[0]] + [mpmath.mpf(0)] * (n - 1)
    for k in range(1, n):
        b[k] = -mpmath.fsum(a[i] * b[k - i] for i in range(1, k + 1)) / a[0]
    return b


def _exp(a: list) -> list:
    n = len(a)
    b = [mpmath.exp(a[0])] + [mpmath.mpf(0)] * (n - 1)
    for k in range(1, n):
        b[k] = mpmath.fsum(i * a[i] * b[k - i] for i in range(1, k + 1)) / k
    return b


def _deriv(a: list) -> list:
    return [i * a[i] for i in range(1, len(a))] + [mpmath.mpf(0)]


def _integ(a: list, c0: Any) -> list:
    return [c0] + [a[i - 1] / i for i in range(1, len(a))]


def _sincos(a: list, hyperbolic: bool) -> tuple[list, list]:
    n = len(a)
    s0, c0 = (mpmath.sinh(a[0]), mpmath.cosh(a[0])) if hyperbolic else (mpmath.sin(a[0]), mpmath.cos(a[0]))
    s, c = [s0] + [mpmath.mpf(0)] * (n - 1), [c0] + [mpmath.mpf(0)] * (n - 1)
    sg = 1 if hyperbolic else -1
    for k in range(1, n):
        s[k] = mpmath.fsum(i * a[i] * c[k - i] for i in range(1, k + 1)) / k
        c[k] = sg * mpmath.fsum(i * a[i] * s[k - i] for i in range(1, k + 1)) / k
    return s, c


def _pow(a: list, p: Any) -> list:
    n = len(a)
    if p == int(p) and p >= 0:
        out = [mpmath.mpf(1)] + [mpmath.mpf(0)] * (n - 1)
        for _ in range(int(p)):
            out = _mul(out, a)
        return out
    if p == int(p):
        return _pow(_recip(a), -p)
    if a[0] <= 0:
        raise ValueError("smooth: a fractional power of a series that is not positive at 0 (branch point)")
    b = [a[0] ** p] + [mpmath.mpf(0)] * (n - 1)
    for k in range(1, n):  # J.C.P. Miller's recurrence
        b[k] = mpmath.fsum(((p + 1) * i - k) * a[i] * b[k - i] for i in range(1, k + 1)) / (k * a[0])
    return b


def series_coefficients(e: sympy.Expr, z: sympy.Symbol, n: int) -> list:
    r"""Taylor coefficients c_0..c_{n-1} of a supported expression, by power-series arithmetic in mpmath.

    Args:
        e: an expression that passes :func:`check_supported`.
        z: its variable.
        n: how many coefficients.

    Returns:
        A list of ``n`` mpmath numbers at the current working precision.

    Raises:
        ValueError: a pole or branch point at 0 (division by a series vanishing at 0, the logarithm or a
            fractional power of a series that is not positive at 0), a non-real constant, or an
            unsupported function.
    """
    if not e.has(z):
        return [_const(e)] + [mpmath.mpf(0)] * (n - 1)
    if e == z:
        return [mpmath.mpf(0), mpmath.mpf(1)] + [mpmath.mpf(0)] * (n - 2) if n > 1 else [mpmath.mpf(0)]
    args = [series_coefficients(a, z, n) for a in e.args] if not e.is_Pow else None
    if e.is_Add:
        return [mpmath.fsum(col) for col in zip(*args)]
    if e.is_Mul:
        out = args[0]
        for a in args[1:]:
            out = _mul(out, a)
        return out
    if e.is_Pow:
        base = series_coefficients(e.base, z, n)
        if e.exp.has(z):
            return _exp(_mul(series_coefficients(e.exp, z, n), series_coefficients(sympy.log(e.base), z, n)))
        return _pow(base, _const(e.exp))
    a = args[0]
    if e.func == sympy.exp:
        return _exp(a)
    if e.func == sympy.log:
        if a[0] <= 0:
            raise ValueError("smooth: the logarithm of a series that is not positive at 0 (branch point)")
        return _integ(_mul(_deriv(a), _recip(a)), mpmath.log(a[0]))
    if e.func in (sympy.sin, sympy.cos):
        s, c = _sincos(a, False)
        return s if e.func == sympy.sin else c
    if e.func in (sympy.sinh, sympy.cosh):
        s, c = _sincos(a, True)
        return s if e.func == sympy.sinh else c
    if e.func == sympy.tanh:
        s, c = _sincos(a, True)
        return _mul(s, _recip(c))
    if e.func == sympy.atan:
        one_plus = _mul(a, a)
        one_plus[0] += 1
        return _integ(_mul(_deriv(a), _recip(one_plus)), mpmath.atan(a[0]))
    if e.func == sympy.erf:
        sq = [-v for v in _mul(a, a)]
        return _integ([2 / mpmath.sqrt(mpmath.pi) * v for v in _mul(_deriv(a), _exp(sq))], mpmath.erf(a[0]))
    raise ValueError(f"smooth: {e.func.__name__} is not supported")


def disc_deviation(e: sympy.Expr, z: sympy.Symbol, r: Any, fn: str = "smooth", original: Any = None) -> tuple[Any, Any]:
    r"""``(f(0), d)`` with :math:`|f(z) - f(0)| \le d` for every complex :math:`|z| \le r` (rigorous).

    Raises :class:`NoBound` when a denominator, logarithm or fractional power may vanish on the disc,
    and ValueError (named by ``fn``) when that happens already at 0 (the function is not analytic there).

    Args:
        e: an expression that passes :func:`check_supported`.
        z: its variable.
        r: radius of the closed disc (``0`` checks analyticity at 0 only).
        fn: the calling function's name, for error messages.
        original: the whole expression, for error messages.

    Returns:
        ``(f(0), d)`` as mpmath numbers.

    Raises:
        NoBound: no finite bound on this disc.
        ValueError: a pole or branch point at 0.
    """
    if not e.has(z):
        return _const(e), mpmath.mpf(0)
    if e == z:
        return mpmath.mpf(0), mpmath.mpf(r)
    if e.is_Add:
        parts = [disc_deviation(a, z, r, fn, original) for a in e.args]
        return mpmath.fsum(p[0] for p in parts), mpmath.fsum(p[1] for p in parts)
    if e.is_Mul:
        f0, d = disc_deviation(e.args[0], z, r, fn, original)
        for a in e.args[1:]:
            g0, dg = disc_deviation(a, z, r, fn, original)
            f0, d = f0 * g0, d * (abs(g0) + dg) + abs(f0) * dg
        return f0, d
    if e.is_Pow:
        if e.exp.has(z):
            return disc_deviation(sympy.exp(e.exp * sympy.log(e.base)), z, r, fn, original)
        b0, db = disc_deviation(e.base, z, r, fn, original)
        p = _const(e.exp)
        if p == int(p) and p >= 0:
            return b0**p, (abs(b0) + db) ** p - abs(b0) ** p
        if b0 == 0 or (p != int(p) and b0 < 0):
            raise ValueError(
                f"{fn}: phi={original} has a pole or branch point at z = 0 (from {e}); "
                f"expected a function analytic at 0"
            )
        if db >= abs(b0):
            raise NoBound()
        t = db / abs(b0)
        return b0**p, abs(b0) ** p * ((1 - t) ** (-abs(p)) - 1)
    a0, d = disc_deviation(e.args[0], z, r, fn, original)
    f = e.func
    if f == sympy.exp:
        return mpmath.exp(a0), mpmath.exp(a0) * mpmath.expm1(d)
    if f == sympy.sin:
        return mpmath.sin(a0), abs(mpmath.sin(a0)) * (mpmath.cosh(d) - 1) + abs(mpmath.cos(a0)) * mpmath.sinh(d)
    if f == sympy.cos:
        return mpmath.cos(a0), abs(mpmath.cos(a0)) * (mpmath.cosh(d) - 1) + abs(mpmath.sin(a0)) * mpmath.sinh(d)
    if f == sympy.sinh:
        return mpmath.sinh(a0), abs(mpmath.sinh(a0)) * (mpmath.cosh(d) - 1) + mpmath.cosh(a0) * mpmath.sinh(d)
    if f == sympy.cosh:
        return mpmath.cosh(a0), mpmath.cosh(a0) * (mpmath.cosh(d) - 1) + abs(mpmath.sinh(a0)) * mpmath.sinh(d)
    if f == sympy.tanh:
        return disc_deviation(sympy.sinh(e.args[0]) / sympy.cosh(e.args[0]), z, r, fn, original)
    if f == sympy.log:
        if a0 <= 0:
            raise ValueError(
                f"{fn}: phi={original} takes log of {e.args[0]}, which is {a0} at z = 0; "
                f"expected a function analytic at 0"
            )
        if d >= a0:
            raise NoBound()
        return mpmath.log(a0), -mpmath.log(1 - d / a0)
    if f == sympy.atan:
        # atan(a0 + u) - atan(a0) = integral of 1/(1+w^2); |1 + w^2| >= 1 - (|a0| + d)^2 on the path
        if abs(a0) + d >= 1:
            raise NoBound()
        return mpmath.atan(a0), d / (1 - (abs(a0) + d) ** 2)
    if f == sympy.erf:
        return mpmath.erf(a0), d * 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp((abs(a0) + d) ** 2)
    raise NoBound()


def _critical(e: sympy.Expr, z: sympy.Symbol) -> list[sympy.Expr]:
    """Expressions whose zeros are the candidate singularities of e."""
    out = []
    for node in sympy.preorder_traversal(e):
        if not node.has(z):
            continue
        if node.is_Pow and not node.exp.has(z) and not (node.exp.is_Integer and node.exp >= 0):
            out.append(node.base)
        elif node.is_Pow and node.exp.has(z):
            out.append(node.base)
        elif node.func == sympy.log:
            out.append(node.args[0])
        elif node.func == sympy.tanh:
            out.append(sympy.cosh(node.args[0]))
        elif node.func == sympy.atan:
            out.append(1 + node.args[0] ** 2)
    return out


def find_radius(e: sympy.Expr, z: sympy.Symbol) -> tuple[Any, str]:
    r"""Radius of convergence at 0 of a supported expression: the modulus of the nearest zero of a
    denominator, logarithm argument or fractional-power base (``tanh`` counts by its ``cosh``, ``atan``
    by :math:`1 + u^2`).

    Args:
        e: an expression that passes :func:`check_supported` and is analytic at 0.
        z: its variable.

    Returns:
        ``(radius, method)``: ``mpmath.inf`` when there is no candidate singularity; ``method`` is
        ``"sympy.solve"`` (polynomial roots or ``sympy.solve``), or ``"root test (estimate)"`` from
        coefficients 100..199 when solving fails.
    """
    crit = _critical(e, z)
    if not crit:
        return INF, "sympy.solve"
    best = INF
    try:
        for c in crit:
            c = sympy.together(c)
            num = sympy.numer(c)
            if num.is_polynomial(z):
                roots = sympy.Poly(num, z).nroots(n=mpmath.mp.dps)
            else:
                roots = sympy.solve(num, z)
            for rt in roots:
                v = abs(complex(sympy.N(rt, mpmath.mp.dps)))
                best = min(best, mpmath.mpf(sympy.N(sympy.Abs(rt), mpmath.mp.dps))) if math.isfinite(v) else best
        return best, "sympy.solve"
    except (NotImplementedError, TypeError, ValueError, sympy.PolynomialError):
        cs = series_coefficients(e, z, 200)
        tail = [(i, abs(c)) for i, c in enumerate(cs) if i >= 100 and c != 0]
        if not tail:
            return INF, "root test (estimate)"
        est = min(c ** (-mpmath.mpf(1) / i) for i, c in tail)
        return est, "root test (estimate)"
