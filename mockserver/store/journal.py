"""The journal file: one JSON line a change, appended at its end, read from where this process
last looked (wal.py decides when, under which locks).

Each line is `{"g": generation, ...entry}`: a line whose generation is not the snapshot's was
folded into a newer snapshot already, and is skipped.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockserver import jsontext
from mockserver.store import disk

Entry = dict[str, Any]  # one journal line without its generation
ENTRY_KINDS = ("put", "open", "drop", "reset", "import", "use")


class StoreError(RuntimeError):
    """The store cannot be opened or written; the message says what to do."""


class StoreUnavailable(StoreError):
    """A write that could not be made durable (a full disk, an I/O error, a failed flush): it
    was refused, and nothing of it was kept. The message names no file: a client sees it."""

    retry_after = 5  # seconds: a disk that fills up is usually freed by a person, not at once

    def __init__(self, doing: str, error: OSError | str) -> None:
        cause = error if isinstance(error, str) else (error.strerror or str(error))
        super().__init__(
            f"The mock cannot make this write durable right now ({doing}: {cause}); nothing "
            f"was changed. Reads go on; retry the write in {self.retry_after} seconds"
        )
        # What health and the log show: the OSError itself ("[Errno 28] No space left...").
        self.cause = error


@dataclass(frozen=True)
class Commit:
    """Where an appended line lies: the journal (by inode) and its start and end offsets."""

    inode: int
    start: int
    end: int


class Journal:
    # What an acknowledged write survives (settings.DURABILITY): "os", a killed process (the
    # line reached the kernel with write(), which is all a kill can lose); "disk", also an OS
    # crash or power loss. The store sets it from the settings; the journal alone plays safe.
    durability = "disk"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.inode = -1
        self.offset = 0  # how far this process has read, or written: always a line's end
        self.lines = 0  # lines up to `offset`
        self._fd = -1
        self._durable = 0  # bytes known to be on disk
        self._commit_lock = threading.Lock()
        # This process's lines not yet flushed, and those whose flush failed: after a failed
        # fsync the kernel may have dropped the pages and the next fsync succeed regardless
        # (PostgreSQL's "fsyncgate"), so they are never acknowledged, and the WAL removes them.
        self._ranges_lock = threading.Lock()
        self._unflushed: list[tuple[int, int]] = []
        self.failed: list[tuple[int, int]] = []  # in this journal, still to be taken out
        # Every commit a failed flush covered, kept across a reopen: a writer still waiting to
        # flush one must be refused even once the line was taken out (or folded elsewhere).
        self._refused: set[Commit] = set()

    def reopen(self) -> None:
        """Go on with the file now at `path` (a new one after a compaction), from its start.
        If it cannot be opened, nothing changes: the old descriptor stays, and readable."""
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT
        try:
            descriptor = disk.open_for_writing(self.path, flags, 0o644)
        except OSError as error:
            raise StoreUnavailable("opening the journal", error) from None
        with self._commit_lock:  # no flush may be running on the descriptor being closed
            if self._fd >= 0:
                os.close(self._fd)
            self._fd, self.inode = descriptor, os.fstat(descriptor).st_ino
            self.offset = self._durable = self.lines = 0
            with self._ranges_lock:
                self._unflushed, self.failed = [], []

    def append(self, generation: int, entry: Entry) -> Commit:
        """Append one line, all of it or nothing; only under the store's exclusive lock."""
        data = jsontext.encode({"g": generation, **entry}) + b"\n"
        start = self.offset
        try:
            # Under the exclusive lock nobody is mid-append: bytes past our offset are a torn
            # line (a failed append whose rollback failed too, or a kill), never acknowledged.
            # Every writer cuts it before appending, so no line ever follows a torn one.
            if self._fd < 0:
                raise OSError(errno.EBADF, "the journal is not open")
            if os.fstat(self._fd).st_size > start:
                disk.ftruncate(self._fd, start)
            disk.write_all(self._fd, data)
        except OSError as error:
            self._roll_back(start)
            raise StoreUnavailable("writing the journal", error) from None
        self.offset += len(data)
        self.lines += 1
        if self.durability == "disk":
            with self._ranges_lock:
                self._unflushed.append((start, self.offset))
        return Commit(self.inode, start, self.offset)

    def _roll_back(self, start: int) -> None:
        """Cut a partly written line. A line is whole only with its newline, its last byte, so
        no reader took it in; if even this fails, the next append cuts it (see `append`)."""
        with contextlib.suppress(OSError):
            disk.ftruncate(self._fd, start)

    def make_durable(self, commit: Commit) -> None:
        """Return once the appended line is as durable as `durability` asks: for "disk", on disk
        (one fdatasync covers every line before it); for "os" the append already did it.
        StoreUnavailable when the flush failed, for this line and every other it covered."""
        if self.durability != "disk":
            return
        with self._commit_lock:
            if self._has_failed(commit):
                raise StoreUnavailable("flushing the journal", "an earlier flush failed")
            if commit.inode != self.inode:
                return  # folded into a snapshot that was fsynced
            if commit.end <= self._durable:
                return
            end = self.offset
            try:
                disk.fdatasync(self._fd)
            except OSError as error:
                with self._ranges_lock:
                    covered = [r for r in self._unflushed if r[1] <= end]
                    self.failed += covered
                    self._refused.update(Commit(self.inode, *r) for r in covered)
                    self._unflushed = [r for r in self._unflushed if r[1] > end]
                raise StoreUnavailable("flushing the journal", error) from None
            self._durable = end
            with self._ranges_lock:
                self._unflushed = [r for r in self._unflushed if r[1] > end]

    def _has_failed(self, commit: Commit) -> bool:
        with self._ranges_lock:
            return commit in self._refused

    def read_new(self, generation: int, until: int | None = None) -> list[Entry]:
        """The entries of `generation` in the complete lines after `offset` (up to `until`)."""
        size = os.fstat(self._fd).st_size if until is None else until
        if size <= self.offset:  # nothing new, or a torn line cut meanwhile
            return []
        data = os.pread(self._fd, size - self.offset, self.offset)
        # A line without its newline is still being written, or was torn by a kill before its
        # fsync returned: in either case it was never acknowledged. Leave it for later.
        complete = data[: data.rfind(b"\n") + 1]
        first_line = self.lines + 1
        self.offset += len(complete)
        entries = []
        for number, line in enumerate(complete.splitlines(), start=first_line):
            self.lines += 1
            entry = _parse_line(line)
            if entry is None:
                raise StoreError(refusal(self.path, f"line {number} is damaged"))
            if entry.pop("g") == generation:
                entries.append(entry)
        return entries

    def whole_lines_without(self, dropped: list[tuple[int, int]]) -> bytes:
        """The journal's complete lines up to `offset`, except those at `dropped` offsets."""
        data = os.pread(self._fd, self.offset, 0)
        kept, start = [], 0
        for line in data.splitlines(keepends=True):
            if (start, start + len(line)) not in dropped:
                kept.append(line)
            start += len(line)
        return b"".join(kept)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
        self._fd = -1


def refusal(path: Path, problem: str) -> str:
    return (
        f"refusing to open the store {path}: {problem}. It was left untouched; move it away, "
        f"or run `mockserver reset --db {path}` to start again from the fixtures"
    )


def _parse_line(line: bytes) -> dict[str, Any] | None:
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        entry = jsontext.decode(line)
        if not isinstance(entry, dict) or not isinstance(entry.get("g"), int):
            return None
        if isinstance(entry.get("put"), dict) and isinstance(entry["put"].get("id"), str):
            return entry
        if isinstance(entry.get("s"), str) and any(kind in entry for kind in ENTRY_KINDS):
            return entry
        if isinstance(entry.get("use"), dict):
            return entry
    return None
