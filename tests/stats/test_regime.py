r"""The statistics of "m >= poly(L)" (rnntheory.stats.thresholds, rnntheory.stats.regime and
rnntheory.stats.collapse): exact cases, independent references, argument checks, and the calibration of
every interval and of the verdict rule by simulation.

Calibration (docs/regime.md has the table). Design: L = 4, 8, 16, 32; widths m = 32, 128, 512, 2048,
8192 at every L; 8 networks per (L, m); ``q = delta (m*(L) / m)^(1/2) exp(-s^2/2 + s Z)`` with
s = 0.3, so that ``E q(m*(L)) = delta`` exactly (the definition of m*). "groups": each network is
measured at every width of its length, with a network effect of sd 0.2 and a within-network noise of
sd 0.224 (the same total 0.3). The simulations run through the batched computation the public
functions call (``rnntheory.stats._regime``), and :func:`test_public_functions_are_the_batched_computation`
checks on 200 simulated datasets that the public functions return exactly the batched numbers and
that :func:`rnntheory.stats.verdicts.growth` on their fit decides as the batched rule does.

* m*'s interval at each L covers the true m* in at least 0.99 - 3 binomial SE of ``REPS``;
* the degree k (m* = 4 L^2, k = 2) is covered in at least 0.98 of ``REPS``;
* both error rates of the nested verdict at the zone's edge (m* = 4 L^2 exp(r L), rate exactly r) are
  at most 0.5% within the binomial bound of tests/stats/test_error_rates.py;
* the negative control m* = 4 * 2^L is rejected ("inconsistent") on a realistic GPU design.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize
from scipy import stats as sps

from rnntheory import stats as S
from rnntheory.stats import _regime as R
from rnntheory.stats import verdicts as VD

REPS = 4000
LEVEL = 0.99
LENGTHS = np.array([4.0, 8.0, 16.0, 32.0])
WIDTHS = np.array([32.0, 128.0, 512.0, 2048.0, 8192.0])
NETS, NOISE, DELTA = 8, 0.3, 0.05
R_EDGE = math.log(2.0) / (LENGTHS.max() - LENGTHS.min())  # the default resolution: a factor 2 over L = 4..32


def _floor(level: float, reps: int) -> float:
    return level - 3.0 * math.sqrt(level * (1.0 - level) / reps)


def _edge_limit(reps: int) -> int:
    return int(sps.binom.ppf(1 - 1e-4, reps, 0.005))


# ---------------------------------------------------------------------- simulation
def simulate(
    rng,
    reps,
    mstar,
    *,
    lengths=LENGTHS,
    widths=lambda L: WIDTHS,
    nets=NETS,
    noise=NOISE,
    groups=False,
    network_sd=0.2,
    decay=0.5,
):
    r"""Per length: (m per row, log q of shape (reps, n), network index per row or None) with
    ``E q(m*(L)) = DELTA`` and ``E q ~ m^-decay``."""
    out = {}
    for L in lengths:
        ms = np.asarray(widths(L), float)
        m = np.repeat(ms, nets)
        centre = math.log(DELTA) + decay * (math.log(mstar(L)) - np.log(m)) - noise**2 / 2
        if groups:
            inv = np.tile(np.arange(nets), ms.size)
            within = math.sqrt(noise**2 - network_sd**2)
            lq = (
                centre
                + network_sd * rng.standard_normal((reps, nets))[:, inv]
                + within * rng.standard_normal((reps, m.size))
            )
        else:
            inv, lq = None, centre + noise * rng.standard_normal((reps, m.size))
        out[float(L)] = (m, lq, inv)
    return out


def batched(sim, *, mean=True, level=LEVEL, deltas=(DELTA,)):
    r"""The thresholds of every simulated dataset: dict L -> the arrays of :func:`_regime.thresholds` (and the
    ``level`` they were computed at)."""
    return {
        L: {**R.thresholds(R.LineDesign(np.log(m), inv), lq, np.log(np.array(deltas)), level, mean), "level": level}
        for L, (m, lq, inv) in sim.items()
    }


def batched_fit(th, cols, *, j, weighted=False, symmetric=False):
    r"""Coefficient j of the fit over lengths of every dataset's ``log m*`` (delta index 0), by the rule of
    :func:`~rnntheory.stats.threshold_degree`: over the lengths whose m* is defined in that dataset, with the MOVER
    limits of the lengths' Fieller intervals at the level ``th`` was computed at. ``(value, low, high, span)``:
    NaN where fewer than 3 lengths enter; ``span`` the range of the lengths that entered (the resolution's
    denominator). ``symmetric``: the former interval instead, the delta-method variances' t interval."""
    Ls = np.array(list(th))

    def stack(k):
        return np.stack([th[L][k][:, 0] for L in Ls], 1)

    theta, se, lo, hi, a = stack("theta"), stack("se"), stack("lo"), stack("hi"), stack("a")
    df = np.broadcast_to([th[L]["df"] for L in Ls], theta.shape)
    level = float(np.asarray(th[Ls[0]]["level"]))
    ok = (a > 0) & np.isfinite(theta)
    out = np.full((4, theta.shape[0]), np.nan)
    for pat in np.unique(ok, axis=0):
        rows = np.flatnonzero((ok == pat).all(1))
        if pat.sum() < 3:
            continue
        X = np.column_stack([c(Ls[pat]) for c in cols])
        sub = [x[rows][:, pat] for x in (theta, lo, hi, se * se, df)]
        o = R.length_fits(X, *sub, level, weighted)
        low, high = (o["coef"] - o["half"], o["coef"] + o["half"]) if symmetric else (o["low"], o["high"])
        out[:, rows] = np.stack([o["coef"][:, j], low[:, j], high[:, j], np.full(rows.size, np.ptp(Ls[pat]))])
    return out


POWER = (np.ones_like, np.log)
NESTED = (np.ones_like, np.log, lambda L: L)


def frame(sim, i: int) -> pd.DataFrame:
    r"""Dataset i of a simulation as the public functions take it (rows: L, m, q, seed)."""
    parts = []
    for L, (m, lq, inv) in sim.items():
        seed = inv if inv is not None else np.arange(m.size)
        parts.append(pd.DataFrame({"L": L, "m": m, "q": np.exp(lq[i]), "seed": [f"{L:g}/{s}" for s in seed]}))
    return pd.concat(parts, ignore_index=True)


# ---------------------------------------------------------------------- exact cases and references
def _grid(
    c=lambda L: 0.1 * L,
    a=0.5,
    lengths=(4.0, 8.0, 16.0),
    widths=(64.0, 256.0, 1024.0, 4096.0),
    reps=3,
    noise=0.0,
    seed=0,
):
    rng = np.random.default_rng(seed)
    L, m = (x.ravel() for x in np.meshgrid(lengths, widths, indexing="ij"))
    L, m = np.repeat(L, reps), np.repeat(m, reps)
    q = np.array([c(x) for x in L]) * m**-a * np.exp(noise * rng.standard_normal(L.size))
    return L, m, q


def test_exact_power_law_gives_the_exact_threshold_and_degree():
    L, m, q = _grid(c=lambda L: 0.5 * L**1.5)  # q = 0.5 L^1.5 m^-1/2: m* = (0.5 L^1.5 / delta)^2 ~ L^3
    th = S.threshold_widths(L, m, q, [0.05, 0.02])
    assert len(th) == 6 and th.deltas == (0.05, 0.02) and th.lengths == (4.0, 8.0, 16.0)
    for r in th:
        assert r.m_star == pytest.approx((0.5 * r.L**1.5 / r.delta) ** 2, rel=1e-9)
        assert r.ci_low == pytest.approx(r.m_star, rel=1e-6) and r.ci_high == pytest.approx(r.m_star, rel=1e-6)
        assert r.decay == pytest.approx(0.5) and r.var_log_q == pytest.approx(0, abs=1e-20)
    dg = S.threshold_degree(th)
    assert [d.degree.exponent for d in dg] == pytest.approx([3.0, 3.0])
    assert all(d.growth.rate.value == pytest.approx(0, abs=1e-9) for d in dg)
    assert dg.agree and all(d.decision.verdict is VD.Verdict.CONSISTENT for d in dg)
    assert [k for *_, k in dg[0].local_degrees] == pytest.approx([3.0, 3.0])
    assert "local degree of m* between neighbouring lengths 3 (L = 4..8), 3 (L = 8..16)" in str(dg[0])


def test_local_degrees_show_where_an_exponential_threshold_rises():
    """m* = C L^2 exp(r L): between neighbouring lengths the degree is 2 + r (L2 - L1) / log(L2 / L1), rising
    with L (a power law's stays at its k); the lengths come sorted whatever the order of the rows."""
    r = 0.05
    L, m, q = _grid(c=lambda L: 0.5 * L * math.exp(r * L / 2), lengths=(16.0, 4.0, 8.0, 32.0))
    d = S.threshold_degree(S.threshold_widths(L, m, q, 0.05))[0]
    pairs = [(4.0, 8.0), (8.0, 16.0), (16.0, 32.0)]
    assert [(a, b) for a, b, _ in d.local_degrees] == pairs
    assert [k for *_, k in d.local_degrees] == pytest.approx([2 + r * (b - a) / math.log(b / a) for a, b in pairs])
    assert d.to_frame()["local_degrees"][0] == [list(x) for x in d.local_degrees]


def _ols_band_crossings(t, v, log_delta, level):
    r"""Independent reference: the widths where the OLS line's pointwise interval contains log delta,
    by root finding on the band's edges (numpy lstsq and the textbook formula)."""
    X = np.column_stack([np.ones_like(t), t])
    beta = np.linalg.lstsq(X, v, rcond=None)[0]
    s2 = ((v - X @ beta) ** 2).sum() / (t.size - 2)
    G = np.linalg.inv(X.T @ X)
    tq = sps.t.ppf(0.5 + level / 2, t.size - 2)

    def edge(sign):
        return lambda th: (
            beta[0]
            + beta[1] * th
            + sign * tq * math.sqrt(s2 * (G[0, 0] + 2 * th * G[0, 1] + th * th * G[1, 1]))
            - log_delta
        )

    return optimize.brentq(edge(-1), -50, 50), optimize.brentq(edge(+1), -50, 50), -beta[1], beta[0]


def test_fieller_interval_is_where_the_lines_band_contains_delta():
    L, m, q = _grid(lengths=(8.0,), noise=0.3, reps=5, seed=3)
    r = S.threshold_widths(L, m, q, 0.004, estimand="geometric")[0]
    lo, hi, a, b0 = _ols_band_crossings(np.log(m), np.log(q), math.log(0.004), 0.99)
    assert math.log(r.ci_low) == pytest.approx(lo, rel=1e-8) and math.log(r.ci_high) == pytest.approx(hi, rel=1e-8)
    assert r.log_m_star == pytest.approx((b0 - math.log(0.004)) / a, rel=1e-10)
    assert r.method == "regression" and r.df == m.size - 2 and r.n_networks == m.size
    # E q adds half the residual variance of log q to the line before inverting it
    rm = S.threshold_widths(L, m, q, 0.004)[0]
    assert rm.log_m_star == pytest.approx((b0 + rm.var_log_q / 2 - math.log(0.004)) / a, rel=1e-10)
    assert rm.m_star > r.m_star


def test_groups_method_is_the_mean_of_per_network_lines():
    rng = np.random.default_rng(5)
    ms = np.array([64.0, 256.0, 1024.0, 4096.0])
    G = 6
    m = np.tile(ms, G)
    seed = np.repeat(np.arange(G), ms.size)
    lq = (
        -1.0
        + 0.3 * rng.standard_normal(G)[seed]
        - (0.5 + 0.03 * rng.standard_normal(G)[seed]) * np.log(m)
        + 0.1 * rng.standard_normal(m.size)
    )
    r = S.threshold_widths(np.full(m.size, 8.0), m, np.exp(lq), 0.01, seeds=seed, estimand="geometric")[0]
    lines = np.array([np.polyfit(np.log(ms), lq[seed == g], 1) for g in range(G)])  # (slope, intercept)
    b1, b0 = lines.mean(0)
    assert r.method == "groups" and r.df == G - 1 and r.n_networks == G
    assert r.log_m_star == pytest.approx((b0 - math.log(0.01)) / -b1, rel=1e-10)
    assert r.decay == pytest.approx(-b1)
    half = sps.t.ppf(0.995, G - 1) * lines[:, 0].std(ddof=1) / math.sqrt(G)
    assert (r.decay_low, r.decay_high) == pytest.approx((-b1 - half, -b1 + half))
    # labels that never repeat at one L: every row is its own network
    assert (
        S.threshold_widths(np.full(m.size, 8.0), m, np.exp(lq), 0.01, seeds=np.arange(m.size))[0].method == "regression"
    )


def test_position_end_and_one_row_per_length_and_accuracy():
    L, m, q = _grid(noise=0.2, reps=4, seed=1)
    th = S.threshold_widths(L, m, q, [0.1, 1e-2, 1e-3])  # m* = (0.1 L / delta)^2: 16, 1600, 160000 at L = 4
    assert [r.position for r in th.select(0.1)][::2] == ["below", "inside"]  # (L = 8 sits at the edge, 64)
    assert [r.position for r in th.select(1e-2)] == ["inside", "beyond", "beyond"]
    frame = th.to_frame()
    assert frame.shape[0] == 9 and list(frame[["L", "delta"]].itertuples(index=False, name=None))[:3] == [
        (4.0, 0.1),
        (4.0, 1e-2),
        (4.0, 1e-3),
    ]
    assert "extrapolated beyond the fitted widths m = 64..4096" in str(th.select(1e-3)[2])
    assert th.select(1e-3)[2].extrapolated and not th.select(1e-2)[0].extrapolated
    assert repr(th).startswith("ThresholdWidths(9 rows)\nL=4, delta=0.1: m* = ")
    end = S.threshold_widths(L, m, q, 1e-3, end=2)
    assert all((r.fitted_low, r.fitted_high, r.n_points) == (1024.0, 4096.0, 8) for r in end)
    near = S.threshold_widths(L, m, q, [0.1, 1e-3], end=2, around="threshold")  # the widths nearest each m*
    assert (near[0].fitted_low, near[0].fitted_high, near[0].measured_high) == (64.0, 256.0, 4096.0)
    assert (near[1].fitted_low, near[1].fitted_high) == (1024.0, 4096.0)


def test_a_quantity_that_does_not_decrease_has_no_threshold():
    L, m, q = _grid(c=lambda L: 1.0, a=-0.1, lengths=(4.0,), noise=0.05)
    r = S.threshold_widths(L, m, q, 0.1)[0]
    assert r.position == "undefined" and r.m_star == math.inf and r.ci_high == math.inf
    assert "m* undefined: q does not decrease with m" in str(r)
    flat = S.threshold_widths(*_grid(c=lambda L: 1.0, a=0.0, lengths=(4.0,), noise=0.3, seed=2), 0.1)[0]
    assert flat.ci_high == math.inf  # a decay that is not significant bounds nothing above


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(delta=-1), ValueError, r"stats.threshold_widths: delta=-1 must be a finite number > 0"),
        (dict(delta=[0.1, 0.1]), ValueError, r"delta=\[0.1, 0.1\] must be one accuracy or several distinct"),
        (dict(level=1.0), ValueError, r"stats.threshold_widths: level=1.0"),
        (dict(end=1), ValueError, r"stats.threshold_widths: end=1 must be an integer >= 2"),
        (dict(end=2.0), TypeError, r"end=2.0 must be an integer"),
        (dict(around="middle"), ValueError, r"around='middle' must be 'largest' or 'threshold'"),
        (dict(estimand="median"), ValueError, r"estimand='median' must be 'mean' or 'geometric'"),
        (dict(seeds=[0, 1]), ValueError, r"seeds has 2 values; expected 36"),
        (dict(seeds=[0] * 36), ValueError, r"network 0 has two rows in one cell"),
    ],
)
def test_threshold_widths_argument_errors(kwargs, error, match):
    L, m, q = _grid(noise=0.1)
    args = dict(delta=0.01) | kwargs
    with pytest.raises(error, match=match):
        S.threshold_widths(L, m, q, **args)


def test_threshold_widths_refuses_what_it_cannot_fit():
    L, m, q = _grid(noise=0.1)
    with pytest.raises(S.InsufficientData, match=r"q has 1 non-positive values"):
        S.threshold_widths(L, m, np.where(np.arange(q.size) == 3, 0.0, q), 0.01)
    one = m == 64.0
    with pytest.raises(S.InsufficientData, match=r"L=4 has 1 width; expected at least 2"):
        S.threshold_widths(L[one | (L > 4)], m[one | (L > 4)], q[one | (L > 4)], 0.01)
    with pytest.raises(S.InsufficientData, match=r"L=4 has 2 points"):
        S.threshold_widths([4.0, 4.0], [64.0, 256.0], [1.0, 0.5], 0.01)
    with pytest.raises(ValueError, match=r"m has 1 non-positive"):
        S.threshold_widths(L, np.where(np.arange(m.size) == 0, -1.0, m), q, 0.01)
    with pytest.raises(ValueError, match=r"L, m and q have 36, 36, 35 values"):
        S.threshold_widths(L, m, q[1:], 0.01)


def test_threshold_degree_results_and_errors():
    L, m, q = _grid(c=lambda L: 0.01 * L**1.5, lengths=(4.0, 8.0, 16.0, 32.0), noise=0.2, reps=6, seed=4)
    th = S.threshold_widths(L, m, q, [1e-3, 5e-4])
    dg = S.threshold_degree(th)
    assert len(dg) == 2 and dg.agree and dg.common[0] <= 3 <= dg.common[1]
    d = dg[0]
    assert isinstance(d.degree, S.ExponentFit) and d.degree.variable == "L" and d.degree.method == "equal weights"
    assert d.resolution == pytest.approx(R_EDGE) and d.decision.rule == "growth"
    assert d.decision.meaning == "an exponential adding a factor 2 over L = 4..32"
    frame = dg.to_frame()
    assert frame.shape[0] == 2 and {"k", "k_ci_low", "rate_ci_high", "verdict", "p_fit", "needs"} <= set(frame)
    assert str(dg).endswith("the degrees agree (their intervals share " + f"[{dg.common[0]:.3g}, {dg.common[1]:.3g}])")
    assert S.threshold_degree(th, weighted=True)[0].degree.method == "weighted"
    assert S.threshold_degree(th, resolution=0.5)[0].resolution == 0.5
    # a length whose m* is undefined is left out, and said so
    q2 = np.where(L == 32.0, m**0.1, q)
    d2 = S.threshold_degree(S.threshold_widths(L, m, q2, 1e-3))[0]
    assert d2.left_out == (32.0,) and d2.lengths == (4.0, 8.0, 16.0) and "left out L = 32" in str(d2)
    with pytest.raises(S.InsufficientData, match=r"delta=0.001 has 2 lengths"):
        S.threshold_degree(S.threshold_widths(L[L < 16], m[L < 16], q[L < 16], 1e-3))
    with pytest.raises(TypeError, match=r"stats.threshold_degree: thresholds="):
        S.threshold_degree(th.to_frame())
    with pytest.raises(ValueError, match=r"growth_factor=1 must be a finite number in \(1.0, inf\)"):
        S.threshold_degree(th, growth_factor=1)


def test_the_lengths_a_degree_fits_do_not_depend_on_its_level():
    """Every length whose m* is defined enters the degree fit, at every level: a length whose decay in m is
    significant at 95% but not at 99%, or at 99% but not at 99.9%, stays in, and where its Fieller interval is
    unbounded so are the fit's intervals (the verdict waits for that length), so the intervals only widen with
    the level (a budgeted run's later looks) and the data never choose which lengths count."""
    L, m, q = _grid(c=lambda L: 0.01 * L**1.5, lengths=(4.0, 8.0, 16.0), noise=0.05, reps=3, seed=5)
    a, span = 0.5, math.log(4.0)
    m32 = np.array([1024.0, 1024.0, 4096.0, 4096.0])
    # two widths, two networks each: the decay's t statistic is a span / (sqrt(2) s) on 2 df, against the
    # quantiles 4.30 (95%), 9.92 (99%) and 31.6 (99.9%)
    for t, bounded_at in ((15.0, (0.95, 0.99)), (6.0, (0.95,))):
        s = a * span / (math.sqrt(2) * t)
        q32 = 0.01 * 32**1.5 * m32**-a * np.exp(np.array([s, -s, s, -s]))
        LL, mm, qq = np.r_[L, np.full(4, 32.0)], np.r_[m, m32], np.r_[q, q32]
        fits = {}
        for level in (0.95, 0.99, 0.999):
            th = S.threshold_widths(LL, mm, qq, 1e-3, level=level)
            row = next(r for r in th if r.L == 32.0)
            assert row.bounded() is (level in bounded_at) and row.bounded(0.95), (t, level)
            fits[level] = d = S.threshold_degree(th, level=level)[0]
            assert d.lengths == (4.0, 8.0, 16.0, 32.0) and d.left_out == ()
            assert d.unbounded == (() if level in bounded_at else (32.0,))
            assert math.isfinite(d.growth.rate.ci_high) is (level in bounded_at)
            assert level in bounded_at or d.needs == math.inf
        rates = [fits[level].growth.rate for level in (0.95, 0.99, 0.999)]
        assert rates[0].value == pytest.approx(rates[2].value, rel=1e-12)
        assert rates[0].ci_low >= rates[1].ci_low >= rates[2].ci_low
        assert rates[0].ci_high <= rates[1].ci_high <= rates[2].ci_high
    assert "m* at L = 32 has no bounded 99% interval" in str(fits[0.99])
    assert all("x the networks would decide it" not in str(f) for f in fits.values() if f.unbounded)


def test_collapse_exact_and_against_its_reference():
    L, m, q = _grid(c=lambda L: 0.3 * L**0.5, lengths=(4.0, 8.0, 16.0, 32.0))  # q = 0.3 (L / m)^(1/2): k = 1
    f = S.collapse_exponent(L, m, q)
    assert f.k.value == pytest.approx(1.0) and f.exponent.value == pytest.approx(0.5)
    f = S.collapse_exponent(L, m, q * np.exp(0.01 * np.sin(np.arange(L.size))))
    assert f.covers_reference and "Hanin & Nica, ICLR 2020" in str(f) and "not a claim about the RNN" in str(f)
    assert f.to_frame().shape[0] == 1 and f.method == "regression"


def test_collapse_fieller_interval_matches_a_direct_search():
    L, m, q = _grid(c=lambda L: 0.3 * L**0.7, lengths=(4.0, 8.0, 16.0, 32.0), noise=0.3, seed=7)
    f = S.collapse_exponent(L, m, q)
    X = np.column_stack([np.ones_like(L), np.log(L), np.log(m)])
    beta = np.linalg.lstsq(X, np.log(q), rcond=None)[0]
    cov = ((np.log(q) - X @ beta) ** 2).sum() / (L.size - 3) * np.linalg.inv(X.T @ X)
    tq = sps.t.ppf(0.995, L.size - 3)

    def excess(k):  # bL + k bm against its t interval: inside the Fieller set where <= 0
        c = np.array([0.0, 1.0, k])
        return (c @ beta) ** 2 - tq**2 * (c @ cov @ c)

    assert excess(f.k.ci_low) == pytest.approx(0, abs=1e-9) and excess(f.k.ci_high) == pytest.approx(0, abs=1e-9)
    assert excess(f.k.value) < 0 and f.k.value == pytest.approx(beta[1] / -beta[2])


def test_collapse_lack_test_and_groups():
    rng = np.random.default_rng(8)
    L, m, _ = _grid(lengths=(4.0, 8.0, 16.0, 32.0), reps=6)
    broken = 0.5 * L**0.5 * m ** (-0.3 - 0.01 * L) * np.exp(0.2 * rng.standard_normal(L.size))  # decay depends on L
    assert S.collapse_exponent(L, m, broken).lack_p < 1e-6
    rows = [
        (Lv, w, 0.5 * (Lv / w) ** 0.5 * math.exp(a + 0.1 * rng.standard_normal()), f"{w:g}/{g}")
        for w in (64.0, 256.0, 1024.0)
        for g, a in enumerate(0.2 * rng.standard_normal(5))
        for Lv in (4.0, 8.0, 16.0)
    ]
    Lg, mg, qg, sg = map(np.array, zip(*rows))
    f = S.collapse_exponent(Lg, mg, qg, seeds=sg)
    assert f.method == "groups" and f.n_networks == 15 and f.df == 13 and f.k.ci_low < 1 < f.k.ci_high
    assert "Bonferroni" in f.lack_test and 0 <= f.lack_p <= 1
    with pytest.raises(ValueError, match=r"has rows at 3 widths; expected one width per network"):
        S.collapse_exponent(Lg, mg, qg, seeds=np.char.partition(sg.astype(str), "/")[:, 2])
    with pytest.raises(S.InsufficientData, match=r"1 length\(s\) and 4 width\(s\)"):
        S.collapse_exponent(np.full(4, 8.0), [64.0, 128, 256, 512], [1.0, 0.7, 0.5, 0.35])
    diag = np.repeat([4.0, 8.0, 16.0], 3)
    with pytest.raises(S.InsufficientData, match=r"log L and log m are collinear"):
        S.collapse_exponent(diag, diag**2, diag**-0.5 * np.exp(0.1 * np.sin(np.arange(9))))
    with pytest.raises(ValueError, match=r"stats.collapse_exponent: reference=nan"):
        S.collapse_exponent(L, m, broken, reference=math.nan)


# ---------------------------------------------------------------------- the shipped code is the calibrated code
def test_public_functions_are_the_batched_computation():
    for groups, seed in ((False, 11), (True, 12)):
        sim = simulate(np.random.default_rng(seed), 150, lambda L: 4 * L**2 * math.exp(R_EDGE * L), groups=groups)
        th = batched(sim)
        c, c_lo, c_hi, _ = batched_fit(th, NESTED, j=2)
        k, _, k_hi, _ = batched_fit(th, POWER, j=1)
        for i in range(150):
            df = frame(sim, i)
            pub = S.threshold_widths(df.L, df.m, df.q, DELTA, seeds=df.seed)
            for r in pub:
                assert r.method == ("groups" if groups else "regression")
                o = th[r.L]  # the same numbers up to the rounding of exp and log of q
                assert (r.log_m_star, math.log(r.ci_low), math.log(r.ci_high), r.se_log) == pytest.approx(
                    (o["theta"][i, 0], o["lo"][i, 0], o["hi"][i, 0], o["se"][i, 0]), rel=1e-12
                )
            d = S.threshold_degree(pub)[0]
            assert (d.degree.exponent, d.degree.ci_high) == pytest.approx((k[i], k_hi[i]), rel=1e-10)
            assert (d.growth.rate.value, d.growth.rate.ci_low) == pytest.approx((c[i], c_lo[i]), rel=1e-10)
            assert d.growth.rate.ci_high == pytest.approx(c_hi[i], rel=1e-10)
            rule = "inconsistent" if c_lo[i] > R_EDGE else "consistent" if c_hi[i] <= R_EDGE else "inconclusive"
            assert d.decision.verdict == rule


# ---------------------------------------------------------------------- calibration
def _threshold_coverage(reps, seed, *, groups=False, mean=True):
    def mstar(L):
        return 4 * L**2

    sim = simulate(np.random.default_rng(seed), reps, mstar, groups=groups)
    th = batched(sim, mean=mean)
    return {
        L: float(np.mean((o["lo"][:, 0] <= math.log(mstar(L))) & (math.log(mstar(L)) <= o["hi"][:, 0])))
        for L, o in th.items()
    }


@pytest.mark.parametrize("groups", [False, True], ids=["regression", "groups"])
def test_threshold_interval_covers_the_true_width(groups):
    for L, cov in _threshold_coverage(REPS, 21 + groups, groups=groups).items():
        assert cov >= _floor(LEVEL, REPS), f"L={L:g}: m* covered in {cov:.4f} of {REPS}"


def test_geometric_mean_misses_the_mean_definition_when_the_scatter_is_large():
    """Why E q is estimated: with s = 0.6 the geometric mean reaches delta at a width exp(s^2 / (2 a))
    = 1.43 times smaller, and its interval rarely covers the m* of E q <= delta."""

    def mstar(L):
        return 4 * L**2

    sim = simulate(np.random.default_rng(23), 500, mstar, lengths=[8.0], noise=0.6)
    hits = {
        mean: np.mean(
            (lambda o: (o["lo"] <= math.log(mstar(8))) & (math.log(mstar(8)) <= o["hi"]))(batched(sim, mean=mean)[8.0])
        )
        for mean in (True, False)
    }
    assert hits[True] >= _floor(LEVEL, 500) and hits[False] < 0.85, hits  # measured 0.996 and 0.784


@pytest.mark.parametrize("groups", [False, True], ids=["regression", "groups"])
def test_degree_interval_covers_the_true_degree(groups):
    sim = simulate(np.random.default_rng(31 + groups), REPS, lambda L: 4 * L**2, groups=groups)
    _, lo, hi, _ = batched_fit(batched(sim), POWER, j=1)
    cov = float(np.mean((lo <= 2.0) & (2.0 <= hi)))
    assert cov >= 0.98, f"k = 2 covered in {cov:.4f} of {REPS}"


@pytest.mark.parametrize("groups", [False, True], ids=["regression", "groups"])
def test_both_error_rates_of_the_nested_verdict_at_the_zones_edge(groups):
    reps = 2 * REPS
    sim = simulate(np.random.default_rng(41 + groups), reps, lambda L: 4 * L**2 * math.exp(R_EDGE * L), groups=groups)
    _, lo, hi, _ = batched_fit(batched(sim), NESTED, j=2)
    fail, ok = int(np.sum(lo > R_EDGE)), int(np.sum(hi <= R_EDGE))
    assert fail <= _edge_limit(reps) and ok <= _edge_limit(reps), (fail, ok, _edge_limit(reps))


def test_negative_control_an_exponential_threshold_is_rejected():
    """m* = 4 * 2^L over L = 4, 6, ..., 14 (m* = 64..65536) on a GPU's widths 64..65536, 8 networks per
    point: "inconsistent" every time, through the public functions (the degree of the power law is
    large where the truth is exponential). m* = 16 * 2^(L/4) on the calibration design (L = 4..32, a
    factor 128 over the range): rejected in at least 0.99 of the simulations."""
    lengths = np.arange(4.0, 15.0, 2.0)
    sim = simulate(
        np.random.default_rng(51), 40, lambda L: 4 * 2.0**L, lengths=lengths, widths=lambda L: 4.0 ** np.arange(3, 9)
    )
    for i in range(40):
        df = frame(sim, i)
        d = S.threshold_degree(S.threshold_widths(df.L, df.m, df.q, DELTA))[0]
        assert d.decision.verdict is VD.Verdict.INCONSISTENT, str(d)
        assert d.degree.exponent > 4
    sim = simulate(np.random.default_rng(52), REPS, lambda L: 16 * 2 ** (L / 4))
    _, lo, _, _ = batched_fit(batched(sim), NESTED, j=2)
    assert np.mean(lo > R_EDGE) >= 0.99


def test_a_weak_exponential_is_never_accepted_and_says_what_would_decide_it():
    """The toolkit's control (c), an exponential adding a factor 8 over L = 4..32 on top of m* = 4 L^2,
    lies at 3 times the resolution: on the calibration design it is rejected in about 20% of the
    simulations and otherwise left undecided, never "consistent"; an undecided result says how many
    times the networks would decide it."""
    sim = simulate(np.random.default_rng(53), 30, lambda L: 4 * L**2 * 8 ** ((L - 4) / 28))
    found = [
        S.threshold_degree(S.threshold_widths(frame(sim, i).L, frame(sim, i).m, frame(sim, i).q, DELTA))[0]
        for i in range(30)
    ]
    assert not any(d.decision.verdict is VD.Verdict.CONSISTENT for d in found)
    undecided = [d for d in found if not d.decision.decided]
    assert undecided and sum(math.isfinite(d.needs) for d in undecided) >= 0.8 * len(undecided)
    assert all("the networks would decide it" in str(d) for d in undecided if math.isfinite(d.needs))


def _collapse_coverage(reps, seed, groups):
    r"""Coverage of k = 1 by :func:`collapse_exponent` for q = 0.5 (L / m)^(1/2) with lognormal scatter 0.3:
    4 lengths x 4 widths, 4 networks per cell ("regression"), or 4 networks per width each measured at
    every length with a network effect of sd 0.2 ("groups")."""
    rng = np.random.default_rng(seed)
    L, m, _ = _grid(lengths=(4.0, 8.0, 16.0, 32.0), widths=(64.0, 256.0, 1024.0, 4096.0), reps=4)
    net = (np.searchsorted([64.0, 256.0, 1024.0, 4096.0], m) * 4 + np.arange(L.size) % 4) if groups else None
    hits = 0
    for _ in range(reps):
        effect = 0.2 * rng.standard_normal(16)[net] if groups else 0.0
        noise = (0.224 if groups else 0.3) * rng.standard_normal(L.size)
        f = S.collapse_exponent(L, m, 0.5 * (L / m) ** 0.5 * np.exp(effect + noise), seeds=net)
        assert f.method == ("groups" if groups else "regression")
        hits += f.k.ci_low <= 1.0 <= f.k.ci_high
    return hits / reps


@pytest.mark.parametrize("groups", [False, True], ids=["regression", "groups"])
def test_collapse_interval_covers_k(groups):
    cov = _collapse_coverage(400, 61 + groups, groups)
    assert cov >= _floor(LEVEL, 400), cov


# ---------------------------------------------------------------------- bigger versions
SLOW_REPS = 20000


def _gamma_coverage(reps, seed, cv=0.3):
    r"""m* coverage ("mean" estimand) when q's scatter is gamma (coefficient of variation ``cv``), not
    lognormal: the correction s2 / 2 is then approximate."""
    rng = np.random.default_rng(seed)
    shape = 1 / cv**2
    m = np.repeat(WIDTHS, NETS)
    mstar = 4 * 8.0**2
    lq = np.log(DELTA * (mstar / m) ** 0.5 * rng.gamma(shape, 1 / shape, size=(reps, m.size)))
    o = R.thresholds(R.LineDesign(np.log(m)), lq, np.array([math.log(DELTA)]), LEVEL, True)
    return float(np.mean((o["lo"][:, 0] <= math.log(mstar)) & (math.log(mstar) <= o["hi"][:, 0])))


@pytest.mark.slow
@pytest.mark.parametrize("groups", [False, True], ids=["regression", "groups"])
@pytest.mark.parametrize("nets", [4, 8, 12])
def test_calibration_table(groups, nets):
    r"""``pytest -m slow -s -k calibration_table``: the numbers of docs/regime.md."""
    reps = SLOW_REPS
    rng = np.random.default_rng(100 + nets + 50 * groups)
    line = {}
    th = batched(simulate(rng, reps, lambda L: 4 * L**2, groups=groups, nets=nets))
    line["m* (worst L)"] = min(
        float(np.mean((o["lo"][:, 0] <= math.log(4 * L**2)) & (math.log(4 * L**2) <= o["hi"][:, 0])))
        for L, o in th.items()
    )
    _, lo, hi, _ = batched_fit(th, POWER, j=1)
    line["k"] = float(np.mean((lo <= 2) & (2 <= hi)))
    _, lo_w, hi_w, _ = batched_fit(th, POWER, j=1, weighted=True)
    line["k weighted"] = float(np.mean((lo_w <= 2) & (2 <= hi_w)))
    line["k width"] = float(np.median(hi - lo))
    edge = batched(simulate(rng, reps, lambda L: 4 * L**2 * math.exp(R_EDGE * L), groups=groups, nets=nets))
    _, lo, hi, _ = batched_fit(edge, NESTED, j=2)
    line["false fail"], line["false pass"] = float(np.mean(lo > R_EDGE)), float(np.mean(hi <= R_EDGE))
    control = batched(simulate(rng, reps, lambda L: 4 * L**2 * 8 ** ((L - 4) / 28), groups=groups, nets=nets))
    _, lo8, _, _ = batched_fit(control, NESTED, j=2)
    line["factor 8 rejected"] = float(np.mean(lo8 > R_EDGE))
    print(
        f"\n{'groups' if groups else 'regression'} nets={nets}: " + ", ".join(f"{k_} {v:.4f}" for k_, v in line.items())
    )
    assert line["m* (worst L)"] >= _floor(LEVEL, reps) and line["k"] >= 0.98
    assert max(line["false fail"], line["false pass"]) <= _edge_limit(reps) / reps


@pytest.mark.slow
def test_calibration_beyond_the_model():
    r"""Gamma scatter instead of lognormal (m* of E q), and the collapse's k with 4000 simulations."""
    gamma = {cv: _gamma_coverage(SLOW_REPS, 200 + int(10 * cv), cv) for cv in (0.3, 0.6)}
    collapse = {g: _collapse_coverage(4000, 210 + g, g) for g in (False, True)}
    print(f"\ngamma scatter m* coverage {gamma}; collapse k coverage {collapse}")
    assert gamma[0.3] >= _floor(LEVEL, SLOW_REPS)
    assert min(collapse.values()) >= _floor(LEVEL, 4000)


def test_the_size_of_a_lack_of_collapse_covers_the_true_deviation_by_simulation():
    """q = 0.5 (L/m)^(1/2) exp(dev(L, m) + noise): the free model (a line in log m per length) deviates from
    the collapse by a known RMS (the projection of dev off the collapsed model's span); the 99% interval of
    the RMS deviation covers it in at least 97% of 400 simulations, at zero and at a deviation near the
    resolution, and its width shrinks with more networks."""
    L, m, _ = _grid(lengths=(4.0, 8.0, 16.0, 32.0), reps=4)
    tL, tm = np.log(L), np.log(m)
    for size in (0.0, 0.15):
        dev = size * np.where(L > 10, 1.0, -1.0) * (tm - tm.mean()) / tm.std()  # the decay in m depends on L
        X = np.column_stack([np.ones_like(tL), tL, tm])
        off = dev - X @ np.linalg.lstsq(X, dev, rcond=None)[0]
        truth = float(np.sqrt((off**2).mean()))
        rng = np.random.default_rng(11)
        covered = 0
        for _ in range(400):
            q = 0.5 * np.sqrt(L / m) * np.exp(dev + 0.3 * rng.standard_normal(L.size))
            lack = S.collapse_exponent(L, m, q).lack
            covered += lack.ci_low <= truth <= lack.ci_high
        assert covered / 400 >= 0.97, (size, covered)


def test_a_lack_of_collapse_is_judged_by_its_size_not_by_its_test():
    """A deviation far below the resolution in a large design: the F test rejects it (p < 0.01), yet the
    collapse holds to within the resolution (consistent); a deviation well beyond it is inconsistent."""
    import pandas as pd

    from rnntheory.checking.regime import COLLAPSE_RESOLUTION, regime_findings

    rng = np.random.default_rng(3)
    L, m, _ = _grid(lengths=(4.0, 8.0, 16.0, 32.0), reps=200)
    tm = np.log(m)
    for size, expected in ((0.05, "consistent"), (0.6, "inconsistent")):
        dev = size * np.where(L > 10, 1.0, -1.0) * (tm - tm.mean()) / tm.std()
        q = 0.5 * np.sqrt(L / m) * np.exp(dev + 0.2 * rng.standard_normal(L.size))
        df = pd.DataFrame({"L": L, "m": m, "q": q})
        fs = regime_findings("q", df, "q", (0.1,), seeds=None)
        f = next(x for x in fs if x.key.endswith("_collapse"))
        assert f.verdict.value == expected, (size, f.detail)
        if size < COLLAPSE_RESOLUTION:
            assert S.collapse_exponent(L, m, q).lack_p < 0.01  # the test alone would call it inconsistent


WEAK = {4.0: (16, 32, 64, 128, 256), 6.0: (64, 128, 256, 512), 8.0: (128, 256, 512, 1024), 12.0: (256, 512, 1024)}
WEAK[16.0] = (512, 1024)


def test_a_weakly_determined_length_does_not_make_the_nested_verdict_lenient():
    """backward_coupling's default design (L = 4..16, the longest length at two widths, 24 networks a cell) with
    its weak decay q ~ m^-0.2 and a scatter of 0.2, the rate exactly at the zone's edge: log m* = excess / decay
    is then skewed at L = 16 and its estimate moves with its delta-method variance, so the symmetric interval of
    the rate (the former rule) reads "consistent" in about 2.5% of simulations against at most 0.5%; the MOVER
    limits of the lengths' Fieller intervals keep both error rates within 0.5%."""
    reps, r = REPS, math.log(2.0) / 12.0
    sim = simulate(
        np.random.default_rng(71),
        reps,
        lambda L: 4 * L**2 * math.exp(r * L),
        lengths=list(WEAK),
        widths=lambda L: WEAK[L],
        nets=24,
        noise=0.2,
        decay=0.2,
    )
    th = batched(sim)
    rates = {}
    for symmetric in (False, True):
        _, lo, hi, span = batched_fit(th, NESTED, j=2, symmetric=symmetric)
        edge = math.log(2.0) / span  # the resolution over the lengths that entered (NaN where too few)
        rates[symmetric] = (int(np.sum(lo > edge)), int(np.sum((hi <= edge) & (r >= edge - 1e-15))))
    limit = _edge_limit(reps)
    assert max(rates[False]) <= limit, (rates, limit)
    assert rates[True][1] > 2 * limit, (rates, limit)  # the check sees the former rule's lenient side
