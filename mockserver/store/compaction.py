"""Compactions: the forked writer of a new snapshot, what a failed one leaves, and when the next
one may be tried.

A failed compaction (no room for the temporary file, a failed rename, no process to fork)
leaves the old snapshot and journal as they were, the write that was due to start it
included; it is tried again after a pause that doubles with each failure, not on every write
(each one forks and writes the whole store). A snapshot that got in without its new journal
is finished by the next writer (recovery.finish_compaction).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from mockserver.store import recovery, snapshot
from mockserver.store.journal import StoreUnavailable
from mockserver.store.recovery import Reporter
from mockserver.store.waiting import holding

if TYPE_CHECKING:
    from mockserver.store.transaction import Memory, Transaction
    from mockserver.store.wal import Wal

RETRY_CEILING_S = 60.0  # a failed compaction is tried again after 1, 2, 4... s, up to this


class Backoff:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.failures = 0
        self._next_try = 0.0

    def may_try(self) -> bool:
        return self.failures == 0 or self._clock() >= self._next_try

    def failed(self, report: Reporter, error: BaseException | str) -> None:
        self.failures += 1
        self._next_try = self._clock() + min(RETRY_CEILING_S, 2.0 ** (self.failures - 1))
        report.failed("store compaction", error)

    def succeeded(self, report: Reporter) -> None:
        self.failures = 0
        report.recovered("store compaction")


def start(wal: Wal, memory: Memory, generation: int) -> snapshot.Writer | None:
    """Fork a process that writes the memory as it is now (held still by the locks) as the
    new snapshot, and an empty journal: serialising the whole store would otherwise hold this
    process's GIL, and with it every request in flight here (10,000 clients: ~100 ms;
    100,000: about a second). None when no process can be forked now."""
    folded = (wal.journal.inode, wal.journal.offset)
    try:
        writer = snapshot.fork_writer(
            wal.path, wal.log_path, generation, memory.state, folded, wal.lock_fd
        )
    except OSError as error:
        wal.compactions.failed(wal.report, error)
        return None
    memory.snapshot_taken()
    return writer


def finish(
    wal: Wal,
    writer: snapshot.Writer,
    memory: Memory,
    guard: threading.RLock,
    transaction: Transaction,
) -> None:
    """Wait for the writer, then go on with the new journal, or with the old one if it failed."""
    if writer.wait():
        wal.compactions.succeeded(wal.report)
        # Readers look at the journal's descriptor and offset under the memory lock.
        # The write is in the new snapshot, fsynced: it stands even if the new journal cannot
        # be opened now (then the next write, or read, follows the compaction, see wal.refresh).
        with holding(guard), contextlib.suppress(StoreUnavailable):
            wal.journal.reopen()
            wal.generation = writer.generation
            wal.snapshot_inode = recovery.inode(wal.path)
        transaction.commit = None  # a snapshot is fsynced when written
        return
    # The old snapshot and journal still hold everything, this write included, which is
    # flushed as usual. Unless the new snapshot got in and its journal did not: then this
    # write is flushed in the old journal first (the new snapshot's folder entry may not be on
    # disk yet), and the compaction finished here, or by the next writer, in any process.
    wal.compactions.failed(wal.report, writer.error)
    replaced = snapshot.follows(wal.path)
    if replaced is None or replaced.generation != writer.generation:
        return
    if transaction.commit is not None:
        wal.journal.make_durable(transaction.commit)
        transaction.commit = None
    with holding(guard), contextlib.suppress(StoreUnavailable):
        recovery.finish_compaction(wal, memory)
