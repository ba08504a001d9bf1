r"""A cell and its record: what one measurement is (:class:`Task`), its cache key, the JSON record of its
rows, and the rows of many records as one table.

A :class:`Task` is one measurement to make: a group name (the claim), the measuring function, one
*cell* (a configuration: grid point, seed, device, dtype) and the version of the measuring code. This
module knows nothing of claims (``rnntheory.checking.Claim.tasks`` builds the tasks). A cell's key is::

    sha256 of (group, measurement version, cell, rnntheory version, torch version, device name)

so a changed measurement version (a claim bumps it when its measuring code changes what it returns)
gives new keys, and old cells are never served for new code.

A record is the cell's JSON object (:func:`cell_record`): its rows and their checksum
(:func:`rows_checksum`), or no rows and the error of a cell whose measuring function raised, with the
fingerprint of the code that raised it (:func:`code_fingerprint`: the source of the measuring function's
module). A failed record is replayed only to the same code: once the code changes (a fixed bug), the cell
is measured again without a flag (:func:`measure_again`); a cell that finished keeps its record until the
measurement version changes its key. Every
row, fresh or cached, passes through the same JSON text (:func:`to_json`), so a resumed sweep gives
exactly the rows of an uninterrupted one. (Floats survive JSON exactly; numpy scalars become Python
numbers and tuples become lists.)
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import inspect
import json
import math
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import torch

from .. import __version__
from .. import _validation as V

__all__ = [
    "Batching",
    "Task",
    "cell_key",
    "cell_record",
    "code_fingerprint",
    "device_name",
    "failures",
    "frame",
    "measure_again",
    "plain",
    "rows_checksum",
    "to_json",
]


@dataclass(frozen=True)
class Batching:
    r"""How cells of one measuring function may be measured together and stored apart
    (:mod:`rnntheory.run.batching` groups them; every cell keeps its own record and cache key).

    Attributes:
        measure_many: ``cells -> one outcome per cell, in order``: the cell's rows (a list of dicts or a
            DataFrame, what the task's ``fn`` returns for it alone) or the ``Exception`` that cell raised (a
            failing member fails only its own cell). With ``jobs > 1`` it must be picklable.
        over: the cell settings in which the cells of one group may differ (default: only the seed);
            cells equal in every other setting, of the same group name, version and functions, are grouped.
        size: the largest group worth measuring together (the measured speed-up stops growing beyond it),
            or ``cell -> that size`` where it depends on the cell (its width, its device); >= 1.
        nbytes: ``cell -> bytes one member adds to the group`` (its stacked matrices), or ``None``.
        max_bytes: the most bytes of a group (with ``nbytes``).
        max_seconds: the most estimated seconds of a group's members measured one by one
            (:func:`rnntheory.run.cost.estimate`): what a group that fails as a whole could cost the others.
    """

    measure_many: Callable[[list[dict[str, Any]]], Sequence[Any]] = field(repr=False)
    over: tuple[str, ...] = ("seed",)
    size: int | Callable[[Mapping[str, Any]], int] = field(default=16, repr=False)
    nbytes: Callable[[Mapping[str, Any]], int] | None = field(default=None, repr=False)
    max_bytes: int = 2**30
    max_seconds: float = 20.0

    def __post_init__(self) -> None:
        fn = "Batching"
        if not callable(self.measure_many):
            raise TypeError(f"{fn}: measure_many={V.show(self.measure_many)} must be callable as measure_many(cells)")
        over = (self.over,) if isinstance(self.over, str) else tuple(self.over)
        if not over or not all(isinstance(k, str) for k in over):
            raise TypeError(f"{fn}: over={V.show(self.over)} must name one or more cell settings")
        object.__setattr__(self, "over", over)
        if not callable(self.size):
            object.__setattr__(self, "size", V.positive_int(fn, "size", self.size))
        if self.nbytes is not None and not callable(self.nbytes):
            raise TypeError(f"{fn}: nbytes={V.show(self.nbytes)} must be callable as nbytes(cell), or None")
        object.__setattr__(self, "max_bytes", V.positive_int(fn, "max_bytes", self.max_bytes))
        object.__setattr__(self, "max_seconds", V.real_in(fn, "max_seconds", self.max_seconds, low=0.0, low_open=True))

    def size_for(self, cell: Mapping[str, Any]) -> int:
        r"""The largest group for ``cell``: :attr:`size`, by the bytes of :attr:`nbytes` at most :attr:`max_bytes`."""
        k = int(self.size(cell)) if callable(self.size) else int(self.size)
        if self.nbytes is not None:
            k = min(k, self.max_bytes // max(1, int(self.nbytes(cell))))
        return max(1, k)


@dataclass(frozen=True)
class Task:
    r"""One measurement: ``fn(dict(cell))`` returns the cell's rows (a list of dicts or a DataFrame).

    Attributes:
        group: the name the cell is filed under (a claim's name).
        fn: the measuring function; with ``jobs > 1`` it must be picklable (a module-level function).
        cell: the configuration (JSON-able values).
        version: the version of the measuring code; it enters the cache key.
        code: the fingerprint of the measuring code (:func:`code_fingerprint`; computed from ``fn`` when not
            given). It does not enter the key: a failed record of other code is measured again
            (:func:`measure_again`), a finished one is kept.
        batching: how this task may be measured with others (:class:`Batching`), or ``None`` (alone). It
            does not enter the key: a cell measured in a group is the cell measured alone.

    >>> from rnntheory.run.executors import run_tasks
    >>> def square(cell):
    ...     return [{"m": cell["m"], "y": cell["m"] ** 2}]
    >>> run_tasks([Task("demo", square, {"m": 3})])[0]["rows"]
    [{'m': 3, 'y': 9}]
    """

    group: str
    fn: Callable[[dict[str, Any]], Any] = field(repr=False)
    cell: Mapping[str, Any]
    version: int | str = 1
    code: str = field(default="", repr=False, compare=False)
    batching: Batching | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.batching is not None and not isinstance(self.batching, Batching):
            raise TypeError(f"Task: batching={V.show(self.batching)} must be a rnntheory.run.records.Batching or None")
        if not self.code:
            object.__setattr__(self, "code", code_fingerprint(self.fn))

    @property
    def key(self) -> str:
        r"""The cell's cache key (:func:`cell_key`)."""
        return cell_key(self.group, self.cell, self.version)


# ---------------------------------------------------------------------- JSON
def plain(obj: Any, *, finite: bool = False) -> Any:
    r"""Plain JSON data from ``obj``: dataclasses and mappings become dicts, tuples, sets and arrays
    lists, numpy scalars and 0-d tensors numbers. With ``finite=True`` NaN and infinities become
    ``None`` (strict JSON); otherwise they stay floats (Python's JSON writes them as NaN/Infinity and
    reads them back exactly)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        obj = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    if isinstance(obj, str):
        return str(obj)  # str subclasses (enums) become plain strings
    if isinstance(obj, Mapping):
        return {str(k): plain(v, finite=finite) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v, finite=finite) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return [plain(v, finite=finite) for v in sorted(obj)]
    if isinstance(obj, (np.ndarray, torch.Tensor)):
        return plain(obj.tolist(), finite=finite)
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and finite and not math.isfinite(obj):
        return None
    if obj is None or isinstance(obj, (bool, int, float)):
        return obj
    raise TypeError(f"{V.caller(plain)}: a value of type {type(obj).__name__} cannot be written to JSON")


def to_json(obj: Any, *, sort_keys: bool = False, indent: int | None = None, finite: bool = False) -> str:
    r"""JSON text of ``obj`` after :func:`plain`."""
    return json.dumps(plain(obj, finite=finite), sort_keys=sort_keys, indent=indent)


# ---------------------------------------------------------------------- keys
def device_name(device: str) -> str:
    r"""The device as it enters a cache key: ``"cpu"``, or ``"cuda:<name of the GPU>"``."""
    dev = torch.device(device)
    if dev.type == "cuda" and torch.cuda.is_available():
        return f"cuda:{torch.cuda.get_device_name(dev)}"
    return dev.type


def cell_key(group: str, cell: Mapping[str, Any], version: int | str = 1) -> str:
    r"""The cache key of a cell: sha256 of the group (claim) name, the measurement version, the cell,
    the rnntheory and torch versions and the device name (tuples and lists hash alike)."""
    payload = {
        "claim": group,
        "version": version,
        "cell": dict(cell),
        "rnntheory": __version__,
        "torch": torch.__version__,
        "device": device_name(str(cell.get("device", "cpu"))),
    }
    return hashlib.sha256(to_json(payload, sort_keys=True).encode()).hexdigest()


# ---------------------------------------------------------------------- code
@functools.lru_cache(maxsize=256)
def code_fingerprint(fn: Callable[..., Any]) -> str:
    r"""A fingerprint of a measuring function's code: sha256 (first 16 hex digits) of its qualified name and
    the source of the module that defines it (so that an edit of a helper beside it counts too); where no
    source can be read (a function typed into an interpreter), of the function's own source, else of its
    bytecode and constants. A ``functools.partial`` is fingerprinted by its function and arguments."""
    parts: list[str] = []
    while isinstance(fn, functools.partial):
        parts.append(repr((fn.args, sorted(fn.keywords.items()))))
        fn = fn.func
    parts.append(f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', repr(fn))}")
    module = sys.modules.get(getattr(fn, "__module__", "") or "")
    text = None
    for obj in (module, fn):
        try:
            text = inspect.getsource(obj) if obj is not None else None
        except (OSError, TypeError):
            text = None
        if text:
            break
    if not text:
        code = getattr(fn, "__code__", None)
        text = repr(None if code is None else (code.co_code, code.co_consts, code.co_names))
    parts.append(text)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def measure_again(record: Mapping[str, Any] | None, task: Task, retry_failed: bool = False) -> bool:
    r"""Whether a cached ``record`` of ``task`` is to be measured again: there is none, or it is a failure
    and ``retry_failed`` is set or it was raised by other code than the task's (its ``code`` fingerprint
    differs, or a record written before fingerprints has none). A finished record is always kept."""
    if record is None:
        return True
    if "error" not in record:
        return False
    return retry_failed or record.get("code") != task.code


# ---------------------------------------------------------------------- records
def cell_record(
    task: Task,
    key: str,
    rows: list[Any],
    seconds: float,
    error: dict[str, str] | None = None,
    *,
    group_size: int = 1,
) -> str:
    r"""The JSON text of a cell's record: ``claim`` (the task's group), ``version``, ``key``, the
    rnntheory and torch versions, the device name, the torch ``threads`` it was measured with (not part of the
    key: a number of threads changes the last bits of a sum, not what is measured), ``seconds``, ``cell``,
    ``rows`` and their
    ``rows_sha256`` (:func:`rows_checksum`); a failed cell has no rows, an ``error`` (type,
    message, the end of the traceback) and the ``code`` fingerprint of the task (:func:`measure_again`).
    A cell measured in a group of ``group_size > 1`` (:mod:`rnntheory.run.batching`) says so in
    ``group_size``; its ``seconds`` is its share of the group's time."""
    cell = task.cell
    record = {
        "claim": task.group,
        "version": task.version,
        "key": key,
        "rnntheory": __version__,
        "torch": torch.__version__,
        "device": device_name(str(cell.get("device", "cpu"))),
        "threads": torch.get_num_threads(),
        "seconds": seconds,
        "cell": dict(cell),
        "rows": rows,
        "rows_sha256": rows_checksum(rows),
    }
    if group_size > 1:
        record["group_size"] = group_size
    if error is not None:
        record["error"] = error
        record["code"] = task.code
    return to_json(record)


def rows_checksum(rows: Any) -> str:
    r"""sha256 of the rows' JSON text (the same for the rows written and the rows read back)."""
    return hashlib.sha256(to_json(rows).encode()).hexdigest()


RUN_SETTINGS = ("device", "dtype")
"""Cell entries that say where a cell ran, not what it measured: never columns of its rows."""


def settings_columns(cell: Mapping[str, Any]) -> dict[str, Any]:
    r"""The entries of a cell that every row of it carries: its scalar measuring settings and seed (not
    :data:`RUN_SETTINGS`, not lists or mappings, which a row spells out itself where it needs them)."""
    return {
        k: v
        for k, v in cell.items()
        if k not in RUN_SETTINGS and isinstance(v, (bool, int, float, str)) and not isinstance(v, (list, tuple))
    }


def frame(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    r"""One DataFrame of the rows of ``records``, in order (failed cells have none). Every row carries
    its cell's settings (:func:`settings_columns`) first, then what the measure function returned (which
    wins where a row measures a value of its own under a setting's name, e.g. each L of a sweep)."""
    rows = [{**settings_columns(rec["cell"]), **row} for rec in records for row in rec["rows"]]
    return pd.DataFrame(rows)


def failures(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    r"""The failed cells among ``records``: one ``{"cell", "key", "error"}`` per cell whose measuring
    function raised (see :func:`rnntheory.run.executors.run_tasks`)."""
    return [{"cell": dict(r["cell"]), "key": r["key"], "error": dict(r["error"])} for r in records if r.get("error")]
