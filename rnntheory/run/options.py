r"""How a run is carried out: one frozen record of the options every entry point takes. One job: the
declaration and the checks of a run's options, made once where a user's call enters (``Claim.run``,
``Claim.cost``, ``report.run``, ``report.cost``, ``rnntheory report``) and passed on unchanged to the
executors, the budget and the report.

>>> from rnntheory.run import RunOptions
>>> o = RunOptions(jobs=2, cache="/tmp/cells")
>>> o.jobs, o.device, o.executor
(2, 'cpu', 'local')
>>> RunOptions(jobs=0)
Traceback (most recent call last):
...
ValueError: RunOptions: jobs=0 must be a positive integer

Entry points keep their keyword arguments (``claim.run(jobs=2, cache=...)``): :meth:`RunOptions.split`
separates the option names from the rest (a claim's measuring settings), so each option is declared
here and nowhere else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import Any, Mapping

from .. import _validation as V
from .durations import canonical, parse_duration

__all__ = ["RunOptions", "EXECUTORS"]

EXECUTORS = ("local", "dask")
"""Where cells are measured: this machine's processes, or a Dask cluster (rnntheory.run.executors)."""


@dataclass(frozen=True)
class RunOptions:
    r"""The options of a run: where and in what precision cells are measured, which seeds, where finished
    cells are kept, how many workers, how progress is shown, and how long a budgeted run may go on.

    Attributes:
        device: ``"cpu"`` or ``"cuda"`` (``"cuda:1"``).
        dtype: ``"float64"`` or ``"float32"`` for every claim; ``None``: each claim in its own dtype
            (``Claim.dtype``, the precision policy of docs/reporting.md).
        seeds: replace every grid's seeds (a count ``N`` for ``0..N-1``, or a list); ``None`` keeps them.
        seed_offset: shift every seed by this much: an independent replication of the same design, whose
            cells share no cache entry with the unshifted run.
        cache: a folder of finished cells, so that an interrupted run resumes; ``None`` keeps nothing.
        jobs: worker processes (1: measure in this process).
        threads: torch threads per cell, however cells are measured (in this process with ``jobs=1``, in
            local worker processes, on Dask workers); default 1, the setting of the reference timings. A
            run with ``jobs=1`` sets it for the run and restores the process's own number afterwards.
        progress: ``"auto"`` (a bar when a person is watching, else a line per claim), ``True``, ``False``
            or a :class:`~rnntheory.run.progress.Progress`.
        retry_failed: measure again the cached cells that failed.
        executor: ``"local"`` or ``"dask"``; ``scheduler``: a Dask scheduler's address (``None``: a
            LocalCluster of ``jobs`` workers).
        budget: seconds or a duration (``"1h"``, held as seconds): after the grid, spend the rest of it on
            rounds of added seeds where they decide most (rnntheory.checking.budget); ``None``: the grid alone.
    """

    device: str = "cpu"
    dtype: str | None = None
    seeds: int | tuple[int, ...] | None = None
    seed_offset: int = 0
    cache: str | os.PathLike[str] | None = None
    jobs: int = 1
    threads: int = 1
    progress: Any = "auto"
    retry_failed: bool = False
    executor: str = "local"
    scheduler: str | None = None
    budget: float | str | None = None

    def __post_init__(self) -> None:
        fn = V.caller(RunOptions)
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731 - normalised once, here
        set_("device", V.run_device(fn, self.device))
        if self.dtype is not None:
            set_("dtype", V.dtype_name(self.dtype, fn))
        if self.seeds is not None:
            V.seeds(fn, self.seeds)  # a count or a list, kept as given (a grid replaces its seeds with it)
        V.non_negative_int(fn, "seed_offset", self.seed_offset)
        V.positive_int(fn, "jobs", self.jobs)
        V.positive_int(fn, "threads", self.threads)
        if not isinstance(self.retry_failed, bool):
            raise TypeError(f"{fn}: retry_failed={self.retry_failed!r} must be True or False")
        if self.executor not in EXECUTORS:
            raise ValueError(f"{fn}: executor={self.executor!r} must be 'local' or 'dask'")
        if self.scheduler is not None and self.executor != "dask":
            raise ValueError(f"{fn}: scheduler={self.scheduler!r} is for executor='dask'")
        if self.budget is not None:
            object.__setattr__(self, "budget", parse_duration(self.budget))

    @property
    def budget_text(self) -> str | None:
        r"""The budget as the command line takes it back (``"1h"``), or None."""
        return None if self.budget is None else canonical(self.budget)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        r"""The option names, in declaration order."""
        return tuple(f.name for f in fields(cls))

    @classmethod
    def split(
        cls, where: str, options: "RunOptions | None", given: Mapping[str, Any]
    ) -> tuple["RunOptions", dict[str, Any]]:
        r"""``options`` (default: the defaults) with the option names among ``given`` replaced, and the rest
        of ``given`` (a claim's measuring settings, e.g. ``w_var=4.0``). ``where`` names the caller in the
        messages of a bad option."""
        if options is not None and not isinstance(options, RunOptions):
            raise TypeError(f"{where}: options={V.show(options)} must be a RunOptions")
        names = set(cls.names())
        opts = {k: v for k, v in given.items() if k in names}
        rest = {k: v for k, v in given.items() if k not in names}
        base = options if options is not None else cls()
        try:
            return (replace(base, **opts) if opts else base), rest
        except (TypeError, ValueError) as exc:
            raise type(exc)(str(exc).replace(V.caller(RunOptions), where, 1)) from None
