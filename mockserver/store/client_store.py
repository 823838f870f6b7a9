"""ClientStore: every session's clients, kept durable and shared by the write-ahead log.

Each session is a Dataset (TinyDB) over one shared seed (sessions.py), held in a StoreMemory
(memory.py); durability comes from the write-ahead log (`Wal`): every change is one journal
entry, written through `Wal.transaction` (which fixes the order of locking, catching up,
appending and flushing) and then applied to the memory, exactly as a catch-up applies the
entries of other processes. Here: the operations, and sessions' lifecycle (opening, expiry,
the session limit, request counts shared between workers). One lock guards the memory,
because Flask runs handlers on several threads.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

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
from mockserver.store.reseed import reseed
from mockserver.store.sessions import DEFAULT, Limits, Session, SessionLimit, SessionNotFound
from mockserver.store.waiting import holding
from mockserver.store.wal import Entry, Transaction, Wal

USAGE_EVERY = 1.0  # seconds between journal lines that share request counts with other workers
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
        self._limits = limits
        self._clock = clock
        self._lock = threading.RLock()  # the memory's: see _reading
        self._shared_at = clock()
        # Told the name of each session the limits forget (expired or evicted), so what other
        # parts keep per session (rules, request journal) goes with it.
        self.on_forgotten: Callable[[str], None] = lambda name: None

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
            self._live(transaction, session, counted=True)
            self._log(transaction, _put(session, record))
            return self._present(record)

    def modify(
        self, client_id: str, change: Callable[[Record], Record], session: str = DEFAULT
    ) -> Record:
        """Apply `change` to the stored record atomically; it returns the new record."""
        with self._writing() as transaction:
            used = self._live(transaction, session, counted=True)
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
                if name == DEFAULT or not session.expired(self._limits, now)
            ]
        found.sort(key=lambda summary: (summary["name"] != DEFAULT, -summary["last_used"]))
        return found

    def summary(self, name: str) -> dict[str, Any]:
        with self._reading():
            session = self.memory.sessions.get(name)
            if session is None or self._expired(name, session, self._clock()):
                raise SessionNotFound(name)
            return session.summary(name, self._seed)

    def reset(self, session: str = DEFAULT) -> None:
        """Put a session back to the fixtures."""
        with self._writing() as transaction:
            self._live(transaction, session)
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
        with self._writing() as transaction:
            used = self._live(transaction, session)
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
            self._live(transaction, session)
            self._log(transaction, {"s": session, "import": records})

    def replace_seed(self, records: list[Record], job_counts: JobCounts) -> None:
        """New fixtures under every session, their writes kept (`serve --watch`; reseed.py)."""
        with self._writing() as transaction:
            carried = reseed(self.memory, records)
            self._seed, self._job_counts = self.memory.seed, job_counts
            if carried is not None:
                self._log(transaction, carried)

    # Locks, sessions' lifecycle and request counts.

    @contextmanager
    def _using(self, name: str) -> Iterator[Session]:
        """The session `name`, up to date, for one read; opened (seeded) on its first use."""
        with self._reading():
            now = self._clock()
            session = self.memory.sessions.get(name)
            if session is not None and not self._expired(name, session, now):
                self.memory.note_use(name, session, now)
                if now - self._shared_at >= USAGE_EVERY:
                    # A read never waits for another worker's write (its loop would stall):
                    # the counts are shared by the next read or write instead.
                    with contextlib.suppress(BlockingIOError), self._writing(wait=False) as ongoing:
                        self._share_use(ongoing, now)
                yield session
                return
        # Opening it is a write, which takes the locks in their order (see _reading).
        with self._writing() as transaction:
            yield self._live(transaction, name, counted=True)

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """The memory lock, with the memory up to date, for a read.

        Locks go in one order: writes take the WAL's (thread, then file), then this one; a read
        takes only this one, so a read never waits for another process. What it cannot catch up
        with alone (a compaction or reset elsewhere) is taken in as a write with nothing to append.
        """
        while True:
            with holding(self._lock):
                if self._wal is None or self._wal.refresh(self.memory):
                    yield
                    return
            with self._writing():
                pass

    def _live(self, transaction: Transaction, name: str, counted: bool = False) -> Session:
        """Inside a write: the session `name`, opened if it is new or expired."""
        now = self._clock()
        session = self.memory.sessions.get(name)
        if session is None or self._expired(name, session, now):
            if session is not None:
                self.on_forgotten(name)  # expired: what it kept elsewhere goes too
            self._make_room(transaction, name, now)
            # Not acknowledged by itself: a lost open line means a session seeded again.
            self._log(transaction, {"s": name, "open": now}, durable=False)
            session = self.memory.sessions[name]
        if counted:
            self.memory.note_use(name, session, now)
        if now - self._shared_at >= USAGE_EVERY:
            self._share_use(transaction, now)
        return session

    def _share_use(self, transaction: Transaction, now: float) -> None:
        """Journal the requests counted here, for the other workers' summaries and TTLs."""
        if self.memory.pending:
            transaction.append({"use": self.memory.pending}, durable=False)
        self.memory.pending, self._shared_at = {}, now

    def _make_room(self, transaction: Transaction, name: str, now: float) -> None:
        others = {n: s for n, s in self.memory.sessions.items() if n not in (DEFAULT, name)}
        for other, session in others.items():
            if session.expired(self._limits, now):
                self._log(transaction, {"s": other, "drop": True}, durable=False)
                self.on_forgotten(other)
        others = {n: s for n, s in self.memory.sessions.items() if n not in (DEFAULT, name)}
        if len(others) < self._limits.max_sessions:
            return
        oldest = min(others, key=lambda other: others[other].last_used, default=None)
        if oldest is None or now - others[oldest].last_used < self._limits.evictable_after:
            busy = f", each used in the last {self._limits.evictable_after:g} s" if others else ""
            raise SessionLimit(
                f"Cannot start session {name!r}: the mock holds its limit of "
                f"{self._limits.max_sessions} sessions (--max-sessions){busy}. Delete one "
                "(DELETE /__mock/sessions/<name>) or start the mock with a higher --max-sessions"
            )
        self._log(transaction, {"s": oldest, "drop": True})
        self.on_forgotten(oldest)

    def _expired(self, name: str, session: Session, now: float) -> bool:
        return name != DEFAULT and session.expired(self._limits, now)

    def _log(self, transaction: Transaction, entry: Entry, durable: bool = True) -> None:
        transaction.append(entry, durable)
        self.memory.apply([entry])

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
