"""The request journal: what each session received, oldest first, bounded, shared by workers.

One JSON line per request in `requests/<session>.jsonl`, appended under an exclusive flock on
that file before the answer leaves, so a client that has its answer finds the entry in any
worker. The file is cut back to the newest `LIMIT` entries in place once it passes
`COMPACT_BYTES`; readers hold a shared lock. With a `:memory:` store (one process) a deque per
session does the same.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from collections import OrderedDict, deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

Entry = dict[str, Any]
LIMIT = 1000  # entries kept per session
COMPACT_BYTES = 4 * 1024 * 1024
OPEN_FILES = 32
ORDER_KEY = "_t"  # arrival time in ns: the order entries are listed in


class Journal:
    def __init__(self, folder: Path | None) -> None:
        self._folder = None if folder is None else folder / "requests"
        self._memory: dict[str, deque[Entry]] = {}
        self._files: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()
        if self._folder is not None:
            self._folder.mkdir(parents=True, exist_ok=True)

    def record(self, session: str, entry: Entry) -> None:
        if self._folder is None:
            with self._lock:
                self._memory.setdefault(session, deque(maxlen=LIMIT)).append(entry)
            return
        line = json.dumps(entry, separators=(",", ":"), default=str).encode() + b"\n"
        with self._lock, self._locked(session, fcntl.LOCK_EX) as descriptor:
            os.write(descriptor, line)
            if os.lseek(descriptor, 0, os.SEEK_END) > COMPACT_BYTES:
                _keep_newest(descriptor)

    def entries(self, session: str) -> list[Entry]:
        """Every entry kept, oldest first (by arrival), without the ordering key."""
        if self._folder is None:
            with self._lock:
                found = list(self._memory.get(session, ()))
        else:
            with self._lock, self._locked(session, fcntl.LOCK_SH) as descriptor:
                found = [json.loads(line) for line in _lines(descriptor)[-LIMIT:]]
        found.sort(key=lambda entry: entry.get(ORDER_KEY, 0))
        return [{k: v for k, v in entry.items() if k != ORDER_KEY} for entry in found]

    def clear(self, session: str) -> None:
        if self._folder is None:
            with self._lock:
                self._memory.pop(session, None)
            return
        with self._lock, self._locked(session, fcntl.LOCK_EX) as descriptor:
            os.ftruncate(descriptor, 0)

    def sessions(self) -> list[str]:
        if self._folder is None:
            return list(self._memory)
        return [path.stem for path in self._folder.glob("*.jsonl")]

    def forget(self, session: str) -> None:
        """Drop the session's journal altogether (the session itself was forgotten)."""
        if self._folder is None:
            self.clear(session)
            return
        with self._lock:
            with self._locked(session, fcntl.LOCK_EX):
                (self._folder / f"{session}.jsonl").unlink(missing_ok=True)
            self._close(session)

    @contextlib.contextmanager
    def _locked(self, session: str, mode: int) -> Iterator[int]:
        descriptor = self._descriptor(session)
        fcntl.flock(descriptor, mode)
        try:
            if os.fstat(descriptor).st_nlink == 0:  # removed by another process: start anew
                fcntl.flock(descriptor, fcntl.LOCK_UN)
                self._close(session)
                descriptor = self._descriptor(session)
                fcntl.flock(descriptor, mode)
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

    def _close(self, session: str) -> None:
        descriptor = self._files.pop(session, None)
        if descriptor is not None:
            os.close(descriptor)


def _lines(descriptor: int) -> list[bytes]:
    size = os.fstat(descriptor).st_size
    data = os.pread(descriptor, size, 0)
    return data[: data.rfind(b"\n") + 1].splitlines()


def _keep_newest(descriptor: int) -> None:
    kept = b"".join(line + b"\n" for line in _lines(descriptor)[-LIMIT:])
    os.ftruncate(descriptor, 0)
    os.write(descriptor, kept)  # O_APPEND: at the start of the now empty file


def matching(entries: list[Entry], **filters: Any) -> list[Entry]:
    """Entries whose fields equal every filter given (None: not filtered)."""
    wanted = {name: value for name, value in filters.items() if value is not None}
    return [entry for entry in entries if all(entry.get(k) == v for k, v in wanted.items())]
