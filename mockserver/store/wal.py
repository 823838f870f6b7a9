"""The write-ahead log (WAL): an atomically replaced snapshot plus an fsynced log of writes.

A write is one appended journal line, fsynced before it is acknowledged, so its cost does not grow
with the store (TinyDB's JSONStorage rewrites everything on every write). The snapshot is replaced
with write-to-temp, fsync, rename: a kill at any moment leaves the old or the new file, never half
of one. Journal lines carry the snapshot's generation, so lines already folded into a newer
snapshot are recognised and skipped after a crash between the two renames of a compaction.

The log is also how several processes (`--workers`) share one store: a writer holds an
exclusive flock while it catches up and appends, and every process reads the lines appended since
it last looked before it answers, so a write acknowledged by one is seen by the next request to
any. A compaction gives the journal a new inode, which tells the others to reload.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

Record = dict[str, Any]
COMPACT_AFTER_LINES = 1000


@dataclass(frozen=True)
class Commit:
    """Where an appended line ends: the journal (by inode) and the offset after it."""

    inode: int
    end: int


class StoreError(RuntimeError):
    """The store cannot be opened or written; the message says what to do."""


class Memory(Protocol):
    """What the WAL needs from the in-memory copy it keeps durable and in step."""

    def take_in(self, records: list[Record], whole: bool) -> None:
        """Apply records other processes wrote; `whole`: they replace everything held."""

    def records(self) -> list[Record]:
        """Every record, for a snapshot."""

    def count(self) -> int:
        """How many records there are."""


class Transaction:
    """One write, inside the WAL's locks: append records, or replace the whole store."""

    def __init__(self, wal: Wal) -> None:
        self._wal = wal
        self.commit: Commit | None = None

    def append(self, record: Record) -> None:
        self.commit = self._wal._append(record)

    def replace_all(self, records: list[Record]) -> None:
        self._wal._replace_all(records)
        self.commit = None  # a snapshot is fsynced when written


class Wal:
    def __init__(self, path: Path, lock_fd: int) -> None:
        self.path = path
        self.log_path = path.with_name(path.name + ".journal")
        self._lock_fd = lock_fd
        self._log_fd = -1
        self._inode = -1
        self._offset = 0
        self._generation = 0
        self._lines = 0
        self._held = False
        self._durable = 0  # journal bytes known to be on disk
        self._commit_lock = threading.Lock()

    @classmethod
    def open(cls, path: Path) -> Wal:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            lock_fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            message = f"cannot write the store directory {path.parent}: {error.strerror}"
            raise StoreError(message) from None
        return cls(path, lock_fd)

    @contextlib.contextmanager
    def transaction(
        self, memory: Memory, guard: AbstractContextManager[Any]
    ) -> Iterator[Transaction]:
        """The only way to write, in the only safe order.

        `guard` (the store's thread lock) and the file lock are held while the memory catches up
        with other processes, the body appends, and a due compaction runs; both are released
        before the flush, so concurrent writes share one fdatasync (group commit). The block
        returns only once what it appended is on disk: the caller may then acknowledge it.
        """
        with guard, self._exclusive():
            self.refresh(memory)
            transaction = Transaction(self)
            yield transaction
            if self._lines >= max(COMPACT_AFTER_LINES, memory.count() // 2):
                # A snapshot costs O(records): one every records/2 lines keeps writes amortised
                # O(1) and bounds what a start-up has to replay.
                transaction.replace_all(memory.records())
        if transaction.commit is not None:
            self._make_durable(transaction.commit)

    def open_records(self, seed: Callable[[], list[Record]], reseed: bool) -> list[Record]:
        """The stored records; a new store (or a reseed) is written from `seed()` first."""
        with self._exclusive():
            records = None if reseed else self._load()
            if records is None:
                records = seed()
                self._replace_all(records)
        return records

    def refresh(self, memory: Memory) -> None:
        """Take in what other processes on the same store wrote since this one last looked."""
        records = self._catch_up()
        if records is None:  # a compaction elsewhere: the log this one read is gone
            memory.take_in(self.load() or [], whole=True)
        elif records:
            memory.take_in(records, whole=False)

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Hold the store for a write, against every other process on it."""
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self._held = True
        try:
            yield
        finally:
            self._held = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def load(self) -> list[Record] | None:
        """Every stored record, or None when no store exists yet."""
        if self._held:
            return self._load()
        fcntl.flock(self._lock_fd, fcntl.LOCK_SH)  # no compaction between snapshot and journal
        try:
            return self._load()
        finally:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _load(self) -> list[Record] | None:
        if not self.path.exists():
            return None
        snapshot = self._read_snapshot()
        self._generation = snapshot["generation"]
        self._reopen_log()
        records = {record["id"]: record for record in snapshot["clients"]}
        for record in self._read_new_lines():
            records[record["id"]] = record
        return list(records.values())

    def _catch_up(self) -> list[Record] | None:
        """Records other processes wrote since the last look; None: reload everything."""
        try:
            current = os.stat(self.log_path)
        except FileNotFoundError:
            return None
        if current.st_ino != self._inode:
            return None
        if current.st_size == self._offset:
            return []
        return self._read_new_lines()

    def _append(self, record: Record) -> Commit:
        line = json.dumps({"g": self._generation, "put": record}, separators=(",", ":"))
        data = line.encode() + b"\n"
        try:
            self._drop_torn_tail()
            os.write(self._log_fd, data)
        except OSError as error:
            raise StoreError(
                f"cannot write the journal {self.log_path}: {error.strerror}"
            ) from None
        self._offset += len(data)
        self._lines += 1
        return Commit(self._inode, self._offset)

    def _make_durable(self, commit: Commit) -> None:
        """Return once the appended line is on disk (one fdatasync covers every line before it)."""
        with self._commit_lock:
            if commit.inode != self._inode or commit.end <= self._durable:
                return  # already flushed, or folded into a snapshot that was fsynced
            end = self._offset
            try:
                os.fdatasync(self._log_fd)
            except OSError as error:
                message = f"cannot flush the journal {self.log_path}: {error.strerror}"
                raise StoreError(message) from None
            self._durable = end

    def _replace_all(self, records: list[Record]) -> None:
        # Time-based, so a reseed of a store it could not read still outranks every old line.
        generation = max(self._generation + 1, time.time_ns())
        payload = json.dumps({"generation": generation, "clients": records}, indent=1)
        try:
            _write_atomically(self.path, payload.encode())
            _write_atomically(self.log_path, b"")
        except OSError as error:
            raise StoreError(f"cannot write the store {self.path}: {error.strerror}") from None
        self._generation = generation
        self._reopen_log()
        self._lines = 0

    def close(self) -> None:
        for descriptor in (self._log_fd, self._lock_fd):
            if descriptor >= 0:
                os.close(descriptor)
        self._log_fd = self._lock_fd = -1

    def _reopen_log(self) -> None:
        with self._commit_lock:  # no flush may be running on the descriptor being closed
            if self._log_fd >= 0:
                os.close(self._log_fd)
            flags = os.O_RDWR | os.O_APPEND | os.O_CREAT
            self._log_fd = os.open(self.log_path, flags, 0o644)
            self._inode = os.fstat(self._log_fd).st_ino
            self._offset = self._durable = 0
            self._lines = 0

    def _read_new_lines(self) -> list[Record]:
        size = os.fstat(self._log_fd).st_size
        data = os.pread(self._log_fd, size - self._offset, self._offset)
        # A line without its newline is still being written, or was torn by a kill before its
        # fsync returned: in either case it was never acknowledged. Leave it for later.
        complete = data[: data.rfind(b"\n") + 1]
        first_line = self._lines + 1
        self._offset += len(complete)
        records = []
        for number, line in enumerate(complete.splitlines(), start=first_line):
            self._lines += 1
            entry = _parse_line(line)
            if entry is None:
                raise StoreError(_refusal(self.log_path, f"line {number} is damaged"))
            if entry["g"] == self._generation:
                records.append(entry["put"])
        return records

    def _drop_torn_tail(self) -> None:
        # Under the exclusive lock nobody is mid-append: bytes past our offset are a torn line.
        if os.fstat(self._log_fd).st_size > self._offset:
            os.ftruncate(self._log_fd, self._offset)

    def _read_snapshot(self) -> dict[str, Any]:
        try:
            snapshot = json.loads(self.path.read_bytes())
            valid = isinstance(snapshot, dict) and isinstance(snapshot.get("clients"), list)
            if valid and isinstance(snapshot.get("generation"), int):
                return snapshot
            problem = "it is JSON, but not a mockserver store"
        except (ValueError, UnicodeDecodeError) as error:
            problem = f"it is not valid JSON ({error})"
        except OSError as error:
            problem = f"it cannot be read ({error.strerror})"
        raise StoreError(_refusal(self.path, problem))


def _parse_line(line: bytes) -> dict[str, Any] | None:
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        entry = json.loads(line)
        if isinstance(entry, dict) and isinstance(entry.get("put"), dict) and "g" in entry:
            return entry
    return None


def _refusal(path: Path, problem: str) -> str:
    return (
        f"refusing to open the store {path}: {problem}. It was left untouched; move it away, "
        f"or run `mockserver reset --db {path}` to start again from the fixtures"
    )


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
    descriptor = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
