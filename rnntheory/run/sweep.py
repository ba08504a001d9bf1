r"""Resumable, parallel sweeps over the cells of claims.

A :class:`Task` is one measurement to make: a group name (the claim), the measuring function, one
*cell* (a configuration: grid point, seed, device, dtype) and the version of the measuring code. The
sweep runs picklable tasks and knows nothing of claims (``rnntheory.claims`` builds the tasks).
Measuring a cell is deterministic, so each cell is computed once and kept as a small JSON file under
a cache folder::

    <cache>/<group>/<key>.json      key = sha256 of (group, measurement version, cell, rnntheory
                                                     version, torch version, device name)

A changed measurement version (a claim bumps it when its measuring code changes what it returns)
gives new keys, so old cells are never served for new code.

A file is written to a temporary name and renamed into place, so a sweep that is interrupted (Ctrl-C,
``kill``, a lost machine) leaves only whole cells behind; running it again loads them and computes the
missing ones. Every row, fresh or cached, passes through the same JSON text, so a resumed sweep gives
exactly the rows of an uninterrupted one. (Floats survive JSON exactly; numpy scalars become Python
numbers and tuples become lists.)

A cell whose measuring function raises is kept as a failed record (its error's type, message and the
end of its traceback, and no rows): one bad cell never ends a sweep, a rerun does not silently redo it
(cells are deterministic), and ``run_tasks(retry_failed=True)`` measures failed cells again.

Several runs may share one cache (two terminals, two jobs of a cluster on a shared folder): the
process measuring a cell holds its lock (``<group>/<key>.lock``, an advisory ``flock`` that the system
releases when its holder exits, however it ends), so another run skips that cell, measures the rest,
then waits for it and reads the record; it measures the cell itself only if the holder stopped before
finishing it. No cell is measured twice.

``jobs > 1`` measures cells in that many worker processes (``spawn``), each with ``cores // jobs``
torch threads (the cores this process may use, ``rnntheory.run._cores.available``: one thread per worker
when ``jobs`` is the number of cores, the default of ``rnntheory report``). Reductions split over a
different number of threads may round differently in the last bit (magnified in differences of
nearly equal numbers: up to 5e-6 relative on the default grid, in a near-zero ridge residual), so
compare sweeps run with the same ``jobs`` when you need identical files.

>>> from rnntheory import claims, sweep
>>> c = claims.get("hidden_perturbation")
>>> records = sweep.run_tasks(c.tasks(c.grid().cells()), cache="sweep-cache")  # doctest: +SKIP
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import hashlib
import math
import pickle
import json
import multiprocessing as mp
import os
import signal
import socket
import sys
import threading
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence, TextIO

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

import numpy as np
import pandas as pd
import torch

from .. import __version__
from . import _cores

__all__ = ["CellCache", "CellLock", "Progress", "Task", "atomic_write", "cell_key", "device_name", "failures", "frame", "plain",
           "run_tasks", "to_json"]


@dataclass(frozen=True)
class Task:
    r"""One measurement: ``fn(dict(cell))`` returns the cell's rows (a list of dicts or a DataFrame).

    Attributes:
        group: the name the cell is filed under (a claim's name).
        fn: the measuring function; with ``jobs > 1`` it must be picklable (a module-level function).
        cell: the configuration (JSON-able values).
        version: the version of the measuring code; it enters the cache key.

    >>> def square(cell):
    ...     return [{"m": cell["m"], "y": cell["m"] ** 2}]
    >>> run_tasks([Task("demo", square, {"m": 3})])[0]["rows"]
    [{'m': 3, 'y': 9}]
    """

    group: str
    fn: Callable[[dict[str, Any]], Any] = field(repr=False)
    cell: Mapping[str, Any]
    version: int | str = 1

    @property
    def key(self) -> str:
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
    raise TypeError(f"sweep.plain: a value of type {type(obj).__name__} cannot be written to JSON")


def to_json(obj: Any, *, sort_keys: bool = False, indent: int | None = None, finite: bool = False) -> str:
    r"""JSON text of ``obj`` after :func:`plain`."""
    return json.dumps(plain(obj, finite=finite), sort_keys=sort_keys, indent=indent)


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


# ---------------------------------------------------------------------- files
def atomic_write(path: str | os.PathLike[str], data: str | bytes | Callable[[Path], None]) -> None:
    r"""Write a file so that readers see the old file or the whole new one, never a part: the data
    (text, bytes, or a function that writes to the path it is given) go to a temporary file in the
    same folder, are flushed to disk, and the file is renamed into place. A failure leaves the old
    file as it was and no temporary file behind."""
    p = Path(path)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    try:
        if callable(data):
            data(tmp)
        else:
            with open(tmp, "wb") as fh:
                fh.write(data.encode() if isinstance(data, str) else data)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    finally:
        if tmp.exists():
            tmp.unlink()


# ---------------------------------------------------------------------- cache
class CellCache:
    r"""A folder of finished cells, one JSON file each, written atomically.

    Args:
        root: the folder (created on first write).

    >>> import tempfile
    >>> store = CellCache(tempfile.mkdtemp())
    >>> len(store), store.load("demo", "0" * 64) is None
    (0, True)
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path(self, claim: str, key: str) -> Path:
        return self.root / claim / f"{key}.json"

    def load(self, claim: str, key: str) -> dict[str, Any] | None:
        r"""The cached record, or ``None`` when the cell is missing or its file is not a record this
        cache wrote: unreadable, not a JSON object, a field missing, another key, or rows whose
        checksum does not match (a warning names the file; the cell is then measured again, never
        used). Records written before checksums existed have none and are read as they are."""
        p = self.path(claim, key)
        if not p.is_file():
            return None
        try:
            rec = json.loads(p.read_text())
            if not isinstance(rec, dict):
                raise ValueError(f"holds {type(rec).__name__}, not a cell record")
            missing = [f for f in ("claim", "key", "cell", "rows", "seconds") if f not in rec]
            if missing:
                raise ValueError(f"the fields {missing} are missing")
            if rec["key"] != key or not isinstance(rec["rows"], list) or not isinstance(rec["cell"], dict):
                raise ValueError("not a cell record of this key")
            if "rows_sha256" in rec and rec["rows_sha256"] != _checksum(rec["rows"]):
                raise ValueError("its rows do not match their checksum (edited or damaged)")
        except (OSError, ValueError) as exc:
            warnings.warn(f"sweep: ignoring the cache file {p} ({exc}); the cell is measured again", stacklevel=2)
            return None
        return rec

    def store(self, claim: str, key: str, text: str) -> None:
        r"""Write ``text`` to the cell's file atomically (:func:`atomic_write`)."""
        p = self.path(claim, key)
        p.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(p, text)

    def __len__(self) -> int:
        return sum(1 for _ in self.root.glob("*/*.json")) if self.root.is_dir() else 0

    def lock(self, claim: str, key: str, *, wait: bool = False, poll: float = 0.1) -> "CellLock | None":
        r"""Take the cell's lock (``<claim>/<key>.lock``), which the process measuring a cell holds so
        that another run on the same cache does not measure it too. Returns the held
        :class:`CellLock`, or ``None`` when another process holds it and ``wait`` is false (with
        ``wait``, poll until it is free). The lock is an advisory ``flock`` on the file: the system
        releases it when its holder exits, however it ends (SIGKILL included), so a lock is never
        stale. Where ``fcntl`` is missing (Windows) every lock is granted: concurrent runs may then
        measure a cell twice, which wastes time but stays correct (writes are atomic)."""
        path = self.root / claim / f"{key}.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            held = CellLock.take(path)
            if held is not None or not wait:
                return held
            time.sleep(poll)


class CellLock:
    r"""A held cell lock (:meth:`CellCache.lock`); :meth:`release` (or leaving a ``with`` block) frees it."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path, self._fd = path, fd

    @classmethod
    def take(cls, path: Path) -> "CellLock | None":
        if fcntl is None:  # pragma: no cover - Windows
            return cls(path, None)
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return None
            try:
                current = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                current = False
            if current:
                # who holds it, for a person who finds the file
                os.ftruncate(fd, 0)
                os.write(fd, f"{socket.gethostname()} {os.getpid()}\n".encode())
                return cls(path, fd)
            os.close(fd)  # its holder finished and removed it between our open and our lock: take the new file

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            self.path.unlink()  # before unlocking, so that a process still waiting on this file sees it is gone
        except FileNotFoundError:
            pass
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> "CellLock":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()


# ---------------------------------------------------------------------- measuring
def _error(exc: Exception) -> dict[str, str]:
    r"""What a failed cell keeps of its exception: type, message and the last lines of the traceback."""
    tb = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return {"type": type(exc).__name__, "message": str(exc), "traceback": "".join(tb[-3:])[-2000:]}


def _record(task: Task, key: str, rows: list[Any], seconds: float, error: dict[str, str] | None = None) -> str:
    r"""The JSON text of a cell's record: its rows, or no rows and the ``error`` of a failed cell."""
    cell = task.cell
    record = {
        "claim": task.group,
        "version": task.version,
        "key": key,
        "rnntheory": __version__,
        "torch": torch.__version__,
        "device": device_name(str(cell.get("device", "cpu"))),
        "seconds": seconds,
        "cell": dict(cell),
        "rows": rows,
        "rows_sha256": _checksum(rows),
    }
    if error is not None:
        record["error"] = error
    return to_json(record)


def _checksum(rows: Any) -> str:
    r"""sha256 of the rows' JSON text (the same for the rows written and the rows read back)."""
    return hashlib.sha256(to_json(rows).encode()).hexdigest()


def _measure(task: Task, key: str) -> str:
    t0 = time.perf_counter()
    try:
        rows = task.fn(dict(task.cell))
        if isinstance(rows, pd.DataFrame):
            rows = rows.to_dict("records")
        # a value that cannot be written is this cell's failure too
        return _record(task, key, list(rows), time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 - one failing cell is an outcome, not the end of the run
        return _record(task, key, [], time.perf_counter() - t0, _error(exc))


def _init_worker(threads: int, parent: int) -> None:
    # Ctrl-C reaches the whole process group; the main process stops the workers itself, so that
    # an interrupted sweep ends at once and quietly (finished cells are already on disk)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch.set_num_threads(threads)
    _end_with_parent(parent)


PARENT_POLL_SECONDS = 0.5
"""How often a worker process checks that the process that started it is alive."""


def _end_with_parent(parent: int) -> None:
    r"""End this worker process as soon as its parent is gone, however it ended (SIGKILL included): a
    worker never outlives its sweep to burn CPU on cells nobody collects. A daemon thread watches the
    parent's pid (torch releases the GIL while it computes, so the thread runs during long cells)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(70)  # the cell in flight is lost; finished cells are already in the cache

    threading.Thread(target=watch, name="rnntheory-watch-parent", daemon=True).start()


_BUSY = ""  # what measuring a cell returns when another run on the same cache is measuring it


def _take(store: CellCache, task: Task, key: str, wait: bool, retry_failed: bool) -> tuple[CellLock | None, str]:
    r"""Take the cell's lock before measuring it: ``(lock, "")`` when this run is to measure it,
    ``(None, record text)`` when another run finished it meanwhile, ``(None, _BUSY)`` when another
    run holds it (and not ``wait``)."""
    lock = store.lock(task.group, key, wait=wait)
    if lock is None:
        return None, _BUSY
    rec = store.load(task.group, key)
    if rec is not None and not (retry_failed and "error" in rec):
        lock.release()
        return None, to_json(rec)
    return lock, ""


def _work(task: Task, key: str, root: str | None, wait: bool = False, retry_failed: bool = False) -> str:
    if root is None:
        return _measure(task, key)
    store = CellCache(root)
    lock, text = _take(store, task, key, wait, retry_failed)
    if lock is None:
        return text
    with lock:
        text = _measure(task, key)
        store.store(task.group, key, text)
    return text


def run_tasks(
    tasks: Sequence[Task],
    *,
    cache: str | os.PathLike[str] | CellCache | None = None,
    jobs: int = 1,
    progress: "Progress | bool | None" = None,
    retry_failed: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
) -> list[dict[str, Any]]:
    r"""Measure (or load) every :class:`Task`; one record per task, in the order given.

    A record is the cell's JSON object: ``claim`` (the task's group), ``version``, ``key``, ``cell``,
    ``rows`` (the measured rows), the versions, the device name and ``seconds`` (the time the
    measurement took when it was made). A cell whose measuring function raises is a recorded
    outcome, not the end of the run: its record has no rows and an ``error`` (type, message, the
    end of the traceback), is cached like any other, and is not measured again on a rerun (cells are
    deterministic) unless ``retry_failed``. KeyboardInterrupt and SystemExit still stop the run.

    Args:
        tasks: the tasks (:meth:`rnntheory.claims.Claim.tasks` builds a claim's).
        cache: a folder (or :class:`CellCache`) for finished cells; ``None`` keeps nothing.
        jobs: worker processes (1: measure in this process); their measuring functions must pickle.
        progress: a :class:`Progress`, ``True`` for a bar on standard error, ``"auto"`` for a bar when
            a person is watching (:func:`watching`), or ``None``/``False``.
        retry_failed: measure again the cached cells that failed.
        executor: ``"local"`` (this process, or ``jobs`` local worker processes) or ``"dask"`` (a Dask
            distributed cluster: the one at ``scheduler``, or a LocalCluster of ``jobs`` workers).
            With Dask, workers compute cells and send back their records; this process writes them
            to the cache as they finish, so a lost worker or a killed client loses only cells in
            flight (Dask reschedules a lost worker's cells), and a rerun resumes.
        scheduler: the address of a Dask scheduler (``tcp://host:8786``), for ``executor="dask"``.

    Raises:
        ValueError: ``jobs`` is not a positive integer, or ``jobs > 1`` with a function that cannot
            be sent to a worker process.
    """
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"sweep.run_tasks: jobs={jobs!r} must be a positive integer")
    if executor not in ("local", "dask"):
        raise ValueError(f"sweep.run_tasks: executor={executor!r} must be 'local' or 'dask'")
    if scheduler is not None and executor != "dask":
        raise ValueError(f"sweep.run_tasks: scheduler={scheduler!r} is for executor='dask' (got executor={executor!r})")
    if jobs > 1 or executor == "dask":
        _check_picklable([t.fn for t in tasks])
    store = cache if isinstance(cache, CellCache) or cache is None else CellCache(cache)
    keys = [t.key for t in tasks]
    records: list[dict[str, Any] | None] = [None] * len(tasks)
    for i, t in enumerate(tasks):
        if store is not None:
            rec = store.load(t.group, keys[i])
            records[i] = None if rec is not None and retry_failed and "error" in rec else rec
    # identical tasks (two claims that share cells) are measured once
    first_of: dict[str, int] = {}
    copies: list[tuple[int, int]] = []
    pending = []
    for i, r in enumerate(records):
        if r is not None:
            continue
        if keys[i] in first_of:
            copies.append((i, first_of[keys[i]]))
        else:
            first_of[keys[i]] = i
            pending.append(i)
    # measure one cell of every claim first (its middle one: grids tend to grow towards their end),
    # so that the time estimate knows each claim's cost early; the order of measurement does not
    # change the records, which keep the order of the tasks
    by_claim: dict[str, list[int]] = {}
    for i in pending:
        by_claim.setdefault(tasks[i].group, []).append(i)
    probes = sorted(ix[len(ix) // 2] for ix in by_claim.values())
    first = set(probes)
    pending = probes + [i for i in pending if i not in first]
    if progress == "auto":
        progress = watching()
    bar = Progress(len(tasks) - len(copies)) if progress is True else (progress or None)
    if bar is not None:
        bar.begin(
            cached=[(tasks[i].group, float(r["seconds"])) for i, r in enumerate(records) if r is not None],
            pending=[tasks[i].group for i in pending],
            jobs=jobs,
        )

    busy: list[int] = []

    def finish(i: int, text: str) -> None:
        if text == _BUSY:  # another run on this cache is measuring it: wait for it at the end
            busy.append(i)
            return
        rec = json.loads(text)
        records[i] = rec
        if bar is not None:
            bar.advance(rec["claim"], float(rec["seconds"]))

    root = None if store is None else str(store.root)
    try:
        # first every cell no other run is measuring; then wait for the others' cells (and measure
        # those whose run stopped before finishing them)
        todo, wait = pending, False
        while todo:
            if executor == "dask":
                _dask(tasks, keys, todo, store, jobs, finish, scheduler, wait, retry_failed)
            elif jobs == 1 or len(todo) <= 1:
                for i in todo:
                    finish(i, _work(tasks[i], keys[i], root, wait, retry_failed))
            else:
                _parallel(tasks, keys, todo, store, jobs, finish, wait, retry_failed)
            todo, wait = list(busy), True
            busy.clear()
            if todo:
                print(f"sweep: waiting for {len(todo)} cell(s) that another run on {root} is measuring",
                      file=sys.stderr, flush=True)
    finally:
        if bar is not None:
            bar.close()
    for i, j in copies:
        records[i] = records[j]
    return records  # type: ignore[return-value]


def _check_picklable(fns: Sequence[Callable[..., Any]]) -> None:
    for fn in {id(fn): fn for fn in fns}.values():
        try:
            pickle.dumps(fn)
        except Exception as exc:
            raise ValueError(f"sweep.run_tasks: the measuring function {fn!r} cannot be sent to a worker process "
                             f"({type(exc).__name__}: {exc}); define it at module level or use jobs=1") from None


def _pool(workers: int, threads: int) -> cf.ProcessPoolExecutor:
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"), initializer=_init_worker,
                                  initargs=(threads, os.getpid()))


def _stop(ex: cf.ProcessPoolExecutor) -> None:
    workers = list((getattr(ex, "_processes", None) or {}).values())  # before shutdown forgets them
    ex.shutdown(wait=False, cancel_futures=True)
    for proc in workers:
        proc.terminate()  # a cell being measured is lost; finished ones are in the cache


def _died(task: Task, key: str, root: str | None, exc: BaseException) -> str:
    r"""The record of a cell whose worker process died while measuring it (killed, out of memory)."""
    text = _record(task, key, [], 0.0, {"type": "WorkerDied", "message": f"the worker process measuring this cell died "
                                        f"({exc})", "traceback": ""})
    if root is not None:
        CellCache(root).store(task.group, key, text)
    return text


def _parallel(tasks, keys, pending, store, jobs, finish, wait=False, retry_failed=False) -> None:
    threads = max(1, _cores.available() // jobs)
    root = None if store is None else str(store.root)
    todo = list(pending)
    while todo:
        ex = _pool(min(jobs, len(todo)), threads)
        try:
            futures = {ex.submit(_work, tasks[i], keys[i], root, wait, retry_failed): i for i in todo}
            done: set[int] = set()
            try:
                for fut in cf.as_completed(futures):
                    finish(futures[fut], fut.result())
                    done.add(futures[fut])
            except cf.process.BrokenProcessPool:
                # a worker died (killed, out of memory): it took its cell and broke the pool, and it is
                # not known which of the cells in flight it was. Measure those alone, each in a fresh
                # worker: the one that dies again is recorded as failed; then go on with the rest.
                _stop(ex)
                left = [i for i in todo if i not in done]
                for i in left[:jobs]:
                    solo = _pool(1, threads)
                    try:
                        finish(i, solo.submit(_work, tasks[i], keys[i], root, wait, retry_failed).result())
                    except cf.process.BrokenProcessPool as exc:
                        finish(i, _died(tasks[i], keys[i], root, exc))
                    finally:
                        _stop(solo)
                todo = left[jobs:]
                continue
        except BaseException:
            _stop(ex)
            raise
        ex.shutdown(wait=True)
        todo = []


def _remote(task: Task, key: str, threads: int) -> str:
    r"""A cell measured on a Dask worker, with the submitting process's number of torch threads (so
    that reductions round as they do there and the records are byte-identical)."""
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return _measure(task, key)


def _dask(tasks, keys, pending, store, jobs, finish, scheduler, wait=False, retry_failed=False) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - the test extra installs it
        raise ValueError("sweep.run_tasks: executor='dask' needs Dask distributed: pip install -e \".[distributed]\"") from None
    threads = torch.get_num_threads()
    cuda = [str(tasks[i].cell.get("device", "cpu")).startswith("cuda") for i in pending]
    cluster = None
    if scheduler is None:
        # one cell at a time per worker; a local worker may take a CUDA cell (one GPU each)
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=40, resources={"GPU": 1} if any(cuda) else None)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise ValueError(f"sweep.run_tasks: cannot reach the Dask scheduler at {scheduler!r} ({exc})") from None
    futures: dict[Any, int] = {}
    held: dict[int, CellLock] = {}  # this process holds the locks of the cells its workers measure
    try:
        for i, gpu in zip(pending, cuda):
            if store is not None:
                lock, text = _take(store, tasks[i], keys[i], wait, retry_failed)
                if lock is None:
                    finish(i, text)
                    continue
                held[i] = lock
            # a CUDA cell asks for a worker that declares the resource GPU=1 (dask worker --resources GPU=1)
            fut = client.submit(_remote, tasks[i], keys[i], threads, key=f"rnntheory-cell-{keys[i]}", pure=False,
                                resources={"GPU": 1} if gpu else None)
            futures[fut] = i
        for fut in as_completed(list(futures)):
            i = futures[fut]
            text = fut.result()
            if store is not None:
                store.store(tasks[i].group, keys[i], text)
                held.pop(i).release()
            finish(i, text)
    except BaseException:
        client.cancel(list(futures))
        raise
    finally:
        for lock in held.values():
            lock.release()
        client.close()
        if cluster is not None:
            cluster.close()


def frame(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    r"""One DataFrame of the rows of ``records``, in order (failed cells have none)."""
    rows = [row for rec in records for row in rec["rows"]]
    return pd.DataFrame(rows)


def failures(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    r"""The failed cells among ``records``: one ``{"cell", "key", "error"}`` per cell whose measuring
    function raised (see :func:`run_tasks`)."""
    return [{"cell": dict(r["cell"]), "key": r["key"], "error": dict(r["error"])} for r in records if r.get("error")]


# ---------------------------------------------------------------------- progress
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


def _clock(seconds: float) -> str:
    s = int(round(max(seconds, 0.0)))
    h, rem = divmod(s, 3600)
    return f"{h}:{rem // 60:02d}:{rem % 60:02d}" if h else f"{rem // 60}:{rem % 60:02d}"


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
        cost = sum(n * float(np.mean(self.times[c])) if self.times.get(c) else n * overall
                   for c, n in self.remaining.items() if n > 0)
        elapsed = time.perf_counter() - self.t0
        factor = elapsed / self.fresh_seconds if self.fresh_seconds > 0 else 1.0 / self.jobs
        return cost * factor

    def line(self) -> str:
        n = self.cached + self.done
        frac = n / self.total if self.total else 1.0
        full = int(round(frac * self.width))
        bar = "#" * full + "." * (self.width - full)
        eta = self.eta()
        left = "estimating" if eta is None else f"~{_clock(eta)} left"
        cached = f" ({self.cached} cached)" if self.cached else ""
        where = f"  {self._claim}" if self._claim else ""
        return (f"[{bar}] {n}/{self.total} cells{cached}{where}  "
                f"{_clock(time.perf_counter() - self.t0)} elapsed, {left}")

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
