r"""Every time and count the documentation publishes, computed from its one source. One job: the
published figures and the command that writes them into the docs. A repository tool, not part of the
installed package: nothing in rnntheory needs it at run time.

Sources: the committed reports (``docs/report*/results.json``: cells, verdicts, the budgeted run's
rounds), the claim registry (grids) and the reference timings (``rnntheory/run/timings.json``, through
:mod:`rnntheory.run.cost`: compute and wall times, the latter for :data:`CORES` cores with the default
``--jobs``). In README.md and docs/*.md a figure stands in a marked span::

    the default grid has <!-- published:default_cells -->1204<!-- /published --> cells

A claim's verdict in prose is a span too: ``verdict_<claim>`` (the default report), ``budget_verdict_<claim>``
(the budgeted hour), ``large_verdict_<claim>`` (the large grid) and so on for every report of :data:`REPORTS`
(``<prefix>_verdict_<claim>``), with ``deciding_<claim>`` and
``budget_deciding_<claim>`` for the measured figure of the finding that decides it, and
``finding_<claim>__<key>`` (``budget_finding_...``) for any finding's measured figure and verdict label
(the key in word characters: ``finding_ntk_limit__m_exponent_L_6``).
tests/test_docs.py refuses a bare verdict word written as a claim's verdict (``ntk_ball: inconsistent``,
``ntk_ball (inconclusive)``, ``| ntk_ball | consistent |``, ``ntk_ball reads ...``) that disagrees with the
default report; docs/changelog.md, the dated history, is exempt.

``python tools/published.py`` rewrites every span, docs/claims.md (``rnntheory claims
--markdown``), the verdict each paper claim expects (rnntheory/claims/published.json, from the default report), the
README's summary table (that of docs/report/report.md) and the report.md and results.json of the committed reports in
:data:`RENDERED` (rebuilt from their results.json by
:func:`rnntheory.report.from_results`, so that their "to decide" estimates follow the timings);
``--check`` writes nothing and exits 1 naming what differs. tests/report/test_published.py runs the check, so
a figure that drifts from its source fails the suite. After new timings (``python tools/timings.py
CACHE... > rnntheory/run/timings.json``) or a regenerated report, one run of the command re-syncs the docs.

A figure measured rather than derived (a wall time of a whole run on one machine) is not a span: the
text says where and when it was measured.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path
from typing import Sequence

__all__ = [
    "ROOT",
    "DOCS",
    "REPORTS",
    "RENDERED",
    "CORES",
    "SPAN",
    "PAPER_DATA",
    "figures",
    "render",
    "expected",
    "paper_data",
    "same",
    "sync",
    "main",
]

ROOT = Path(__file__).resolve().parents[1]
"""The repository (the docs are not installed with the package)."""

DOCS = ("README.md", "docs/index.md", "docs/findings.md", "docs/reporting.md", "docs/new_claim.md", "docs/limit.md")
"""The pages with published spans."""

REPORTS = {
    "default": "docs/report",
    "budget": "docs/report-budget",
    "large": "docs/report-large",
    "large_budget": "docs/report-large-budget",
    "wide": "docs/report-wide",
}
"""The committed reports, by the prefix of their figures' names (the default report's verdicts are plain
``verdict_<claim>``; a budgeted run's rounds add ``<prefix>_minutes``, ``<prefix>_rounds``, ...)."""

RENDERED = tuple(REPORTS.values())
"""Committed reports whose report.md and results.json the command re-renders from their results.json (every
committed report is measured by the current designs and seed streams, so each is judged by the current rules)."""


CORES = 2
"""The machine the published wall times are for: a 2-core CPU, where ``--jobs`` defaults to 2."""

SPAN = re.compile(r"<!-- published:(\w+) -->(.*?)<!-- /published -->", re.S)


def _span_key(key: str) -> str:
    r"""A finding's key as part of a span's name (word characters only): ``m_exponent[L=6]`` -> ``m_exponent_L_6``."""
    return re.sub(r"\W+", "_", key).strip("_")


def _deciding(claim: dict) -> str:
    r"""The measured figure of the finding that decides a claim's verdict in a results.json (the headline rule),
    or "-" (a report written before findings had keys has none)."""
    judged = [f for f in claim["findings"] if not f.get("described")]
    head = next((f for f in judged if f["verdict"] == claim["verdict"]), None)
    return "-" if head is None or "measured" not in head else str(head["measured"])


def _estimate(f: dict) -> str:
    r"""A finding's estimate with its interval, three significant digits: ``2.12 [1.82, 2.41]``."""
    est, lo, hi = (f.get(k) for k in ("estimate", "ci_low", "ci_high"))
    if not (isinstance(est, (int, float)) and math.isfinite(est)):
        return "-"
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (lo, hi)):
        return f"{est:.3g}"
    return f"{est:.3g} [{lo:.3g}, {hi:.3g}]"


def _report_figures(prefix: str, doc: dict) -> dict[str, str]:
    from rnntheory.stats.verdicts import VERDICTS

    counts = {v: sum(c["verdict"] == v for c in doc["claims"]) for v in VERDICTS}
    keys = {cell["key"] for c in doc["claims"] for cell in c["cells"]}
    own = "" if prefix == "default" else f"{prefix}_"  # the default report's verdicts are plain verdict_<claim>
    return {
        **{f"{own}verdict_{c['name']}": c["verdict"] for c in doc["claims"]},
        **{f"{own}deciding_{c['name']}": _deciding(c) for c in doc["claims"]},
        **{
            f"{own}finding_{c['name']}__{_span_key(f['key'])}": f"{f['measured']} ({f['label']})"
            for c in doc["claims"]
            for f in c["findings"]
            if "key" in f and "measured" in f
        },
        **{
            f"{own}estimate_{c['name']}__{_span_key(f['key'])}": _estimate(f)
            for c in doc["claims"]
            for f in c["findings"]
            if "key" in f
        },
        **{
            f"{own}label_{c['name']}__{_span_key(f['key'])}": f["label"]
            for c in doc["claims"]
            for f in c["findings"]
            if "key" in f and "label" in f
        },
        f"{prefix}_claims": str(len(doc["claims"])),
        f"{prefix}_cells": str(sum(len(c["cells"]) for c in doc["claims"])),
        f"{prefix}_distinct_cells": str(len(keys)),
        **{f"{prefix}_{v}": str(n) for v, n in counts.items()},
        f"{prefix}_verdicts": ", ".join(f"{n} {v}" for v, n in counts.items()),
    }


def _budget_figures(prefix: str, b: dict) -> dict[str, str]:
    r"""The figures of a budgeted run's rounds (its results.json's ``report.budget``), named ``<prefix>_...``."""
    rounds = b["rounds"]
    return {
        f"{prefix}_minutes": f"{b['budget_seconds'] / 60:.0f}",
        f"{prefix}_used_minutes": f"{b['seconds'] / 60:.1f}",
        f"{prefix}_rounds": str(len(rounds)),
        f"{prefix}_undecided": f"{rounds[0]['undecided_before']} -> {rounds[-1]['undecided_after']}" if rounds else "-",
        f"{prefix}_first_estimate": f"{rounds[0]['estimated_seconds']:.0f} s" if rounds else "-",
        f"{prefix}_first_seconds": f"{rounds[0]['seconds']:.0f} s" if rounds else "-",
    }


def figures(root: Path = ROOT, rendered: dict[str, str] | None = None) -> dict[str, str]:
    r"""Every published figure, by name, as it is printed (``rendered``: path -> the text a committed report's
    results.json is being re-rendered to, read instead of the file)."""
    from rnntheory import claims
    from rnntheory.checking.text import HEADLINE_RULE
    from rnntheory.report import build as report
    from rnntheory.run import cost
    from rnntheory.run.durations import duration

    rendered = rendered or {}

    def read(folder: str) -> dict:
        rel = f"{folder}/results.json"
        return json.loads(rendered[rel] if rel in rendered else (root / rel).read_text())

    docs = {name: read(folder) for name, folder in REPORTS.items()}
    out: dict[str, str] = {"cores": str(CORES), "headline_rule": HEADLINE_RULE}
    for name, doc in docs.items():
        out.update(_report_figures(name, doc))
        if doc["report"].get("budget"):  # a budgeted run: its rounds
            out.update(_budget_figures(name, doc["report"]["budget"]))
    # networks per grid point at the end of the budgeted run, and on the default grid (in brackets)
    per_point = {
        name: {c["name"]: max(len(s) for s in c["seeds"].values()) for c in docs[name]["claims"]}
        for name in ("default", "budget")
    }
    out["budget_networks"] = ", ".join(
        f"{n} {k} ({per_point['default'].get(n, '-')})"
        for n, k in per_point["budget"].items()
        if k != per_point["default"].get(n)
    )
    default, large = report.cost(), report.cost(grid="large")
    sgd = default.table[default.table["group"] == "sgd_run"]["seconds"].sum()
    out.update(
        {
            "default_compute": duration(default.seconds, about=True),
            "default_wall": duration(default.wall(CORES), about=True),
            "default_wall_serial": duration(default.wall(1), about=True),
            "default_sgd_share": f"{100 * sgd / default.seconds:.0f}%",
            "large_core_hours": f"{large.seconds / 3600:.1f}",
            "large_wall": duration(large.wall(CORES), about=True),
        }
    )
    for name in ("backward_coupling",):  # the README's notebook lines run it
        c = claims.get(name).cost()
        out.update({f"{name}_cells": str(c.cells), f"{name}_compute": duration(c.seconds, about=True)})
    out["timings_note"] = json.loads((Path(cost.__file__).parent / "timings.json").read_text())["note"]
    return out


def render(text: str, values: dict[str, str], where: str = "") -> str:
    r"""``text`` with every published span holding its figure.

    Raises:
        KeyError: a span names no figure.
    """

    def one(m: re.Match) -> str:
        name = m.group(1)
        if name not in values:
            raise KeyError(f"{where}: the span published:{name} names no figure; known: {sorted(values)}")
        return f"<!-- published:{name} -->{values[name]}<!-- /published -->"

    return SPAN.sub(one, text)


HEADLINE_WORDS = 80
"""The characters of a finding's name the README's summary keeps (the report has it in full)."""


def short_headline(headline: str, measured: str) -> str:
    r"""A summary cell's headline finding, short, for the README: the finding's name cut at a word before
    :data:`HEADLINE_WORDS` characters, and its measured figure up to its first ``;`` (a growth finding's
    nested fit, without the description of the pure fits)."""
    name = headline[: -len(measured) - 2] if measured and headline.endswith(": " + measured) else headline
    if len(name) > HEADLINE_WORDS:
        name = name[:HEADLINE_WORDS].rsplit(" ", 1)[0].rstrip(",;:(") + " ..."
    figure = measured.split("; ")[0]
    return f"{name}: {figure}" if measured else name


def _summary(root: Path, rendered: dict[str, str]) -> str:
    r"""The README's summary table: docs/report/report.md's, with its links pointing into the report and each
    headline cell shortened (:func:`short_headline`)."""
    text = rendered.get("docs/report/report.md") or (root / "docs" / "report" / "report.md").read_text()
    doc = json.loads(
        rendered.get("docs/report/results.json") or (root / "docs" / "report" / "results.json").read_text()
    )
    measured = {c["name"]: _deciding(c) for c in doc["claims"]}
    start = text.index("| claim | paper | verdict |")
    lines = []
    for line in text[start:].splitlines():
        if not line.startswith("|"):
            break
        cells = re.split(r"(?<!\\)\|", line)
        name = re.match(r"\s*\[(\w+)\]", cells[1])
        if name and len(cells) > 6:
            figure = measured.get(name.group(1), "-")
            cells[6] = " " + short_headline(cells[6].strip(), "" if figure == "-" else figure.replace("|", "\\|")) + " "
        lines.append("|".join(cells).replace("](#", "](docs/report/report.md#"))
    return "\n" + "\n".join(lines) + "\n"


def expected(root: Path = ROOT) -> dict[str, str]:
    r"""Every generated file as it should read: path (relative to ``root``) -> text."""
    from rnntheory.report import build as report
    from rnntheory.report.markdown import claims_reference

    out: dict[str, str] = {}
    for folder in RENDERED:
        rep = report.from_results(root / folder)
        # the claim figures and the regime planes the report wrote (document.Report.write keys them alike)
        figs = {
            key: f"figures/{stem}.png"
            for n in rep.results
            for key, stem in ((n, n), (f"{n}:regime", f"{n}-regime"))
            if (root / folder / "figures" / f"{stem}.png").is_file()
        }
        out[f"{folder}/report.md"] = rep.markdown(figs)
        out[f"{folder}/results.json"] = json.dumps(rep.to_json(), indent=1) + "\n"
    out["docs/claims.md"] = claims_reference()
    out[PAPER_DATA] = paper_data(root, out.get("docs/report/results.json"))
    values = {**figures(root, out), "report_summary": _summary(root, out)}
    for doc in DOCS:
        out[doc] = render((root / doc).read_text(), values, doc)
    return out


PAPER_DATA = "rnntheory/claims/published.json"
"""The data the paper's claims read at import (:mod:`rnntheory.claims._paper`): the verdict each expects on its
default grid with the finding that decides it (generated from docs/report/results.json), and the record of the
dtype comparison behind its precision (kept as it is: edited when the comparison is rerun)."""


def paper_data(root: Path = ROOT, results: str | None = None) -> str:
    r"""The text of :data:`PAPER_DATA`: its ``expected`` section from the committed default report (per claim
    its verdict and a reason: the deciding finding, its measured figure and what would decide it; ``results``:
    that report's results.json as it is being rendered), the rest of the file as it is."""
    data = json.loads((root / PAPER_DATA).read_text())
    doc = json.loads(results if results is not None else (root / "docs" / "report" / "results.json").read_text())
    expected = {}
    for c in doc["claims"]:
        judged = [f for f in c["findings"] if not f.get("described")]
        head = next((f for f in judged if f["verdict"] == c["verdict"]), None)
        reason = "" if head is None else f"{head['name']}: {head['measured']}"
        if c.get("to_decide"):
            reason += f" (to decide: {c['to_decide']})"
        expected[c["name"]] = {"verdict": c["verdict"], "reason": reason}
    data["expected"] = expected
    return json.dumps(data, indent=1) + "\n"


FLOAT_RTOL = 1e-9
"""Numbers of a results.json that agree to this relative tolerance are the same: a refit's last bits
depend on the BLAS build and the CPU's instruction set, not on the data."""


def _close(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if (
            not isinstance(a, (int, float))
            or not isinstance(b, (int, float))
            or isinstance(a, bool)
            or isinstance(b, bool)
        ):
            return False
        return a == b or math.isclose(a, b, rel_tol=FLOAT_RTOL, abs_tol=1e-300) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def same(rel: str, old: str, new: str) -> bool:
    r"""Whether the file ``rel`` reading ``old`` is what its sources give (``new``): text exactly; a
    JSON file up to :data:`FLOAT_RTOL` in its numbers."""
    if old == new:
        return True
    if not rel.endswith(".json"):
        return False
    try:
        return _close(json.loads(old), json.loads(new))
    except ValueError:
        return False


def sync(root: Path = ROOT, *, write: bool = True) -> list[str]:
    r"""Bring every generated file up to date (``write``) or only list those that are not (:func:`same`);
    returns the paths that differ(ed)."""
    changed = []
    for rel, text in expected(root).items():
        path = root / rel
        if not same(rel, path.read_text(), text):
            changed.append(rel)
            if write:
                path.write_text(text)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    r"""``python tools/published.py [--check]``."""
    import argparse

    p = argparse.ArgumentParser(prog="python tools/published.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 and name the files that differ")
    args = p.parse_args(argv)
    if not (ROOT / "docs" / "report" / "results.json").is_file():
        print(f"{p.prog}: no docs at {ROOT}: run it from a checkout of the repository", file=sys.stderr)
        return 2
    changed = sync(write=not args.check)
    verb = "differ from their sources" if args.check else "rewritten"
    print(f"{len(changed)} file(s) {verb}" + (": " + ", ".join(changed) if changed else ""))
    return 1 if args.check and changed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.path.insert(0, str(ROOT))  # this checkout's rnntheory, not another installed one
    raise SystemExit(main())
