r"""The lemmas along a real SGD run (docs/theory.md, section 9): forward coupling, backward coupling, sign
changes and hidden-state change of SGD's own displacement :math:`W_t - W_0`.

Every cell trains one network by online SGD on W only (:func:`rnntheory.learning.along.sgd`): the single-lag
concept of the learning claims, batches of 4 fresh samples, rate ``lr0 / (m L)`` with ``lr0`` fixed
across widths, and the same number of steps (so the same number of samples) at every width. At every
recorded step the four lemma quantities of :math:`W_t - W_0` are measured on held-out probe sequences
(worst case over the sequences, per position). The four claims share these cells (``sgd_along``), so
a cache trains each run once. At two recorded steps the cell also measures a Gaussian and the
adversarial rank-one displacement of the same size (the same :math:`\omega_t` for the sign and hidden
lemmas, the same :math:`\tau_t` for the coupling ones), so that the figures place SGD between the
typical and the worst direction at the same width.

Each claim judges, on the SGD rows (steps after 0, positions 2..L, where the quantities depend on W):

* the largest ratio quantity / bound shape over the run stays bounded as m grows (exponent in m of the
  per-run maximum <= 0, within the stated resolution);
* at the fixed number of samples, the quantity at the end of the run shrinks as m grows (exponent in
  m below 0; a straddling interval is inconclusive) -- the fraction of changed signs for the sign lemma;
* along each run the quantity grows with the displacement's size at least like the bound's power
  (exponent in omega_t or tau_t, a shrinking parameter, >= the claimed power): the check that sees a
  bound with too strong a power;
* the per-position maximum ratio does not grow exponentially in the position l (the poly(L) factor).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..learning import along as AL
from ..network import perturbation as P
from ..network.sizes import scale_to
from ..stats import fits as S
from ..stats import verdicts as VD
from .cells import DIRECTION_SEED_OFFSET, INPUT_SEED_OFFSET, cell_concept, config, labelled_sample, make_net
from ..checking.findings import cannot_detect, exponent_finding, series, split_diverged, too_strong, wrong_m
from ..stats.verdicts import Verdict
from ..checking.claim import Claim
from ..checking.grid import Grid
from ..checking.registry import register
from ..checking.results import LEVEL, Finding, Series
from .sgd import sgd_config

__all__ = ["SGD_FORWARD_COUPLING", "SGD_BACKWARD_COUPLING", "SGD_SIGN_CHANGES", "SGD_HIDDEN_PERTURBATION",
           "PROBE_SEED_OFFSET"]

PROBE_SEED_OFFSET = 50_000
"""The probe sequences of a cell with seed s are drawn with seed s + PROBE_SEED_OFFSET."""

_COMPARED = ("random", "adversarial")


def _compare_steps(cell: Mapping[str, Any]) -> tuple[int, ...]:
    r"""The recorded steps at which random and adversarial displacements of SGD's size are measured: the
    first record after a quarter of the run, and the last step."""
    every, steps = cell["record_every"], cell["steps"]
    first = min(steps, every * max(1, -(-steps // (4 * every))))
    return tuple(sorted({first, steps}))


def _measure_along(cell: dict[str, Any]) -> list[dict[str, Any]]:
    target = cell_concept(cell)
    test = labelled_sample(target, cell, cell["n_test"], cell["seed"] + INPUT_SEED_OFFSET)
    probe = labelled_sample(target, cell, cell["n_probe"], cell["seed"] + PROBE_SEED_OFFSET).x
    net = make_net({**cell, "d": 1})
    keep = _compare_steps(cell)
    run = AL.sgd(net, probe, keep=keep, concept=target, test=test, config=sgd_config(cell, coupling=False))
    frames = [run.lemmas.assign(direction="sgd", matched="")]
    tr = run.trace
    for step, Wp in sorted(run.kept.items()):
        if not bool(Wp.any()):
            continue
        sizes = run.lemmas[run.lemmas["step"] == step].iloc[0]  # measured with the lemmas at this step
        omega, tau = float(sizes["omega"]), float(sizes["tau"])
        gauss = P.random_direction(net, omega=1.0, seed=cell["seed"] + DIRECTION_SEED_OFFSET + step)
        for matched, size in (("omega", {"omega": omega}), ("tau", {"tau": tau})):
            mats = {"random": scale_to(gauss, **size), "adversarial": P.adversarial_direction(net, tr, l=2, **size)}
            for name, M in mats.items():
                frames.append(AL.measure(net, None, M, tr=tr, steps=[step]).assign(direction=name, matched=matched))
    df = pd.concat(frames, ignore_index=True)
    base = config(cell, "seed", "lr0", "steps", "batch", "w_var")
    df = df.assign(**base, samples=df["step"] * cell["batch"], diverged=bool(run.diverged), divergence=run.diverged)
    return df.to_dict("records")


# ---------------------------------------------------------------------- analysis
_SIZE = {"fwd_err": "tau", "bwd_rel": "tau", "signs": "omega", "hidden": "omega"}


def _ratio(df: pd.DataFrame, q: str, judging: Mapping[str, Any]) -> np.ndarray:
    shape = AL.shape(q, df["omega"].to_numpy(float), df["tau"].to_numpy(float), df["m"].to_numpy(float),
                     exponent=judging["size_exponent"], m_exponent=judging["m_exponent"])
    with np.errstate(divide="ignore", invalid="ignore"):
        return df[q].to_numpy(float) / shape


def _shape_text(q: str, judging: Mapping[str, Any]) -> str:
    b, a = judging["size_exponent"], judging["m_exponent"]
    m = "" if a == 0 else (" m" if a == 1 else f" m^{a:.3g}")
    return (f"{_SIZE[q]}_t^{b:.3g}{m}" if q != "signs" else f"{m.strip()} {_SIZE[q]}_t^{b:.3g}").strip()


def _sgd_rows(df: pd.DataFrame) -> pd.DataFrame:
    return df[(df["direction"] == "sgd") & (df["step"] > 0) & (df["position"] >= 2)]


def _per_run(df: pd.DataFrame) -> pd.DataFrame:
    r"""One row per run and recorded step: the worst position (max over positions of each column)."""
    cols = [c for c in ("q", "ratio", "omega", "tau") if c in df]
    return df.groupby(["m", "seed", "step"], as_index=False)[cols].max()


def _described(df: pd.DataFrame, rows: pd.DataFrame, q: str, what: str) -> list[Series]:
    r"""SGD's runs (``rows``: :func:`_sgd_rows` of ``df``) beside the random and adversarial
    displacements of the same size at the largest m (the quantity against the size), and the ratio
    against the step at every width."""
    size = _SIZE[q]
    top = df[df["m"] == df["m"].max()]
    m = int(top["m"].iloc[0]) if len(top) else 0
    out = []
    sgd = _per_run(rows[rows["m"] == m])
    if len(sgd):
        out.append(series(sgd, size, "q", label=f"SGD (W_t - W_0), m = {m}", panel=f"{what} at m = {m}"))
    for name in _COMPARED:
        part = _per_run(top[(top["direction"] == name) & (top["matched"] == size) & (top["position"] >= 2)])
        if len(part):
            out.append(series(part, size, "q", label=f"{name} W' of the same {size}", panel=f"{what} at m = {m}"))
    for mm, part in rows.groupby("m"):
        out.append(series(_per_run(part), "step", "ratio", label=f"m = {mm}", panel=f"{what} / bound shape"))
    return out


def _along_exponent(rows: pd.DataFrame, q: str) -> str:
    r"""How the quantity grew with the displacement's size along the runs: a description, not a test
    (the direction of W_t - W_0 turns as t grows, so this is no fixed family shrinking to 0)."""
    along = _per_run(rows).query("q > 0")
    along = along.assign(run=along["m"].astype(str) + "/" + along["seed"].astype(str))
    if along["run"].nunique() < 2:
        return ""
    fit = S.fit_exponent(along[_SIZE[q]].to_numpy(float), along["q"].to_numpy(float), groups=along["run"].to_numpy(),
                         level=LEVEL, variable=_SIZE[q])
    return (f"; described, not judged: along the runs it grew like {_SIZE[q]}_t^{fit.slope:.3g} "
            f"[{fit.ci_low:.3g}, {fit.ci_high:.3g}] (the direction of W_t - W_0 turns along a run)")


def _analyse(q: str, what: str):
    def analyse(df: pd.DataFrame, judging: Mapping[str, Any]) -> list[Finding]:
        _, diverged = split_diverged(df.drop_duplicates(subset=["m", "L", "lr0", "seed"]), "run", level=judging.level)  # one row per run
        df = df[~df["diverged"].fillna(False).astype(bool)]
        df = df.assign(ratio=_ratio(df, q, judging), q=df[q].to_numpy(float))
        rows = _sgd_rows(df)
        if rows.empty:
            raise VD.CannotAnalyse(f"{what}: no recorded SGD step after step 0")
        steps = int(rows["step"].max())
        held = (f"lr0 / (m L), lr0 = {', '.join(f'{v:g}' for v in sorted(rows['lr0'].unique()))}, "
                f"{steps} steps of {int(rows['batch'].iloc[0])} samples at every m")
        worst = rows.groupby(["m", "seed"], as_index=False)["ratio"].max()
        f_max = exponent_finding(
            f"the largest {what} / ({_shape_text(q, judging)}) over the run stays bounded as m grows ({held})",
            worst, "m", "ratio", 0.0, resolution=judging["m_resolution"], groups=None, key="max_ratio_m_exponent",
            panel=f"max over the run of {what} / bound shape", extra=_described(df, rows, q, what), level=judging.level)
        f_max = replace(f_max, detail=f_max.detail + _along_exponent(rows, q))
        last = rows[rows["step"] == rows.groupby(["m", "seed"])["step"].transform("max")]
        end = last.groupby(["m", "seed"], as_index=False)["q"].max()
        label = what
        if q == "signs":
            end = end.assign(q=end["q"] / end["m"])
            label = "fraction of changed signs"
        f_end = exponent_finding(
            f"{label} at the end of the run shrinks as m grows ({held})",
            end, "m", "q", 0.0, resolution=judging["m_resolution"], groups=None, panel=f"{label} at the end of the run",
            key="end_m_exponent", level=judging.level)
        return [f_max, f_end] + diverged

    return analyse


_ALONG_FIXED = dict(L=8, d_x=8, lag=1, p=3, phi="sin", concept_seed=0, eps_x=0.1, noise=0.0, n_test=16, n_probe=4,
                    lr0=1.0, steps=400, batch=4, record_every=50, w_var=2.0)
_ALONG_DEFAULT = Grid.product({"m": [128, 256, 512, 1024]}, seeds=3, **_ALONG_FIXED)
# m = 4096 and 8192 cost about 1 s and 4 s per SGD step on one CPU core (W is read some 25 times a step), and
# measuring the lemmas at every record as much again: the large grid has 2 runs at m = 4096 and none wider (an
# hour on a core at m = 8192); the runs at L = 8, 16, 32 show the positions further out
_ALONG_LARGE = Grid(points=tuple({"m": m, "L": 12} for m in (256, 1024)) + ({"m": 4096, "L": 12, "seeds": 2},)
                    + tuple({"m": 1024, "L": L, "seeds": 2} for L in (8, 16, 32)),
                    seeds=tuple(range(4)), fixed=_ALONG_FIXED)
_HELD = ("online SGD on W only at the rate lr0 / (m L), lr0 = 1, for a fixed number of steps of 4 fresh samples at "
         "every width (400 steps, L = 8 on the default grid); the quantities on 4 held-out probe sequences at every "
         "50th step")
_JUDGING = dict(m_resolution=0.25)
_ONE_LENGTH = ("every run of the default grid has L = 8, and positions 2..8 are too short a span to tell polynomial "
               "from exponential growth; poly(L) is the subject of product_stability and backward_stability")


def _along_claim(name: str, q: str, what: str, title: str, reference: str, statement: str, bound: str,
                 powers: tuple[float, float], strong: tuple[float, float], strong_what: str,
                 wrong_m_why: str | None = None, expected: tuple[str, str] | tuple[()] = ()) -> Claim:
    return register(Claim(
        name=name,
        dtype="float32",
        precision="float32 and float64 give the same verdicts on the default grid and no finding's estimate moves by "
                  "more than 0.03 of its resolution (docs/reporting.md)",
        expected=expected,
        title=title,
        reference=reference,
        statement=statement,
        quantity=f"{what} of W_t - W_0 at every recorded step, worst case over probe sequences and positions; {_HELD}",
        bound=bound,
        grids={"default": _ALONG_DEFAULT, "large": _ALONG_LARGE},
        measure=_measure_along,
        analyse=_analyse(q, what),
        judging={**_JUDGING, "size_exponent": powers[0], "m_exponent": powers[1]},
        controls=(
            too_strong(strong_what, size_exponent=strong[0], m_exponent=strong[1]),
            wrong_m(q) if wrong_m_why is None else cannot_detect("wrong_m", f"the {what} times sqrt(m)", wrong_m_why),
            cannot_detect("exponential", "exponential growth in L", _ONE_LENGTH),
        ),
        cache_group="sgd_along",
        plot={"x": "step", "y": AL.RATIOS[q], "hue": "m"},
    ))


SGD_FORWARD_COUPLING = _along_claim(
    "sgd_forward_coupling", "fwd_err", "forward coupling error",
    "Forward coupling along SGD: the pseudo-network tracks the trained network",
    "theory.md sec. 9 with sec. 3 (forward coupling along a real SGD run)",
    "For W' = W_t - W_0 of a real SGD run, err_j = y_j(W_t) - y_j(W_0) - pseudo_j(W_t - W_0) is at most "
    "poly(L) tau_t^(4/3) m^(-1/6), tau_t = sqrt(m) ||W_t - W_0||_F.",
    "err <= c * tau_t^(4/3) * m^(-1/6) at every recorded step, c independent of m",
    (4.0 / 3.0, -1.0 / 6.0), (4.0 / 3.0, -1.5), "the error is at most c tau_t^(4/3) m^(-3/2)",
    wrong_m_why="the bound's m^(-1/6) is the worst case over W'; SGD's largest ratio to it falls like m^-0.67 on the "
                "default grid (its error like m^-0.84), so a sqrt(m) factor leaves the error decaying faster than the "
                "bound: an upper bound cannot see a quantity that is smaller than claimed")
SGD_BACKWARD_COUPLING = _along_claim(
    "sgd_backward_coupling", "bwd_rel", "backward coupling (relative gradient change)",
    "Backward coupling along SGD: gradients at W_t stay close to those at W_0",
    "theory.md sec. 9 with sec. 3 (backward coupling along a real SGD run)",
    "For W' = W_t - W_0 of a real SGD run, ||grad y_j(W_t) - grad y_j(W_0)||_F / ||grad y_j(W_0)||_F is at most "
    "poly(L) tau_t^(1/3) m^(-1/6) (docs/conventions.md: the shape through the flipped signs, omega^(1/3) with "
    "omega <= tau / sqrt(m)).",
    "relative gradient change <= c * tau_t^(1/3) * m^(-1/6) at every recorded step, c independent of m",
    (1.0 / 3.0, -1.0 / 6.0), (1.0 / 3.0, -1.0), "the relative change is at most c tau_t^(1/3) m^-1")
SGD_SIGN_CHANGES = _along_claim(
    "sgd_sign_changes", "signs", "sign changes",
    "Sign changes along SGD",
    "theory.md sec. 9 with sec. 4 (sign changes along a real SGD run)",
    "For W' = W_t - W_0 of a real SGD run, ||D_l(W_t) - D_l(W_0)||_0 <= poly(L) m omega_t^(2/3), "
    "omega_t = ||W_t - W_0||_2.",
    "flips <= c * m * omega_t^(2/3) at every recorded step, c independent of m",
    (2.0 / 3.0, 1.0), (2.0, 1.0), "the flips are at most c m omega_t^2")
SGD_HIDDEN_PERTURBATION = _along_claim(
    "sgd_hidden_perturbation", "hidden", "hidden-state change",
    "Hidden-state change along SGD",
    "theory.md sec. 9 with sec. 4 (hidden-state perturbation along a real SGD run)",
    "For W' = W_t - W_0 of a real SGD run, ||h_l(W_t) - h_l(W_0)|| <= poly(L) omega_t.",
    "||delta h_l|| <= c * omega_t at every recorded step, c independent of m",
    (1.0, 0.0), (2.0, 0.0), "the change is at most c omega_t^2",
    expected=(Verdict.INCONCLUSIVE, "the largest change / omega_t over a run against m, 0.09 [-0.29, 0.47], contains the "
                              "zone's edge 0.25 (about 4x the runs)"))
