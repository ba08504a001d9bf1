r"""The cell cache and its locks: a folder of finished cells, one JSON record each, written atomically,
and the lock a process holds while it measures a cell.

::

    <cache>/<group>/<key>.json      the record (rnntheory.run.records.cell_record)
    <cache>/<group>/<key>.lock      held by the process measuring the cell

A file is written to a temporary name and renamed into place (:func:`atomic_write`), so a sweep that
is interrupted (Ctrl-C, ``kill``, a lost machine) leaves only whole cells behind. A file that is not
a record this cache wrote (damaged, edited: its rows do not match their checksum) is never used:
:meth:`CellCache.load` answers ``None`` with a warning, and the cell is measured again.

Several runs may share one cache (two terminals, two jobs of a cluster on a shared folder): the
process measuring a cell holds its lock (:meth:`CellCache.lock`, an advisory ``flock`` that the
system releases when its holder exits, however it ends), so another run skips that cell.
"""

from __future__ import annotations

import json
import os
import socket
import time
import warnings
from pathlib import Path
from typing import Any, Callable

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from .. import _validation as V
from .records import rows_checksum

__all__ = ["CellCache", "CellLock", "atomic_write"]


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
        cache wrote: unreadable, not a JSON object, a field missing, another key, seconds that are
        not a number, or rows whose checksum does not match (a warning names the file; the cell is then measured
        again, never used). Records written before checksums existed have none and are read as they are."""
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
            if isinstance(rec["seconds"], bool) or not isinstance(rec["seconds"], (int, float)):
                raise ValueError(f"seconds={rec['seconds']!r} is not a number")
            if "rows_sha256" in rec and rec["rows_sha256"] != rows_checksum(rec["rows"]):
                raise ValueError("its rows do not match their checksum (edited or damaged)")
        except (OSError, ValueError) as exc:
            warnings.warn(
                f"{V.caller(CellCache.load)}: ignoring the cache file {p} ({exc}); the cell is measured again",
                stacklevel=2,
            )
            return None
        return rec

    def store(self, claim: str, key: str, text: str) -> None:
        r"""Write ``text`` to the cell's file atomically (:func:`atomic_write`)."""
        p = self.path(claim, key)
        p.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(p, text)

    def entries(self, claim: str | None = None) -> list[tuple[str, str]]:
        r"""``(claim, key)`` of every cell file in the cache, or of one claim's, sorted. Read each with
        :meth:`load`: a file listed here may still be one the cache does not use."""
        if not self.root.is_dir():
            return []
        paths = (self.root / claim).glob("*.json") if claim is not None else self.root.glob("*/*.json")
        return sorted((p.parent.name, p.stem) for p in paths)

    def __len__(self) -> int:
        return len(self.entries())

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
