"""Every finding of every claim is built at the confidence level of the look that judges it: the level is an
explicit value of the look (``Judging.level``), so a finding whose builder is not handed it (and falls back to
99%) would make a budgeted run's later looks wider or narrower than alpha spending says. Judged here on the
committed default report's rows at a level no builder uses by default."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rnntheory import claims

ROWS = Path(__file__).resolve().parents[2] / "docs" / "report" / "results.csv"
LEVEL = 0.9975


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return pd.read_csv(ROWS, low_memory=False)


def _levels(f) -> list[float]:
    fit = f.fit
    out = []
    for part in (fit, getattr(fit, "rate", None)):
        if part is not None and hasattr(part, "level"):
            out.append(float(part.level))
    if "exact interval" in f.decision.reason:  # an event: its level is in the words of its interval
        out.append(LEVEL if f"({100 * LEVEL:.4g}% exact interval)" in f.decision.reason else float("nan"))
    return out


@pytest.mark.parametrize("name", claims.names())
def test_every_finding_at_the_looks_level(rows: pd.DataFrame, name: str) -> None:
    part = rows[rows["claim"] == name].dropna(axis=1, how="all").reset_index(drop=True)
    for col in part.columns[part.dtypes.eq(object)]:  # a column mixed with other claims' text reads as text
        try:
            part[col] = pd.to_numeric(part[col])
        except (ValueError, TypeError):
            pass
    res = claims.get(name).judge(part, level=LEVEL)
    seen = [(f.key, lv) for f in res.findings for lv in _levels(f)]
    if not seen:  # exact checks only (every case must hold): no interval, no level
        assert all(f.fit is None and f.resolution == 0 for f in res.findings), name
    wrong = [(k, lv) for k, lv in seen if abs(lv - LEVEL) > 1e-12]
    assert not wrong, f"{name}: findings built at another level than the look's {LEVEL}: {wrong}"
