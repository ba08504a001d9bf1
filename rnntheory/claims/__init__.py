r"""The registry of the paper's claims (paper.md sections 4 to 6).

Each claim is defined once, as a :class:`Claim` in one of the modules of this package, and
registered in :data:`REGISTRY`. ``proofs_checks/`` runs each entry and asserts on its verdict;
``rnntheory check`` and the report read the same registry.

>>> from rnntheory import claims
>>> claims.names()[:3]
['forward_stability', 'product_stability', 'backward_stability']
>>> result = claims.get("forward_stability").run()   # doctest: +SKIP
>>> print(result)                                       # doctest: +SKIP
"""

from ._registry import REGISTRY, Claim, ClaimResult, Finding, Grid, get, names, register
from . import stability  # noqa: F401  (registers the initialisation claims)
from . import complexity  # noqa: F401
from . import learning  # noqa: F401  (registers the learning claims)
from . import coupling, perturbation  # noqa: F401

__all__ = ["REGISTRY", "Claim", "ClaimResult", "Finding", "Grid", "get", "names", "register"]
