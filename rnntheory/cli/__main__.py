r"""``python -m rnntheory.cli``: the ``rnntheory`` command, as the tests and the repository tools run it."""

import sys

from . import main

sys.exit(main())
