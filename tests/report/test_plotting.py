"""Figures of claims (rnntheory.report.figures): panels, the drawn bound, and byte-stable PNGs."""

import numpy as np
import pandas as pd
import pytest

from rnntheory import claims, stats
from rnntheory.checking import Grid
from rnntheory.checking.findings import every_case_finding
from rnntheory.report import figures, save_figure
from rnntheory.stats import verdicts


@pytest.fixture(scope="module")
def hidden():
    """hidden_perturbation on two widths, three lengths and small omegas, holding the claim's reference
    width, length and omega (eighteen cheap cells)."""
    c = claims.get("hidden_perturbation")
    js = c.settings()
    grid = Grid.product(
        {"m": sorted({128, js["m_ref"]})},
        seeds=3,
        **{
            **c.grid().fixed,
            "Ls": tuple(sorted({4, js["L_ref"], 16})),
            "omegas": tuple(sorted({0.001, 0.003, 0.01, js["omega_ref"]})),
        },
    )
    return c.run(grid)


@pytest.fixture(scope="module")
def signs():
    """sign_changes on two small widths and a few omegas (including the claim's reference omega)."""
    c = claims.get("sign_changes")
    omegas = tuple(sorted({0.004, 0.008, 0.016, c.settings()["omega_ref"]}))
    return c.run(Grid.product({"m": [256, 512]}, seeds=3, **{**c.grid().fixed, "omegas": omegas}))


def lines_by_label(fig):
    return {ln.get_label(): ln for ax in fig.axes for ln in ax.get_lines()}


def test_one_panel_per_abscissa_and_quantity(signs):
    ps = figures.panels(signs.findings)
    # every finding about flips against omega shares one panel: the bound for three directions at two
    # widths, the random and gradient directions below the worst case at two widths, and the
    # adversarial attainment at each width where it counts enough flips; the other abscissas get theirs
    # (an attainment finding without points to draw, one that could not be analysed, has no panel)
    attained = sum(
        f.name.startswith("the adversarial construction attains") and f.series is not None for f in signs.findings
    )
    assert [(p.x, p.ylabel, p.model, len(p.findings)) for p in ps] == [
        ("omega", "flips", "power", 6 + 4 + attained),
        ("m", "max_l flips at fixed omega", "power", 3),
        ("position", "flips at position l", "power", 2),
        ("position", "flips at position l", "exponential", 2),
    ]
    assert all(f.series.x == "omega" for f in ps[0].findings)
    assert sum(f.series is not None and f.series.x == "omega" for f in signs.findings) == len(ps[0].findings)


def test_growth_findings_get_a_power_and_an_exponential_panel():
    c = claims.get("backward_stability")
    L = c.settings()["m_sweep_L"]  # the length of the m sweep, so that every finding has its points
    res = c.run(Grid(points=({"L": L, "m": 64}, {"L": L, "m": 256}), seeds=(0, 1, 2), fixed=c.grid().fixed))
    ps = figures.panels(res.findings)
    # per width an exponent and a growth finding against the number of factors, then the m sweep
    assert [(p.x, p.model, len(p.findings)) for p in ps] == [
        ("factors", "power", 4),
        ("factors", "exponential", 2),
        ("m", "power", 1),
    ]
    assert all(isinstance(f.fit, stats.GrowthFit) for f in ps[1].findings)
    fig = figures.claim_figure(res)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3
    assert visible[1].get_xscale() == "linear" and visible[1].get_yscale() == "log"  # semi-log for the exponential
    assert visible[0].get_xscale() == "log" and visible[0].get_yscale() == "log"


def test_the_drawn_bound_is_the_smallest_constant_times_the_shape(hidden):
    f = hidden.findings[0]
    fig = figures.claim_figure(hidden)
    line = next(ln for label, ln in lines_by_label(fig).items() if label.startswith("bound"))
    omega = np.asarray(line.get_xdata(), float)
    expected = f.constant * omega**1.0  # bound shape c * omega^1 of hidden_perturbation
    np.testing.assert_allclose(np.asarray(line.get_ydata(), float), expected, rtol=1e-12)
    # the bound touches the data it was judged on (the worst direction at the reference width and
    # length): the largest ratio measured / (c omega) is 1
    js = hidden.settings
    at = hidden.data[(hidden.data["m"] == js["m_ref"]) & (hidden.data["L"] == js["L_ref"])]
    worst = at.groupby(["seed", "omega"])["change"].max().reset_index()
    assert (worst["change"] / (f.constant * worst["omega"])).max() == pytest.approx(1.0, rel=1e-12)
    assert f"c = {f.constant:.3g}" in line.get_label()


def test_fit_line_is_the_fitted_power_law(hidden):
    fit = hidden.findings[0].fit
    fig = figures.claim_figure(hidden)
    line = next(ln for label, ln in lines_by_label(fig).items() if label.startswith("fit"))
    x = np.asarray(line.get_xdata(), float)
    np.testing.assert_allclose(np.asarray(line.get_ydata(), float), np.exp(fit.intercept) * x**fit.slope, rtol=1e-12)
    assert f"[{fit.ci_low:.3g}, {fit.ci_high:.3g}]" in line.get_label()


def test_a_claim_and_a_frame_give_the_figure_of_the_result(hidden):
    a = figures.claim_figure(hidden)
    b = figures.claim_figure("hidden_perturbation", hidden.data)
    assert [ax.get_title() for ax in a.axes] == [ax.get_title() for ax in b.axes]
    with pytest.raises(ValueError, match="figures.claim_figure: a claim \\(hidden_perturbation\\) needs data="):
        figures.claim_figure("hidden_perturbation")


def test_a_frame_measured_by_hand_is_judged_on_what_it_holds():
    """forward_coupling measured over m only (no tau sweep): the figure has the m panel alone."""
    df = pd.concat([claims.measure("forward_coupling", m=m, seed=s, L=4, n=2) for m in (64, 128) for s in range(3)])
    fig = figures.claim_figure("forward_coupling", df)
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert len(titles) == 1 and titles[0].startswith("err against m")


def test_claims_without_fitted_findings_are_drawn_from_their_hints():
    res = claims.get("complexity_monotone").run(seeds=1)
    assert figures.panels(res.findings) == []
    fig = figures.claim_figure(res)
    titles = sorted(ax.get_title() for ax in fig.axes if ax.get_visible())
    assert titles == sorted(f"sweep = {s}" for s in res.data["sweep"].unique())


def test_png_bytes_depend_only_on_the_data(hidden, tmp_path):
    save_figure(figures.claim_figure(hidden), tmp_path / "a.png")
    save_figure(figures.claim_figure(hidden), tmp_path / "b.png")
    a = (tmp_path / "a.png").read_bytes()
    assert a == (tmp_path / "b.png").read_bytes()
    assert a[:8] == b"\x89PNG\r\n\x1a\n" and b"Software" not in a


def test_panel_title_carries_the_combined_verdict(hidden):
    wrong = hidden.rejudge(exponent=2.0)
    fig = figures.claim_figure(wrong)
    assert fig.axes[0].get_title().endswith(": inconsistent")
    assert "inconsistent" in fig.get_suptitle()
    assert verdicts.combine([f.verdict for f in wrong.findings]) == "inconsistent"


def test_findings_without_points_draw_nothing():
    assert figures.panels([every_case_finding("a", [True], key="a")]) == []


def test_figures_show_themselves_in_notebooks(hidden):
    fig = figures.claim_figure(hidden)
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"


def test_lazy_submodules_are_attributes_of_the_package():
    import rnntheory

    assert rnntheory.report.figures is figures and rnntheory.report.run is not None and rnntheory.run.cache.CellCache
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        rnntheory.nope


def test_described_series_get_a_panel_with_their_exact_reference():
    """Finding.extra series (here tau*_m beside tau* of the limit kernel) are drawn on a panel of their
    own, without a fit or verdict, with the reference as a line through its values."""
    rows = []
    for m, L in [(m, 6) for m in (64, 128, 256, 512, 1024)] + [(256, L) for L in (4, 8, 10, 12)]:
        for s in range(5):
            tau_inf = 1.5 * L + 0.01 * s
            rows.append(
                {
                    "m": m,
                    "L": L,
                    "N": 48,
                    "seed": s,
                    "w_var": 2.0,
                    "tau_star": tau_inf * (1 + 20 / m),
                    "tau_inf": tau_inf,
                    "residual_rms": 1e-7,
                    "target_rms": 0.7,
                }
            )
    df = pd.DataFrame(rows)
    res = claims.get("pseudo_solution").result(df)
    described = [p for p in figures.panels(res.findings) if p.model == "described"]
    assert [(p.x, p.ylabel, len(p.described)) for p in described] == [("m", "tau*_m and its limit", 1)]
    fig = figures.claim_figure(res)
    ax = next(a for a in fig.axes if a.get_title() == "tau*_m and its limit against m")
    line = next(ln for ln in ax.get_lines() if ln.get_label() == "tau* of the limit kernel (L = 6)")
    expected = df[df["L"] == 6].groupby("m")["tau_inf"].mean()
    np.testing.assert_allclose(line.get_xdata(), expected.index.to_numpy(float))
    np.testing.assert_allclose(line.get_ydata(), expected.to_numpy())


# ---------------------------------------------------------------------- the fit that decides, once, unhidden
def _committed(name):
    """A claim of the committed default report judged again from its rows (docs/report/results.json)."""
    import json
    from pathlib import Path

    from rnntheory.run.records import frame

    doc = json.loads((Path(__file__).resolve().parents[2] / "docs" / "report" / "results.json").read_text())
    cells = next(c for c in doc["claims"] if c["name"] == name)["cells"]
    return claims.get(name).judge(frame([{"cell": c["cell"], "rows": c["rows"]} for c in cells]), "default")


def test_a_growth_finding_shows_the_nested_fit_that_decides_it():
    """forward_stability reads inconclusive on its nested fit in L (along m = L^2): both of its panels draw
    that fit (the curve exp(a + b log L + c L), labelled with b and c), the pure fits faint as a description,
    and the legend names the finding that decides the verdict."""
    res = _committed("forward_stability")
    head = res.deciding()
    assert isinstance(head.fit, stats.GrowthFit) and res.verdict == "inconclusive"
    fig = figures.claim_figure(res)
    nested = [ln for ax in fig.axes for ln in ax.get_lines() if ln.get_label().startswith("nested fit (the test)")]
    assert len(nested) == 2  # log-log and semi-log
    g = head.fit
    for ln in nested:
        t = np.asarray(ln.get_xdata(), float)
        np.testing.assert_allclose(
            ln.get_ydata(), np.exp(g.intercept + g.power.value * np.log(t) + g.rate.value * t), rtol=1e-12
        )
        assert f"rate {g.rate}" in ln.get_label() and "decides the verdict" in ln.get_label()
    labels = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    assert any(t.startswith("pure exponential (a description)") for t in labels)


def test_a_bound_shared_by_several_series_is_drawn_once_and_the_deciding_mean_is_shown():
    """sgd_learns: one threshold eps shared by two rates is one line (not one per rate, the second hiding
    the first); a rate with its own eps has its own line. Its excess risks at one width are descriptions
    (theory.md sec. 10): none of them decides the verdict."""
    res = _committed("sgd_learns")
    fig = figures.claim_figure(res)
    ax = fig.axes[0]
    bounds = [ln.get_label() for ln in ax.get_lines() if ln.get_label().startswith("bound: excess risk")]
    assert len(bounds) == len(set(bounds)) and any("lr0 = 0.00390625, lr0 = 8" in b for b in bounds), bounds
    head = res.deciding()
    assert head is not None and not head.described and not head.key.startswith("excess_risk")


def test_every_legend_stands_beside_its_axes(signs):
    fig = figures.claim_figure(signs)
    fig.canvas.draw()
    for ax in fig.axes:
        if ax.get_visible() and ax.get_legend() is not None:
            assert ax.get_legend().get_window_extent().x0 >= ax.get_window_extent().x1 - 1
