"""The journal file: one JSON line a change, appended at its end, read from where this process
last looked (wal.py decides when, under which locks).

Each line is `{"g": generation, ...entry}`: a line whose generation is not the snapshot's was
folded into a newer snapshot already, and is skipped.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Entry = dict[str, Any]  # one journal line without its generation
ENTRY_KINDS = ("put", "open", "drop", "reset", "import", "use")


class StoreError(RuntimeError):
    """The store cannot be opened or written; the message says what to do."""


@dataclass(frozen=True)
class Commit:
    """Where an appended line ends: the journal (by inode) and the offset after it."""

    inode: int
    end: int


class Journal:
    # What an acknowledged write survives (settings.DURABILITY): "os", a killed process (the
    # line reached the kernel with write(), which is all a kill can lose); "disk", also an OS
    # crash or power loss. The store sets it from the settings; the journal alone plays safe.
    durability = "disk"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.inode = -1
        self.offset = 0  # how far this process has read, or written
        self.lines = 0  # lines up to `offset`
        self._fd = -1
        self._durable = 0  # bytes known to be on disk
        self._commit_lock = threading.Lock()

    def reopen(self) -> None:
        """Go on with the file now at `path` (a new one after a compaction), from its start."""
        with self._commit_lock:  # no flush may be running on the descriptor being closed
            if self._fd >= 0:
                os.close(self._fd)
            flags = os.O_RDWR | os.O_APPEND | os.O_CREAT
            self._fd = os.open(self.path, flags, 0o644)
            self.inode = os.fstat(self._fd).st_ino
            self.offset = self._durable = self.lines = 0

    def append(self, generation: int, entry: Entry) -> Commit:
        """Append one line; only under the store's exclusive lock."""
        line = json.dumps({"g": generation, **entry}, separators=(",", ":"))
        data = line.encode() + b"\n"
        try:
            # Under the exclusive lock nobody is mid-append: bytes past our offset are a torn
            # line, never acknowledged.
            if os.fstat(self._fd).st_size > self.offset:
                os.ftruncate(self._fd, self.offset)
            os.write(self._fd, data)
        except OSError as error:
            raise StoreError(f"cannot write the journal {self.path}: {error.strerror}") from None
        self.offset += len(data)
        self.lines += 1
        return Commit(self.inode, self.offset)

    def make_durable(self, commit: Commit) -> None:
        """Return once the appended line is as durable as `durability` asks: for "disk", on disk
        (one fdatasync covers every line before it); for "os" the append already did it."""
        if self.durability != "disk":
            return
        with self._commit_lock:
            if commit.inode != self.inode or commit.end <= self._durable:
                return  # already flushed, or folded into a snapshot that was fsynced
            end = self.offset
            try:
                os.fdatasync(self._fd)
            except OSError as error:
                message = f"cannot flush the journal {self.path}: {error.strerror}"
                raise StoreError(message) from None
            self._durable = end

    def read_new(self, generation: int, until: int | None = None) -> list[Entry]:
        """The entries of `generation` in the complete lines after `offset` (up to `until`)."""
        size = os.fstat(self._fd).st_size if until is None else until
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
        entry = json.loads(line)
        if not isinstance(entry, dict) or not isinstance(entry.get("g"), int):
            return None
        if isinstance(entry.get("put"), dict) and isinstance(entry["put"].get("id"), str):
            return entry
        if isinstance(entry.get("s"), str) and any(kind in entry for kind in ENTRY_KINDS):
            return entry
        if isinstance(entry.get("use"), dict):
            return entry
    return None
