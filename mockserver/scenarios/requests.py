"""The request journal: what each session received, oldest first, bounded, shared by workers.

One JSON line per request in `requests/<session>.jsonl`, appended under a shared flock on that
file before the answer leaves, so a client that has its answer finds the entry in any worker.
The file is cut back to the newest `LIMIT` entries under an exclusive flock once it passes
`COMPACT_BYTES` (in place, never replaced, so every process keeps writing to the right file);
readers hold a shared lock. With a `:memory:` store (one process) a deque per session does the
same. Entries are stored raw (short keys, the body as text) and made readable by `shown` when
listed: the request pays for collecting, the listing for formatting.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from collections import OrderedDict, deque
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mockserver.store.forks import reopen_in_children
from mockserver.store.model import timestamp

Entry = dict[str, Any]
LIMIT = 1000  # entries kept per session
BODY_CAP = 4096  # request body bytes kept per entry
COMPACT_BYTES = 4 * 1024 * 1024
OPEN_FILES = 32
TAIL_STEP = 64 * 1024  # what the live feed reads from the end of the file first
ENCODER = json.JSONEncoder(separators=(",", ":"))  # one, not one per call as json.dumps makes


class Journal:
    def __init__(self, folder: Path | None) -> None:
        self._folder = None if folder is None else folder / "requests"
        self._memory: dict[str, deque[Entry]] = {}
        self._files: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()
        if self._folder is not None:
            self._folder.mkdir(parents=True, exist_ok=True)
            reopen_in_children(self)

    def reopen_after_fork(self) -> None:
        # Opened again on first use, so a forked worker's flock is its own.
        for descriptor in self._files.values():
            os.close(descriptor)
        self._files.clear()

    def record(self, session: str, entry: Entry) -> None:
        if self._folder is None:
            with self._lock:
                self._memory.setdefault(session, deque(maxlen=LIMIT)).append(entry)
            return
        line = ENCODER.encode(entry).encode() + b"\n"
        # Appends share the lock: the kernel puts each O_APPEND write whole at the end of the
        # file, so only cutting it back needs the file alone. An exclusive lock per request
        # had every worker's event loop wait in turn for the others.
        with self._lock, self._locked(session, fcntl.LOCK_SH) as descriptor:
            os.write(descriptor, line)
            full = os.lseek(descriptor, 0, os.SEEK_END) > COMPACT_BYTES
        if full:
            self._cut_back(session)

    def _cut_back(self, session: str) -> None:
        with self._lock:
            descriptor = self._descriptor(session)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # in use: the next request that finds the file full cuts it back
            try:
                if os.lseek(descriptor, 0, os.SEEK_END) > COMPACT_BYTES:
                    _keep_newest(descriptor)
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)

    def entries(self, session: str) -> list[Entry]:
        """Every entry kept, oldest first (by arrival)."""
        if self._folder is None:
            with self._lock:
                found = list(self._memory.get(session, ()))
        else:
            with self._lock, self._locked(session, fcntl.LOCK_SH) as descriptor:
                found = [json.loads(line) for line in _lines(descriptor)[-LIMIT:]]
        found.sort(key=lambda entry: entry["t"])
        return [shown(entry) for entry in found]

    def after(self, session: str, last: str | None) -> tuple[list[bytes], bool]:
        """The entries appended after the one with id `last`, as stored (JSON lines: a follower
        costs no formatting), in the order appended, and whether `last` was still there;
        without it, or when it is gone (cleared, or cut back past it), every entry kept."""
        if self._folder is None:
            with self._lock:
                raw = list(self._memory.get(session, ()))
            ids = [entry.get("i") for entry in raw]
            found = last is not None and last in ids
            newer = raw[len(ids) - ids[::-1].index(last) :] if found else raw
            return [ENCODER.encode(entry).encode() for entry in newer], found
        with self._lock, self._locked(session, fcntl.LOCK_SH) as descriptor:
            newer_lines = None if last is None else _after_line(descriptor, last)
            if newer_lines is None:
                return _lines(descriptor)[-LIMIT:], False
        # Everything the file still holds after it: a reader that fell behind misses nothing
        # that is left.
        return newer_lines.splitlines(), True

    def version(self, session: str) -> tuple[int, int]:
        """Changes whenever an entry is added or the journal cleared: cheap to ask often."""
        if self._folder is None:
            with self._lock:
                kept = self._memory.get(session, ())
                return len(kept), id(kept[-1]) if kept else 0
        with self._lock:
            status = os.fstat(self._descriptor(session))
        return status.st_size, status.st_mtime_ns

    def clear(self, session: str) -> None:
        if self._folder is None:
            with self._lock:
                self._memory.pop(session, None)
            return
        with self._lock, self._locked(session, fcntl.LOCK_EX) as descriptor:
            os.ftruncate(descriptor, 0)

    def sessions(self) -> list[str]:
        """Sessions with entries."""
        if self._folder is None:
            return [name for name, entries in self._memory.items() if entries]
        return [path.stem for path in self._folder.glob("*.jsonl") if path.stat().st_size]

    @contextlib.contextmanager
    def _locked(self, session: str, mode: int) -> Iterator[int]:
        descriptor = self._descriptor(session)
        fcntl.flock(descriptor, mode)
        try:
            yield descriptor
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)

    def _descriptor(self, session: str) -> int:
        descriptor = self._files.get(session)
        if descriptor is None:
            path = self._folder / f"{session}.jsonl"  # type: ignore[operator]
            descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            self._files[session] = descriptor
            while len(self._files) > OPEN_FILES:
                os.close(self._files.popitem(last=False)[1])
        self._files.move_to_end(session)
        return descriptor


def shown(entry: Entry) -> Entry:
    """A stored entry as the control API lists it."""
    size, text = entry["n"], entry["b"]
    body: Any = None
    if size:
        body = text
        if size <= BODY_CAP:
            with contextlib.suppress(ValueError):
                body = json.loads(text)
    return {
        "time": timestamp(datetime.fromtimestamp(entry["t"] / 1e9, UTC)),
        "method": entry["m"],
        "path": entry["p"],
        "query": entry["q"],
        "operation": entry["o"],
        "headers": entry["h"],
        "body": body,
        "truncated": size > BODY_CAP,
        "status": entry["s"],
        "duration_ms": entry["d"],
        "rule": entry["r"],
        "fault": entry["f"],
        "id": entry.get("i"),
        "prefer": entry.get("w"),
        "problem": entry.get("x"),
        "why": why(entry),
    }


def why(entry: Entry) -> str:
    """What decided the answer, in a few words (the dashboard's column)."""
    if entry["r"]:
        return f"rule {entry['r']}" + (f": fault {entry['f']}" if entry["f"] else "")
    if entry.get("w"):
        return f"Prefer: {entry['w']}"
    if entry.get("x"):
        return f"problem: {entry['x']}"
    if entry["o"] is None:
        return "not in the contract"
    return "the mock's handler"


def _after_line(descriptor: int, last: str) -> bytes | None:
    """The complete lines after the entry with id `last`, read from the end of the file in
    growing steps (a follower asks for a few new lines, often); None when it is not there."""
    # The id is each line's last key (the middleware adds it last), so this cannot match a
    # header or a body that happens to hold the same text.
    needle = b'"i":"' + last.encode() + b'"}\n'
    size = os.fstat(descriptor).st_size
    span = TAIL_STEP
    while True:
        start = max(0, size - span)
        data = os.pread(descriptor, size - start, start)
        at = data.rfind(needle)
        if at >= 0:
            newer = data[at + len(needle) :]
            return newer[: newer.rfind(b"\n") + 1]
        if start == 0:
            return None
        span *= 8


def _lines(descriptor: int) -> list[bytes]:
    return _complete(descriptor).splitlines()


def _complete(descriptor: int) -> bytes:
    """The file's complete lines."""
    size = os.fstat(descriptor).st_size
    data = os.pread(descriptor, size, 0)
    return data[: data.rfind(b"\n") + 1]


def _keep_newest(descriptor: int) -> None:
    kept = b"".join(line + b"\n" for line in _lines(descriptor)[-LIMIT:])
    os.ftruncate(descriptor, 0)
    os.write(descriptor, kept)  # O_APPEND: at the start of the now empty file


def matching(entries: list[Entry], **filters: Any) -> list[Entry]:
    """Entries whose fields equal every filter given (None: not filtered)."""
    wanted = {name: value for name, value in filters.items() if value is not None}
    return [entry for entry in entries if all(entry.get(k) == v for k, v in wanted.items())]
