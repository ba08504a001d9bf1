r"""Findings are identified by stable keys, never by display text: renaming every finding (as a name
that carries a measured number would be renamed by new data) changes no control outcome, the keys of
a claim are the same on independent seeds, and results.json and the comparison carry them."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from rnntheory import claims
from rnntheory.checking import REGISTRY

CLAIM = claims.get("backward_coupling")


@pytest.fixture(scope="module")
def frames():
    def frame(offset: int) -> pd.DataFrame:
        return pd.concat([CLAIM.measure_frame(m=m, seed=offset + s) for m in (64, 128, 256) for s in range(3)])

    return frame(0), frame(1000)


def test_renamed_findings_leave_every_control_outcome_unchanged(frames, monkeypatch):
    res = CLAIM.judge(frames[0])
    before = [(o.kind, o.status, o.rejected, o.moot) for o in res.controls()]

    def renamed(df, js):
        # a display text that changes with the data, as "eps = ... = 3.76" did
        return [
            dataclasses.replace(f, name=f"{f.name} (mean {df['relative'].mean():.6g}, {js['m_exponent']})")
            for f in CLAIM.analyse(df, js)
        ]

    other = dataclasses.replace(CLAIM, analyse=renamed)
    monkeypatch.setitem(REGISTRY, CLAIM.name, other)
    again = other.judge(frames[0])
    assert [f.name for f in again.findings] != [f.name for f in res.findings]
    assert [f.key for f in again.findings] == [f.key for f in res.findings]
    assert [(o.kind, o.status, o.rejected, o.moot) for o in again.controls()] == before


def test_keys_are_the_same_on_independent_seeds_and_unique(frames):
    a, b = (CLAIM.judge(f) for f in frames)
    assert [f.key for f in a.findings] == [f.key for f in b.findings]
    assert len({f.key for f in a.findings}) == len(a.findings)
    assert all(f.key and not any(ch.isspace() for ch in f.key) for f in a.findings)


def test_compare_matches_findings_by_key(tmp_path, frames):
    """Two reports whose findings have other display names but the same keys and verdicts compare
    equal; a finding whose verdict moves between consistent and inconsistent is counted as a swing."""
    import json

    from rnntheory import report

    def write(folder, findings):
        doc = {
            "report": {"versions": {}},
            "claims": [{"name": "x", "verdict": "consistent", "cells": [], "findings": findings}],
        }
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "results.json").write_text(json.dumps(doc))

    write(
        "a",
        [
            {"key": "k1", "name": "slope 0.5", "verdict": "consistent"},
            {"key": "k2", "name": "rate", "verdict": "consistent"},
        ],
    )
    write(
        "b",
        [
            {"key": "k1", "name": "slope 0.7", "verdict": "consistent"},
            {"key": "k2", "name": "rate", "verdict": "inconsistent"},
        ],
    )
    cmp = report.compare(tmp_path / "a", tmp_path / "b")
    (row,) = cmp.rows
    assert row["findings_changed"] == ["k2"] and row["findings_swung"] == ["k2"]
    assert "1 finding swung between consistent and inconsistent" in str(cmp)
