"""The write-ahead log (WAL): an atomically replaced snapshot plus an fsynced log of writes.

A write is one appended journal line, fsynced before it is acknowledged, so its cost does not grow
with the store (TinyDB's JSONStorage rewrites everything on every write). The snapshot is replaced
with write-to-temp, fsync, rename: a kill at any moment leaves the old or the new file, never half
of one. Journal lines carry the snapshot's generation, so lines already folded into a newer
snapshot are recognised and skipped after a crash between the two renames of a compaction.

The log is also how several processes (`--workers`) share one store: a writer holds an
exclusive flock while it catches up and appends, and every process reads the lines appended since
it last looked before it answers, so a write acknowledged by one is seen by the next request to
any. A compaction gives the journal a new inode; the others read the rest of the old one and go
on with the new (snapshot.py says how they know they may), or reload when they may not.

What the lines mean belongs to the store (client_store.py): the snapshot is a JSON object with
`generation` and `clients` (the default session's records) and optionally `sessions`; each line is
`{"g": generation, ...entry}` where the entry names one change: `put` a record (in session `s`,
default when absent), or `open`, `drop`, `reset`, `import` a session, or `use` (request counts).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from mockserver.store import snapshot
from mockserver.store.forks import reopen_in_children
from mockserver.store.waiting import WouldWait, holding, may_wait

Entry = dict[str, Any]  # one journal line without its generation
State = dict[str, Any]  # a snapshot without its generation
COMPACT_AFTER_LINES = 1000
ENTRY_KINDS = ("put", "open", "drop", "reset", "import", "use")


@dataclass(frozen=True)
class Commit:
    """Where an appended line ends: the journal (by inode) and the offset after it."""

    inode: int
    end: int


class StoreError(RuntimeError):
    """The store cannot be opened or written; the message says what to do."""


class Memory(Protocol):
    """What the WAL needs from the in-memory copy it keeps durable and in step."""

    def restore(self, state: State, entries: list[Entry]) -> None:
        """Replace everything held with a snapshot's state and the journal entries after it."""

    def apply(self, entries: list[Entry]) -> None:
        """Apply entries other processes wrote."""

    def state(self) -> State:
        """Everything held, for a snapshot."""

    def snapshot_taken(self) -> None:
        """A snapshot of `state()` as it is now is being written."""

    def count(self) -> int:
        """How many records are held (what a snapshot costs)."""


class Transaction:
    """One write, inside the WAL's locks: it appends entries."""

    def __init__(self, wal: Wal) -> None:
        self._wal = wal
        self.commit: Commit | None = None

    def append(self, entry: Entry, durable: bool = True) -> None:
        """Append one entry; `durable`: the block returns only once it is on disk (a line that
        acknowledges nothing, such as request counts, need not wait for a flush)."""
        commit = self._wal._append(entry)
        if durable:
            self.commit = commit


class Wal:
    def __init__(self, path: Path, lock_fd: int) -> None:
        self.path = path
        self.log_path = path.with_name(path.name + ".journal")
        self._lock_fd = lock_fd
        self._lock_path = path.with_name(path.name + ".lock")
        self._probe_fd = -1
        self._log_fd = -1
        self._inode = -1
        self._offset = 0
        self._generation = 0
        self._lines = 0
        self._holder: int | None = None  # the thread holding the store for a write
        self._durable = 0  # journal bytes known to be on disk
        self._commit_lock = threading.Lock()
        self._writer = threading.Lock()
        reopen_in_children(self)

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
        self, memory: Memory, guard: threading.RLock, wait: bool = True
    ) -> Iterator[Transaction]:
        """The only way to write, in the only safe order.

        Locks in one order: this process's writer lock and the file lock, then `guard` (the
        memory's lock) while the memory catches up with other processes and the body appends.
        A due compaction then writes the memory's state with only the first two held. All are
        released before the flush, so concurrent writes share one fdatasync (group commit).
        The block returns only once what it appended is on disk: the caller may then
        acknowledge it.
        """
        with self._exclusive(wait):
            with holding(guard):
                self.refresh(memory)
                # A snapshot costs O(records): one every records/2 lines keeps writes amortised
                # O(1) and bounds what a start-up has to replay. It writes and fsyncs the whole
                # store, which the event loop must not wait for: that write goes to a thread.
                compacting = self._lines + 1 >= max(COMPACT_AFTER_LINES, memory.count() // 2)
                if compacting and not may_wait():
                    raise WouldWait("a compaction is due", needs_thread=True)
                transaction = Transaction(self)
                yield transaction
                writer = self._start_compaction(memory) if compacting else None
            if writer is not None:
                # Without the memory lock: reads go on while the files are written and flushed;
                # writers wait for the file lock, which this one still holds.
                self._finish_compaction(writer, guard)
                transaction.commit = None  # a snapshot is fsynced when written
        if transaction.commit is not None:
            self._make_durable(transaction.commit)

    def open_into(self, memory: Memory, fresh: Callable[[], State], reseed: bool) -> None:
        """Load the store into `memory`; a new store (or a reseed) is written from `fresh()`."""
        with self._exclusive():
            loaded = None if reseed else self._load()
            if loaded is None:
                state = fresh()
                self._replace_all(state)
                loaded = (state, [])
            memory.restore(*loaded)

    def refresh(self, memory: Memory) -> bool:
        """Take in what other processes on the same store wrote since this one last looked;
        False, with nothing taken in, when that needs the store's lock and it is not held."""
        try:
            current = os.stat(self.log_path)
        except FileNotFoundError:
            current = None
        if current is None or current.st_ino != self._inode:  # a compaction or reset elsewhere
            if self._holder != threading.get_ident():
                return False
            entries = self._follow_compaction()
            if entries is None:
                memory.restore(*(self._load() or ({"clients": []}, [])))
                return True
        elif current.st_size == self._offset:
            return True
        else:
            entries = self._read_new_lines()
        if entries:
            memory.apply(entries)
        return True

    @contextlib.contextmanager
    def _exclusive(self, wait: bool = True) -> Iterator[None]:
        """Hold the store for a write, against every other thread and process on it; without
        `wait` (or where waiting is not allowed), WouldWait when another holds it."""
        # The thread lock first: threads share this process's flock, which would not exclude.
        if not self._writer.acquire(blocking=wait and may_wait()):
            raise WouldWait("the store is in use by another thread", looks_free=self._looks_free)
        try:
            try:
                fcntl.flock(
                    self._lock_fd, fcntl.LOCK_EX | (0 if wait and may_wait() else fcntl.LOCK_NB)
                )
            except BlockingIOError:
                reason = "the store is in use by another process"
                raise WouldWait(reason, looks_free=self._looks_free) from None
            self._holder = threading.get_ident()
            try:
                yield
            finally:
                self._holder = None
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        finally:
            self._writer.release()

    def _looks_free(self) -> bool:
        """Whether a write could start now, asked on a descriptor of its own: one shared with
        the writers would convert their lock instead of testing it."""
        if self._writer.locked():
            return False
        if self._probe_fd < 0:
            self._probe_fd = os.open(self._lock_path, os.O_RDWR)
        try:
            fcntl.flock(self._probe_fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(self._probe_fd, fcntl.LOCK_UN)
        return True

    def load(self) -> tuple[State, list[Entry]] | None:
        """The snapshot's state and the entries after it, or None when no store exists yet."""
        with self._exclusive():  # no compaction between the snapshot and the journal
            return self._load()

    def _load(self) -> tuple[State, list[Entry]] | None:
        if not self.path.exists():
            return None
        snapshot = self._read_snapshot()
        self._generation = snapshot.pop("generation")
        self._reopen_log()
        return snapshot, self._read_new_lines()

    def _follow_compaction(self) -> list[Entry] | None:
        """After a compaction elsewhere: the rest of the old journal, then the new one's lines;
        None when this process cannot tell what it missed (then it reloads). Under the lock, so
        no further compaction comes between reading the snapshot's header and the journal."""
        folded = snapshot.follows(self.path)
        if folded is None or folded.inode != self._inode or folded.end < self._offset:
            return None
        missed = self._read_new_lines(until=folded.end)
        self._generation = folded.generation
        self._reopen_log()
        return missed + self._read_new_lines()

    def _append(self, entry: Entry) -> Commit:
        line = json.dumps({"g": self._generation, **entry}, separators=(",", ":"))
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

    # What an acknowledged write survives (settings.DURABILITY): "os", a killed process (the
    # line reached the kernel with write(), which is all a kill can lose); "disk", also an OS
    # crash or power loss. The store sets it from the settings; the WAL alone plays safe.
    durability = "disk"

    def _make_durable(self, commit: Commit) -> None:
        """Return once the appended line is as durable as `durability` asks: for "disk", on disk
        (one fdatasync covers every line before it); for "os" the append already did it."""
        if self.durability != "disk":
            return
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

    def _replace_all(self, state: State) -> None:
        generation = self._next_generation()
        try:
            snapshot.write(self.path, generation, state, follows=None)
            snapshot.write_atomically(self.log_path, b"")
        except OSError as error:
            raise StoreError(f"cannot write the store {self.path}: {error.strerror}") from None
        self._generation = generation
        self._reopen_log()

    def _next_generation(self) -> int:
        # Time-based, so a reseed of a store it could not read still outranks every old line.
        return max(self._generation + 1, time.time_ns())

    def _start_compaction(self, memory: Memory) -> snapshot.Writer:
        """Fork a process that writes the memory as it is now (held still by the locks) as the
        new snapshot, and an empty journal: serialising the whole store would otherwise hold
        this process's GIL, and with it every request in flight here (10,000 clients: ~100
        ms; 100,000: about a second)."""
        generation = self._next_generation()
        folded = (self._inode, self._offset)
        writer = snapshot.fork_writer(
            self.path, self.log_path, generation, memory.state, folded, self._lock_fd
        )
        memory.snapshot_taken()
        return writer

    def _finish_compaction(self, writer: snapshot.Writer, guard: threading.RLock) -> None:
        if not writer.wait():
            raise StoreError(f"cannot write the store {self.path}: {writer.error}")
        # Readers look at the journal's descriptor and offset under the memory lock.
        with holding(guard):
            self._generation = writer.generation
            self._reopen_log()

    def reopen_after_fork(self) -> None:
        if self._lock_fd >= 0:
            inherited = self._lock_fd
            self._lock_fd = os.open(self._lock_path, os.O_RDWR)
            os.close(inherited)
        if self._probe_fd >= 0:
            os.close(self._probe_fd)
            self._probe_fd = -1

    def close(self) -> None:
        for descriptor in (self._log_fd, self._lock_fd, self._probe_fd):
            if descriptor >= 0:
                os.close(descriptor)
        self._log_fd = self._lock_fd = self._probe_fd = -1

    def _reopen_log(self) -> None:
        with self._commit_lock:  # no flush may be running on the descriptor being closed
            if self._log_fd >= 0:
                os.close(self._log_fd)
            flags = os.O_RDWR | os.O_APPEND | os.O_CREAT
            self._log_fd = os.open(self.log_path, flags, 0o644)
            self._inode = os.fstat(self._log_fd).st_ino
            self._offset = self._durable = 0
            self._lines = 0

    def _read_new_lines(self, until: int | None = None) -> list[Entry]:
        size = os.fstat(self._log_fd).st_size if until is None else until
        data = os.pread(self._log_fd, size - self._offset, self._offset)
        # A line without its newline is still being written, or was torn by a kill before its
        # fsync returned: in either case it was never acknowledged. Leave it for later.
        complete = data[: data.rfind(b"\n") + 1]
        first_line = self._lines + 1
        self._offset += len(complete)
        entries = []
        for number, line in enumerate(complete.splitlines(), start=first_line):
            self._lines += 1
            entry = _parse_line(line)
            if entry is None:
                raise StoreError(_refusal(self.log_path, f"line {number} is damaged"))
            if entry.pop("g") == self._generation:
                entries.append(entry)
        return entries

    def _drop_torn_tail(self) -> None:
        # Under the exclusive lock nobody is mid-append: bytes past our offset are a torn line.
        if os.fstat(self._log_fd).st_size > self._offset:
            os.ftruncate(self._log_fd, self._offset)

    def _read_snapshot(self) -> dict[str, Any]:
        try:
            return snapshot.read(self.path)
        except snapshot.Unreadable as error:
            raise StoreError(_refusal(self.path, str(error))) from None


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


def _refusal(path: Path, problem: str) -> str:
    return (
        f"refusing to open the store {path}: {problem}. It was left untouched; move it away, "
        f"or run `mockserver reset --db {path}` to start again from the fixtures"
    )
