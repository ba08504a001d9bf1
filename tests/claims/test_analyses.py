r"""The analysis of every measured claim, judged on synthetic rows whose laws are known.

Each registered claim except the three complexity claims (their rows are deterministic computations,
tested in test_complexity.py) is judged through the one shared path, ``Claim.judge``, on DataFrames
with exactly the columns its ``measure`` returns; nothing is measured. Configuration columns come
from the claim's default grid (its points, seeds and fixed parameters); the measured columns follow
chosen power laws (or exponentials) in m, L, omega, tau, N with multiplicative log-normal noise from
a fixed numpy seed: sd 0.03 per point on log scale, times a per-network factor of sd 0.05 where
several rows come from one network (0.02 for sign-change counts, which concentrate; for the hidden
state change, whose direction is scaled to every omega of a cell, the 0.03 is shared across omega
and 0.005 remains per point; for tau* of the pseudo-network solution, whose limit tau*_inf shares the
sample of its (L, seed), the 0.03 is shared by tau* and tau*_inf and 0.001 remains on tau*, small
against the deviation 20/m it should show even at the largest width).

The reference is **the known exponents of the synthetic data**:

* ``test_truth_is_not_refuted``: rows that follow the claimed shapes with a clear margin (a norm flat
  in m and growing like k^0.5 where the bound says k^3; the RMS of log(||h_l||^2 / S_ll) ~ m^-1/2;
  flips ~ m omega for random and gradient directions, m omega^(2/3) for the adversarial one;
  coupling errors ~ tau^2 / m; decoupling correlations ~ m^-1/2 for different lags and different
  output coordinates, and equal-lag correlations at their nonzero limit with a deviation ~ m^-1/2;
  SGD's excess risk below eps; tau flat in m; tau* = tau*_inf (1 + 20/m), approaching its limit
  like m^-1, and tau* ~ L; Rademacher ~ N^-1/2 and flat in m; samples ~ L; the NTK's relative error
  ~ L m^-1/2; along SGD, tau_t flat in m and omega_t ~ tau_t m^-1/2, with the coupling error ~ tau^2
  m^-1/2, the gradient change ~ tau^1/2 m^-1/4, flips ~ m omega and the hidden change ~ omega, all
  growing with the position) give no "inconsistent" finding, and "consistent" for every finding listed in
  ``TRUTH_CONSISTENT``. Where the truth sits exactly on the claimed value (an exponent 1 in omega,
  2/3 for the adversarial construction, -1/2 for the approach to the infinite-width values, for
  decoupling and for the NTK's error, 0 for "does not grow with m") the listed finding's interval
  must lie within the claim's resolution of the allowed side, i.e. read "consistent (at resolution
  r)". Every finding must follow the rule with its indifference zone, recomputed from its own
  interval, claimed value and resolution (``_check_rule``): consistent within r of the allowed side,
  inconsistent only wholly beyond the claimed value plus r, inconclusive otherwise.
* ``test_fits_recover_the_known_exponents``: each exponent finding's estimate lies within 0.1 (five
  or more standard errors) of the exponent of the truth it fits.
* ``test_violation_is_inconsistent``: rows whose exponent lies on the forbidden side by a known
  amount (exp(0.2 k) where the claim says polynomial; a quantity times m^(1/2) where it says
  independent of m; flips ~ m omega^0.4 where the bound is omega^(2/3); a coupling error growing
  with m; an excess risk above eps; ...) make every finding named by the case "inconsistent".
* ``test_too_small_frame_is_inconclusive``: rows from which some fits cannot be made (one seed, one
  width, one length, or one width and one length) judge the findings they support and mark the
  others "cannot analyse" with the reason, instead of an exception; nothing reads "inconsistent".
* Three partial analyses: generalisation without a positive test-train gap, forward coupling with an
  m sweep only, length scaling with diverged runs (left out of the fits, reported by their finding).

False failures: a boundary finding (truth exactly on the claimed value; about 45 per set of truth
frames) reads "inconsistent" by chance in at most 0.5% of draws (99% intervals). Over 200 other
noise seeds 0.49% of them did, so about one seed in five gives at least one such finding somewhere;
every violation was caught in each of 50 seeds. The seed is fixed, so the file is deterministic, and
``SEED`` is one under which no boundary finding falls outside its interval.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import pandas as pd
import pytest

from rnntheory import claims
from rnntheory.checking import Claim, ClaimResult, Grid
from rnntheory.claims.cells import DIRECTIONS
from rnntheory.claims.stability import _lag_pairs
from rnntheory.stats.verdicts import Verdict

OK, BAD, OPEN = Verdict.CONSISTENT, Verdict.INCONSISTENT, Verdict.INCONCLUSIVE
SEED = 20240612
SD = 0.03  # per-point noise on log scale
SD_NET = 0.05  # per-network factor, shared by the rows of one network

COMPLEXITY = ("complexity_monotone", "complexity_eps_growth", "complexity_divergence")
MEASURED = [n for n in claims.names() if n not in COMPLEXITY]


def _rng(tag: str) -> np.random.Generator:
    return np.random.default_rng([SEED, *tag.encode()])


def _kept(grid: Grid, key: str, values) -> list:
    r"""The grid's points, only those whose ``key`` is among ``values`` when given (a too-small frame)."""
    return [pt for pt in grid.points if values is None or pt[key] in values]


def _noise(rng: np.random.Generator, sd: float = SD) -> float:
    return float(np.exp(rng.normal(0.0, sd)))


def _seeds(claim: Claim, seeds) -> tuple[int, ...]:
    return claim.grid().seeds if seeds is None else tuple(seeds)


# ---------------------------------------------------------------------- frames, one builder per claim
def forward_stability(
    max_norm=lambda L, m: 1.1 * L**0.2,
    S_logdev=lambda L, m: 0.8 * L * m**-0.5,
    min_norm=lambda L, m: 0.9,
    log_dev=lambda L, m: 0.5 * m**-0.5,
    *,
    seeds=None,
    ms=None,
) -> pd.DataFrame:
    r"""Rows of forward_stability: one per (m, seed, L). ``log_dev`` is measured but not judged. The default
    ``S_logdev`` is about the measured one (0.8 L m^-0.5: m*(L; delta) = (0.8 L / delta)^2, of degree 2 in L)."""
    c = claims.get("forward_stability")
    g = c.grid()
    fx = g.fixed
    rng = _rng("forward_stability")
    rows = []
    for pt in _kept(g, "m", ms):
        m = pt["m"]
        for s in _seeds(c, seeds):
            for L in fx["Ls"]:
                rows.append(
                    {
                        "m": m,
                        "seed": s,
                        "n": fx["n"],
                        "eps_x": fx["eps_x"],
                        "w_var": fx["w_var"],
                        "L": L,
                        "max_norm": max_norm(L, m) * _noise(rng),
                        "min_norm": min_norm(L, m) * _noise(rng),
                        "log_dev": log_dev(L, m) * _noise(rng),
                        "S_logdev": S_logdev(L, m) * _noise(rng),
                    }
                )
    return pd.DataFrame(rows)


def _factors(name: str, L: int) -> list[int]:
    if name == "product_stability":
        return [b - a + 1 for a, b in _lag_pairs(L)]
    return list(range(1, L + 1))


def lag_stability(name: str, norm=lambda k, m, L: 1.5 * k**0.5, *, seeds=None) -> pd.DataFrame:
    r"""Rows of product_stability or backward_stability: one per (L, m, seed, number of factors)."""
    c = claims.get(name)
    g = c.grid()
    fx = g.fixed
    rng = _rng(name)
    rows = []
    for pt in g.points:
        L, m = pt["L"], pt["m"]
        for s in _seeds(c, seeds):
            net = _noise(rng, SD_NET)
            for k in _factors(name, L):
                v = norm(k, m, L) * net * _noise(rng)
                if name == "product_stability":
                    rows.append(
                        {
                            "factors": k,
                            "norm": v,
                            "converged": True,
                            "m": m,
                            "L": L,
                            "seed": s,
                            "n": fx["n"],
                            "w_var": fx["w_var"],
                        }
                    )
                else:
                    rows.append(
                        {
                            "m": m,
                            "L": L,
                            "seed": s,
                            "n": fx["n"],
                            "d": fx["d"],
                            "w_var": fx["w_var"],
                            "factors": k,
                            "norm": v,
                            "mean_norm": 0.5 * v,
                        }
                    )
    return pd.DataFrame(rows)


_HIDDEN_SCALE = {"random": 0.5, "gradient": 0.8, "adversarial": 1.5}


def hidden_perturbation(change=lambda om, L, m, d: _HIDDEN_SCALE[d] * L**0.5 * om, *, seeds=None) -> pd.DataFrame:
    r"""Rows of hidden_perturbation. A direction is scaled to every omega of a cell, so the noise of one
    (network, direction, L) is shared across omega (a per-point part of sd 0.005 remains)."""
    c = claims.get("hidden_perturbation")
    g = c.grid()
    fx = g.fixed
    rng = _rng("hidden_perturbation")
    rows = []
    for pt in g.points:
        m = pt["m"]
        for s in _seeds(c, seeds):
            net = {d: _noise(rng, SD_NET) for d in DIRECTIONS}
            per_L = {(d, L): _noise(rng) for d in DIRECTIONS for L in fx["Ls"]}
            for om in fx["omegas"]:
                for d in DIRECTIONS:
                    for L in fx["Ls"]:
                        v = change(om, L, m, d) * net[d] * per_L[d, L] * _noise(rng, 0.005)
                        rows.append(
                            {
                                "m": m,
                                "n": fx["n"],
                                "seed": s,
                                "L": L,
                                "direction": d,
                                "omega": om,
                                "change": v,
                                "mean_change": 0.5 * v,
                                "flips": 0.5 * m * om * L,
                            }
                        )
    return pd.DataFrame(rows)


def _sign_truth(d: str, m: int, om: float, pos: int, adv_l: int) -> float:
    if d == "adversarial":
        return 4.0 * m * om ** (2 / 3) * (1.0 if pos == adv_l else 0.2)
    return {"random": 0.3, "gradient": 0.5}[d] * m * om * pos**0.3


def sign_changes(flips: Callable = _sign_truth, *, seeds=None, sd_net: float = 0.02) -> pd.DataFrame:
    r"""Rows of sign_changes: per (m, seed, omega, direction, position 2..L); the adversarial rows hold
    the count of the displacement aimed at position adv_l. Flip counts of one network concentrate, so
    the per-network factor here is sd 0.02."""
    c = claims.get("sign_changes")
    g = c.grid()
    fx = g.fixed
    rng = _rng("sign_changes")
    rows = []
    for pt in g.points:
        m = pt["m"]
        for s in _seeds(c, seeds):
            net = {d: _noise(rng, sd_net) for d in DIRECTIONS}
            for om in fx["omegas"]:
                for d in DIRECTIONS:
                    for pos in range(2, fx["L"] + 1):
                        v = flips(d, m, om, pos, fx["adv_l"]) * net[d] * _noise(rng)
                        rows.append(
                            {
                                "m": m,
                                "L": fx["L"],
                                "n": fx["n"],
                                "seed": s,
                                "adv_l": fx["adv_l"],
                                "direction": d,
                                "omega": om,
                                "position": pos,
                                "flips": v,
                                "flips_max": 2.5 * v,
                            }
                        )
    return pd.DataFrame(rows)


_COUPLING_SCALE = {"random": 0.01, "gradient": 0.02, "adversarial": 0.05}


def forward_coupling(
    err=lambda m, tau, d: _COUPLING_SCALE[d] * 512 * tau**2 / m,
    err_rel=lambda m, L, tau: 0.15 * (L / 8) * (m / 256) ** -0.5 * tau,
    *,
    seeds=None,
    sweeps=("m", "tau", "L"),
    ms=None,
) -> pd.DataFrame:
    r"""Rows of forward_coupling: per cell of its sweeps (m and tau at L = 8, and the other lengths of the
    joint design) one row per tau and direction. ``err_rel``, the error over the first-order term, gives
    m*(L; delta) = (0.3 L / delta)^2 at tau = 1 (degree 2; 36 to 576 at delta = 0.2 for L = 4 to 16)."""
    c = claims.get("forward_coupling")
    g = c.grid()
    fx = g.fixed
    rng = _rng("forward_coupling")
    rows = []
    for pt in g.points:
        if pt["sweep"] not in sweeps or (ms is not None and pt["m"] not in ms):
            continue
        m, L = pt["m"], pt.get("L", fx["L"])
        for s in g.point_seeds(pt) if seeds is None else seeds:
            net = {d: _noise(rng, SD_NET) for d in DIRECTIONS}
            for tau in pt["taus"]:
                for d in DIRECTIONS:
                    v, rel = err(m, tau, d) * net[d] * _noise(rng), err_rel(m, L, tau) * net[d] * _noise(rng)
                    rows.append(
                        {
                            "m": m,
                            "L": L,
                            "n": fx["n"],
                            "seed": s,
                            "sweep": pt["sweep"],
                            "direction": d,
                            "tau": tau,
                            "err": v,
                            "err_max": 2.0 * v,
                            "err_seq0": 1.2 * v,
                            "first_order": v / rel,
                            "err_rel": rel,
                        }
                    )
    return pd.DataFrame(rows)


def backward_coupling(
    relative=lambda m, d: 0.3 * (m / 256) ** -0.5, inner=lambda m, d: 0.1 * (m / 256) ** -0.5, *, seeds=None, ms=None
) -> pd.DataFrame:
    r"""Rows of backward_coupling: per cell of its joint (L, m) design one row per direction; the laws are
    those at L = 8 (where the exponents in m are judged), times L / 8 elsewhere (m*(L) ~ L^2 for m^-1/2)."""
    c = claims.get("backward_coupling")
    g = c.grid()
    fx = g.fixed
    rng = _rng("backward_coupling")
    rows = []
    for pt in _kept(g, "m", ms):
        m, L = pt["m"], pt.get("L", fx["L"])
        for s in _seeds(c, seeds):
            for tau in fx["taus"]:
                for d in DIRECTIONS:
                    r = relative(m, d) * L / fx["L"] * _noise(rng)
                    rows.append(
                        {
                            "m": m,
                            "L": L,
                            "n": fx["n"],
                            "seed": s,
                            "direction": d,
                            "tau": tau,
                            "relative": r,
                            "relative_max": 2.0 * r,
                            "inner": inner(m, d) * L / fx["L"] * _noise(rng),
                        }
                    )
    return pd.DataFrame(rows)


_DIFFERENT_LAGS = ("back_rms", "shared_i_rms", "shared_j_rms", "other_lag_rms")


def decoupling(laws: dict[str, Callable] | None = None, *, seeds=None, ms=None) -> pd.DataFrame:
    r"""Rows of decoupling (one per cell). Default laws: m^-1/2 for pairs of different lags and of
    different output coordinates; equal-lag correlations at their nonzero limit (RMS 0.3; per lag k =
    0..L-3, 0.3 * 0.8^k) with a deviation 0.8 m^-1/2 (``same_lag_dev``, which also sets the spread of
    the per-lag means around their limits); ``laws`` replaces some of them."""
    truth = {col: (lambda m, k=k: (0.5 + 0.2 * k) * m**-0.5) for k, col in enumerate(_DIFFERENT_LAGS)}
    truth["other_coord_rms"] = lambda m: 0.6 * m**-0.5
    truth["same_lag_dev"] = lambda m: 0.8 * m**-0.5
    truth["same_lag_limit_rms"] = lambda m: 0.3
    truth["same_lag_rms"] = lambda m: 0.3
    truth.update(laws or {})
    c = claims.get("decoupling")
    g = c.grid()
    fx = g.fixed
    rng = _rng("decoupling")
    limits = {k: 0.3 * 0.8**k for k in range(fx["L"] - 2)}
    rows = []
    for pt in _kept(g, "m", ms):
        m = pt["m"]
        for s in _seeds(c, seeds):
            v = {col: law(m) * _noise(rng) for col, law in truth.items()}
            lags = {}
            for k, lim in limits.items():
                lags[f"corr_lag{k}"] = lim + truth["same_lag_dev"](m) * rng.normal()
                lags[f"limit_lag{k}"] = lim
            rows.append(
                {
                    "m": m,
                    "L": fx["L"],
                    "n": fx["n"],
                    "d": fx["d"],
                    "seed": s,
                    "back_rms": v["back_rms"],
                    "back_max": 3.0 * v["back_rms"],
                    **{col: v[col] for col in _DIFFERENT_LAGS[1:]},
                    "same_lag_rms": v["same_lag_rms"],
                    "same_lag_limit_rms": v["same_lag_limit_rms"],
                    "same_lag_dev": v["same_lag_dev"],
                    "other_coord_rms": v["other_coord_rms"],
                    **lags,
                }
            )
    return pd.DataFrame(rows)


_LR_REGIME = claims.get("sgd_learns").settings()["lr0_regime"]
_LR_LEARN = claims.get("sgd_learns").settings()["lr0_learn"]
_SGD_TRUTH = {
    # opt and R0 per seed: a held-out sample of one fixed concept; eps = 0.5 (R0 - OPT) = 0.225
    "opt": lambda lr0, m: 0.05,
    "zero_risk": lambda lr0, m: 0.5,
    "excess": lambda lr0, m: 0.08 if lr0 == _LR_REGIME else 0.03 * (m / 128) ** -0.2,
    "tau": lambda lr0, m: 1.5 if lr0 == _LR_REGIME else 6.0,
    "sign_frac": lambda lr0, m: (0.002 if lr0 == _LR_REGIME else 0.2) * (m / 128) ** -0.5,
    # coupling RMS relative to the target's RMS (0.7): 0.05 at the largest m for the small rate
    "coupling_ratio": lambda lr0, m: (0.05 if lr0 == _LR_REGIME else 3.0) * (m / 512) ** -0.5,
    # the rate that learns, on its joint (L, m) design: the ratio ~ L m^-1/2, so m*(L; delta) ~ L^2
    "learn_ratio": lambda L, m: 0.2 * (L / 8) * (m / 512) ** -0.5,
}


def sgd_runs(name: str = "sgd_learns", laws: dict[str, Callable] | None = None, *, seeds=None, ms=None) -> pd.DataFrame:
    r"""Rows of the SGD runs shared by sgd_learns and ntk_ball (one per (lr0, m, seed))."""
    law = {**_SGD_TRUTH, **(laws or {})}
    c = claims.get(name)
    g = c.grid()
    fx = g.fixed
    rng = _rng("sgd_runs")
    rows = []
    for pt in _kept(g, "m", ms):
        lr0, m, L = pt["lr0"], pt["m"], pt.get("L", fx["L"])
        ratio = law["learn_ratio"](L, m) if lr0 == _LR_LEARN else law["coupling_ratio"](lr0, m)
        for s in _seeds(c, seeds):
            opt = law["opt"](lr0, m) * _noise(rng)
            avg = opt + law["excess"](lr0, m) * _noise(rng)
            tau = law["tau"](lr0, m) * _noise(rng)
            target_rms = 0.7 * _noise(rng, 0.01)
            coupling = ratio * target_rms * _noise(rng)
            rows.append(
                {
                    "m": m,
                    "L": L,
                    "seed": s,
                    "lr0": lr0,
                    "steps": fx["steps"],
                    "batch": fx["batch"],
                    "w_var": fx["w_var"],
                    "opt": opt,
                    "zero_risk": law["zero_risk"](lr0, m) * _noise(rng),
                    "init_risk": 1.5 * _noise(rng),
                    "avg_risk": avg,
                    "final_risk": avg * _noise(rng),
                    "tau": tau,
                    "max_tau": 1.1 * tau,
                    "sign_frac": law["sign_frac"](lr0, m) * _noise(rng),
                    "coupling": coupling,
                    "coupling_max": 2.0 * coupling,
                    "target_rms": target_rms,
                }
            )
    return pd.DataFrame(rows)


_ALONG_TRUTH = {
    # SGD's displacement at a fixed number of samples: tau_t flat in m, omega_t ~ tau_t / sqrt(m)
    "fwd_err": lambda tau, om, m, l: 0.3 * tau**2 * m**-0.5 * (l / 8),  # ratio ~ m^(-1/3)
    "bwd_rel": lambda tau, om, m, l: 0.8 * tau**0.5 * m**-0.25 * (l / 8) ** 0.5,  # ratio ~ m^(-1/12)
    "signs": lambda tau, om, m, l: 0.5 * m * om * (l / 8),  # ratio ~ omega^(1/3) ~ m^(-1/6)
    "hidden": lambda tau, om, m, l: 2.0 * om * (l / 8),  # ratio flat in m (the boundary)
}


def sgd_along(laws: dict[str, Callable] | None = None, *, seeds=None, ms=None, diverged=()) -> pd.DataFrame:
    r"""Rows of the runs shared by the four sgd_* claims: one per (m, seed, recorded step, position), plus a
    Gaussian and an adversarial displacement at the last step. ``diverged``: (m, seed) pairs whose run diverged."""
    law = {**_ALONG_TRUTH, **(laws or {})}
    c = claims.get("sgd_sign_changes")
    g = c.grid()
    fx = g.fixed
    rng = _rng("sgd_along")
    rows = []
    for pt in _kept(g, "m", ms):
        m = pt["m"]
        for s in _seeds(c, seeds):
            net = _noise(rng, SD_NET)
            bad = (m, s) in diverged
            for step in range(0, fx["steps"] + 1, fx["record_every"]):
                tau = 3.0 * (step / fx["steps"]) ** 0.8 * net
                om = 0.7 * tau / m**0.5
                for direction, matched in [("sgd", "")] + (
                    [("random", "omega"), ("adversarial", "omega")] if step == fx["steps"] else []
                ):
                    scale = {"sgd": 1.0, "random": 0.3, "adversarial": 2.0}[direction]
                    for l in range(1, fx["L"] + 1):
                        row = {
                            "step": step,
                            "position": l,
                            "m": m,
                            "L": fx["L"],
                            "n": fx["n_probe"],
                            "omega": om,
                            "tau": tau,
                            "direction": direction,
                            "matched": matched,
                            "seed": s,
                            "lr0": fx["lr0"],
                            "steps": fx["steps"],
                            "batch": fx["batch"],
                            "w_var": fx["w_var"],
                            "samples": step * fx["batch"],
                            "diverged": bad,
                            "divergence": "training.sgd: W became non-finite by step 3" if bad else "",
                        }
                        for q, f in law.items():
                            row[q] = 0.0 if l == 1 or step == 0 else scale * f(tau, om, m, l) * _noise(rng)
                        rows.append(row)
    return pd.DataFrame(rows)


def _tau_inf(L: int) -> float:
    return 1.5 * L


def pseudo_solution(
    tau_star=lambda m, L: _tau_inf(L) * (1 + 20 / m),
    residual=lambda m, L: 1e-6,
    tau_inf=_tau_inf,
    *,
    seeds=None,
    ms=None,
) -> pd.DataFrame:
    r"""Rows of pseudo_solution: one per (m, L, seed). The sample of a (L, seed) is the same for every
    width, so its noise factor (sd 0.03) is shared by tau* and tau*_inf; tau* keeps a per-point sd
    of 0.001, small against its deviation 20/m from the limit even at m = 1024."""
    c = claims.get("pseudo_solution")
    g = c.grid()
    fx = g.fixed
    rng = _rng("pseudo_solution")
    sample: dict[tuple[int, int], float] = {}
    rows = []
    for pt in _kept(g, "m", ms):
        m, L = pt["m"], pt["L"]
        for s in _seeds(c, seeds):
            f = sample.setdefault((L, s), _noise(rng))
            target = 0.7 * _noise(rng, 0.01)
            rows.append(
                {
                    "m": m,
                    "L": L,
                    "N": fx["N"],
                    "seed": s,
                    "w_var": fx["w_var"],
                    "tau_star": tau_star(m, L) * f * _noise(rng, 0.001),
                    "tau_inf": tau_inf(L) * f,
                    "residual_rms": residual(m, L) * target,
                    "target_rms": target,
                }
            )
    return pd.DataFrame(rows)


def generalisation(
    rademacher=lambda m, N, L: 0.8 * L**0.5 * N**-0.5,
    gap=lambda m, N: 0.4 * N**-1.0,
    *,
    seeds=None,
    kinds=("rademacher", "gap"),
) -> pd.DataFrame:
    r"""Rows of generalisation: the Rademacher complexity at tau = 1 (so its constant is value sqrt(N))
    and the test-train gap of SGD."""
    c = claims.get("generalisation")
    g = c.grid()
    fx = g.fixed
    rng = _rng("generalisation")
    rows = []
    for pt in g.points:
        if pt["kind"] not in kinds:
            continue
        m, N, L = pt["m"], pt["N"], pt["L"]
        for s in _seeds(c, seeds):
            law = rademacher(m, N, L) * fx["tau"] if pt["kind"] == "rademacher" else gap(m, N)
            rows.append(
                {
                    "m": m,
                    "N": N,
                    "L": L,
                    "seed": s,
                    "w_var": fx["w_var"],
                    "tau": fx["tau"],
                    "kind": pt["kind"],
                    "value": law * _noise(rng),
                }
            )
    return pd.DataFrame(rows)


def length_scaling(samples=lambda L: 400.0 * L, *, seeds=None, Ls=None, diverged=(), missed=()) -> pd.DataFrame:
    r"""Rows of length_scaling: samples rounded to whole batches; ``diverged`` and ``missed`` list
    (L, seed) runs that diverged or did not reach the target (counted at the step cap)."""
    c = claims.get("length_scaling")
    g = c.grid()
    fx = g.fixed
    rng = _rng("length_scaling")
    rows = []
    for pt in _kept(g, "L", Ls):
        L = pt["L"]
        for s in _seeds(c, seeds):
            base = {"m": fx["m"], "L": L, "seed": s, "w_var": fx["w_var"], "batch": fx["batch"], "lr0": fx["lr0"]}
            if (L, s) in diverged:
                rows.append(
                    {
                        **base,
                        "samples": float("nan"),
                        "reached": False,
                        "threshold": float("nan"),
                        "diverged": True,
                        "divergence": "risk 3.1e+12 at step 40",
                    }
                )
                continue
            reached = (L, s) not in missed
            n = samples(L) * _noise(rng) if reached else fx["steps"] * fx["batch"]
            rows.append(
                {
                    **base,
                    "samples": fx["batch"] * round(n / fx["batch"]),
                    "reached": reached,
                    "threshold": 0.3,
                    "diverged": False,
                    "divergence": "",
                }
            )
    return pd.DataFrame(rows)


def ntk_limit(
    ntk_err=lambda m, L: 3.0 * L * m**-0.5,
    S_err=lambda m, L: 0.5 * L**0.5 * m**-0.5,
    Sdot_err=lambda m, L: 1.0 * L * m**-0.5,
    *,
    seeds=None,
    ms=None,
    Ls=None,
) -> pd.DataFrame:
    r"""Rows of ntk_limit: one per cell of its joint (L, m) design (each length on its own widths); every
    cell is its own network, so there is no per-network factor."""
    c = claims.get("ntk_limit")
    g = c.grid()
    fx = g.fixed
    rng = _rng("ntk_limit")
    rows = []
    for pt in g.points:
        m, L = pt["m"], pt["L"]
        if (ms is not None and m not in ms) or (Ls is not None and L not in Ls):
            continue
        for s in _seeds(c, seeds):
            rows.append(
                {
                    "m": m,
                    "L": L,
                    "n": fx["n"],
                    "seed": s,
                    "ntk_err": ntk_err(m, L) * _noise(rng),
                    "S_err": S_err(m, L) * _noise(rng),
                    "Sdot_err": Sdot_err(m, L) * _noise(rng),
                }
            )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------- helpers
def _judge(name: str, df: pd.DataFrame) -> ClaimResult:
    return claims.get(name).judge(df, "default")


def _named(res: ClaimResult, part: str) -> list:
    found = [f for f in res.findings if part in f.name]
    assert found, f"no finding of {res.claim.name} contains {part!r}:\n{res}"
    return found


def _check_rule(f) -> None:
    r"""The rule with its indifference zone, recomputed from the finding's own interval, claimed value
    and resolution: "consistent" when the interval lies within r of the allowed side, "inconsistent"
    when it lies wholly beyond the claimed value plus r, "inconclusive" when it contains that edge."""
    d = f.decision
    if d.rule not in ("exponent", "growth", "mean", "event") or math.isnan(d.ci_low):
        return
    assert d.resolution > 0, str(f)
    lo, hi = (d.ci_low, d.ci_high) if d.below else (-d.ci_high, -d.ci_low)
    a = d.value if d.below else -d.value
    expected = OK if hi <= a + d.resolution else BAD if lo > a + d.resolution else OPEN
    assert f.verdict == expected, str(f)
    assert d.at_resolution == (expected == OK and hi > a), str(f)


# ---------------------------------------------------------------------- truth
TRUTH: dict[str, Callable[[], pd.DataFrame]] = {
    "forward_stability": forward_stability,
    "product_stability": lambda: lag_stability("product_stability"),
    "backward_stability": lambda: lag_stability("backward_stability"),
    "hidden_perturbation": hidden_perturbation,
    "sign_changes": sign_changes,
    "forward_coupling": forward_coupling,
    "backward_coupling": backward_coupling,
    "decoupling": decoupling,
    "sgd_learns": sgd_runs,
    "ntk_ball": lambda: sgd_runs("ntk_ball"),
    "pseudo_solution": pseudo_solution,
    "generalisation": generalisation,
    "length_scaling": length_scaling,
    "ntk_limit": ntk_limit,
    **{
        name: sgd_along
        for name in ("sgd_forward_coupling", "sgd_backward_coupling", "sgd_sign_changes", "sgd_hidden_perturbation")
    },
}

TRUTH_CONSISTENT: dict[str, tuple[str, ...]] = {
    # every finding whose name contains one of these must read "consistent" on the truth frame
    "forward_stability": (
        "grows at most like L^1",
        "does not grow exponentially",
        "approaches its infinite-width value",
        "for all l <= L",
        "grows polynomially, not exponentially, in L",
        "collapses onto L^k / m",
    ),
    "product_stability": ("grows at most like", "does not grow with m"),
    "backward_stability": ("grows at most like", "does not grow with m"),
    "hidden_perturbation": ("as omega -> 0", "stays within", "does not grow with m"),
    "sign_changes": (
        "<= c * m * omega^0.667",
        "attains the worst case",
        "stay well below the worst case",
        "grow at most like m^1, random",
        "grow at most like m^1, gradient",
    ),
    "forward_coupling": ("decays at least like m^", "as tau shrinks", "grows polynomially, not exponentially, in L"),
    "backward_coupling": ("decays with m", "grows polynomially, not exponentially, in L"),
    "decoupling": ("(different lags) shrinks like m^-0.5", "different output coordinates", "approach their nonzero"),
    # the regime findings' nested fit over L = 4..8 resolves rate 0 only to about its resolution: not listed
    "sgd_learns": ("average held-out risk", "stays in the NTK regime", "does not grow with the width"),
    "ntk_ball": ("final tau", "fraction of changed signs", "forward coupling error"),
    "pseudo_solution": (
        "grows at most like m^0",
        "approaches tau* of the infinite-width kernel",
        "grows at most like L^3",
        "reproduce the concept",
    ),
    "generalisation": (
        "shrinks at least like N^-0.5",
        "Rademacher complexity does not grow with m",
        "shrinks with N",
        "gap does not grow with m",
    ),
    "length_scaling": ("grow at most like L^3", "every run reaches", "no run diverges"),
    # m*(L) ~ (L / delta)^2: the degree's nested rate resolves 0 well within ln(2) / 12; the slices at one width
    # (described) and the collapse onto L^2 / m hold too
    "ntk_limit": (
        "per network shrinks like m^-0.5",
        "grows polynomially, not exponentially, in L",
        "collapses onto L^k / m",
    ),
    **{
        name: ("over the run stays bounded as m grows", "at the end of the run shrinks", "no run diverges")
        for name in ("sgd_forward_coupling", "sgd_backward_coupling", "sgd_sign_changes", "sgd_hidden_perturbation")
    },
}


def test_every_measured_claim_has_a_synthetic_truth():
    assert set(COMPLEXITY) <= set(claims.names())
    assert sorted(TRUTH) == sorted(MEASURED) == sorted(TRUTH_CONSISTENT)


@pytest.mark.parametrize("name", MEASURED)
def test_truth_is_not_refuted(name):
    df = TRUTH[name]()
    res = _judge(name, df)
    assert all(f.decision.rule != "cannot analyse" for f in res.findings), str(res)
    assert all(f.verdict != BAD for f in res.findings), str(res)
    for f in res.findings:
        _check_rule(f)
    for part in TRUTH_CONSISTENT[name]:
        for f in _named(res, part):
            assert f.verdict == OK, f"{name}: {f}"


def _ls_slope(xs, ys) -> float:
    r"""The least-squares slope of log y on log x: the exponent a power-law fit finds in a law that is
    not a pure power law."""
    return float(np.polyfit(np.log(np.asarray(xs, float)), np.log(np.asarray(ys, float)), 1)[0])


# tau* = tau*_inf (1 + 20/m) over the default widths at L = 6: an effective exponent of about -0.09
_PS_MS = sorted({pt["m"] for pt in claims.get("pseudo_solution").grid().points if pt["L"] == 6})
_PS_M_SLOPE = _ls_slope(_PS_MS, [1 + 20 / m for m in _PS_MS])

KNOWN_EXPONENTS: dict[str, tuple[tuple[str, float], ...]] = {
    # (part of a finding's name, the exponent of the synthetic truth that finding fits)
    "forward_stability": (("grows at most like L^1", 0.2), ("approaches its infinite-width value", -0.5)),
    "product_stability": (("grows at most like", 0.5), ("does not grow with m", 0.0)),
    "backward_stability": (("grows at most like", 0.5), ("does not grow with m", 0.0)),
    "hidden_perturbation": (("as omega -> 0", 1.0), ("does not grow with m", 0.0)),
    "sign_changes": (
        ("omega^0.667, random", 1.0),
        ("omega^0.667, gradient", 1.0),
        ("omega^0.667, adversarial", 2 / 3),
        ("attains the worst case", 2 / 3),
        ("stay well below the worst case", 1.0),
        ("grow at most like m^1", 1.0),
    ),
    "forward_coupling": (("decays at least like m^", -1.0), ("as tau shrinks", 2.0)),
    "backward_coupling": (("decays with m", -0.5),),
    "decoupling": (
        ("(different lags) shrinks like m^-0.5", -0.5),
        ("different output coordinates", -0.5),
        ("approach their nonzero", -0.5),
    ),
    "sgd_learns": (("does not grow with the width", -0.2),),
    "ntk_ball": (("final tau", 0.0), ("fraction of changed signs", -0.5), ("forward coupling error", -0.5)),
    "pseudo_solution": (
        ("grows at most like m^0", _PS_M_SLOPE),
        ("approaches tau* of the infinite-width kernel", -1.0),
        ("grows at most like L^3", 1.0),
    ),
    "generalisation": (
        ("shrinks at least like N^-0.5", -0.5),
        ("Rademacher complexity does not grow with m", 0.0),
        ("shrinks with N", -1.0),
        ("gap does not grow with m", 0.0),
    ),
    "length_scaling": (("grow at most like L^3", 1.0),),
    "ntk_limit": (("per network shrinks like m^-0.5", -0.5),),
    # the largest ratio over the run, and the quantity (for signs the fraction) at the last step
    "sgd_forward_coupling": (("over the run stays bounded", -1 / 3), ("at the end of the run shrinks", -0.5)),
    "sgd_backward_coupling": (("over the run stays bounded", -1 / 12), ("at the end of the run shrinks", -0.25)),
    "sgd_sign_changes": (("over the run stays bounded", -1 / 6), ("at the end of the run shrinks", -0.5)),
    "sgd_hidden_perturbation": (("over the run stays bounded", 0.0), ("at the end of the run shrinks", -0.5)),
}
EXPONENT_TOLERANCE = 0.1  # five or more standard errors of every fit above


@pytest.mark.parametrize("name", MEASURED)
def test_fits_recover_the_known_exponents(name):
    assert sorted(KNOWN_EXPONENTS) == sorted(MEASURED)
    res = _judge(name, TRUTH[name]())
    for part, known in KNOWN_EXPONENTS[name]:
        for f in _named(res, part):
            assert f.decision.rule == "exponent", str(f)
            assert abs(f.decision.estimate - known) <= EXPONENT_TOLERANCE, f"{name}: expected {known:.3g}; {f}"


def test_generalisation_without_a_positive_gap_judges_the_rademacher_findings_alone():
    df = generalisation(gap=lambda m, N: -0.01)
    res = _judge("generalisation", df)
    gap = _named(res, "test-train gap")
    assert [(f.verdict, f.decision.rule) for f in gap] == [(OPEN, "cannot analyse")], str(res)
    assert all(f.verdict == OK for f in _named(res, "Rademacher complexity")), str(res)
    assert res.verdict == OPEN


def test_forward_coupling_judges_an_m_sweep_alone():
    res = _judge("forward_coupling", forward_coupling(sweeps=("m",)))
    exponents = [f for f in res.findings if not f.key.startswith("regime_")]
    assert len(exponents) == len(DIRECTIONS), str(res)
    assert all("decays at least like m^" in f.name and f.verdict == OK for f in exponents), str(res)
    # one length: the degree of m*(L) in L cannot be fitted, and says so
    assert all(f.decision.rule == "cannot analyse" for f in res.judged() if f.key.startswith("regime_")), str(res)


def test_length_scaling_fits_leave_diverged_runs_out():
    res = _judge("length_scaling", length_scaling(diverged={(14, 0), (11, 3)}))
    assert _named(res, "grow at most like L^3")[0].verdict == OK, str(res)
    assert _named(res, "every run reaches")[0].verdict == OK, str(res)
    (div,) = _named(res, "no run diverges")
    # two of fifty diverged runs are counted and named, within the tolerated quarter: not a failure
    assert div.verdict == OK and "held on 48/50 runs" in div.detail and "L=14" in div.detail, str(div)


def _with_diverged(df: pd.DataFrame, where: dict) -> pd.DataFrame:
    """The frame with a "diverged" column, and the rows matching ``where`` turned into diverged runs
    (their measured values NaN), as the SGD measurements record a run that diverges."""
    df = df.assign(diverged=False, divergence="")
    hit = np.logical_and.reduce([df[k] == v for k, v in where.items()])
    values = [
        c
        for c in df.columns
        if c not in ("m", "L", "N", "seed", "lr0", "steps", "batch", "w_var", "kind", "tau", "diverged", "divergence")
    ]
    df.loc[hit, values] = np.nan
    df.loc[hit, "diverged"] = True
    df.loc[hit, "divergence"] = "the objective became non-finite at step 4"
    return df


@pytest.mark.parametrize("name", ["sgd_learns", "ntk_ball"])
def test_sgd_runs_that_diverge_are_counted_and_left_out_of_the_fits(name):
    df = sgd_runs(name)
    before = _judge(name, df)
    lr0 = max(df["lr0"])
    res = _judge(name, _with_diverged(df, {"m": 256, "seed": 0, "lr0": lr0}))
    (div,) = _named(res, "no run diverges")
    assert div.verdict != BAD and "m=256" in div.detail and "step 4" in div.detail, str(div)
    others = [f for f in res.findings if f is not div]
    assert [f.name for f in others] == [f.name for f in before.findings]
    assert all(f.verdict != BAD for f in others), str(res)
    assert not _named(_judge(name, df.assign(diverged=False, divergence="")), "no run diverges")[0].verdict == BAD


def test_generalisation_gap_runs_that_diverge_are_counted():
    df = generalisation()
    res = _judge("generalisation", _with_diverged(df.assign(lr0=8.0), {"kind": "gap", "m": 128, "N": 8, "seed": 0}))
    (div,) = _named(res, "no SGD run of the gap diverges")
    assert div.verdict != BAD and "m=128" in div.detail and "held on" in div.detail, str(div)
    assert _named(res, "gap does not grow with m")[0].verdict != BAD


# ---------------------------------------------------------------------- violations
_ALONG_WRONG = {"fwd_err": 1.0, "bwd_rel": 0.5, "signs": 0.5, "hidden": 0.5}

VIOLATIONS = [
    # (claim, case, frame, substring of the findings that must read "inconsistent")
    (
        "forward_stability",
        "norm ~ exp(0.1 L) on the diagonal",
        lambda: forward_stability(max_norm=lambda L, m: 0.5 * math.exp(0.1 * L)),
        "does not grow exponentially",
    ),
    (
        "forward_stability",
        "norm ~ L^2 on the diagonal",
        lambda: forward_stability(max_norm=lambda L, m: 0.02 * L**2),
        "grows at most like L^1",
    ),
    # a decay too slow (m^-0.1, beyond the resolution of -1/2); flat in m, m*(L) would not exist
    (
        "forward_stability",
        "S_logdev ~ m^-0.1",
        lambda: forward_stability(S_logdev=lambda L, m: 0.8 * L * m**-0.1),
        "approaches its infinite-width value",
    ),
    (
        "forward_stability",
        "S_logdev ~ exp(L / 8) m^-0.5: m*(L) exponential in L",
        lambda: forward_stability(S_logdev=lambda L, m: 6.4 * math.exp((L - 8) / 8) * m**-0.5),
        "grows polynomially, not exponentially, in L",
    ),
    ("forward_stability", "norms below c_low", lambda: forward_stability(min_norm=lambda L, m: 0.1), "for all l <= L"),
    *[
        (name, case, frame, part)
        for name in ("product_stability", "backward_stability")
        for case, frame, part in [
            (
                "norm ~ exp(0.2 k)",
                lambda name=name: lag_stability(name, lambda k, m, L: math.exp(0.2 * k)),
                "does not grow exponentially in",
            ),
            ("norm ~ k^4", lambda name=name: lag_stability(name, lambda k, m, L: k**4.0), "grows at most like"),
            (
                "norm times m^(1/2)",
                lambda name=name: lag_stability(name, lambda k, m, L: k**0.5 * m**0.5),
                "does not grow with m",
            ),
        ]
    ],
    (
        "hidden_perturbation",
        "change ~ omega^(1/2)",
        lambda: hidden_perturbation(lambda om, L, m, d: _HIDDEN_SCALE[d] * L**0.5 * om**0.5),
        "as omega -> 0",
    ),
    (
        "hidden_perturbation",
        "change / omega ~ exp(0.2 L)",
        lambda: hidden_perturbation(lambda om, L, m, d: _HIDDEN_SCALE[d] * math.exp(0.2 * L) * om),
        "not exponentially, in L",
    ),
    (
        "hidden_perturbation",
        "change times m^(1/2)",
        lambda: hidden_perturbation(lambda om, L, m, d: _HIDDEN_SCALE[d] * L**0.5 * om * m**0.5),
        "does not grow with m",
    ),
    (
        "hidden_perturbation",
        "change / omega grows by 1 + 5 omega",
        lambda: hidden_perturbation(lambda om, L, m, d: _HIDDEN_SCALE[d] * L**0.5 * om * (1 + 5 * om)),
        "stays within",
    ),
    (
        "sign_changes",
        "flips ~ m omega^0.4 in every direction",
        lambda: sign_changes(
            lambda d, m, om, pos, l: 4.0 * m * om**0.4 * (1.0 if d != "adversarial" or pos == l else 0.2)
        ),
        "<= c * m * omega^0.667",
    ),
    (
        "sign_changes",
        "random and gradient flips ~ m omega^0.7",
        lambda: sign_changes(
            lambda d, m, om, pos, l: _sign_truth(d, m, om, pos, l) * (1.0 if d == "adversarial" else om**-0.3)
        ),
        "stay well below the worst case",
    ),
    (
        "sign_changes",
        "the adversarial construction flips only ~ m omega",
        lambda: sign_changes(
            lambda d, m, om, pos, l: _sign_truth(d, m, om, pos, l) * (om ** (1 / 3) * 20 if d == "adversarial" else 1.0)
        ),
        "attains the worst case",
    ),
    (
        "sign_changes",
        "flips ~ m^1.5",
        lambda: sign_changes(lambda d, m, om, pos, l: _sign_truth(d, m, om, pos, l) * (m / 512) ** 0.5),
        "grow at most like m^1",
    ),
    (
        "sign_changes",
        "flips per position ~ exp(0.5 l)",
        lambda: sign_changes(lambda d, m, om, pos, l: _sign_truth(d, m, om, pos, l) * math.exp(0.5 * pos)),
        "not exponentially, in l",
    ),
    (
        "forward_coupling",
        "error grows like m^0.3",
        lambda: forward_coupling(lambda m, tau, d: 0.01 * tau**2 * m**0.3),
        "decays at least like m^",
    ),
    (
        "forward_coupling",
        "error ~ tau^1",
        lambda: forward_coupling(lambda m, tau, d: _COUPLING_SCALE[d] * 512 * tau / m),
        "as tau shrinks",
    ),
    (
        "backward_coupling",
        "relative distance grows like m^0.3",
        lambda: backward_coupling(relative=lambda m, d: 0.3 * (m / 256) ** 0.3),
        "grad y_j(W0)||_F decays with m",
    ),
    (
        "backward_coupling",
        "inner product times m^(1/2)",
        lambda: backward_coupling(inner=lambda m, d: 0.1 * (m / 256) ** 0.5),
        "|<grad y_j(W0+W') - grad y_j(W0), W*>| decays",
    ),
    (
        "decoupling",
        "different-lag correlations flat in m",
        lambda: decoupling({col: (lambda m: 0.02) for col in _DIFFERENT_LAGS}),
        "(different lags) shrinks like m^-0.5",
    ),
    (
        "decoupling",
        "back_rms times m^(1/2): flat",
        lambda: decoupling({"back_rms": lambda m: 0.5 * m**-0.5 * m**0.5}),
        "Back_(i->j)^T u for different j",
    ),
    (
        "decoupling",
        "equal-lag deviation from the limit flat in m",
        lambda: decoupling({"same_lag_dev": lambda m: 0.05}),
        "approach their nonzero",
    ),
    (
        "decoupling",
        "other_coord_rms flat in m",
        lambda: decoupling({"other_coord_rms": lambda m: 0.03}),
        "different output coordinates",
    ),
    # the fixed-width findings (excess risk and regime condition at the largest m) are descriptions: the
    # claim's verdict on its premise comes from the regime findings
    (
        "sgd_learns",
        "m*(L) of the rate that learns ~ 4^L: the ratio ~ 2^L m^-1/2",
        lambda: sgd_runs(laws={"learn_ratio": lambda L, m: 0.2 * 2.0 ** (L - 8) * (m / 512) ** -0.5}),
        "at which E coupling <= 0.1 grows polynomially, not exponentially, in L",
    ),
    (
        "sgd_learns",
        "excess risk at the large rate ~ m^(1/2)",
        lambda: sgd_runs(laws={"excess": lambda lr0, m: 0.08 if lr0 == _LR_REGIME else 0.02 * (m / 128) ** 0.5}),
        "does not grow with the width",
    ),
    ("ntk_ball", "tau ~ m^(1/2)", lambda: sgd_runs("ntk_ball", {"tau": lambda lr0, m: 0.1 * m**0.5}), "final tau"),
    (
        "ntk_ball",
        "sign fraction ~ m^0.5",
        lambda: sgd_runs("ntk_ball", {"sign_frac": lambda lr0, m: 0.001 * m**0.5}),
        "fraction of changed signs",
    ),
    (
        "ntk_ball",
        "coupling ~ m^0.4",
        lambda: sgd_runs(
            "ntk_ball", {"coupling_ratio": lambda lr0, m: 0.01 * m**0.4, "learn_ratio": lambda L, m: 0.01 * m**0.4}
        ),
        "forward coupling error",
    ),
    (
        "pseudo_solution",
        "tau* times m^(1/2)",
        lambda: pseudo_solution(lambda m, L: 2.0 * L * m**0.5),
        "grows at most like m^0",
    ),
    (
        "pseudo_solution",
        "tau* moves away from tau*_inf: tau*_inf (1 + 0.02 m^(1/2))",
        lambda: pseudo_solution(lambda m, L: _tau_inf(L) * (1 + 0.02 * m**0.5)),
        "approaches tau* of the infinite-width kernel",
    ),
    ("pseudo_solution", "tau* ~ L^4", lambda: pseudo_solution(lambda m, L: 0.01 * L**4), "grows at most like L^3"),
    (
        "pseudo_solution",
        "tau* ~ exp(0.5 L)",
        lambda: pseudo_solution(lambda m, L: math.exp(0.5 * L)),
        "not exponentially, in L",
    ),
    (
        "pseudo_solution",
        "relative residual 1e-2",
        lambda: pseudo_solution(residual=lambda m, L: 1e-2),
        "reproduce the concept",
    ),
    (
        "generalisation",
        "Rademacher ~ N^-0.2",
        lambda: generalisation(lambda m, N, L: 0.8 * N**-0.2),
        "shrinks at least like N^-0.5",
    ),
    (
        "generalisation",
        "Rademacher times m^(1/2)",
        lambda: generalisation(lambda m, N, L: 0.05 * N**-0.5 * m**0.5),
        "Rademacher complexity does not grow with m",
    ),
    (
        "generalisation",
        "Rademacher constant ~ exp(0.3 L)",
        lambda: generalisation(lambda m, N, L: 0.1 * math.exp(0.3 * L) * N**-0.5),
        "not exponentially, in L",
    ),
    ("generalisation", "gap ~ N^0.3", lambda: generalisation(gap=lambda m, N: 0.05 * N**0.3), "shrinks with N"),
    ("generalisation", "gap ~ m^1", lambda: generalisation(gap=lambda m, N: 0.001 * m / N), "gap does not grow with m"),
    # three quarters of the runs diverge (seeds 6..23 at every length; seeds 0..5 do not)
    (
        "length_scaling",
        "most runs diverge",
        lambda: length_scaling(seeds=range(24), diverged={(L, s) for L in (4, 6, 8, 11, 14) for s in range(6, 24)}),
        "no run diverges",
    ),
    (
        "length_scaling",
        "most runs miss the target",
        lambda: length_scaling(missed={(L, s) for L in (6, 8, 11, 14) for s in range(6)}),
        "every run reaches",
    ),
    # a decay too slow (m^-0.1, beyond the resolution of -1/2); flat in m, m*(L) would not exist
    (
        "ntk_limit",
        "error ~ m^-0.1",
        lambda: ntk_limit(lambda m, L: 0.2 * L * m**-0.1),
        "per network shrinks like m^-0.5",
    ),
    (
        "ntk_limit",
        "error ~ exp(0.2 L)",
        lambda: ntk_limit(lambda m, L: 2.0 * math.exp(0.2 * L) * m**-0.5),
        "grows polynomially, not exponentially, in L",
    ),
    *[
        (name, case, frame, part)
        for name, q in (
            ("sgd_forward_coupling", "fwd_err"),
            ("sgd_backward_coupling", "bwd_rel"),
            ("sgd_sign_changes", "signs"),
            ("sgd_hidden_perturbation", "hidden"),
        )
        for case, frame, part in [
            # the forward coupling's ratio to its bound shape decays like m^-0.35 in the truth, so a sqrt(m) factor
            # leaves m^0.15, inside the resolution 0.25 (a factor 1.4 over m = 128..1024): it must see a whole m
            (
                f"{q} times m^({_ALONG_WRONG[q]:g})",
                (
                    lambda q=q: sgd_along(
                        {q: lambda tau, om, m, l, f=_ALONG_TRUTH[q]: f(tau, om, m, l) * m ** _ALONG_WRONG[q]}
                    )
                ),
                "stays bounded as m grows",
            ),
            (
                "most runs diverge",
                lambda: sgd_along(
                    seeds=range(12), diverged={(m, s) for m in (128, 256, 512, 1024) for s in range(3, 12)}
                ),
                "no run diverges",
            ),
        ]
    ],
]


@pytest.mark.parametrize("name, case, frame, part", VIOLATIONS, ids=[f"{v[0]}: {v[1]}" for v in VIOLATIONS])
def test_violation_is_inconsistent(name, case, frame, part):
    res = _judge(name, frame())
    # a quantity that does not shrink with m has no threshold width m*(L): only the regime findings may say so
    assert all(f.decision.rule != "cannot analyse" for f in res.findings if not f.key.startswith("regime_")), str(res)
    for f in _named(res, part):
        assert f.verdict == BAD, f"{name}, {case}: {f}"
    assert res.verdict == BAD


@pytest.mark.parametrize(
    "case, frame, part",
    [
        (
            "samples ~ exp(0.4 L)",
            lambda: length_scaling(lambda L: 100.0 * math.exp(0.4 * L)),
            "not exponentially, in L",
        ),
        ("samples ~ L^4", lambda: length_scaling(lambda L: 2.0 * L**4), "grow at most like L^3"),
    ],
)
def test_one_width_descriptions_still_see_a_violation_but_decide_nothing(case, frame, part):
    r"""length_scaling's growth in L is measured at one width: a description (theory.md sec. 10). It still reads
    the violation in its own label, and the claim's verdict does not rest on it."""
    res = _judge("length_scaling", frame())
    fs = _named(res, part)
    assert fs and all(f.verdict == BAD and f.described and f.label.startswith("described: ") for f in fs), case
    assert res.verdict != BAD, str(res)


def test_every_measured_claim_has_two_violations():
    counts = {n: sum(v[0] == n for v in VIOLATIONS) for n in MEASURED}
    assert min(counts.values()) >= 2, counts


# ---------------------------------------------------------------------- too small
_ONE_X = "x takes a single value"
_ONE_GROUP = "groups has 1 distinct label"
TOO_SMALL = [
    # (claim, case, frame, part of the reason)
    ("forward_stability", "one width", lambda: forward_stability(ms=(256,)), _ONE_X),
    ("product_stability", "one seed", lambda: lag_stability("product_stability", seeds=(0,)), _ONE_GROUP),
    ("backward_stability", "one seed", lambda: lag_stability("backward_stability", seeds=(0,)), _ONE_GROUP),
    ("hidden_perturbation", "one seed", lambda: hidden_perturbation(seeds=(0,)), _ONE_GROUP),
    ("sign_changes", "one seed", lambda: sign_changes(seeds=(0,)), _ONE_GROUP),
    (
        "forward_coupling",
        "one width, no tau sweep",
        lambda: forward_coupling(sweeps=("m",), ms=(512,)),
        "expected at least 2 to fit a power law in m",
    ),
    ("backward_coupling", "one width", lambda: backward_coupling(ms=(512,)), _ONE_X),
    ("decoupling", "one width", lambda: decoupling(ms=(512,)), _ONE_X),
    ("sgd_learns", "one seed", lambda: sgd_runs(seeds=(0,)), "expected at least 2 to form a t interval"),
    ("ntk_ball", "one width", lambda: sgd_runs("ntk_ball", ms=(512,)), _ONE_X),
    ("pseudo_solution", "one seed", lambda: pseudo_solution(seeds=(0,)), _ONE_GROUP),
    ("generalisation", "one seed", lambda: generalisation(seeds=(0,)), _ONE_GROUP),
    ("length_scaling", "one length", lambda: length_scaling(Ls=(8,)), _ONE_X),
    ("ntk_limit", "one width and one length", lambda: ntk_limit(ms=(256,), Ls=(6,)), _ONE_X),
    *[
        (name, "one width", lambda: sgd_along(ms=(512,)), _ONE_X)
        for name in ("sgd_forward_coupling", "sgd_backward_coupling", "sgd_sign_changes", "sgd_hidden_perturbation")
    ],
]


@pytest.mark.parametrize("name, case, frame, why", TOO_SMALL, ids=[f"{v[0]}: {v[1]}" for v in TOO_SMALL])
def test_too_small_frame_is_inconclusive(name, case, frame, why):
    """A frame that cannot support some findings judges those it can and marks only the others
    "cannot analyse", with the reason; nothing reads "inconsistent" for want of data."""
    res = _judge(name, frame())
    assert res.verdict == OPEN, str(res)
    blocked = [f for f in res.findings if f.decision.rule == "cannot analyse"]
    assert blocked and any(why in f.detail for f in blocked), str(res)
    assert all(f.verdict != BAD for f in res.findings), str(res)


def test_every_measured_claim_has_a_too_small_frame():
    assert sorted(v[0] for v in TOO_SMALL) == sorted(MEASURED)


@pytest.mark.parametrize("name", ["product_stability", "backward_stability"])
def test_a_point_measured_on_one_network_is_judged_over_its_lags(name):
    """The large grids measure one network at their widest, longest point: its findings use the
    regression interval over the lags of that network, say so, and judge a polynomial law as before
    (a point with several networks keeps the interval over networks)."""
    df = lag_stability(name)
    one = df[(df["L"] == 50) & (df["m"] == 1024)]
    df = pd.concat([df[~df.index.isin(one.index)], one[one["seed"] == one["seed"].min()]])
    res = claims.get(name).judge(df)
    assert all(f.decision.rule != "cannot analyse" for f in res.findings), str(res)
    single = [f for f in res.findings if "L=50, m=1024" in f.name]
    assert len(single) == 2 and all("one network: interval over its lags" in f.name for f in single)
    assert single[0].verdict == "consistent", str(single[0])  # sqrt growth within the claimed cube
    assert all("one network" not in f.name for f in res.findings if "L=8, m=256" in f.name)
