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
    return [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "docs" / "report").glob("*.md"))]


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
        assert anchor in anchors(dest), f"{source.relative_to(ROOT)} links to {target}: no such heading in {file or source.name}"


def test_every_cited_theory_section_exists():
    sections = {int(m.group(1)) for m in re.finditer(r"^## (\d+)\.", (ROOT / "docs" / "theory.md").read_text(), re.M)}
    cited = {}
    files = [*ROOT.glob("rnntheory/**/*.py"), *ROOT.glob("tests/*.py"), *ROOT.glob("proofs_checks/*.py"), *_markdown_files()]
    for path in files:
        for m in re.finditer(r"theory\.md,? sec(?:tion|s?\.)\s*(\d+)(?:\s*(?:and|,)\s*(\d+))?", path.read_text()):
            for g in m.groups():
                if g:
                    cited.setdefault(int(g), path.relative_to(ROOT))
    missing = {n: str(p) for n, p in cited.items() if n not in sections}
    assert cited and not missing, f"cited sections without a heading in docs/theory.md: {missing}"


def test_no_reference_to_a_file_outside_the_repository():
    offenders = [str(p.relative_to(ROOT)) for p in [*ROOT.glob("rnntheory/**/*.py"), *_markdown_files()]
                 if "paper.md" in p.read_text()]
    assert offenders == []


def test_claims_reference_is_generated_from_the_registry():
    from rnntheory.report import claims_reference

    assert (ROOT / "docs" / "claims.md").read_text() == claims_reference(), (
        "docs/claims.md is out of date: rnntheory claims --markdown > docs/claims.md")


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
