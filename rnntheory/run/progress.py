r"""Progress of a sweep on standard error: whether a person is watching (:func:`watching`), and the
bar with its estimate of the time left (:class:`Progress`).

The executors call :meth:`Progress.begin` once (the cached cells and those still to measure) and
:meth:`Progress.advance` per finished cell; ``progress="auto"`` (the default of ``Claim.run``) shows a
bar only when :func:`watching` says so.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Sequence, TextIO

import numpy as np

from .durations import duration

__all__ = ["Progress", "watching"]


def watching() -> bool:
    r"""Whether a person is likely watching: standard error is a terminal, or the code runs in a
    Jupyter kernel; never under pytest or in CI (``PYTEST_CURRENT_TEST`` or ``CI`` set). What
    ``progress="auto"`` (the default of ``Claim.run``) decides by."""
    if os.environ.get("PYTEST_CURRENT_TEST") or os.environ.get("CI"):
        return False
    if bool(getattr(sys.stderr, "isatty", lambda: False)()):
        return True
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return type(shell).__name__ == "ZMQInteractiveShell"


class Progress:
    r"""A progress bar with an estimate of the time left, on standard error.

    The estimate charges each remaining cell the mean time of the finished cells of its claim (cached
    cells count with the time they took when they were made), or the mean of all finished cells for a
    claim not yet started, and scales the sum by the wall time per cell-second seen so far (which
    accounts for parallel workers). On a terminal the bar redraws in place; otherwise a line is
    printed at most every ``every`` seconds and when a claim finishes.
    """

    def __init__(self, total: int, *, stream: TextIO | None = None, width: int = 28, every: float = 15.0) -> None:
        self.total = int(total)
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.every = every
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.times: dict[str, list[float]] = {}
        self.remaining: dict[str, int] = {}
        self.cached = 0
        self.done = 0
        self.fresh_seconds = 0.0
        self.jobs = 1
        self.t0 = time.perf_counter()
        self._last = -1e9
        self._claim = ""

    def begin(self, *, cached: Sequence[tuple[str, float]], pending: Sequence[str], jobs: int = 1) -> None:
        for name, sec in cached:
            self.times.setdefault(name, []).append(sec)
        for name in pending:
            self.remaining[name] = self.remaining.get(name, 0) + 1
        self.cached = len(cached)
        self.jobs = jobs
        self.t0 = time.perf_counter()
        self._draw(force=True)

    def advance(self, claim: str, seconds: float) -> None:
        self.times.setdefault(claim, []).append(seconds)
        self.remaining[claim] = self.remaining.get(claim, 1) - 1
        self.done += 1
        self.fresh_seconds += seconds
        finished_claim = self.remaining[claim] == 0
        self._claim = claim
        self._draw(force=finished_claim)

    def eta(self) -> float | None:
        r"""Estimated seconds left, or ``None`` before anything is known."""
        known = [t for ts in self.times.values() for t in ts]
        if not known:
            return None
        overall = float(np.mean(known))
        cost = sum(
            n * float(np.mean(self.times[c])) if self.times.get(c) else n * overall
            for c, n in self.remaining.items()
            if n > 0
        )
        elapsed = time.perf_counter() - self.t0
        factor = elapsed / self.fresh_seconds if self.fresh_seconds > 0 else 1.0 / self.jobs
        return cost * factor

    def line(self) -> str:
        n = self.cached + self.done
        frac = n / self.total if self.total else 1.0
        full = int(round(frac * self.width))
        bar = "#" * full + "." * (self.width - full)
        eta = self.eta()
        left = "estimating" if eta is None else f"~{duration(eta)} left"
        cached = f" ({self.cached} cached)" if self.cached else ""
        where = f"  {self._claim}" if self._claim else ""
        return (
            f"[{bar}] {n}/{self.total} cells{cached}{where}  {duration(time.perf_counter() - self.t0)} elapsed, {left}"
        )

    def _draw(self, force: bool = False) -> None:
        now = time.perf_counter()
        if self.tty:
            self.stream.write("\r" + self.line().ljust(100))
            self.stream.flush()
        elif force or now - self._last >= self.every:
            self.stream.write(self.line() + "\n")
            self.stream.flush()
        else:
            return
        self._last = now

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
