r"""How a claim of the paper is declared. One job: :func:`claim`, which builds a
:class:`~rnntheory.checking.Claim`, fills in what the committed reports record about it and registers it.

What a claim of the paper expects on its default grid (its verdict and the finding that decides it, with
measured numbers) and why it runs in its dtype (the float32/float64 comparison, with measured numbers) are
records of measurements, not code: they live in ``published.json`` beside this module, which
``python tools/published.py`` regenerates from docs/report/results.json, so that no claim module repeats a
number that the next report changes.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..checking.claim import Claim
from ..checking.registry import register
from ..stats.verdicts import Verdict

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
    them."""
    name = fields["name"]
    data = published()
    exp = data.get("expected", {}).get(name)
    if "expected" not in fields and exp and Verdict.of(exp["verdict"]) is not Verdict.CONSISTENT:
        fields["expected"] = (exp["verdict"], exp["reason"])
    fields.setdefault("precision", data.get("precision", {}).get(name, ""))
    return register(Claim(**fields))
