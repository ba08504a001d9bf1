r"""Batched computations behind :mod:`rnntheory.stats.thresholds` and :mod:`rnntheory.stats.regime`: every
fit there is a fixed linear map of the measured ``log q``, so one design fits any number of datasets at
once.

* :class:`LineDesign`: ``log q = b0 + b1 log m`` at one length, over independent networks
  ("regression") or one line per network ("groups"), with the variance of ``log q`` about the line.
* :func:`thresholds`: ``log m*`` where the fitted ``log E q`` (or ``E log q``) crosses ``log delta``,
  with its Fieller interval and delta-method standard error.
* :func:`fieller`: the Fieller set of a ratio of two jointly normal estimates.
* :func:`columns`, :func:`labels_of`, :func:`one_per_cell`: the input checks of the public functions.
* :func:`wls`: least squares on values of known (estimated) variances, Satterthwaite degrees of
  freedom and the chi-square of the residuals (the degree in L and the nested fit on ``log m*``).
* :func:`mover`: the interval of a linear combination of estimates from each one's own (skewed, possibly
  unbounded) interval; :func:`length_fits` the fits over lengths with those intervals.

Arrays carry a leading batch axis ``B`` (datasets); :mod:`rnntheory.stats.thresholds` and
:mod:`rnntheory.stats.regime` call them with ``B = 1`` and tests/stats/test_regime.py with thousands, so
the calibration is of the shipped code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from ._lsq import InsufficientData

__all__ = [
    "LineDesign",
    "thresholds",
    "fieller",
    "wls",
    "mover",
    "length_fits",
    "t_quantiles",
    "columns",
    "labels_of",
    "one_per_cell",
]


def t_quantiles(level: float, df) -> np.ndarray:
    r"""Two-sided t quantiles for ``level`` on (possibly fractional, array) ``df``."""
    return sps.t.ppf(0.5 + level / 2.0, df)


def fieller(u, a, vuu, vua, vaa, tq) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The set ``{theta : (u - theta a)^2 <= tq^2 (vuu - 2 theta vua + theta^2 vaa)}``.

    When ``a`` is significantly nonzero (``a^2 > tq^2 vaa``) the set is the interval returned, which
    contains ``u / a``; otherwise it is unbounded and ``(-inf, inf)`` is returned, with ``bounded``
    False. Exact for a ratio of jointly normal estimates whose covariance is known up to a common
    factor estimated on the degrees of freedom of ``tq``.
    """
    t2 = tq * tq
    A = a * a - t2 * vaa
    B = u * a - t2 * vua
    C = u * u - t2 * vuu
    bounded = A > 0
    root = np.sqrt(np.maximum(B * B - A * C, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.where(bounded, (B - root) / np.where(bounded, A, 1.0), -np.inf)
        hi = np.where(bounded, (B + root) / np.where(bounded, A, 1.0), np.inf)
    return lo, hi, bounded


class LineDesign:
    r"""``v = b0 + b1 t`` on fixed abscissae ``t`` (n,), for ``v`` of shape (B, n).

    ``inv`` (n,) assigns each point to a network (0..G-1) for the "groups" method: one line per
    network, the coefficients' mean with the covariance of the G per-network pairs over G, on G - 1
    degrees of freedom. Without it ("regression", every point its own network) ordinary least squares
    with the residual variance on n - 2 degrees of freedom.
    """

    def __init__(self, t: np.ndarray, inv: np.ndarray | None = None):
        self.t = np.asarray(t, float)
        n = self.t.size
        self.inv = np.zeros(n, np.intp) if inv is None else np.asarray(inv, np.intp)
        self.groups = inv is not None
        self.G = int(self.inv.max()) + 1
        self.P = np.zeros((self.G, 2, n))  # coefficients of network g = P[g] @ v
        self.ginv = np.zeros((self.G, 2, 2))  # (X_g' X_g)^-1
        for g in range(self.G):
            idx = np.flatnonzero(self.inv == g)
            X = np.column_stack([np.ones(idx.size), self.t[idx]])
            self.ginv[g] = np.linalg.inv(X.T @ X)
            self.P[g][:, idx] = self.ginv[g] @ X.T
        self.df = float(self.G - 1) if self.groups else float(n - 2)
        self.df_within = float(n - 2 * self.G)

    def fit(self, v: np.ndarray) -> dict:
        r"""Coefficients ``b`` (B, 2), their covariance ``V`` (B, 2, 2), the per-network coefficients
        ``coef`` (B, G, 2), the residual sum of squares ``rss`` about the per-network lines, and the
        pieces of the variance of ``v`` about the line (see :meth:`variance`)."""
        v = np.atleast_2d(v)
        coef = np.einsum("gkn,bn->bgk", self.P, v)
        resid = v - coef[:, self.inv, 0] - coef[:, self.inv, 1] * self.t
        rss = (resid * resid).sum(-1)
        if not self.groups:
            s2 = rss / self.df
            return {
                "b": coef[:, 0],
                "V": s2[:, None, None] * self.ginv[0],
                "s2": s2,
                "S": None,
                "sw2": None,
                "coef": coef,
                "rss": rss,
            }
        b = coef.mean(1)
        dev = coef - b[:, None]
        S = np.einsum("bgk,bgl->bkl", dev, dev) / (self.G - 1)
        sw2 = rss / self.df_within if self.df_within > 0 else np.zeros_like(rss)
        return {"b": b, "V": S / self.G, "s2": None, "S": S, "sw2": sw2, "coef": coef, "rss": rss}

    def variance(self, fit: dict, theta: np.ndarray) -> np.ndarray:
        r"""The variance of ``v`` about the population line at ``t = theta`` (B, D): the residual
        variance ("regression"); for "groups" the spread of the per-network lines at theta, less the
        part their estimation adds (``sw2`` times the mean leverage), plus the within-network variance
        ``sw2`` (zero when no network has a point to spare), floored at 0."""
        if not self.groups:
            return np.broadcast_to(fit["s2"][:, None], theta.shape)
        S, sw2 = fit["S"], fit["sw2"][:, None]
        th = np.where(np.isfinite(theta), theta, self.t.mean())
        spread = S[:, 0, 0, None] + 2 * th * S[:, 0, 1, None] + th * th * S[:, 1, 1, None]
        gi = self.ginv.mean(0)
        lev = gi[0, 0] + 2 * th * gi[0, 1] + th * th * gi[1, 1]
        return np.maximum(spread + sw2 * (1.0 - lev), 0.0)


def thresholds(design: LineDesign, v: np.ndarray, log_delta: np.ndarray, level: float, mean: bool) -> dict:
    r"""``theta = log m*`` where the fitted line of ``log q`` (plus half the variance of ``log q``
    about it when ``mean``: ``log E q`` of a lognormal) crosses ``log delta``; arrays of shape (B, D).

    ``theta = u / a`` with ``u = b0 + s2 / 2 - log delta`` and ``a = -b1`` (the decay rate).
    ``lo, hi``: the Fieller interval (the widths where the line's pointwise interval contains
    ``log delta``), infinite when the decay is not significant at ``level``. ``se``: the delta-method
    standard error of theta. ``u``, ``vuu``, ``vua``, ``vaa``: the pieces of the Fieller interval (with ``a``
    and ``df``), from which :func:`fieller` gives it at any level. ``s2`` enters ``u`` with the variance
    ``s2^2 / (2 df)`` of a normal variance estimate; for "groups" it is evaluated at theta (three fixed-point steps).
    """
    fit = design.fit(v)
    b, V = fit["b"], fit["V"]
    ld = np.asarray(log_delta, float)[None, :]
    a = -b[:, 1, None]
    decays = a > 0
    safe_a = np.where(decays, a, 1.0)
    df = design.df
    tq = float(t_quantiles(level, df))
    s2 = np.zeros(np.broadcast_shapes(a.shape, ld.shape))
    theta = (b[:, 0, None] - ld) / safe_a
    if mean:
        for _ in range(3 if design.groups else 1):
            s2 = design.variance(fit, theta)
            theta = (b[:, 0, None] + s2 / 2 - ld) / safe_a
    u = b[:, 0, None] + s2 / 2 - ld
    vuu = V[:, 0, 0, None] + (s2 * s2 / (2 * df) if mean else 0.0)
    vua = -V[:, 0, 1, None]
    vaa = np.broadcast_to(V[:, 1, 1, None], u.shape)
    lo, hi, bounded = fieller(u, np.broadcast_to(a, u.shape), vuu, vua, vaa, tq)
    theta = np.where(decays, theta, np.inf)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.maximum(vuu - 2 * theta * vua + theta * theta * vaa, 0.0)) / safe_a
    se = np.where(decays, se, np.inf)
    # q does not decrease: m* is infinite; significantly increasing -> the interval is infinite too
    lo = np.where(decays, lo, np.where(bounded, np.inf, -np.inf))
    hi = np.where(decays, hi, np.inf)
    half_a = tq * np.sqrt(vaa)
    return {
        "theta": theta,
        "lo": lo,
        "hi": hi,
        "se": se,
        "bounded": bounded & decays,
        "a": np.broadcast_to(a, u.shape),
        "a_lo": a - half_a,
        "a_hi": a + half_a,
        "b0": np.broadcast_to(b[:, 0, None], u.shape),
        "s2": s2,
        "df": df,
        "u": u,
        "vuu": np.broadcast_to(vuu, u.shape),
        "vua": np.broadcast_to(vua, u.shape),
        "vaa": vaa,
    }


def wls(X: np.ndarray, y: np.ndarray, var: np.ndarray, df: np.ndarray, level: float, weighted: bool = False) -> dict:
    r"""Least squares ``y ~ X`` for independent ``y`` (B, n) with variances ``var`` (B, n), each
    estimated on ``df`` (B, n) degrees of freedom.

    The coefficients ``coef`` (B, p) are the linear combinations ``C y`` of ordinary least squares, or
    of weights ``1 / var`` when ``weighted``; their standard errors ``se`` are ``sqrt(sum_i C_i^2
    var_i)``, with Satterthwaite degrees of freedom ``dfe`` for that sum, and ``half`` the half-widths
    of the ``level`` t intervals on ``dfe``. Estimated weights make the weighted interval too narrow
    (the weights and the values they weigh are correlated); equal weights keep the t interval's level
    (tests/stats/test_regime.py). ``chi2``: the residual chi-square of the weighted fit (chi-square on
    ``dof`` = n - p when the model holds and the variances are right), ``wtss`` its total about the
    weighted mean; ``C`` the coefficients' linear maps (B, p, n).
    """
    w = 1.0 / var
    XtW = X.T[None] * w[:, None, :]
    Cw = np.linalg.inv(XtW @ X) @ XtW
    C = Cw if weighted else np.broadcast_to(np.linalg.pinv(X)[None], Cw.shape)
    coef = np.einsum("bpn,bn->bp", C, y)
    contrib = C * C * var[:, None, :]
    v = contrib.sum(-1)
    dfe = v * v / (contrib * contrib / df[:, None, :]).sum(-1)
    resid = y - np.einsum("bpn,bn->bp", Cw, y) @ X.T
    chi2 = (w * resid * resid).sum(-1)
    ybar = (w * y).sum(-1, keepdims=True) / w.sum(-1, keepdims=True)
    wtss = (w * (y - ybar) ** 2).sum(-1)
    return {
        "coef": coef,
        "se": np.sqrt(v),
        "dfe": dfe,
        "half": t_quantiles(level, dfe) * np.sqrt(v),
        "chi2": chi2,
        "wtss": wtss,
        "dof": X.shape[0] - X.shape[1],
        "C": C,
    }


def mover(C: np.ndarray, theta: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""The limits of the linear combinations ``C theta`` (C: (B, p, n); theta, lo, hi: (B, n)) from each
    ``theta_i``'s own interval ``[lo_i, hi_i]`` at one level: the method of variance estimates recovery
    (MOVER; Zou and Donner, Statistics in Medicine 27, 2008). The lower limit is ``est - sqrt(sum_i C_i^2
    (theta_i - l_i)^2)`` with ``l_i`` the end of theta_i's interval that lowers the sum (``lo_i`` where ``C_i >
    0``, ``hi_i`` where ``C_i < 0``), the upper limit alike; for symmetric intervals it is the usual
    ``est -+ t sqrt(sum C_i^2 var_i)``. A skewed interval (Fieller's, of a ratio) keeps its skew in the sum, and
    an unbounded one makes the sum unbounded on its side. Returns ``(low, high)``, each (B, p)."""
    est = np.einsum("bpn,bn->bp", C, theta)
    pos = C > 0
    th, lo_, hi_ = theta[:, None, :], lo[:, None, :], hi[:, None, :]
    down = np.where(pos, th - lo_, hi_ - th)
    up = np.where(pos, hi_ - th, th - lo_)
    with np.errstate(invalid="ignore", over="ignore"):
        dl = np.where(C == 0, 0.0, (C * down) ** 2).sum(-1)
        du = np.where(C == 0, 0.0, (C * up) ** 2).sum(-1)
    return est - np.sqrt(dl), est + np.sqrt(du)


def length_fits(
    X: np.ndarray,
    theta: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    var: np.ndarray,
    df: np.ndarray,
    level: float,
    weighted: bool = False,
) -> dict:
    r"""A fit over lengths of the ``log m*`` values ``theta`` (B, n) with their intervals ``[lo, hi]`` at ``level``
    (Fieller's) and their delta-method variances ``var`` on ``df``: :func:`wls`'s result, with ``low`` and
    ``high`` (B, p) the coefficients' :func:`mover` limits. The limits, not ``wls``'s symmetric ``half``,
    are the intervals the toolkit reports: a ``log m*`` whose decay in m is imprecise has a skewed interval
    and an estimate correlated with its delta-method variance, and the symmetric interval of the sum then
    misses on one side far more often than its level allows (tests/stats/test_regime.py)."""
    o = wls(X, theta, var, df, level, weighted)
    o["low"], o["high"] = mover(o["C"], theta, lo, hi)
    return o


def columns(fn: str, L, m, q) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Flat float arrays of L, m, q: same length, finite, L and m positive, q positive (else
    :class:`InsufficientData`: a log-scale fit is impossible)."""
    try:
        cols = [np.asarray(c, dtype=float).ravel() for c in (L, m, q)]
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{fn}: L, m and q must be sequences of real numbers ({exc})") from None
    if len({c.size for c in cols}) > 1:
        raise ValueError(
            f"{fn}: L, m and q have {', '.join(str(c.size) for c in cols)} values; expected one each per row"
        )
    for name, c in zip("Lmq", cols):
        if not np.isfinite(c).all():
            raise ValueError(
                f"{fn}: {name} contains {int((~np.isfinite(c)).sum())} NaN or infinite values; expected finite values"
            )
    for name, c in zip("Lm", cols):
        if (c <= 0).any():
            raise ValueError(f"{fn}: {name} has {int((c <= 0).sum())} non-positive values; expected positive sizes")
    if (cols[2] <= 0).any():
        raise InsufficientData(
            f"{fn}: q has {int((cols[2] <= 0).sum())} non-positive values (smallest {cols[2].min():g}); "
            "a power law in m is fitted to log q"
        )
    return cols[0], cols[1], cols[2]


def labels_of(fn: str, seeds, n: int) -> np.ndarray | None:
    r"""The network labels, one per row, as an array (None without ``seeds``)."""
    if seeds is None:
        return None
    s = np.asarray(seeds).ravel()
    if s.size != n:
        raise ValueError(f"{fn}: seeds has {s.size} values; expected {n}, one network label per row")
    return s


def one_per_cell(fn: str, labels: np.ndarray, *cells: np.ndarray) -> None:
    r"""ValueError when a network has two rows in one cell (``cells``: the cell's coordinates per row)."""
    dup = pd.DataFrame({"label": labels, **{f"c{i}": c for i, c in enumerate(cells)}}).duplicated().to_numpy()
    if dup.any():
        label = labels[np.flatnonzero(dup)[0]]
        label = label.item() if isinstance(label, np.generic) else label
        raise ValueError(
            f"{fn}: network {label!r} has two rows in one cell; expected one row per network "
            "and cell (average a network's repeated measurements first)"
        )
