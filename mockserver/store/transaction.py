"""One write's view of the WAL (`Transaction`), and what the WAL needs of the memory it keeps
durable and in step (`Memory`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from mockserver.store import recovery
from mockserver.store.journal import Commit, Entry

if TYPE_CHECKING:
    from mockserver.store.wal import Wal

State = dict[str, Any]  # a snapshot without its generation


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

    def __init__(self, wal: Wal, memory: Memory) -> None:
        self._wal = wal
        self._memory = memory
        self._ready = False
        self.appended = False
        self.commit: Commit | None = None

    def append(self, entry: Entry, durable: bool = True) -> None:
        """Append one entry; `durable`: the block returns only once it is on disk (a line that
        acknowledges nothing, such as request counts, need not wait for a flush).
        StoreUnavailable when it cannot be written: then nothing of it was kept."""
        if not self._ready:  # what an earlier failure left is put right before any append
            recovery.ready_to_append(self._wal, self._memory)
            self._ready = True
        commit = self._wal.journal.append(self._wal.generation, entry)
        self.appended = True
        if durable:
            self.commit = commit
