"""The precision policy: every claim declares its dtype and why, docs/reporting.md's table states the
same dtype for every claim, claims that share cells share a dtype, and a run measures each claim in
its own dtype unless one is forced."""

import pathlib
import re

from rnntheory import claims as C

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "reporting.md"


def _table() -> dict[str, str]:
    text = DOC.read_text()
    part = text[text.index("### Precision") :]
    return {m.group(1): m.group(2) for m in re.finditer(r"^\| (\w+) \| (float32|float64) \|", part, re.M)}


def test_every_claim_declares_a_dtype_and_a_reason_and_the_table_agrees():
    table = _table()
    for name in C.names():
        claim = C.get(name)
        assert claim.dtype in ("float32", "float64"), name
        assert claim.precision, f"{name} gives no reason for its dtype"
        assert table.get(name) == claim.dtype, (
            f"{name}: docs/reporting.md says {table.get(name)}, the claim {claim.dtype}"
        )


def test_claims_that_share_cells_share_a_dtype():
    by: dict[str, set[str]] = {}
    for name in C.names():
        claim = C.get(name)
        by.setdefault(claim.cache_group or name, set()).add(claim.dtype)
    assert all(len(d) == 1 for d in by.values()), by


def test_cells_take_the_claims_dtype_unless_one_is_forced():
    claim = C.get("forward_coupling")
    assert claim.cell()["dtype"] == "float64" and claim.cell(dtype="float32")["dtype"] == "float32"
    other = C.get("sign_changes")
    assert other.cell()["dtype"] == "float32" and other.dtype_for("float64") == "float64"
