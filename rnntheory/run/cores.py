r"""How many CPU cores this process may use. One job: the number behind ``--jobs``'s default and the
torch threads of each worker (rnntheory.run.executors); it imports nothing heavy, so ``rnntheory --help`` can
show it."""

from __future__ import annotations

import os

__all__ = ["available"]


def available() -> int:
    r"""The CPU cores this process may run on: its affinity mask where the system has one (Linux; a
    container or ``taskset`` limits it), else ``os.cpu_count()``; at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS, Windows
        return max(1, os.cpu_count() or 1)
