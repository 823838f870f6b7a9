"""The request journal: what each session received, oldest first, bounded, shared by workers.

One JSON line per request in `requests/<session>.jsonl`, written before the answer leaves, so a
client that has its answer finds the entry in any worker. Appends take no lock: each line is one
`write` on an `O_APPEND` descriptor, which a local filesystem (ext4, xfs, btrfs, tmpfs) puts whole
at the end of the file whatever its length (the kernel holds the file's lock for the whole
write; PIPE_BUF bounds pipes, not files), so only a short write can tear a line: a full disk.
Past `COMPACT_BYTES` the file is rotated under an exclusive flock on `journal.lock` (the newest
`LIMIT` lines to a new file, renamed over the old; see `_rotate` for the appends racing it), and
readers hold that lock shared. With a `:memory:` store (one process) a deque per session does
the same. Entries are stored raw (short keys, the body as text) and made readable by `entries.shown`
when listed: the request pays for collecting, the listing for formatting.

A side file never takes the API down: an append that fails (ENOSPC, EIO, a short write) is
dropped and reported to the process's `Degraded` record; a torn line is ended with a newline
where the disk allows, and readers skip (or salvage the entry glued after) whatever does not
parse.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mockserver.faults import Degraded
from mockserver.scenarios.entries import shown
from mockserver.scenarios.lines import after_line, complete, encoded, read_all, valid, write_new
from mockserver.store.forks import reopen_in_children
from mockserver.store.waiting import flock_within

Entry = dict[str, Any]
PART = "request journal"  # as /__mock/health names it
LIMIT = 1000  # entries kept per session
COMPACT_BYTES = 4 * 1024 * 1024
OPEN_FILES = 32
# A reader or `clear` waits this long at most for a rotation; past it (a frozen neighbour holds
# the lock) it goes on without the lock rather than hang its event loop.
LOCK_WAIT_S = 0.5
ROTATE_PAUSE_S = 1.0  # after a rotation failed (a full disk), appends go on without trying


class Journal:
    def __init__(self, folder: Path | None, degraded: Degraded | None = None) -> None:
        self._folder = None if folder is None else folder / "requests"
        self.degraded = Degraded() if degraded is None else degraded
        self._memory: dict[str, deque[Entry]] = {}
        self._files: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()
        self._lock_fd = -1
        self._rotate_after = 0.0
        if self._folder is not None:
            self._folder.mkdir(parents=True, exist_ok=True)
            self._lock_fd = os.open(self._folder / "journal.lock", os.O_RDWR | os.O_CREAT, 0o644)
            reopen_in_children(self)

    def reopen_after_fork(self) -> None:
        # A forked worker's flock must be its own; the appends' descriptors hold no lock.
        inherited = self._lock_fd
        self._lock_fd = os.open(self._folder / "journal.lock", os.O_RDWR)  # type: ignore[operator]
        os.close(inherited)

    def record(self, session: str, entry: Entry) -> None:
        """Keep the entry; never raises for the disk: a failed append is dropped and counted."""
        if self._folder is None:
            with self._lock:
                self._memory.setdefault(session, deque(maxlen=LIMIT)).append(entry)
            return
        line = encoded(entry) + b"\n"
        try:
            with self._lock:
                size = self._append(session, line)
        except OSError as error:
            self.degraded.failed(PART, error)
            return
        self.degraded.recovered(PART)
        if size > COMPACT_BYTES and time.monotonic() >= self._rotate_after:
            self._rotate_guarded(session)

    def _append(self, session: str, line: bytes) -> int:
        """One write at the end of the file; the file's size after it."""
        descriptor = self._descriptor(session)
        written = os.write(descriptor, line)
        if written < len(line):
            # Ended with a newline, the fragment is one line that readers skip; if even that
            # does not fit, readers find the next entry glued to it (`lines.valid`).
            with contextlib.suppress(OSError):
                os.write(descriptor, b"\n")
            raise OSError(errno.ENOSPC, f"short write ({written} of {len(line)} bytes)")
        status = os.fstat(descriptor)
        if status.st_nlink == 0:
            # Rotated away meanwhile: the line may have missed the copy, so it goes to the new
            # file too (readers drop an exact duplicate).
            self._forget_descriptor(session)
            return self._append(session, line)
        return status.st_size

    def _rotate_guarded(self, session: str) -> None:
        try:
            self._rotate(session)
        except OSError as error:
            self._rotate_after = time.monotonic() + ROTATE_PAUSE_S
            self.degraded.failed(PART, error, dropped=0)

    def _rotate(self, session: str) -> None:
        """Keep the newest LIMIT lines in a new file renamed over the old one.

        Appends race it without a lock. One that lands before the copy is read is copied; one
        that lands after is read from the old file once the new one is in place (the tail
        below); one that lands after that finds the old file unlinked (`_append`) and writes
        itself again to the new one. A reader waits for the lock, so it never sees the new file
        without the tail.
        """
        if not flock_within(self._lock_fd, fcntl.LOCK_EX, 0.0):
            return  # another process is rotating it
        path = self._path(session)
        temporary = path.with_name(path.name + ".tmp")
        try:
            with self._lock:
                old = self._descriptor(session)
                if os.fstat(old).st_nlink == 0 or os.fstat(old).st_size <= COMPACT_BYTES:
                    return  # done by another process already
                data = complete(read_all(old))
                kept = b"".join(line + b"\n" for line, _ in valid(data, LIMIT))
                try:
                    write_new(temporary, kept)
                    os.replace(temporary, path)
                except OSError:
                    with contextlib.suppress(OSError):
                        os.unlink(temporary)
                    raise
                del self._files[session]  # closed once its tail is read
                tail = complete(os.pread(old, os.fstat(old).st_size, len(data)))
                os.close(old)
                if tail:
                    os.write(self._descriptor(session), tail)
        finally:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def entries(self, session: str) -> list[Entry]:
        """Every entry kept, oldest first (by arrival)."""
        if self._folder is None:
            with self._lock:
                found = list(self._memory.get(session, ()))
        else:
            with self._locked(fcntl.LOCK_SH):
                try:
                    with open(self._path(session), "rb") as file:
                        data = complete(file.read())
                except FileNotFoundError:
                    data = b""
            found = [entry for _, entry in valid(data, LIMIT)]
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
            kept = raw[len(ids) - ids[::-1].index(last) :] if found else raw
            return [encoded(entry) for entry in kept], found
        with self._locked(fcntl.LOCK_SH), self._lock:
            descriptor = self._current(session)
            newer = None if last is None else after_line(descriptor, last)
            if newer is None:
                return [line for line, _ in valid(complete(read_all(descriptor)), LIMIT)], False
        # Everything the file still holds after it (a reader that fell behind misses nothing
        # that is left), torn lines left out.
        return [line for line, _ in valid(newer, newer.count(b"\n") + 1)], True

    def version(self, session: str) -> tuple[int, int]:
        """Changes whenever an entry is added or the journal cleared: cheap to ask often."""
        if self._folder is None:
            with self._lock:
                kept = self._memory.get(session, ())
                return len(kept), id(kept[-1]) if kept else 0
        try:
            status = os.stat(self._path(session))
        except FileNotFoundError:
            return 0, 0
        return status.st_size, status.st_mtime_ns

    def clear(self, session: str) -> None:
        if self._folder is None:
            with self._lock:
                self._memory.pop(session, None)
            return
        try:
            with self._locked(fcntl.LOCK_EX):
                os.truncate(self._path(session), 0)
        except FileNotFoundError:
            pass
        except OSError as error:  # inside a store write (a forgotten session): never fail it
            self.degraded.failed(PART, error)

    def sessions(self) -> list[str]:
        """Sessions with entries."""
        if self._folder is None:
            return [name for name, entries in self._memory.items() if entries]
        return [path.stem for path in self._folder.glob("*.jsonl") if path.stat().st_size]

    @contextlib.contextmanager
    def _locked(self, mode: int) -> Iterator[None]:
        held = flock_within(self._lock_fd, mode, LOCK_WAIT_S)
        try:
            yield
        finally:
            if held:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _path(self, session: str) -> Path:
        return self._folder / f"{session}.jsonl"  # type: ignore[operator]

    def _descriptor(self, session: str) -> int:
        descriptor = self._files.get(session)
        if descriptor is None:
            descriptor = os.open(self._path(session), os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            self._files[session] = descriptor
            while len(self._files) > OPEN_FILES:
                os.close(self._files.popitem(last=False)[1])
        self._files.move_to_end(session)
        return descriptor

    def _current(self, session: str) -> int:
        """The descriptor of the file now at the session's path (not one rotated away)."""
        descriptor = self._descriptor(session)
        if os.fstat(descriptor).st_nlink == 0:
            self._forget_descriptor(session)
            descriptor = self._descriptor(session)
        return descriptor

    def _forget_descriptor(self, session: str) -> None:
        descriptor = self._files.pop(session, None)
        if descriptor is not None:
            os.close(descriptor)


def matching(entries: list[Entry], **filters: Any) -> list[Entry]:
    """Entries whose fields equal every filter given (None: not filtered)."""
    wanted = {name: value for name, value in filters.items() if value is not None}
    return [entry for entry in entries if all(entry.get(k) == v for k, v in wanted.items())]
