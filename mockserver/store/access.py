"""How ClientStore reaches its memory: the locks in their order, the memory caught up with other
processes before each read and write, a session opened on its first use, and who hears of what
cannot be written."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from mockserver.store.lifecycle import Lifecycle
from mockserver.store.memory import StoreMemory
from mockserver.store.recovery import Reporter
from mockserver.store.sessions import Limits, Session
from mockserver.store.waiting import holding
from mockserver.store.wal import Entry, StoreUnavailable, Transaction, Wal


class StoreAccess:
    def __init__(
        self, wal: Wal | None, memory: StoreMemory, limits: Limits, clock: Callable[[], float]
    ) -> None:
        self._wal = wal
        self.memory = memory
        self._lifecycle = Lifecycle(memory, limits, clock)
        self._clock = clock
        self._lock = threading.RLock()  # the memory's: see _reading

    @property
    def on_forgotten(self) -> Callable[[str], None]:
        """Told the name of each session the limits forget (expired or evicted), so what other
        parts keep per session (rules, request journal) goes with it."""
        return self._lifecycle.on_forgotten

    @on_forgotten.setter
    def on_forgotten(self, callback: Callable[[str], None]) -> None:
        self._lifecycle.on_forgotten = callback

    def report_to(self, report: Reporter) -> None:
        """Tell `report` (faults.Degraded) what cannot be written, and when it can again."""
        self._lifecycle.report = report
        if self._wal is not None:
            self._wal.report = report

    def close(self) -> None:
        if self._wal is not None:
            self._wal.close()

    @contextmanager
    def _using(self, name: str, counted: bool = True) -> Iterator[Session]:
        """The session `name`, up to date, for one read; opened (seeded) on its first use."""
        with self._reading():
            now = self._clock()
            session = self.memory.sessions.get(name)
            if session is not None and self._lifecycle.alive(name, session, now):
                if counted and self._lifecycle.note_read(name, session, now):
                    # A read never waits for another worker's write (its loop would stall):
                    # the counts are shared by the next read or write instead.
                    self._lifecycle.share_use_if_free(lambda: self._writing(wait=False))
                yield session
                return
        # Opening it is a write, which takes the locks in their order (see _reading). A store
        # that cannot be locked or written does not keep the read from its answer: the session
        # then lives in this process's memory until a write of its reaches the journal.
        try:
            with self._writing() as transaction:
                self._lifecycle.live(transaction, name, counted)
        except StoreUnavailable as error:
            self._lifecycle.report.failed("store", error.cause)
        with self._reading():
            yield self.memory.sessions.get(name) or self._lifecycle.open_unwritten(name)

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """The memory lock, with the memory up to date, for a read.

        Locks go in one order: writes take the WAL's (thread, then file), then this one; a read
        takes only this one, so a read never waits for another process. What it cannot catch up
        with alone (a compaction or reset elsewhere) is taken in as a write with nothing to
        append; if the store's lock cannot be taken at all, the read answers from what this
        process holds.
        """
        while True:
            with holding(self._lock):
                if self._wal is None or self._wal.refresh(self.memory):
                    yield
                    return
            try:
                with self._writing():
                    pass
            except StoreUnavailable:
                break
        with holding(self._lock):
            yield

    def _log(self, transaction: Transaction, entry: Entry) -> None:
        self.memory.log(transaction, entry)

    def _writing(self, wait: bool = True) -> AbstractContextManager[Transaction]:
        if self._wal is None:
            return _in_memory(self._lock)
        return self._wal.transaction(self.memory, guard=self._lock, wait=wait)


class _NoWal(Transaction):
    """An in-memory store's transaction: nothing to append or flush."""

    def __init__(self) -> None:
        self.commit = None

    def append(self, entry: Entry, durable: bool = True) -> None:
        pass


@contextmanager
def _in_memory(lock: threading.RLock) -> Iterator[Transaction]:
    with holding(lock):
        yield _NoWal()
