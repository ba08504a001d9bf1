r"""The registry of the paper's claims (theory.md sections 3 to 6).

Each claim is defined once, as a :class:`Claim` in one of the modules of this package, and
registered in :data:`REGISTRY`. ``proofs_checks/`` runs each entry and asserts on its verdict;
``rnntheory check`` and the report read the same registry.

A claim may also live outside the package: it uses the public finding builders
(:mod:`rnntheory.claims.findings`) and cell helpers (:mod:`rnntheory.claims.cells`), calls
:func:`register`, and reaches ``rnntheory report`` through ``--import MODULE`` (:func:`import_claims`)
or an entry point in the group ``rnntheory.claims`` (:func:`load_entry_points`); docs/new_claim.md
walks through an example.

The package, one job a module: ``_grid`` (the :class:`Grid`), ``_results`` (the result types:
:class:`Finding`, :class:`Control`, :class:`ClaimResult`, ...), ``_settings`` (the checks of measuring
and judging settings), ``_claim`` (the :class:`Claim` and its one path from a grid to a verdict),
``_registry`` (:data:`REGISTRY`, :func:`register`), ``_plugins`` (claims from outside the package),
``_text`` (the words a result shares with the report), :mod:`~rnntheory.claims.findings` and
:mod:`~rnntheory.claims.cells` (the public builders); the claims themselves by section of the paper:
``stability``, ``perturbation``, ``coupling``, ``complexity``, ``learning``, ``limit``, ``along``.

>>> from rnntheory import claims
>>> claims.names()[:3]
['forward_stability', 'product_stability', 'backward_stability']
>>> result = claims.get("forward_stability").run()   # doctest: +SKIP
>>> print(result)                                       # doctest: +SKIP
"""

import pandas as pd

from ._registry import (CONTROL_KINDS, REGISTRY, Claim, ClaimResult, Control, ControlOutcome, Finding, Grid, Series,
                        get, names, register)
from ._plugins import import_claims, load_entry_points
from . import cells, findings  # noqa: E402 - the public helpers of claims defined anywhere

# registration order is the paper's order: sections 4 and 3 (initialisation, perturbation, coupling),
# then 5 (complexity), 6 (learning, generalisation, length) and 8 (the infinite-width limit)
from . import stability  # noqa: F401,E402
from . import perturbation  # noqa: F401,E402
from . import coupling  # noqa: F401,E402
from . import complexity  # noqa: F401,E402
from . import learning  # noqa: F401,E402
from . import generalisation  # noqa: F401,E402
from . import length  # noqa: F401,E402
from . import limit  # noqa: F401,E402
from . import along  # noqa: F401,E402


def measure(name: str, cell: dict | None = None, **overrides) -> "pd.DataFrame":
    r"""Measure one cell of the registered claim ``name`` and return its rows as a DataFrame.

    ``cell`` defaults to the first point and seed of the claim's default grid; ``overrides`` replace
    entries (``measure("forward_coupling", m=1024, taus=(0.5, 1.0))``). Rows carry the configuration
    columns the claim reports.
    """
    return get(name).measure_frame(cell, **overrides)


__all__ = ["CONTROL_KINDS", "REGISTRY", "Claim", "ClaimResult", "Control", "ControlOutcome", "Finding", "Grid", "Series",
           "cells", "findings", "get", "import_claims", "load_entry_points", "measure", "names", "register"]
