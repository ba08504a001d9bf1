r"""The lemmas along a real SGD run (docs/theory.md, section 9, with sections 3 and 4): forward coupling, backward
coupling, sign changes and hidden-state change of SGD's own displacement :math:`W_t - W_0`.

Every cell trains one network by online SGD on W only (:func:`rnntheory.learning.along.sgd`) on the single-lag
concept of the learning claims: batches of 4 fresh samples, rate ``lr0 / (m L)`` with ``lr0`` fixed across widths,
the same number of steps (so of samples) at every width. At every recorded step it measures the four quantities of
:math:`W_t - W_0` on held-out probe sequences (worst case over them, per position); the four claims share these
cells (``sgd_along``), so a cache trains each run once. At two recorded steps a Gaussian and the adversarial rank-one
displacement of the same size (:math:`\omega_t` for the sign and hidden lemmas, :math:`\tau_t` for the coupling
ones) are measured too, so that the figures place SGD between the typical and the worst direction at the same width.

Each claim judges, on the SGD rows (steps after 0, positions 2..L, where the quantities depend on W), that the
largest ratio quantity / bound shape over a run stays bounded as m grows (how the quantity grew with the
displacement's size along the runs is described beside it, not judged: the direction of W_t - W_0 turns), that at
the fixed number of samples the quantity at the end of the run (the fraction of changed signs for the sign lemma)
shrinks as m grows, and that no run diverges. Every run has one length: poly(L) is left to section 4's claims.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

import pandas as pd

from ..checking.controls import cannot_detect, too_strong, wrong_m
from ..checking.findings import exponent_finding, series, split_diverged
from ..checking.grid import Grid
from ..checking.results import LEVEL, Finding
from ..learning import along as AL
from ..network import perturbation as P
from ..network.sizes import scale_to
from ..seeds import generator
from ..stats import fits as S
from ..stats import verdicts as VD
from ._designs import CONCEPT
from ._paper import claim
from .cells import cell_concept, labelled_sample, make_net
from .runs import sgd_config

__all__ = [
    "SGD_FORWARD_COUPLING",
    "SGD_BACKWARD_COUPLING",
    "SGD_SIGN_CHANGES",
    "SGD_HIDDEN_PERTURBATION",
]


def _measure_along(cell: dict[str, Any]) -> list[dict[str, Any]]:
    target = cell_concept(cell)
    test = labelled_sample(target, cell, cell["n_test"], "test")
    probe = labelled_sample(target, cell, cell["n_probe"], "probe").x
    net = make_net({**cell, "d": 1})
    # random and adversarial displacements of SGD's size at the first record after a quarter of the run and the last
    every, steps = cell["record_every"], cell["steps"]
    keep = tuple(sorted({min(steps, every * max(1, -(-steps // (4 * every)))), steps}))
    run = AL.sgd(net, probe, keep=keep, concept=target, test=test, config=sgd_config(cell, coupling=False))
    frames, tr = [run.lemmas.assign(direction="sgd", matched="")], run.trace
    directions = generator(cell["seed"], "direction")  # one Gaussian direction per kept step, drawn in order
    for step in sorted(s for s, Wp in run.kept.items() if bool(Wp.any())):
        sizes = run.lemmas[run.lemmas["step"] == step].iloc[0]  # measured with the lemmas at this step
        gauss = P.random_direction(net, omega=1.0, generator=directions)
        for matched in ("omega", "tau"):
            size = {matched: float(sizes[matched])}
            mats = {"random": scale_to(gauss, **size), "adversarial": P.adversarial_direction(net, tr, l=2, **size)}
            frames += [
                AL.measure(net, None, M, tr=tr, steps=[step]).assign(direction=name, matched=matched)
                for name, M in mats.items()
            ]
    df = pd.concat(frames, ignore_index=True)
    return df.assign(samples=df["step"] * cell["batch"], diverged=bool(run.diverged), divergence=run.diverged).to_dict(
        "records"
    )


def _per_run(df: pd.DataFrame) -> pd.DataFrame:  # one row per run and recorded step: the worst position
    return df.groupby(["m", "seed", "step"], as_index=False)[["q", "ratio", "omega", "tau"]].max()


def _analyse(q: str, what: str):
    size = "tau" if q in ("fwd_err", "bwd_rel") else "omega"

    def analyse(df: pd.DataFrame, judging: Mapping[str, Any]) -> list[Finding]:
        _, diverged = split_diverged(df.drop_duplicates(subset=["m", "L", "lr0", "seed"]), "run", level=judging.level)
        df = df[~df["diverged"].fillna(False).astype(bool)]
        b, a = judging["size_exponent"], judging["m_exponent"]
        df = df.assign(
            ratio=df[q] / AL.shape(q, df["omega"], df["tau"], df["m"], exponent=b, m_exponent=a),
            q=df[q].to_numpy(float),
        )
        rows = df[(df["direction"] == "sgd") & (df["step"] > 0) & (df["position"] >= 2)]
        if rows.empty:
            raise VD.CannotAnalyse(f"{what}: no recorded SGD step after step 0")
        held = (
            f"lr0 / (m L), lr0 = {', '.join(f'{v:g}' for v in sorted(rows['lr0'].unique()))}, "
            f"{int(rows['step'].max())} steps of {int(rows['batch'].iloc[0])} samples at every m"
        )
        m_text = "" if a == 0 else (" m" if a == 1 else f" m^{a:.3g}")
        shape = (f"{size}_t^{b:.3g}{m_text}" if q != "signs" else f"{m_text.strip()} {size}_t^{b:.3g}").strip()
        # drawn, not judged: SGD's runs beside the random and adversarial displacements of the same size at the
        # largest m (the quantity against the size), and the ratio against the step at every width
        top = df[df["m"] == df["m"].max()]
        m = int(top["m"].iloc[0]) if len(top) else 0
        parts = [(rows[rows["m"] == m], f"SGD (W_t - W_0), m = {m}")] + [
            (
                top[(top["direction"] == name) & (top["matched"] == size) & (top["position"] >= 2)],
                f"{name} W' of the same {size}",
            )
            for name in ("random", "adversarial")
        ]
        drawn = [
            series(_per_run(p), size, "q", label=label, panel=f"{what} at m = {m}") for p, label in parts if len(p)
        ] + [
            series(_per_run(p), "step", "ratio", label=f"m = {mm}", panel=f"{what} / bound shape")
            for mm, p in rows.groupby("m")
        ]
        f_max = exponent_finding(
            f"the largest {what} / ({shape}) over the run stays bounded as m grows ({held})",
            rows.groupby(["m", "seed"], as_index=False)["ratio"].max(),
            "m",
            "ratio",
            0.0,
            resolution=judging["m_resolution"],
            groups=None,
            key="max_ratio_m_exponent",
            panel=f"max over the run of {what} / bound shape",
            extra=drawn,
            level=judging.level,
        )
        # described, not judged: the direction of W_t - W_0 turns as t grows, so this is no fixed family shrinking to 0
        along = _per_run(rows).query("q > 0")
        run = (along["m"].astype(str) + "/" + along["seed"].astype(str)).to_numpy()
        if len(set(run)) > 1:
            fit = S.fit_exponent(
                along[size].to_numpy(float), along["q"].to_numpy(float), groups=run, level=LEVEL, variable=size
            )
            f_max = replace(
                f_max,
                detail=f"{f_max.detail}; described, not judged: along the runs it grew like "
                f"{size}_t^{fit.slope:.3g} [{fit.ci_low:.3g}, {fit.ci_high:.3g}] (the direction of "
                "W_t - W_0 turns along a run)",
            )
        last = rows[rows["step"] == rows.groupby(["m", "seed"])["step"].transform("max")]
        end = last.groupby(["m", "seed"], as_index=False)["q"].max()
        label = "fraction of changed signs" if q == "signs" else what
        end = end.assign(q=end["q"] / end["m"]) if q == "signs" else end
        return [
            f_max,
            exponent_finding(
                f"{label} at the end of the run shrinks as m grows ({held})",
                end,
                "m",
                "q",
                0.0,
                resolution=judging["m_resolution"],
                groups=None,
                key="end_m_exponent",
                panel=f"{label} at the end of the run",
                level=judging.level,
            ),
        ] + diverged

    return analyse


_ALONG_FIXED = dict(
    L=8, **CONCEPT, noise=0.0, n_test=16, n_probe=4, lr0=1.0, steps=400, batch=4, record_every=50, w_var=2.0
)
# m = 4096 and 8192 cost about 1 s and 4 s per SGD step on one CPU core (W is read some 25 times a step), and
# measuring the lemmas at every record as much again: the large grid has 2 runs at m = 4096 and none wider (an
# hour on a core at m = 8192); the runs at L = 8, 16, 32 show the positions further out
_ALONG_GRIDS = {
    "default": Grid.product({"m": [128, 256, 512, 1024]}, seeds=16, **_ALONG_FIXED),
    "large": Grid(
        points=(
            {"m": 256, "L": 12},
            {"m": 1024, "L": 12},
            {"m": 4096, "L": 12, "seeds": 2},
            *({"m": 1024, "L": L, "seeds": 2} for L in (8, 16, 32)),
        ),
        seeds=tuple(range(4)),
        fixed=_ALONG_FIXED,
    ),
}
_HELD = (
    "online SGD on W only at the rate lr0 / (m L), lr0 = 1, for a fixed number of steps of 4 fresh samples at "
    "every width (400 steps, L = 8 on the default grid); the quantities on 4 held-out probe sequences at every "
    "50th step"
)
_ONE_LENGTH = (
    "every run of the default grid has L = 8, and positions 2..8 are too short a span to tell polynomial "
    "from exponential growth; poly(L) is the subject of product_stability and backward_stability"
)


def _along_claim(
    name: str,
    q: str,
    what: str,
    title: str,
    section: int,
    lemma: str,
    statement: str,
    shape: str,
    powers: tuple[float, float],
    strong: tuple[float, float],
    strong_what: str,
    wrong_m_why: str = "",
):
    return claim(
        name=name,
        title=title,
        statement=f"For W' = W_t - W_0 of a real SGD run, {statement}",
        dtype="float64",  # reproducible across machines in float64 only (docs/reporting.md, precision)
        reference=f"theory.md sec. 9 with sec. {section} ({lemma} along a real SGD run)",
        quantity=f"{what} of W_t - W_0 at every recorded step, worst case over probe sequences and positions; {_HELD}",
        bound=f"{shape} at every recorded step, c independent of m",
        grids=_ALONG_GRIDS,
        measure=_measure_along,
        analyse=_analyse(q, what),
        judging={"m_resolution": 0.25, "size_exponent": powers[0], "m_exponent": powers[1]},
        controls=(
            too_strong(strong_what, size_exponent=strong[0], m_exponent=strong[1]),
            cannot_detect("wrong_m", f"the {what} times sqrt(m)", wrong_m_why) if wrong_m_why else wrong_m(q),
            cannot_detect("exponential", "exponential growth in L", _ONE_LENGTH),
        ),
        cache_group="sgd_along",
        plot={"x": "step", "y": AL.RATIOS[q], "hue": "m"},
    )


SGD_FORWARD_COUPLING = _along_claim(
    "sgd_forward_coupling",
    "fwd_err",
    "forward coupling error",
    "Forward coupling along SGD: the pseudo-network tracks the trained network",
    3,
    "forward coupling",
    "err_j = y_j(W_t) - y_j(W_0) - pseudo_j(W_t - W_0) is at most poly(L) tau_t^(4/3) m^(-1/6), tau_t = sqrt(m) "
    "||W_t - W_0||_F.",
    "err <= c * tau_t^(4/3) * m^(-1/6)",
    (4.0 / 3.0, -1.0 / 6.0),
    (4.0 / 3.0, -1.5),
    "the error is at most c tau_t^(4/3) m^(-3/2)",
    wrong_m_why="the bound's m^(-1/6) is the worst case over W'; SGD's largest ratio to it falls like m^-0.67 on the "
    "default grid (its error like m^-0.84), so a sqrt(m) factor leaves the error decaying faster than the "
    "bound: an upper bound cannot see a quantity that is smaller than claimed",
)
SGD_BACKWARD_COUPLING = _along_claim(
    "sgd_backward_coupling",
    "bwd_rel",
    "backward coupling (relative gradient change)",
    "Backward coupling along SGD: gradients at W_t stay close to those at W_0",
    3,
    "backward coupling",
    "||grad y_j(W_t) - grad y_j(W_0)||_F / ||grad y_j(W_0)||_F is at most poly(L) tau_t^(1/3) m^(-1/6) "
    "(docs/conventions.md: the shape through the flipped signs, omega^(1/3) with omega <= tau / sqrt(m)).",
    "relative gradient change <= c * tau_t^(1/3) * m^(-1/6)",
    (1.0 / 3.0, -1.0 / 6.0),
    (1.0 / 3.0, -1.0),
    "the relative change is at most c tau_t^(1/3) m^-1",
)
SGD_SIGN_CHANGES = _along_claim(
    "sgd_sign_changes",
    "signs",
    "sign changes",
    "Sign changes along SGD",
    4,
    "sign changes",
    "||D_l(W_t) - D_l(W_0)||_0 <= poly(L) m omega_t^(2/3), omega_t = ||W_t - W_0||_2.",
    "flips <= c * m * omega_t^(2/3)",
    (2.0 / 3.0, 1.0),
    (2.0, 1.0),
    "the flips are at most c m omega_t^2",
)
SGD_HIDDEN_PERTURBATION = _along_claim(
    "sgd_hidden_perturbation",
    "hidden",
    "hidden-state change",
    "Hidden-state change along SGD",
    4,
    "hidden-state perturbation",
    "||h_l(W_t) - h_l(W_0)|| <= poly(L) omega_t.",
    "||delta h_l|| <= c * omega_t",
    (1.0, 0.0),
    (2.0, 0.0),
    "the change is at most c omega_t^2",
)
