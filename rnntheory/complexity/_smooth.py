r"""Smooth one-variable functions given by their Taylor series at 0: the :class:`SmoothFunction`
object (coefficients, radius of convergence, coefficient majorants for rigorous tail bounds, torch
evaluation) and :func:`smooth`, which builds one from any accepted description.

Paper: section 5 (theory.md), the smooth activations :math:`\Phi(z) = \sum_{i \ge 0} c_i z^i` of the
concept class. :mod:`rnntheory.complexity` builds :math:`C_\varepsilon` and :math:`C_s` on top of this.

Three kinds of function are understood:

* **named**: ``"exp", "sin", "cos", "sinh", "cosh", "log1p"`` (:math:`\log(1+z)`), ``"tanh"``,
  ``"sigmoid"``, ``"erf"``; closed-form coefficients, the known radius of convergence, and a known
  coefficient bound :math:`|c_i| \le M q^{-i} / \Gamma(s i + t)` (the table :data:`NAMED` lives in
  :mod:`rnntheory.complexity._named`).
* **linear combinations** of named functions of :math:`b z` plus a polynomial, recognised in a sympy
  expression (``3*sin(z/2) + z**2``, ``1/(1+exp(-z))`` is the sigmoid, ``log(1+z)`` is log1p;
  :func:`rnntheory.complexity._named.as_combination`).
* **generic** sympy expressions built from ``+ * / **``, ``exp, log, sin, cos, sinh, cosh, tanh,
  atan, erf`` and constants: coefficients by power-series arithmetic in mpmath, radius of
  convergence as the modulus of the nearest zero of a denominator / logarithm argument /
  fractional-power base (``sympy.solve``; a root test on 200 coefficients when solving fails), and a
  rigorous Cauchy bound :math:`|c_i| \le M(r) r^{-i}` with :math:`M(r)` bounded from the expression
  tree on the disc :math:`|z| \le r` (all in :mod:`rnntheory.complexity._series`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Real
from typing import Any, Sequence, Union

import mpmath
import sympy
import torch

from ._named import NAMED, as_combination, exact_coefficient
from ._precision import INF, numeric
from ._series import NoBound, check_supported, disc_deviation, find_radius, series_coefficients

__all__ = ["SmoothFunction", "smooth", "NAMED", "PhiLike"]

Z = sympy.Symbol("z")

PhiLike = Union["SmoothFunction", sympy.Expr, str, Sequence[Real]]
"""What every public function accepts as a smooth function: a :class:`SmoothFunction`, a sympy
expression in one symbol, a name (or a string sympy can parse), or a list of Taylor coefficients."""

_NON_ANALYTIC = (
    sympy.Abs,
    sympy.sign,
    sympy.Piecewise,
    sympy.Heaviside,
    sympy.floor,
    sympy.ceiling,
    sympy.Max,
    sympy.Min,
    sympy.re,
    sympy.im,
    sympy.conjugate,
    sympy.arg,
    sympy.DiracDelta,
)


# ---------------------------------------------------------------------- the function object
@dataclass(frozen=True)
class SmoothFunction:
    r"""A smooth function :math:`\Phi(z) = \sum_i c_i z^i` (theory.md section 5), analytic at 0.

    Build one with :func:`smooth`. Attributes:
        name: printable name.
        expr: the sympy expression in :data:`symbol` (``None`` never: coefficient lists give polynomials).
        symbol: the variable of ``expr``.
        degree: the polynomial degree (a polynomial or a truncated series), ``None`` for an infinite series.
        radius: radius of convergence (``mpmath.inf`` for entire functions and polynomials).
        radius_method: how the radius was found: ``"known"``, ``"polynomial"``, ``"sympy.solve"``
            or ``"root test (estimate)"``.
        kind: ``"polynomial"``, ``"combination"`` (named functions of ``b z`` plus a polynomial) or ``"generic"``.
    """

    name: str
    expr: sympy.Expr
    symbol: sympy.Symbol
    degree: int | None
    radius: Any
    radius_method: str
    kind: str
    poly: tuple = ()  # exact polynomial part, coefficients c_0..c_k (sympy numbers)
    terms: tuple = ()  # combination: ((a, name, b), ...) meaning a * named(b z)
    _cache: dict = field(default_factory=dict, compare=False, repr=False, hash=False)

    def __repr__(self) -> str:
        deg = "" if self.degree is None else f", degree={self.degree}"
        return f"SmoothFunction({self.name}{deg}, radius={mpmath.nstr(self.radius, 8)})"

    # ---------------------------------------------------------------- coefficients
    def coefficients(self, n: int) -> list:
        r"""The first ``n`` Taylor coefficients :math:`c_0..c_{n-1}` as mpmath numbers (signed)."""
        have = self._cache.get("coefs", [])
        if len(have) >= n:
            return have[:n]
        if self.kind == "polynomial":
            out = [mpmath.mpf(numeric(c)) for c in self.poly]
            out = (out + [mpmath.mpf(0)] * n)[:n]
        elif self.kind == "combination":
            m = max(n, 2 * len(have), 64)
            out = [mpmath.mpf(0)] * m
            for i, c in enumerate(self.poly[:m]):
                out[i] += mpmath.mpf(numeric(c))
            for a, nm, b in self.terms:
                cs = NAMED[nm].coefs(m)
                if a == 1 and b == 1 and len(self.terms) == 1 and not self.poly:
                    out = cs
                    break
                af, bf = mpmath.mpf(a), mpmath.mpf(b)
                p = mpmath.mpf(1)
                for i in range(m):
                    out[i] += af * cs[i] * p
                    p *= bf
        else:
            m = max(n, 2 * len(have), 16)
            out = series_coefficients(self.expr, self.symbol, m)
        self._cache["coefs"] = out
        return out[:n]

    def exact_coefficients(self, n: int) -> list[sympy.Expr]:
        r"""The first ``n`` coefficients as exact sympy numbers (rationals where they are rational)."""
        if self.kind == "polynomial":
            return (list(self.poly) + [sympy.Integer(0)] * n)[:n]
        if self.kind == "combination":
            out = (list(self.poly) + [sympy.Integer(0)] * n)[:n]
            for a, nm, b in self.terms:
                for i in range(n):
                    out[i] += a * exact_coefficient(nm, i) * b**i
            return [sympy.nsimplify(c) if c.is_Float else c for c in out]
        ser = sympy.series(self.expr, self.symbol, 0, n).removeO()
        return [ser.coeff(self.symbol, i) if i else ser.subs(self.symbol, 0) for i in range(n)]

    # ---------------------------------------------------------------- majorants
    def majorants(self, need: Any) -> list[tuple] | None:
        r"""Coefficient bounds :math:`|c_i| \le \sum_k M_k q_k^{-i} / \Gamma(s_k i + t_k)` valid for every
        ``i`` above the polynomial part, with every ``q_k > need`` when possible.

        Returns ``[]`` for a polynomial, ``None`` when no bound with ``q > need`` is available.
        For generic expressions, one Cauchy bound per candidate circle radius ``r`` is returned as a
        list of alternatives (see :meth:`cauchy_candidates`).
        """
        if self.kind == "polynomial":
            return []
        if self.kind == "combination":
            out = []
            for a, nm, b in self.terms:
                M, q, s, t = NAMED[nm].majorant
                out.append((abs(mpmath.mpf(a)) * M, q / abs(mpmath.mpf(b)), s, t))
            return out
        return None

    def cauchy_candidates(self, need: Any) -> list[tuple]:
        r"""Cauchy bounds :math:`|c_i| \le M(r) r^{-i}` for a few radii ``need < r < radius``, each as
        ``(M, r, 0, 1)``; ``M(r)`` bounds :math:`|\Phi|` on the closed disc of radius ``r`` rigorously
        (from the expression tree). Radii where no finite bound could be derived are left out."""
        key = ("cauchy", mpmath.nstr(need, 20))
        if key in self._cache:
            return self._cache[key]
        rho = self.radius
        if rho == INF:
            rs = [need * f for f in (1.25, 1.5, 2, 3, 4, 8)]
        else:
            rs = [need + (rho - need) * (1 - mpmath.mpf(2) ** -k) for k in (1, 2, 3, 4, 6, 8)]
        out = []
        for r in rs:
            try:
                f0, dev = disc_deviation(self.expr, self.symbol, r)
            except NoBound:
                continue
            M = abs(f0) + dev
            if mpmath.isfinite(M):
                out.append((M, r, mpmath.mpf(0), mpmath.mpf(1)))
        self._cache[key] = out
        return out

    # ---------------------------------------------------------------- evaluation
    def torch(self, x: torch.Tensor) -> torch.Tensor:
        r"""Evaluate :math:`\Phi` elementwise on a tensor (same dtype and device).

        Polynomials (and truncated series) by Horner's rule from their coefficients; named functions
        and their combinations with torch's own functions; generic expressions through
        ``sympy.lambdify(..., modules="torch")``.
        """
        if self.kind == "polynomial":
            cs = [float(sympy.N(c, 20)) for c in self.poly]
            out = torch.full_like(x, cs[-1])
            for c in reversed(cs[:-1]):
                out = out * x + c
            return out
        if self.kind == "combination":
            out = None
            if self.poly:
                out = SmoothFunction(
                    "p", sympy.Integer(0), Z, len(self.poly) - 1, INF, "polynomial", "polynomial", poly=self.poly
                ).torch(x)
            for a, nm, b in self.terms:
                v = NAMED[nm].torch_fn(x if b == 1 else float(b) * x)
                if a != 1:
                    v.mul_(float(a))
                out = v if out is None else out.add_(v)
            return out
        fn = self._cache.get("lambdified")
        if fn is None:
            fn = sympy.lambdify(self.symbol, self.expr, modules="torch")
            self._cache["lambdified"] = fn
        out = fn(x)
        if not isinstance(out, torch.Tensor):
            out = torch.full_like(x, float(out))
        return out

    def truncate(self, k: int) -> "SmoothFunction":
        r"""The Taylor polynomial of degree ``k`` (exact coefficients for polynomials and named functions;
        mpmath values rounded to sympy Floats for generic expressions)."""
        if self.kind == "generic":
            cs = [sympy.Float(mpmath.nstr(c, mpmath.mp.dps), mpmath.mp.dps) for c in self.coefficients(k + 1)]
        else:
            cs = (
                self.exact_coefficients(k + 1)
                if self.kind == "combination"
                else (list(self.poly) + [0] * (k + 1))[: k + 1]
            )
        cs = [sympy.nsimplify(c) if isinstance(c, (int,)) else c for c in cs]
        expr = sum((c * self.symbol**i for i, c in enumerate(cs)), sympy.Integer(0))
        return SmoothFunction(
            f"{self.name} truncated at degree {k}",
            expr,
            self.symbol,
            k,
            INF,
            "polynomial",
            "polynomial",
            poly=tuple(sympy.sympify(c) for c in cs),
        )


# ---------------------------------------------------------------------- parsing
def smooth(phi: Any, *, fn: str = "smooth") -> SmoothFunction:
    r"""Turn any accepted description of a smooth function into a :class:`SmoothFunction`.

    Paper: section 5, :math:`\Phi(z) = \sum_{i\ge 0} c_i z^i`.

    Args:
        phi: a :class:`SmoothFunction`; a name (``"exp", "sin", "cos", "sinh", "cosh", "log1p",
            "tanh", "sigmoid", "erf"``) or another string sympy can parse in one symbol
            (``"z**3 - z"``); a sympy expression in one symbol; or a sequence of finite real Taylor
            coefficients :math:`c_0, c_1, \dots` (a polynomial).
        fn: the calling function's name, for error messages.

    Returns:
        The :class:`SmoothFunction`.

    Raises:
        TypeError: an object of another type.
        ValueError: an empty or non-finite coefficient list; an expression with more than one free
            symbol; a non-analytic expression (``Abs``, ``sign``, ``Piecewise``, ...; a pole or branch
            point at 0 such as ``1/z``, ``sqrt(z)``, ``log(z)``); an unsupported function.
    """
    if isinstance(phi, SmoothFunction):
        return phi
    if isinstance(phi, str):
        if phi in NAMED:
            nm = NAMED[phi]
            return SmoothFunction(
                phi,
                nm.expr(Z),
                Z,
                None,
                nm.radius,
                "known",
                "combination",
                terms=((sympy.Integer(1), phi, sympy.Integer(1)),),
            )
        try:
            expr = sympy.sympify(phi)
        except (sympy.SympifyError, SyntaxError, TypeError) as exc:
            raise ValueError(
                f"{fn}: phi={phi!r} is neither a known name {sorted(NAMED)} nor a parsable expression ({exc})"
            ) from None
        return _from_expr(fn, expr, name=phi)
    if isinstance(phi, sympy.Basic):
        return _from_expr(fn, phi)
    if isinstance(phi, (list, tuple)) or (
        hasattr(phi, "__len__") and hasattr(phi, "__getitem__") and not isinstance(phi, (dict, bytes))
    ):
        return _from_coefficients(fn, phi)
    raise TypeError(f"{fn}: phi={phi!r} must be a sympy expression, a name, a list of coefficients or a SmoothFunction")


def _from_coefficients(fn: str, coefs: Sequence[Any]) -> SmoothFunction:
    vals = list(coefs.tolist() if isinstance(coefs, torch.Tensor) else coefs)
    if not vals:
        raise ValueError(f"{fn}: phi=[] must hold at least one Taylor coefficient")
    out = []
    for i, c in enumerate(vals):
        if isinstance(c, sympy.Basic):
            if not c.is_number:
                raise ValueError(f"{fn}: phi[{i}]={c!r} must be a number")
            v = c
        elif isinstance(c, bool) or not isinstance(c, Real):
            raise TypeError(f"{fn}: phi[{i}]={c!r} must be a real number")
        else:
            if not math.isfinite(float(c)):
                raise ValueError(f"{fn}: phi[{i}]={c!r} must be a finite Taylor coefficient")
            v = (
                sympy.Integer(int(c))
                if isinstance(c, int)
                else sympy.Float(c)
                if float(c) != int(float(c))
                else sympy.Integer(int(float(c)))
            )
        if not bool(sympy.Abs(v).is_finite) or v.has(sympy.I):
            raise ValueError(f"{fn}: phi[{i}]={c!r} must be a finite real Taylor coefficient")
        out.append(v)
    while len(out) > 1 and out[-1] == 0:
        out.pop()
    expr = sum((c * Z**i for i, c in enumerate(out)), sympy.Integer(0))
    return SmoothFunction(
        f"polynomial {sympy.sstr(expr)}", expr, Z, len(out) - 1, INF, "polynomial", "polynomial", poly=tuple(out)
    )


def _from_expr(fn: str, expr: Any, name: str | None = None) -> SmoothFunction:
    expr = sympy.sympify(expr)
    free = sorted(expr.free_symbols, key=str)
    if len(free) > 1:
        raise ValueError(f"{fn}: phi={expr} has free symbols {free}; expected a function of one symbol")
    z = free[0] if free else Z
    label = name or sympy.sstr(expr)
    bad = [a for a in expr.atoms(sympy.Function) if isinstance(a, _NON_ANALYTIC)] + [
        a for a in sympy.preorder_traversal(expr) if isinstance(a, _NON_ANALYTIC)
    ]
    if bad:
        raise ValueError(
            f"{fn}: phi={expr} contains {bad[0]}, which is not analytic at 0; "
            f"expected an analytic function (Taylor series at 0)"
        )
    if expr.has(sympy.I) or expr.has(sympy.zoo) or expr.has(sympy.oo) or expr.has(sympy.nan):
        raise ValueError(f"{fn}: phi={expr} must be a real-valued finite expression")
    if expr.is_polynomial(z):
        poly = sympy.Poly(expr, z).all_coeffs()[::-1] if free else [expr]
        if any(not c.is_real or not c.is_finite for c in (sympy.sympify(p) for p in poly)):
            raise ValueError(f"{fn}: phi={expr} must have finite real coefficients")
        p = _from_coefficients(fn, [sympy.nsimplify(c) if c.is_Rational else c for c in poly])
        return SmoothFunction(label, expr, z, p.degree, INF, "polynomial", "polynomial", poly=p.poly)
    comb = as_combination(expr, z)
    if comb is not None:
        poly, terms = comb
        radius = min((NAMED[nm].radius / abs(mpmath.mpf(b)) for _, nm, b in terms), default=INF)
        return SmoothFunction(label, expr, z, None, radius, "known", "combination", poly=poly, terms=terms)
    check_supported(fn, expr, z)
    f0, _ = disc_deviation(expr, z, mpmath.mpf(0), fn=fn, original=expr)
    radius, method = find_radius(expr, z)
    if radius == 0:
        raise ValueError(f"{fn}: phi={expr} has a singularity at z = 0; expected a function analytic at 0")
    return SmoothFunction(label, expr, z, None, radius, method, "generic")
