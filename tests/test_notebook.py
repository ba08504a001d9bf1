"""The walk-through notebook docs/walkthrough.ipynb, executed cell by cell so that it cannot rot.

Jupyter, nbformat and nbclient are not dependencies of rnntheory, so the notebook is read as plain
JSON. Its structure is checked against the essentials of nbformat 4.5 (top-level keys, cell types,
unique cell ids, code cells stored without outputs or execution counts, no IPython magics or shell
escapes). Then the source of every code cell is compiled and executed in order in one namespace, as
a kernel would run them, in a temporary working directory (the figure the notebook saves lands
there, not in the repository), and the variables the notebook leaves behind are checked: a verdict
from the claim registry, the tidy frame of measurements, the pseudo-network against the JVP, and
the figure.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

import rnntheory

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "walkthrough.ipynb"

_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_CELL_KEYS = {
    "markdown": {"cell_type", "id", "metadata", "source"},
    "code": {"cell_type", "id", "metadata", "source", "outputs", "execution_count"},
    "raw": {"cell_type", "id", "metadata", "source"},
}


def _load() -> dict:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    s = cell["source"]
    return s if isinstance(s, str) else "".join(s)


def _code_cells(nb: dict) -> list[tuple[int, str]]:
    return [(i, _source(c)) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]


def test_notebook_is_nbformat_4():
    nb = _load()
    assert set(nb) == {"cells", "metadata", "nbformat", "nbformat_minor"}
    assert nb["nbformat"] == 4
    assert isinstance(nb["nbformat_minor"], int) and nb["nbformat_minor"] >= 5  # cell ids exist from 4.5 on
    kernel = nb["metadata"]["kernelspec"]
    assert kernel["name"] == "python3" and kernel["language"] == "python" and kernel["display_name"]
    assert nb["metadata"]["language_info"]["name"] == "python"

    cells = nb["cells"]
    assert cells, "the notebook has no cells"
    ids = [c.get("id") for c in cells]
    assert len(set(ids)) == len(ids), f"cell ids are not unique: {ids}"
    for i, cell in enumerate(cells):
        where = f"cell {i} ({cell.get('id')!r})"
        kind = cell.get("cell_type")
        assert kind in _CELL_KEYS, f"{where}: unknown cell_type {kind!r}"
        assert set(cell) - {"attachments"} == _CELL_KEYS[kind], f"{where}: keys {sorted(cell)}"
        assert isinstance(cell["id"], str) and _ID.match(cell["id"]), f"{where}: invalid id"
        assert isinstance(cell["metadata"], dict), where
        src = cell["source"]
        assert isinstance(src, str) or (isinstance(src, list) and all(isinstance(s, str) for s in src)), where
        if isinstance(src, list):
            assert all(s.endswith("\n") for s in src[:-1]), f"{where}: source lines must end with a newline"
        assert _source(cell).strip(), f"{where}: empty cell"
        if kind == "code":
            assert cell["outputs"] == [], f"{where}: stored outputs"
            assert cell["execution_count"] is None, f"{where}: stored execution count"
    assert cells[0]["cell_type"] == "markdown" and _source(cells[0]).startswith("# ")
    assert cells[-1]["cell_type"] == "markdown"


def test_notebook_code_is_plain_python():
    for i, src in _code_cells(_load()):
        for line in src.splitlines():
            assert not line.lstrip().startswith(("%", "!")), f"cell {i}: IPython magic or shell escape: {line!r}"
        compile(src, f"walkthrough.ipynb[cell {i}]", "exec")


def test_notebook_executes(tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")  # the notebook draws without pyplot; this keeps any pyplot use headless
    from matplotlib.figure import Figure

    monkeypatch.chdir(tmp_path)
    ns: dict = {"__name__": "__main__"}
    for i, src in _code_cells(_load()):
        exec(compile(src, f"walkthrough.ipynb[cell {i}]", "exec"), ns)

    from rnntheory.stats import verdicts

    assert list(tmp_path.iterdir()) == [], "the notebook wrote into its working folder (the checkout's docs/)"
    assert ns["verdict"] in verdicts.VERDICTS
    assert ns["verdict"] == ns["res"].verdict
    assert isinstance(ns["by_hand"], verdicts.Decision)
    assert ns["by_hand"].verdict in verdicts.VERDICTS

    df = ns["df"]
    assert isinstance(df, pd.DataFrame)
    assert {"m", "err", "direction", "seed"} <= set(df.columns)
    widths, seeds = tuple(ns["widths"]), tuple(ns["seeds"])
    assert len(widths) >= 3 and len(seeds) >= 3
    directions = rnntheory.claims.displacement.DIRECTIONS
    assert len(df) == len(widths) * len(seeds) * len(directions)
    assert set(df["m"]) == set(widths) and set(df["seed"]) == set(seeds)
    assert set(df["direction"]) == set(directions)
    assert (df["err"] > 0).all()

    assert ns["jvp_diff"] < 1e-10

    fig = ns["fig"]
    assert isinstance(fig, Figure) and len(fig.axes) >= 1
    assert ns["path"].stat().st_size > 0 and tmp_path not in ns["path"].parents
