r"""Least-squares machinery behind :mod:`rnntheory.stats`: one job, fitting coefficients with t intervals.

Input checks shared by the fits (:func:`check_level`, :func:`as_arrays`, :func:`check_positive`,
:func:`resolve_method`), per-group sufficient statistics and coefficient fits by ``np.bincount``
(:func:`group_index`, :func:`group_fits`, :func:`group_mean_interval`), the cached two-sided t
quantile (:func:`t_quantile`), the coefficients and intervals of ``v ~ 1 + cols`` for both interval
methods (:func:`coefficients`), the straight-line fit (:func:`line_fit`), the nested three-column fit
``log y = a + b log k + c k`` (:func:`nested_coefficients`) and the t interval of a mean
(:func:`mean_t_interval`).

Results are plain numbers and arrays; :mod:`rnntheory.stats` wraps them in its result dataclasses and
documents what each interval method guarantees. ``fn`` is the public function's name (e.g.
``"stats.fit_exponent"``), used in every error message. This module does not import
:mod:`rnntheory.stats`.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple, Sequence

import numpy as np
from scipy import stats as sps

__all__ = [
    "InsufficientData",
    "METHODS",
    "check_level",
    "t_quantile",
    "as_arrays",
    "check_positive",
    "resolve_method",
    "group_index",
    "group_fits",
    "group_mean_interval",
    "coefficients",
    "LineFit",
    "line_fit",
    "mean_t_interval",
    "NestedFit",
    "nested_coefficients",
]

METHODS = ("regression", "groups")


class InsufficientData(ValueError):
    r"""The data are valid but too few for the fit asked (points, groups or distinct x values): a
    finding built on them cannot be analysed, which is not an error of the caller's settings."""


def check_level(fn: str, level) -> float:
    r"""``level`` as a float in (0, 1); ValueError naming ``fn`` otherwise."""
    try:
        lv = float(level)
    except (TypeError, ValueError):
        raise ValueError(f"{fn}: level={level!r}; expected a number in (0, 1)") from None
    if not 0 < lv < 1:
        raise ValueError(f"{fn}: level={level!r}; expected a number in (0, 1)")
    return lv


@functools.lru_cache(maxsize=512)
def t_quantile(level: float, df: float) -> float:
    r"""Two-sided t quantile ``t_{df}`` for ``level``, cached (the fits reuse a handful of levels and df)."""
    return float(sps.t.ppf(0.5 + level / 2, df))


def as_arrays(fn: str, x, y, groups, names=("x", "y")) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    r"""Flat float arrays of ``x`` and ``y`` (same length, finite) and of ``groups`` (one per point) or None."""
    nx, ny = names
    try:
        xa = np.asarray(x, dtype=float).ravel()
        ya = np.asarray(y, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{fn}: {nx} and {ny} must be sequences of real numbers ({exc})") from None
    if xa.shape != ya.shape:
        raise ValueError(f"{fn}: {nx} has {xa.size} values and {ny} has {ya.size}; expected the same number")
    if not (np.isfinite(xa).all() and np.isfinite(ya).all()):
        bad = int((~np.isfinite(xa)).sum() + (~np.isfinite(ya)).sum())
        raise ValueError(f"{fn}: {nx} or {ny} contains {bad} NaN or infinite values; expected finite values")
    ga = None
    if groups is not None:
        ga = np.asarray(groups).ravel()
        if ga.shape != xa.shape:
            raise ValueError(f"{fn}: groups has {ga.size} values; expected {xa.size}, one per point")
    return xa, ya, ga


def check_positive(fn: str, name: str, a: np.ndarray, why: str) -> None:
    r"""ValueError naming ``fn`` when ``a`` has a non-positive value; ``why`` says what needs positivity."""
    if (a <= 0).any():
        raise ValueError(f"{fn}: {name} has {int((a <= 0).sum())} non-positive values (smallest {a.min():g}); {why}")


def resolve_method(fn: str, method, groups) -> str:
    r"""The interval method: ``method`` if given, else "groups" iff ``groups`` is given; checked."""
    method = method or ("groups" if groups is not None else "regression")
    if method not in METHODS:
        raise ValueError(
            f"{fn}: method={method!r}; expected 'regression' or 'groups' (the cluster bootstrap was removed: "
            "with few seeds its interval covered the true value far less often than its level)"
        )
    if method == "groups" and groups is None:
        raise ValueError(f"{fn}: method='groups' needs groups= (one label per point, e.g. the seed)")
    return method


def group_index(fn: str, groups: np.ndarray, need: int, x: np.ndarray, xname: str):
    r"""Labels, inverse index and count of groups; checks G >= 2 and ``need`` distinct x per group."""
    labels, inv = np.unique(groups, return_inverse=True)
    inv = inv.ravel()
    G = labels.size
    if G < 2:
        raise InsufficientData(
            f"{fn}: groups has {G} distinct label; expected at least 2 groups for the 'groups' interval (t on G - 1 df)"
        )
    # distinct x values per group: sort by (group, x) and count the starts of new (group, x) runs
    order = np.lexsort((x, inv))
    gs, xs = inv[order], x[order]
    new = np.ones(gs.size, bool)
    new[1:] = (gs[1:] != gs[:-1]) | (xs[1:] != xs[:-1])
    distinct = np.bincount(gs[new], minlength=G)
    short = np.flatnonzero(distinct < need)
    if short.size:
        g = short[0]
        label = labels[g].item() if isinstance(labels[g], np.generic) else labels[g]
        raise InsufficientData(
            f"{fn}: group {label!r} has {distinct[g]} distinct {xname} value(s); expected at least {need} "
            f"per group for the 'groups' method ({short.size} of {G} groups fall short)"
        )
    return labels, inv, G


def group_fits(inv: np.ndarray, G: int, cols: Sequence[np.ndarray], v: np.ndarray):
    r"""Least squares ``v = a + sum_j beta_j cols[j]`` separately in each group (1 or 2 columns).

    Per-group centred sufficient statistics by ``np.bincount``; returns (beta with shape (G, p),
    intercepts (G,), scaled inverse Gram matrix diagonals (G, p)) where the last is
    ``diag((X_c' X_c)^-1)`` for the centred design of each group.
    """
    n_g = np.bincount(inv, minlength=G).astype(float)
    mv = np.bincount(inv, v, minlength=G) / n_g
    vc = v - mv[inv]
    means = [np.bincount(inv, c, minlength=G) / n_g for c in cols]
    cc = [c - m[inv] for c, m in zip(cols, means)]
    if len(cols) == 1:
        s11 = np.bincount(inv, cc[0] * cc[0], minlength=G)
        s1v = np.bincount(inv, cc[0] * vc, minlength=G)
        beta = (s1v / s11)[:, None]
        ginv = (1.0 / s11)[:, None]
    else:
        s11 = np.bincount(inv, cc[0] * cc[0], minlength=G)
        s12 = np.bincount(inv, cc[0] * cc[1], minlength=G)
        s22 = np.bincount(inv, cc[1] * cc[1], minlength=G)
        s1v = np.bincount(inv, cc[0] * vc, minlength=G)
        s2v = np.bincount(inv, cc[1] * vc, minlength=G)
        det = s11 * s22 - s12 * s12
        beta = np.stack([(s22 * s1v - s12 * s2v) / det, (s11 * s2v - s12 * s1v) / det], axis=1)
        ginv = np.stack([s22 / det, s11 / det], axis=1)
    a = mv - sum(beta[:, j] * means[j] for j in range(len(cols)))
    return beta, a, ginv


def group_mean_interval(vals: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray, float]:
    r"""Column means of ``vals`` (G, p) and their t half-widths on G - 1 df."""
    G = vals.shape[0]
    half = t_quantile(level, G - 1) * vals.std(axis=0, ddof=1) / math.sqrt(G)
    return vals.mean(axis=0), half, float(G - 1)


def coefficients(
    fn: str,
    cols: Sequence[np.ndarray],
    v: np.ndarray,
    groups: np.ndarray | None,
    method: str,
    level: float,
    x: np.ndarray,
    xname: str,
    index: tuple[np.ndarray, int] | None = None,
):
    r"""Coefficients, half-widths, df, n_groups, pooled rss and r2 for ``v ~ 1 + cols``.

    ``x`` is the measured variable (its distinct values per group are counted); ``index`` is
    ``(inverse, G)`` from an earlier :func:`group_index` on the same groups (checked there for enough
    distinct x per group), to skip recomputing it.
    """
    n, p = v.size, len(cols)
    if method == "regression":
        if n < p + 2:
            raise InsufficientData(
                f"{fn}: {n} points; expected at least {p + 2} for a regression interval (t on n - {p + 1} df)"
            )
        beta, a, ginv = group_fits(np.zeros(n, np.intp), 1, cols, v)
        beta, a, ginv = beta[0], float(a[0]), ginv[0]
        resid = v - a - sum(beta[j] * cols[j] for j in range(p))
        rss = float(resid @ resid)
        df = float(n - p - 1)
        half = t_quantile(level, df) * np.sqrt(rss / df * ginv)
        n_groups = n if groups is None else int(np.unique(groups).size)
    else:
        inv, G = index if index is not None else group_index(fn, groups, p + 1, x, xname)[1:]
        bg, ag, _ = group_fits(inv, G, cols, v)
        beta, half, df = group_mean_interval(bg, level)
        a = float(ag.mean())
        resid = v - a - sum(beta[j] * cols[j] for j in range(p))
        rss = float(resid @ resid)
        n_groups = G
    tss = float(((v - v.mean()) ** 2).sum())
    r2 = 1.0 - rss / tss if tss > 0 else 1.0
    return beta, half, a, df, int(n_groups), rss, float(r2)


class LineFit(NamedTuple):
    r"""Coefficients of the straight line ``v = intercept + slope * t`` with a ``level`` interval for the slope.

    The fields carry the names of :class:`rnntheory.stats.ExponentFit`'s numeric fields.
    """

    slope: float
    intercept: float
    ci_low: float
    ci_high: float
    level: float
    method: str
    n_points: int
    n_groups: int
    r2: float
    rss: float
    df: float


def line_fit(
    fn: str,
    t: np.ndarray,
    v: np.ndarray,
    x: np.ndarray,
    groups: np.ndarray | None,
    level: float,
    method: str | None,
    index: tuple[np.ndarray, int] | None = None,
) -> LineFit:
    r"""Straight line ``v = a + b t``: resolves ``method`` (:func:`resolve_method`), checks that ``x``
    takes two distinct values, fits by :func:`coefficients`."""
    method = resolve_method(fn, method, groups)
    if not x.min() < x.max():
        raise InsufficientData(f"{fn}: x takes a single value; expected at least two distinct values to fit a slope")
    beta, half, a, df, n_groups, rss, r2 = coefficients(fn, [t], v, groups, method, level, x, "x", index)
    b, h = float(beta[0]), float(half[0])
    return LineFit(
        slope=b,
        intercept=a,
        ci_low=b - h,
        ci_high=b + h,
        level=level,
        method=method,
        n_points=int(v.size),
        n_groups=n_groups,
        r2=r2,
        rss=rss,
        df=df,
    )


def mean_t_interval(fn: str, values, level: float) -> tuple[float, float, int]:
    r"""Mean, t half-width on ``n - 1`` df and ``n`` of finite ``values`` (at least 2)."""
    try:
        v = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{fn}: values must be a sequence of real numbers ({exc})") from None
    if v.size < 2:
        raise InsufficientData(f"{fn}: values has {v.size} value(s); expected at least 2 to form a t interval")
    if not np.isfinite(v).all():
        raise ValueError(
            f"{fn}: values contains {int((~np.isfinite(v)).sum())} NaN or infinite values; expected finite values"
        )
    if np.ptp(v) == 0:  # ties: a zero-width interval would decide from data that show no spread to judge
        raise InsufficientData(
            f"{fn}: every one of the {v.size} values is {v[0]:g}; an interval over independent values needs their "
            "spread (a count that vanished everywhere, or a quantity that does not vary: more or larger values)"
        )
    mu = float(v.mean())
    half = t_quantile(level, v.size - 1) * float(v.std(ddof=1)) / math.sqrt(v.size)
    return mu, half, int(v.size)


class NestedFit(NamedTuple):
    r"""Coefficients of ``log y = a + b log k + c k`` (``beta``, ``half`` hold b then c)."""

    method: str
    log_k: np.ndarray
    log_y: np.ndarray
    index: tuple[np.ndarray, int] | None
    beta: np.ndarray
    half: np.ndarray
    intercept: float
    df: float
    n_groups: int
    rss: float


def nested_coefficients(fn: str, k: np.ndarray, y: np.ndarray, groups: np.ndarray | None, level: float) -> NestedFit:
    r"""The nested fit ``log y = a + b log k + c k`` on checked positive ``k`` and ``y``.

    The method is "groups" iff ``groups`` is given. ``index`` in the result is the group index
    (3 distinct k per group checked) for the pure two-parameter fits on the same points, or None.
    """
    method = resolve_method(fn, None, groups)
    if np.unique(k).size < 3:
        raise InsufficientData(
            f"{fn}: k takes {np.unique(k).size} distinct value(s); expected at least 3 to fit log y = a + b log k + c k"
        )
    lk, ly = np.log(k), np.log(y)
    # one group index for the three fits (3 distinct k per group covers the 2 the pure fits need)
    index = group_index(fn, groups, 3, k, "k")[1:] if method == "groups" else None
    beta, half, a, df, n_groups, rss, _ = coefficients(fn, [lk, k], ly, groups, method, level, k, "k", index)
    return NestedFit(method, lk, ly, index, beta, half, a, df, n_groups, rss)
