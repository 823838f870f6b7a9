"""ClientStore: every session's clients, kept durable and shared by the write-ahead log.

Each session is a Dataset (TinyDB) over one shared seed (sessions.py), held in a StoreMemory
(memory.py); durability comes from the write-ahead log (`Wal`): every change is one journal
entry, written through `Wal.transaction` (which fixes the order of locking, catching up,
appending and flushing) and then applied to the memory, exactly as a catch-up applies the
entries of other processes. Here: the operations; sessions' lifecycle (opening, expiry, the
session limit, request counts) is lifecycle.py's. One lock guards the memory, because Flask
runs handlers on several threads.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from mockserver.store.lifecycle import USAGE_EVERY, Lifecycle
from mockserver.store.memory import StoreMemory
from mockserver.store.model import (
    FIELDS,
    ClientNotFound,
    Filters,
    JobCounts,
    Page,
    Record,
    parse_timestamp,
    timestamp,
)
from mockserver.store.recovery import Reporter
from mockserver.store.sessions import DEFAULT, Limits, Session, SessionNotFound
from mockserver.store.waiting import holding
from mockserver.store.wal import Entry, StoreUnavailable, Transaction, Wal

__all__ = ["USAGE_EVERY", "ClientStore", "InvalidImport"]

NO_LIMITS_GIVEN = Limits()
STORED_FIELDS = tuple(f for f in FIELDS if f not in ("jobs_count", "active_jobs_count"))


class InvalidImport(ValueError):
    """Clients that cannot replace a session's data (the message says why)."""


class ClientStore:
    def __init__(
        self,
        wal: Wal | None,
        job_counts: JobCounts,
        seed: Callable[[], list[Record]],
        limits: Limits = NO_LIMITS_GIVEN,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._wal = wal
        self._job_counts = job_counts
        self.memory = StoreMemory(seed, clock)
        self._seed = self.memory.seed
        self._lifecycle = Lifecycle(self.memory, limits, clock)
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

    @classmethod
    def open(
        cls,
        path: str | None,
        seed: Callable[[], list[Record]],
        job_counts: JobCounts,
        reseed: bool = False,
        limits: Limits = NO_LIMITS_GIVEN,
        clock: Callable[[], float] = time.time,
        durability: str = "disk",
    ) -> ClientStore:
        """Open (or create and seed) the store at `path`; None keeps everything in memory.
        `durability` (settings.DURABILITY) says what an acknowledged write survives."""
        wal = None if path is None else Wal.open(Path(path))
        if wal is not None:
            wal.journal.durability = durability
        store = cls(wal, job_counts, seed, limits, clock)
        if wal is None:
            store.memory.restore(store.memory.fresh(), [])
        else:
            wal.open_into(store.memory, store.memory.fresh, reseed)
        return store

    def close(self) -> None:
        if self._wal is not None:
            self._wal.close()

    def __len__(self) -> int:
        """Clients in the default session."""
        with self._reading():
            return self.memory.sessions[DEFAULT].count(self._seed)

    # The API's operations, in one session.

    def get(self, client_id: str, session: str = DEFAULT) -> Record:
        with self._using(session) as used:
            return self._present(_found(used.get(self._seed, client_id), client_id))

    def find(self, filters: Filters, limit: int, offset: int, session: str = DEFAULT) -> Page:
        """One page of the matching records, newest first (ties by id), and the match count."""
        # The contract sets no maximum offset; past sys.maxsize no store has records, and
        # itertools.islice refuses such a number.
        offset = min(offset, sys.maxsize - limit)
        with self._using(session) as used:
            records, total = used.page(self._seed, filters, limit, offset)
            return Page([self._present(record) for record in records], total)

    def insert(self, record: Record, session: str = DEFAULT) -> Record:
        with self._writing() as transaction:
            self._lifecycle.live(transaction, session, counted=True)
            self._log(transaction, _put(session, record))
            return self._present(record)

    def modify(
        self, client_id: str, change: Callable[[Record], Record], session: str = DEFAULT
    ) -> Record:
        """Apply `change` to the stored record atomically; it returns the new record."""
        with self._writing() as transaction:
            used = self._lifecycle.live(transaction, session, counted=True)
            record = change(dict(_found(used.get(self._seed, client_id), client_id)))
            self._log(transaction, _put(session, record))
            return self._present(record)

    # Sessions as a whole (the control API).

    def session_count(self) -> int:
        """Sessions held besides `default`."""
        return len(self.summaries()) - 1

    def summaries(self) -> list[dict[str, Any]]:
        """Every live session: `default` first, then the most recently used first."""
        with self._reading():
            now = self._clock()
            found = [
                session.summary(name, self._seed)
                for name, session in self.memory.sessions.items()
                if self._lifecycle.alive(name, session, now)
            ]
        found.sort(key=lambda summary: (summary["name"] != DEFAULT, -summary["last_used"]))
        return found

    def summary(self, name: str) -> dict[str, Any]:
        with self._reading():
            session = self.memory.sessions.get(name)
            if not self._lifecycle.alive(name, session, self._clock()):
                raise SessionNotFound(name)
            return session.summary(name, self._seed)

    def reset(self, session: str = DEFAULT) -> None:
        """Put a session back to the fixtures."""
        with self._writing() as transaction:
            self._lifecycle.live(transaction, session)
            self._log(transaction, {"s": session, "reset": True})

    def forget(self, session: str) -> None:
        """Drop a session; the next request naming it starts from the fixtures again."""
        if session == DEFAULT:
            self.reset(DEFAULT)
            return
        with self._writing() as transaction:
            if session in self.memory.sessions:
                self._log(transaction, {"s": session, "drop": True})

    def forget_all(self) -> None:
        with self._writing() as transaction:
            for name in [name for name in self.memory.sessions if name != DEFAULT]:
                self._log(transaction, {"s": name, "drop": True})

    def export(self, session: str) -> list[Record]:
        """Every client of a session, in list order."""
        with self._using(session, counted=False) as used:
            records, _ = used.page(self._seed, Filters(), len(self._seed) + len(used.data), 0)
            return [self._present(record) for record in records]

    def import_records(self, session: str, clients: list[Record]) -> None:
        """Replace a session's clients with these (valid `Client` documents), all or nothing."""
        records = [_stored(client) for client in clients]
        ids = [record["id"] for record in records]
        if len(set(ids)) != len(ids):
            duplicate = next(i for i in ids if ids.count(i) > 1)
            raise InvalidImport(f"Client id {duplicate} appears more than once")
        with self._writing() as transaction:
            self._lifecycle.live(transaction, session)
            self._log(transaction, {"s": session, "import": records})

    # Locks.

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
            self._lifecycle.report.failed("store", error)
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
                    break
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

    def _present(self, record: Record) -> Record:
        jobs, active = self._job_counts.get(record["id"], (0, 0))
        counts = {"jobs_count": jobs, "active_jobs_count": active}
        return {field: counts[field] if field in counts else record[field] for field in FIELDS}


def _put(session: str, record: Record) -> Entry:
    # The default session's lines keep the format stores had before sessions.
    return {"put": record} if session == DEFAULT else {"s": session, "put": record}


def _found(record: Record | None, client_id: str) -> Record:
    if record is None:
        raise ClientNotFound(client_id)
    return record


def _stored(client: Record) -> Record:
    """An imported `Client` as the store keeps it: no job counts, timestamps in one format."""
    record = {field: client[field] for field in STORED_FIELDS}
    for field in ("created_at", "updated_at"):
        try:
            record[field] = timestamp(parse_timestamp(record[field]))
        except (ValueError, TypeError, AttributeError):
            raise InvalidImport(f"Client {record['id']}: {field} is not a date-time") from None
    return record


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
