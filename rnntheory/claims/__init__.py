r"""The paper's claims (theory.md sections 3 to 6 and 8), and the registered claims by name.

Each claim is defined once, as a :class:`rnntheory.checking.Claim` in one of the family modules of
this package, and registered (:func:`rnntheory.checking.register`) when the package is imported, in
the paper's order. ``proofs_checks/`` runs each one and asserts on its verdict; ``rnntheory check``
and the report read the same registry through :func:`get` and :func:`names`, which also see every
claim registered from outside the package (docs/new_claim.md: a claim imports the framework from
:mod:`rnntheory.checking` and builds networks with :mod:`rnntheory.claims.cells`).

The package, one job a module: :mod:`~rnntheory.claims.cells` (the network, inputs and data of a
cell), :mod:`~rnntheory.claims.runs` (the SGD runs of a cell that the learning claims share); the
claims by section of the paper: ``stability`` (initialisation), ``displacement`` (perturbation of W),
``coupling`` (the pseudo-network and decoupling), ``target`` (the complexity of the target class),
``sgd`` (learning), ``generalisation``, ``length``, ``limit`` (the infinite-width limit) and
``trajectory`` (the lemmas along SGD).

>>> from rnntheory import claims
>>> claims.names()[:3]
['forward_stability', 'product_stability', 'backward_stability']
>>> result = claims.get("forward_stability").run()   # doctest: +SKIP
>>> print(result)                                       # doctest: +SKIP
"""

import pandas as pd

from .. import _validation as V
from ..checking.claim import Claim
from ..checking.registry import REGISTRY

# registration order is the paper's order: sections 4 and 3 (initialisation, perturbation, coupling),
# then 5 (complexity), 6 (learning, generalisation, length) and 8 (the infinite-width limit)
# isort: off
from . import cells  # noqa: F401 - the public helpers of claims defined anywhere
from . import runs  # noqa: F401 - the SGD runs of a cell
from . import stability  # noqa: F401
from . import displacement  # noqa: F401
from . import coupling  # noqa: F401
from . import target  # noqa: F401
from . import sgd  # noqa: F401
from . import generalisation  # noqa: F401
from . import length  # noqa: F401
from . import limit  # noqa: F401
from . import trajectory  # noqa: F401
# isort: on


def get(name: str) -> Claim:
    r"""The registered claim ``name`` (ValueError, naming the registered ones, for any other name)."""
    if name not in REGISTRY:
        raise ValueError(
            f"{V.caller(get)}: name={name!r} is not a registered claim; expected one of {sorted(REGISTRY)}"
        )
    return REGISTRY[name]


def names() -> list[str]:
    r"""The names of the registered claims, in the registry's order."""
    return list(REGISTRY)


def measure(name: str, cell: dict | None = None, **overrides) -> "pd.DataFrame":
    r"""Measure one cell of the registered claim ``name`` and return its rows as a DataFrame.

    ``cell`` defaults to the first point and seed of the claim's default grid; ``overrides`` replace
    entries (``measure("forward_coupling", m=1024, taus=(0.5, 1.0))``). Rows carry the configuration
    columns the claim reports.
    """
    return get(name).measure_frame(cell, **overrides)


__all__ = [
    "cells",
    "coupling",
    "displacement",
    "generalisation",
    "get",
    "length",
    "limit",
    "measure",
    "names",
    "runs",
    "sgd",
    "stability",
    "target",
    "trajectory",
]
