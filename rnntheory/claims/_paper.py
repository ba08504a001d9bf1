r"""How a claim of the paper is declared. One job: :func:`claim`, which builds a
:class:`~rnntheory.checking.Claim`, fills in what the committed reports record about it and registers it.

What a claim of the paper expects on its default grid (its verdict and the finding that decides it, with
measured numbers) and why it runs in its dtype (the float32/float64 comparison, with measured numbers) are
records of measurements, not code: they live in ``published.json`` beside this module, which
``python tools/published.py`` regenerates from docs/report/results.json, so that no claim module repeats a
number that the next report changes.

A claim that draws random objects (every claim but the exact complexity computations, which pass
``streams=False``) has the measurement version ``"<version>+streams"``: its cells draw each object from its own
stream of the cell's seed (:mod:`rnntheory.seeds`), and the suffix gave every such cell a new cache key once,
when the streams replaced the former seed offsets, so that no cache serves a cell measured with the old seeds.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..checking.claim import Claim
from ..checking.registry import register
from ..stats.verdicts import Verdict
from .cells import check_inputs

__all__ = ["claim", "published"]

_DATA = Path(__file__).with_name("published.json")


@lru_cache(maxsize=1)
def published() -> dict[str, Any]:
    r"""The records of ``published.json``: ``expected`` (claim -> verdict and reason) and ``precision``
    (claim -> why its dtype)."""
    return json.loads(_DATA.read_text())


def claim(**fields: Any) -> Claim:
    r"""Register the :class:`~rnntheory.checking.Claim` of ``fields`` with its recorded expectation (a verdict
    other than "consistent", and the finding that decides it) and precision note, unless ``fields`` give
    them; the version of a claim that draws random objects (``streams``, default True) is suffixed ``+streams``; its
    cells' input settings are checked when a grid is loaded (:func:`rnntheory.claims.cells.check_inputs`)."""
    name = fields["name"]
    if fields.pop("streams", True):
        fields["version"] = f"{fields.get('version', 1)}+streams"
    data = published()
    exp = data.get("expected", {}).get(name)
    if "expected" not in fields and exp and Verdict.of(exp["verdict"]) is not Verdict.CONSISTENT:
        fields["expected"] = (exp["verdict"], exp["reason"])
    fields.setdefault("precision", data.get("precision", {}).get(name, ""))
    fields.setdefault("check_cell", check_inputs)
    return register(Claim(**fields))
