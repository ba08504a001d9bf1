"""The documentation resolves inside the repository: every relative link in README.md, docs/*.md and
the notebook's Markdown points to a file that exists and, with an anchor, to a heading of that file
(GitHub's anchors: lower case, punctuation dropped, spaces to hyphens, underscores kept); every
"theory.md sec. N" cited anywhere in the repository names a section of docs/theory.md."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _markdown_files() -> list[Path]:
    return [
        ROOT / "README.md",
        ROOT / "CONTRIBUTING.md",
        *sorted((ROOT / "docs").glob("*.md")),
        *sorted((ROOT / "docs" / "report").glob("*.md")),
    ]


def _text(path: Path) -> str:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text())["cells"]
        return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text()


def slug(heading: str) -> str:
    r"""GitHub's anchor of a Markdown heading."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", _text(path), re.M)}


def _links():
    for path in [*_markdown_files(), ROOT / "docs" / "walkthrough.ipynb"]:
        text = re.sub(r"```.*?```", "", _text(path), flags=re.S)  # code blocks are not links
        for target in LINK.findall(text):
            if re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
                continue
            yield pytest.param(path, target, id=f"{path.relative_to(ROOT)} -> {target}")


@pytest.mark.parametrize("source, target", list(_links()))
def test_relative_link_resolves(source, target):
    file, _, anchor = target.partition("#")
    dest = (source.parent / file).resolve() if file else source
    assert dest.exists(), f"{source.relative_to(ROOT)} links to {target}, which does not exist"
    if anchor:
        assert anchor in anchors(dest), (
            f"{source.relative_to(ROOT)} links to {target}: no such heading in {file or source.name}"
        )


def test_every_cited_theory_section_exists():
    sections = {int(m.group(1)) for m in re.finditer(r"^## (\d+)\.", (ROOT / "docs" / "theory.md").read_text(), re.M)}
    cited = {}
    files = [
        *ROOT.glob("rnntheory/**/*.py"),
        *ROOT.glob("tests/*.py"),
        *ROOT.glob("proofs_checks/*.py"),
        *_markdown_files(),
    ]
    for path in files:
        for m in re.finditer(r"theory\.md,? sec(?:tion|s?\.)\s*(\d+)(?:\s*(?:and|,)\s*(\d+))?", path.read_text()):
            for g in m.groups():
                if g:
                    cited.setdefault(int(g), path.relative_to(ROOT))
    missing = {n: str(p) for n, p in cited.items() if n not in sections}
    assert cited and not missing, f"cited sections without a heading in docs/theory.md: {missing}"


def test_no_reference_to_a_file_outside_the_repository():
    offenders = [
        str(p.relative_to(ROOT))
        for p in [*ROOT.glob("rnntheory/**/*.py"), *_markdown_files()]
        if "paper.md" in p.read_text()
    ]
    assert offenders == []


def test_claims_reference_is_generated_from_the_registry():
    from rnntheory.report import claims_reference

    assert (ROOT / "docs" / "claims.md").read_text() == claims_reference(), (
        "docs/claims.md is out of date: rnntheory claims --markdown > docs/claims.md"
    )


def test_the_readme_five_lines_run_and_their_claim_is_quick():
    """The README's notebook lines run as written (the claim's run is previewed, not made: the claim
    checks measure every claim), and the claim they run costs under a minute on a 2-core CPU."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## Five lines in a notebook\s+```python\n(.*?)```", readme, re.S).group(1)
    lines = block.strip().splitlines()
    assert len(lines) == 6 and lines[0] == "import rnntheory as rt"  # the import and five lines
    run = re.fullmatch(r'print\(rt\.claims\.get\("(\w+)"\)\.run\(\)\)\s+#.*', lines[-1])
    assert run, lines[-1]
    namespace: dict = {}
    exec("\n".join(lines[:-1]), namespace)  # noqa: S102 - the README's own code
    assert namespace["norms"].shape == (4, 10, 10, 1)
    import rnntheory as rt

    cost = rt.claims.get(run.group(1)).cost()
    assert cost.wall(2) < 60, f"{run.group(1)}: {cost.wall(2):.0f} s on the default grid"


# ---------------------------------------------------------------------- verdict words in prose
SPAN = re.compile(r"<!-- published:(\w+) -->(.*?)<!-- /published -->", re.S)
HISTORY = {"docs/changelog.md"}
"""Pages whose verdicts are those of their date (the dated history of the findings), not the reports'."""


def claim_verdicts(text: str, verdicts: dict[str, str]) -> list[tuple[str, str, int]]:
    r"""Every verdict word written by hand as a claim's verdict in ``text``: a claim's name followed (after
    backticks, bold or a link's bracket, and at most a short parenthesis such as "(new)") by ``:``, ``|``
    or ``(``, or by "reads", "is", "was", "stays", "remains", and then "consistent", "inconsistent" or
    "inconclusive". Published spans and code blocks are left out: a span holds the report's own word.
    Returns ``(claim, word, line)``."""
    text = re.sub(r"```.*?```", lambda m: "\n" * m.group(0).count("\n"), SPAN.sub("SPAN", text), flags=re.S)
    names = "|".join(sorted(verdicts, key=len, reverse=True))
    pattern = re.compile(
        rf"(?<![\w-])({names})(?![\w-])[`*\]]*(?:\s*\([^()\n]{{0,20}}\))?"
        r"(?:\s*[:|(]\s*|\s+(?:reads|is|was|stays|remains|now reads)\s+)[*\"]*"
        r"(consistent|inconsistent|inconclusive)\b"
    )
    return [(m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1) for m in pattern.finditer(text)]


def test_the_verdict_check_finds_a_claims_verdict_written_by_hand():
    verdicts = {"ntk_ball": "inconclusive", "sgd_learns": "inconsistent"}
    found = claim_verdicts(
        "ntk_ball: inconsistent (unchanged)\n**sgd_learns** (new): consistent\n"
        "| ntk_ball | consistent |\nntk_ball reads **inconclusive**\n"
        "ntk_ball (<!-- published:verdict_ntk_ball -->x<!-- /published -->)\n"
        "the ntk_ball finding tau_m_exponent reads inconclusive",
        verdicts,
    )
    assert found == [
        ("ntk_ball", "inconsistent", 1),
        ("sgd_learns", "consistent", 2),
        ("ntk_ball", "consistent", 3),
        ("ntk_ball", "inconclusive", 4),
    ]


def test_no_verdict_word_in_the_docs_disagrees_with_the_committed_report():
    """README.md and docs/*.md state a claim's verdict as a published span (verdict_<claim>,
    budget_verdict_<claim>, large_verdict_<claim>: tools/published.py writes the reports' words there); a
    claim's verdict written by hand must be the default report's (docs/report/results.json). The committed
    report folders and the dated history (docs/changelog.md) are left out."""
    doc = json.loads((ROOT / "docs" / "report" / "results.json").read_text())
    verdicts = {c["name"]: c["verdict"] for c in doc["claims"]}
    wrong = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        rel = str(path.relative_to(ROOT))
        if rel in HISTORY:
            continue
        wrong += [
            f"{rel}:{line}: {name} {word!r}, the report says {verdicts[name]!r}"
            for name, word, line in claim_verdicts(path.read_text(), verdicts)
            if word != verdicts[name]
        ]
    assert wrong == [], "verdicts written by hand that disagree with docs/report (use a published span):\n" + "\n".join(
        wrong
    )


def test_findings_is_the_current_state_and_its_history_is_dated():
    findings = (ROOT / "docs" / "findings.md").read_text()
    assert "not built yet" not in findings and "changelog.md" in findings
    headings = re.findall(r"^## (.*)$", (ROOT / "docs" / "changelog.md").read_text(), re.M)
    assert headings and all(re.match(r"\d{4}-\d{2}-\d{2}: ", h) for h in headings), headings
    for name in (
        "ntk_ball",
        "sgd_learns",
        "length_scaling",
        "ntk_limit",
        "hidden_perturbation",
        "complexity_divergence",
    ):
        assert f"<!-- published:verdict_{name} -->" in findings, name
