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
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mockserver.store import compaction, disk, recovery, snapshot
from mockserver.store.forks import reopen_in_children
from mockserver.store.journal import Entry, Journal, StoreError, StoreUnavailable, refusal
from mockserver.store.recovery import NO_REPORTER, Reporter
from mockserver.store.transaction import Memory, State, Transaction
from mockserver.store.waiting import WouldWait, holding, may_wait

__all__ = [
    "COMPACT_AFTER_LINES",
    "Entry",
    "Memory",
    "State",
    "StoreError",
    "StoreUnavailable",
    "Transaction",
    "Wal",
    "lines_between_snapshots",
]

# A compaction forks and fsyncs while every writer waits: at 1,000 lines (a pause every half
# second under load) partial updates ran 15% slower than at 10,000. Replaying 10,000 lines at
# a start takes ~0.4 s of CPU (44 clients), a price paid once.
COMPACT_AFTER_LINES = 10_000


def lines_between_snapshots(records: int, compact_after: int | None = None) -> int:
    """Journal lines after which a compaction is due. A snapshot costs O(records): one every
    records/2 lines keeps writes amortised O(1) and bounds what a start-up has to replay."""
    return max(compact_after or COMPACT_AFTER_LINES, records // 2)


class Wal:
    def __init__(self, path: Path, lock_fd: int) -> None:
        self.path = path
        self.log_path = path.with_name(path.name + ".journal")
        self.journal = Journal(self.log_path)
        self.generation = 0  # the snapshot's: journal lines of another one are not read
        self._lock_fd = lock_fd
        self._lock_path = path.with_name(path.name + ".lock")
        self._probe_fd = -1
        self._holder: int | None = None  # the thread holding the store for a write
        self._writer = threading.Lock()
        self.snapshot_inode = -1  # of the snapshot this process follows
        self.compactions = compaction.Backoff()
        self.compact_after: int | None = None  # None: COMPACT_AFTER_LINES (read when due)
        self.report: Reporter = NO_REPORTER
        reopen_in_children(self)

    @property
    def lock_fd(self) -> int:
        return self._lock_fd

    @classmethod
    def open(cls, path: Path) -> Wal:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            lock_fd = disk.open_for_writing(
                path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT
            )
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
        try:
            with self._exclusive(wait):
                with holding(guard):
                    self.refresh(memory)
                    # A compaction writes and fsyncs the whole store, which the event loop must
                    # not wait for: that write goes to a thread.
                    lines = self.journal.lines + 1
                    due = lines >= lines_between_snapshots(memory.count(), self.compact_after)
                    compacting = due and self.compactions.may_try()
                    if compacting and not may_wait():
                        raise WouldWait("a compaction is due", needs_thread=True)
                    transaction = Transaction(self, memory)
                    yield transaction
                    writer = None
                    if compacting:
                        writer = compaction.start(self, memory, self._next_generation())
                if writer is not None:
                    # Without the memory lock: reads go on while the files are written and
                    # flushed; writers wait for the file lock, which this one still holds.
                    compaction.finish(self, writer, memory, guard, transaction)
            if transaction.commit is not None:
                self.journal.make_durable(transaction.commit)
        except StoreUnavailable as error:
            self.report.failed("store", error.cause)
            if self.journal.failed:
                self._drop_failed_lines(memory, guard)
            raise
        if transaction.appended:
            self.report.recovered("store")

    def _drop_failed_lines(self, memory: Memory, guard: threading.RLock) -> None:
        """After a failed flush, at once: if this fails too, the next write tries it first."""
        with contextlib.suppress(StoreUnavailable, WouldWait), self._exclusive(), holding(guard):
            recovery.remove_failed_lines(self, memory)

    def open_into(self, memory: Memory, fresh: Callable[[], State], reseed: bool) -> None:
        """Load the store into `memory`; a new store (or a reseed) is written from `fresh()`."""
        with self._exclusive():
            loaded = None if reseed else self.load_locked()
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
        if current is None or current.st_ino != self.journal.inode:  # a compaction elsewhere
            if self._holder != threading.get_ident():
                return False
            entries = self._follow_compaction()
            if entries is None:
                memory.restore(*(self.load_locked() or ({"clients": []}, [])))
                return True
        elif current.st_size == self.journal.offset:
            return True
        else:
            entries = self.journal.read_new(self.generation)
        if entries:
            memory.apply(entries)
        return True

    @contextlib.contextmanager
    def _exclusive(self, wait: bool = True) -> Iterator[None]:
        """Hold the store for a write, against every other thread and process on it; without
        `wait` (or where waiting is not allowed: after a brief try for the file lock, see
        waiting.take_flock), WouldWait when another holds it."""
        blocking = wait and may_wait()
        # The thread lock first: threads share this process's flock, which would not exclude.
        if not self._writer.acquire(blocking=blocking):
            raise WouldWait("the store is in use by another thread", looks_free=self._looks_free)
        try:
            try:
                taken = disk.take_lock(self._lock_fd, wait)
            except OSError as error:
                raise StoreUnavailable("locking the store", error) from None
            if not taken:
                reason = "the store is in use by another process"
                raise WouldWait(reason, looks_free=self._looks_free)
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

    def load_locked(self) -> tuple[State, list[Entry]] | None:
        if not self.path.exists():
            return None
        snapshot_inode = recovery.inode(self.path)
        snapshot = self._read_snapshot()
        generation = snapshot.pop("generation")
        self.journal.reopen()  # first: if it fails, this process goes on as it was
        self.generation, self.snapshot_inode = generation, snapshot_inode
        return snapshot, self.journal.read_new(self.generation)

    def _follow_compaction(self) -> list[Entry] | None:
        """After a compaction elsewhere: the rest of the old journal, then the new one's lines;
        None when this process cannot tell what it missed (then it reloads). Under the lock, so
        no further compaction comes between reading the snapshot's header and the journal."""
        folded = snapshot.follows(self.path)
        journal = self.journal
        if folded is None or folded.inode != journal.inode or folded.end < journal.offset:
            return None
        missed = journal.read_new(self.generation, until=folded.end)
        journal.reopen()  # first: if it fails, the next look starts again from here
        self.generation = folded.generation
        self.snapshot_inode = recovery.inode(self.path)
        return missed + journal.read_new(self.generation)

    def _replace_all(self, state: State) -> None:
        generation = self._next_generation()
        try:
            snapshot.write(self.path, generation, state, follows=None)
            snapshot.write_atomically(self.log_path, b"")
        except OSError as error:
            raise StoreError(f"cannot write the store {self.path}: {error.strerror}") from None
        self.generation = generation
        self.snapshot_inode = recovery.inode(self.path)
        self.journal.reopen()

    def _next_generation(self) -> int:
        # Time-based, so a reseed of a store it could not read still outranks every old line.
        return max(self.generation + 1, time.time_ns())

    def reopen_after_fork(self) -> None:
        if self._lock_fd >= 0:
            inherited = self._lock_fd
            self._lock_fd = os.open(self._lock_path, os.O_RDWR)
            os.close(inherited)
        if self._probe_fd >= 0:
            os.close(self._probe_fd)
            self._probe_fd = -1

    def close(self) -> None:
        self.journal.close()
        for descriptor in (self._lock_fd, self._probe_fd):
            if descriptor >= 0:
                os.close(descriptor)
        self._lock_fd = self._probe_fd = -1

    def _read_snapshot(self) -> dict[str, Any]:
        try:
            return snapshot.read(self.path)
        except snapshot.Unreadable as error:
            raise StoreError(refusal(self.path, str(error))) from None
