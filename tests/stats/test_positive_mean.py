r"""The interval of the mean of a quantity that cannot be negative (``stats.mean_interval(positive=True)``):
it stays at or above 0, and it covers the true mean at about its level where the t interval does not.

Each design draws ``REPS = 2000`` samples of n values from a fixed numpy seed (deterministic) and every
interval is computed by the real function. Measured (``pytest -s`` prints the table; 99% intervals):

    design              n    positive: coverage  misses above    t: coverage  misses above   t below 0
    log-normal s=0.3    5    0.991               0.008           0.988        0.012           0.04
    log-normal s=0.7    5    0.985               0.016           0.956        0.045           0.71
    log-normal s=1.2    5    0.980               0.021           0.881        0.119           0.94
    exponential         5    0.991               0.009           0.949        0.052           0.92
    gamma k=4           5    0.992               0.006           0.983        0.017           0.41
    half-normal         5    0.992               0.003           0.974        0.024           0.82
    normal, cv 0.2      5    0.991               0.004           0.990        0.007           0.00

Over n = 3, 5, 10 and 20 the positive interval covers 0.980 to 0.9995 and misses above at most 0.021; the t
interval covers 0.862 to 0.993, misses above up to 0.139 (log-normal s = 1.2, n = 10) and reaches below 0
in up to 98% of the runs (n = 3).

"misses above" is the share of runs whose interval lies wholly below the true mean: the side on which an
upper bound ("the mean is at most a threshold") would pass falsely, nominally 0.5%. The t interval misses
there up to 13% for a skewed quantity and reaches below 0 in most runs; the log-normal interval (Cox's
method) stays positive and near its level for every distribution tried, exactly log-normal or not. Its
price is a longer upper end for a strongly skewed sample. With a zero among the values (a count that can
vanish) the t interval is bounded at 0, which removes only values the mean cannot take: its coverage is the
t interval's.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnntheory import stats as S

REPS = 2000

DESIGNS = {  # name -> (draw(rng, size), true mean)
    "log-normal s=0.3": (lambda r, k: r.lognormal(0.0, 0.3, k), float(np.exp(0.3**2 / 2))),
    "log-normal s=0.7": (lambda r, k: r.lognormal(0.0, 0.7, k), float(np.exp(0.7**2 / 2))),
    "log-normal s=1.2": (lambda r, k: r.lognormal(0.0, 1.2, k), float(np.exp(1.2**2 / 2))),
    "exponential": (lambda r, k: r.exponential(1.0, k), 1.0),
    "gamma k=4": (lambda r, k: r.gamma(4.0, 1.0, k), 4.0),
    "half-normal": (lambda r, k: np.abs(r.normal(0.0, 1.0, k)), float(np.sqrt(2 / np.pi))),
    "normal, cv 0.2": (lambda r, k: np.abs(r.normal(1.0, 0.2, k)), 1.0),  # |.| never bites at cv 0.2 (5 sd)
}
SIZES = (3, 5, 10, 20)


def _simulate(design: str, n: int, positive: bool, seed: int = 0) -> tuple[float, float, float]:
    r"""Coverage, share of misses above the interval, and share of lower ends below 0."""
    draw, truth = DESIGNS[design]
    rng = np.random.default_rng([seed, n, list(DESIGNS).index(design)])
    cover = above = negative = 0
    for _ in range(REPS):
        iv = S.mean_interval(draw(rng, n), positive=positive)
        cover += iv.ci_low <= truth <= iv.ci_high
        above += iv.ci_high < truth
        negative += iv.ci_low < 0
    return cover / REPS, above / REPS, negative / REPS


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("design", list(DESIGNS))
def test_the_positive_interval_covers_at_about_its_level_and_stays_positive(design, n):
    cover, above, negative = _simulate(design, n, positive=True)
    assert negative == 0.0
    # 99% nominal; the worst design (log-normal, s = 1.2) measures 0.976: allow 3.5 standard errors below that
    assert cover >= 0.965, (design, n, cover)
    assert above <= 0.03, (design, n, above)


def test_the_t_interval_it_replaces_is_not_calibrated_for_skewed_positive_quantities():
    cover_t, above_t, negative_t = _simulate("log-normal s=1.2", 5, positive=False)
    cover_p, above_p, _ = _simulate("log-normal s=1.2", 5, positive=True)
    assert cover_t < 0.9 and above_t > 0.1 and negative_t > 0.5  # below 0 for a quantity that cannot be
    assert cover_p > cover_t + 0.08 and above_p < above_t / 4


def test_a_zero_among_the_values_bounds_the_t_interval_at_0():
    t = S.mean_interval([0.0, 0.01, 0.02, 0.3, 0.04])
    p = S.mean_interval([0.0, 0.01, 0.02, 0.3, 0.04], positive=True)
    assert t.ci_low < 0 and p.ci_low == 0.0 and p.ci_high == t.ci_high and p.mean == t.mean
    assert p.method == "t, bounded at 0" and "t, bounded at 0 CI" in str(p)
    with pytest.raises(ValueError, match="positive=True, but values holds 1 negative value"):
        S.mean_interval([-0.1, 0.2, 0.3], positive=True)


def test_the_regime_ratio_of_sgd_learns_gets_a_positive_interval():
    """The five coupling / target RMS ratios behind "0.0207 [-0.0024, 0.0439]" (the sgd_learns finding
    in_regime of the default report): their interval on the log scale stays above 0 and keeps the mean."""
    import json
    from pathlib import Path

    doc = json.loads((Path(__file__).resolve().parents[2] / "docs" / "report" / "results.json").read_text())
    sgd = next(c for c in doc["claims"] if c["name"] == "sgd_learns")
    rows = [{**cell["cell"], **r} for cell in sgd["cells"] for r in cell["rows"]]  # a row with its cell's settings
    rows = [r for r in rows if r["lr0"] == 0.00390625 and r["m"] == 512]
    ratios = [r["coupling"] / r["target_rms"] for r in rows]
    t = S.mean_interval(ratios)
    p = S.mean_interval(ratios, positive=True)
    assert len(ratios) == 5 and t.ci_low < 0 < p.ci_low <= p.mean <= p.ci_high
    assert round(t.mean, 4) == 0.0207 and p.mean == t.mean


def test_print_the_table(capsys):
    lines = [f"{'design':<20}{'n':>3}  positive: cover  above   t: cover  above  t below 0"]
    for design in DESIGNS:
        p = _simulate(design, 5, positive=True)
        t = _simulate(design, 5, positive=False)
        lines.append(f"{design:<20}{5:>3}  {p[0]:15.3f}  {p[1]:5.3f}  {t[0]:9.3f}  {t[1]:5.3f}  {t[2]:9.2f}")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
