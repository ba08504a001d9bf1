r"""The former private name of :mod:`rnntheory.claims.cells` (the public cell helpers), kept so that code
written against it still runs; import from ``rnntheory.claims.cells``."""

from .cells import *  # noqa: F401,F403
from .cells import __all__  # noqa: F401
