r"""The former private name of :mod:`rnntheory.claims.findings` (the public finding builders and negative controls), kept so that code
written against it still runs; import from ``rnntheory.claims.findings``."""

from .findings import *  # noqa: F401,F403
from .findings import __all__  # noqa: F401
