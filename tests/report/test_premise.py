"""Each section of a claim whose premise is m >= poly(L) says, in the section, what its verdict means for
that premise at the widths measured (theory.md sec. 10): the committed default report's sgd_learns,
length_scaling and ntk_limit sections, and any claim with regime findings or findings at one width."""

from pathlib import Path

import pytest

REPORT = Path(__file__).resolve().parents[2] / "docs" / "report" / "report.md"


def _section(text: str, name: str) -> str:
    start = text.index(f"\n## {name}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


@pytest.mark.parametrize("name", ["sgd_learns", "length_scaling", "ntk_limit", "forward_stability"])
def test_the_section_states_the_premise(name):
    part = _section(REPORT.read_text(), name)
    lines = [
        ln for ln in part.splitlines() if ln.startswith("- Premise (theory.md sec. 10): the premise m >= poly(L) ")
    ]
    assert len(lines) == 1, part[:2000]
    assert any(w in lines[0] for w in ("holds as measured", "fails as measured", "is undecided", "is not measured"))


def test_a_claim_of_one_width_says_its_findings_are_descriptions():
    line = next(ln for ln in _section(REPORT.read_text(), "length_scaling").splitlines() if ln.startswith("- Premise"))
    assert "is not measured by this claim" in line and "descriptions of that width" in line
