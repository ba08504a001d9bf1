r"""Smooth one-variable functions given by their Taylor series at 0: parsing, coefficients,
radius of convergence, coefficient majorants for rigorous tail bounds, and torch evaluation.

Paper: section 5 (paper.md), the smooth activations :math:`\Phi(z) = \sum_{i \ge 0} c_i z^i` of the
concept class. :mod:`rnntheory.complexity` builds :math:`C_\varepsilon` and :math:`C_s` on top of this.

Three kinds of function are understood:

* **named**: ``"exp", "sin", "cos", "sinh", "cosh", "log1p"`` (:math:`\log(1+z)`), ``"tanh"``,
  ``"sigmoid"``, ``"erf"``; closed-form coefficients, the known radius of convergence, and a known
  coefficient bound :math:`|c_i| \le M q^{-i} / \Gamma(s i + t)`.
* **linear combinations** of named functions of :math:`b z` plus a polynomial, recognised in a sympy
  expression (``3*sin(z/2) + z**2``, ``1/(1+exp(-z))`` is the sigmoid, ``log(1+z)`` is log1p).
* **generic** sympy expressions built from ``+ * / **``, ``exp, log, sin, cos, sinh, cosh, tanh,
  atan, erf`` and constants: coefficients by power-series arithmetic in mpmath, radius of
  convergence as the modulus of the nearest zero of a denominator / logarithm argument /
  fractional-power base (``sympy.solve``; a root test on 200 coefficients when solving fails), and a
  rigorous Cauchy bound :math:`|c_i| \le M(r) r^{-i}` with :math:`M(r)` bounded from the expression
  tree on the disc :math:`|z| \le r`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Real
from typing import Any, Callable, Sequence, Union

import mpmath
import sympy
import torch

__all__ = ["SmoothFunction", "smooth", "NAMED", "PhiLike"]

Z = sympy.Symbol("z")
INF = mpmath.inf

PhiLike = Union["SmoothFunction", sympy.Expr, str, Sequence[Real]]
"""What every public function accepts as a smooth function: a :class:`SmoothFunction`, a sympy
expression in one symbol, a name (or a string sympy can parse), or a list of Taylor coefficients."""

_NON_ANALYTIC = (sympy.Abs, sympy.sign, sympy.Piecewise, sympy.Heaviside, sympy.floor, sympy.ceiling,
                 sympy.Max, sympy.Min, sympy.re, sympy.im, sympy.conjugate, sympy.arg, sympy.DiracDelta)


# ---------------------------------------------------------------------- named functions
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
            out.append(mpmath.mpf(4) ** k * (mpmath.mpf(4) ** k - 1) * mpmath.bernoulli(2 * k) / mpmath.factorial(2 * k))
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


def _exact(name: str, i: int) -> sympy.Expr:
    """Exact Taylor coefficient c_i of a named function (sympy numbers)."""
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
        return sympy.Rational(1, 2) if i == 0 else _exact("tanh", i) / I(2) ** (i + 1)
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
    "sin": _Named("sin", sympy.sin, _entire(lambda i: 0 if i % 2 == 0 else (-1) ** ((i - 1) // 2)), INF,
                  _majorant_entire(), torch.sin),
    "cos": _Named("cos", sympy.cos, _entire(lambda i: 0 if i % 2 else (-1) ** (i // 2)), INF,
                  _majorant_entire(), torch.cos),
    "sinh": _Named("sinh", sympy.sinh, _entire(lambda i: i % 2), INF, _majorant_entire(), torch.sinh),
    "cosh": _Named("cosh", sympy.cosh, _entire(lambda i: 1 - i % 2), INF, _majorant_entire(), torch.cosh),
    # |c_i| = 1/i <= 1^-i
    "log1p": _Named("log1p", lambda u: sympy.log(1 + u), _log1p_coefs, mpmath.mpf(1),
                    (mpmath.mpf(1), mpmath.mpf(1), mpmath.mpf(0), mpmath.mpf(1)), torch.log1p),
    # |c_{2n-1}| = 2 (4^n - 1) zeta(2n) / pi^(2n) <= (2 pi / 3) (pi/2)^-(2n-1)
    "tanh": _Named("tanh", sympy.tanh, _tanh_coefs, mpmath.pi / 2,
                   (2 * mpmath.pi / 3, mpmath.pi / 2, mpmath.mpf(0), mpmath.mpf(1)), torch.tanh),
    # sigmoid(z) = 1/2 + tanh(z/2)/2: |c_i| <= (pi/3) pi^-i  (c_0 = 1/2 <= pi/3 too)
    "sigmoid": _Named("sigmoid", _sigmoid_expr, _sigmoid_coefs, mpmath.pi,
                      (mpmath.pi / 3, mpmath.pi, mpmath.mpf(0), mpmath.mpf(1)), torch.sigmoid),
    # |c_{2k+1}| = 2/sqrt(pi) / (k! (2k+1)) <= 2/sqrt(pi) / Gamma(i/2 + 1/2)
    "erf": _Named("erf", sympy.erf, _erf_coefs, INF,
                  (2 / mpmath.sqrt(mpmath.pi), mpmath.mpf(1), mpmath.mpf(1) / 2, mpmath.mpf(1) / 2), torch.erf),
}


# ---------------------------------------------------------------------- the function object
@dataclass(frozen=True)
class SmoothFunction:
    r"""A smooth function :math:`\Phi(z) = \sum_i c_i z^i` (paper.md section 5), analytic at 0.

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
            out = [mpmath.mpf(sympy.N(c, mpmath.mp.dps + 10)) for c in self.poly]
            out = (out + [mpmath.mpf(0)] * n)[:n]
        elif self.kind == "combination":
            m = max(n, 2 * len(have), 64)
            out = [mpmath.mpf(0)] * m
            for i, c in enumerate(self.poly[:m]):
                out[i] += mpmath.mpf(sympy.N(c, mpmath.mp.dps + 10))
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
            out = _series(self.expr, self.symbol, m)
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
                    out[i] += a * _exact(nm, i) * b**i
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
                f0, dev = _dev(self.expr, self.symbol, r)
            except _NoBound:
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
                out = SmoothFunction("p", sympy.Integer(0), Z, len(self.poly) - 1, INF, "polynomial",
                                     "polynomial", poly=self.poly).torch(x)
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
            cs = self.exact_coefficients(k + 1) if self.kind == "combination" else (list(self.poly) + [0] * (k + 1))[: k + 1]
        cs = [sympy.nsimplify(c) if isinstance(c, (int,)) else c for c in cs]
        expr = sum((c * self.symbol**i for i, c in enumerate(cs)), sympy.Integer(0))
        return SmoothFunction(f"{self.name} truncated at degree {k}", expr, self.symbol, k, INF, "polynomial",
                              "polynomial", poly=tuple(sympy.sympify(c) for c in cs))


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
            return SmoothFunction(phi, nm.expr(Z), Z, None, nm.radius, "known", "combination",
                                  terms=((sympy.Integer(1), phi, sympy.Integer(1)),))
        try:
            expr = sympy.sympify(phi)
        except (sympy.SympifyError, SyntaxError, TypeError) as exc:
            raise ValueError(f"{fn}: phi={phi!r} is neither a known name {sorted(NAMED)} nor a parsable "
                             f"expression ({exc})") from None
        return _from_expr(fn, expr, name=phi)
    if isinstance(phi, sympy.Basic):
        return _from_expr(fn, phi)
    if isinstance(phi, (list, tuple)) or (hasattr(phi, "__len__") and hasattr(phi, "__getitem__")
                                          and not isinstance(phi, (dict, bytes))):
        return _from_coefficients(fn, phi)
    raise TypeError(f"{fn}: phi={phi!r} must be a sympy expression, a name, a list of coefficients "
                    f"or a SmoothFunction")


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
            v = sympy.Integer(int(c)) if isinstance(c, int) else sympy.Float(c) if float(c) != int(float(c)) \
                else sympy.Integer(int(float(c)))
        if not bool(sympy.Abs(v).is_finite) or v.has(sympy.I):
            raise ValueError(f"{fn}: phi[{i}]={c!r} must be a finite real Taylor coefficient")
        out.append(v)
    while len(out) > 1 and out[-1] == 0:
        out.pop()
    expr = sum((c * Z**i for i, c in enumerate(out)), sympy.Integer(0))
    return SmoothFunction(f"polynomial {sympy.sstr(expr)}", expr, Z, len(out) - 1, INF, "polynomial",
                          "polynomial", poly=tuple(out))


def _from_expr(fn: str, expr: Any, name: str | None = None) -> SmoothFunction:
    expr = sympy.sympify(expr)
    free = sorted(expr.free_symbols, key=str)
    if len(free) > 1:
        raise ValueError(f"{fn}: phi={expr} has free symbols {free}; expected a function of one symbol")
    z = free[0] if free else Z
    label = name or sympy.sstr(expr)
    bad = [a for a in expr.atoms(sympy.Function) if isinstance(a, _NON_ANALYTIC)] + \
        [a for a in sympy.preorder_traversal(expr) if isinstance(a, _NON_ANALYTIC)]
    if bad:
        raise ValueError(f"{fn}: phi={expr} contains {bad[0]}, which is not analytic at 0; "
                         f"expected an analytic function (Taylor series at 0)")
    if expr.has(sympy.I) or expr.has(sympy.zoo) or expr.has(sympy.oo) or expr.has(sympy.nan):
        raise ValueError(f"{fn}: phi={expr} must be a real-valued finite expression")
    if expr.is_polynomial(z):
        poly = sympy.Poly(expr, z).all_coeffs()[::-1] if free else [expr]
        if any(not c.is_real or not c.is_finite for c in (sympy.sympify(p) for p in poly)):
            raise ValueError(f"{fn}: phi={expr} must have finite real coefficients")
        p = _from_coefficients(fn, [sympy.nsimplify(c) if c.is_Rational else c for c in poly])
        return SmoothFunction(label, expr, z, p.degree, INF, "polynomial", "polynomial", poly=p.poly)
    comb = _as_combination(expr, z)
    if comb is not None:
        poly, terms = comb
        radius = min((NAMED[nm].radius / abs(mpmath.mpf(b)) for _, nm, b in terms), default=INF)
        return SmoothFunction(label, expr, z, None, radius, "known", "combination", poly=poly, terms=terms)
    _check_supported(fn, expr, z)
    f0, _ = _dev(expr, z, mpmath.mpf(0), fn=fn, original=expr)
    radius, method = _radius(expr, z)
    if radius == 0:
        raise ValueError(f"{fn}: phi={expr} has a singularity at z = 0; expected a function analytic at 0")
    return SmoothFunction(label, expr, z, None, radius, method, "generic")


def _as_combination(expr: sympy.Expr, z: sympy.Symbol) -> tuple[tuple, tuple] | None:
    """Recognise sum_k a_k * named_k(b_k z) + polynomial; None when some term is anything else."""
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
    simple = {sympy.exp: "exp", sympy.sin: "sin", sympy.cos: "cos", sympy.sinh: "sinh", sympy.cosh: "cosh",
              sympy.tanh: "tanh", sympy.erf: "erf"}
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


# ---------------------------------------------------------------------- generic expressions
_SUPPORTED = (sympy.Add, sympy.Mul, sympy.Pow, sympy.exp, sympy.log, sympy.sin, sympy.cos, sympy.sinh,
              sympy.cosh, sympy.tanh, sympy.atan, sympy.erf)


class _NoBound(Exception):
    """No finite bound on the disc (it reaches a singularity, or the tree bound is too weak)."""


def _check_supported(fn: str, expr: sympy.Expr, z: sympy.Symbol) -> None:
    for node in sympy.preorder_traversal(expr):
        if not node.has(z) or node == z:
            continue
        if not isinstance(node, _SUPPORTED):
            raise ValueError(f"{fn}: phi={expr} contains {node.func.__name__}, which is not supported; "
                             f"expected + * / ** exp log sin cos sinh cosh tanh atan erf (or pass the Taylor "
                             f"coefficients)")


def _const(e: sympy.Expr) -> Any:
    v = complex(sympy.N(e, mpmath.mp.dps + 10))
    if v.imag != 0 or not math.isfinite(v.real):
        raise ValueError(f"smooth: constant {e} must be a finite real number")
    return mpmath.mpf(sympy.N(e, mpmath.mp.dps + 10))


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


def _series(e: sympy.Expr, z: sympy.Symbol, n: int) -> list:
    """Taylor coefficients c_0..c_{n-1} of a supported expression, by power-series arithmetic in mpmath."""
    if not e.has(z):
        return [_const(e)] + [mpmath.mpf(0)] * (n - 1)
    if e == z:
        return [mpmath.mpf(0), mpmath.mpf(1)] + [mpmath.mpf(0)] * (n - 2) if n > 1 else [mpmath.mpf(0)]
    args = [_series(a, z, n) for a in e.args] if not e.is_Pow else None
    if e.is_Add:
        return [mpmath.fsum(col) for col in zip(*args)]
    if e.is_Mul:
        out = args[0]
        for a in args[1:]:
            out = _mul(out, a)
        return out
    if e.is_Pow:
        base = _series(e.base, z, n)
        if e.exp.has(z):
            return _exp(_mul(_series(e.exp, z, n), _series(sympy.log(e.base), z, n)))
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


def _dev(e: sympy.Expr, z: sympy.Symbol, r: Any, fn: str = "smooth", original: Any = None) -> tuple[Any, Any]:
    r"""``(f(0), d)`` with :math:`|f(z) - f(0)| \le d` for every complex :math:`|z| \le r` (rigorous).

    Raises :class:`_NoBound` when a denominator, logarithm or fractional power may vanish on the disc,
    and ValueError (named by ``fn``) when that happens already at 0 (the function is not analytic there).
    """
    if not e.has(z):
        return _const(e), mpmath.mpf(0)
    if e == z:
        return mpmath.mpf(0), mpmath.mpf(r)
    if e.is_Add:
        parts = [_dev(a, z, r, fn, original) for a in e.args]
        return mpmath.fsum(p[0] for p in parts), mpmath.fsum(p[1] for p in parts)
    if e.is_Mul:
        f0, d = _dev(e.args[0], z, r, fn, original)
        for a in e.args[1:]:
            g0, dg = _dev(a, z, r, fn, original)
            f0, d = f0 * g0, d * (abs(g0) + dg) + abs(f0) * dg
        return f0, d
    if e.is_Pow:
        if e.exp.has(z):
            return _dev(sympy.exp(e.exp * sympy.log(e.base)), z, r, fn, original)
        b0, db = _dev(e.base, z, r, fn, original)
        p = _const(e.exp)
        if p == int(p) and p >= 0:
            return b0**p, (abs(b0) + db) ** p - abs(b0) ** p
        if b0 == 0 or (p != int(p) and b0 < 0):
            raise ValueError(f"{fn}: phi={original} has a pole or branch point at z = 0 (from {e}); "
                             f"expected a function analytic at 0")
        if db >= abs(b0):
            raise _NoBound()
        t = db / abs(b0)
        return b0**p, abs(b0) ** p * ((1 - t) ** (-abs(p)) - 1)
    a0, d = _dev(e.args[0], z, r, fn, original)
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
        return _dev(sympy.sinh(e.args[0]) / sympy.cosh(e.args[0]), z, r, fn, original)
    if f == sympy.log:
        if a0 <= 0:
            raise ValueError(f"{fn}: phi={original} takes log of {e.args[0]}, which is {a0} at z = 0; "
                             f"expected a function analytic at 0")
        if d >= a0:
            raise _NoBound()
        return mpmath.log(a0), -mpmath.log(1 - d / a0)
    if f == sympy.atan:
        # atan(a0 + u) - atan(a0) = integral of 1/(1+w^2); |1 + w^2| >= 1 - (|a0| + d)^2 on the path
        if abs(a0) + d >= 1:
            raise _NoBound()
        return mpmath.atan(a0), d / (1 - (abs(a0) + d) ** 2)
    if f == sympy.erf:
        return mpmath.erf(a0), d * 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp((abs(a0) + d) ** 2)
    raise _NoBound()


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


def _radius(e: sympy.Expr, z: sympy.Symbol) -> tuple[Any, str]:
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
        cs = _series(e, z, 200)
        tail = [(i, abs(c)) for i, c in enumerate(cs) if i >= 100 and c != 0]
        if not tail:
            return INF, "root test (estimate)"
        est = min(c ** (-mpmath.mpf(1) / i) for i, c in tail)
        return est, "root test (estimate)"
