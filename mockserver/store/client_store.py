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
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mockserver.store.access import StoreAccess
from mockserver.store.lifecycle import USAGE_EVERY
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
from mockserver.store.sessions import DEFAULT, Limits, SessionNotFound
from mockserver.store.wal import Entry, Wal

__all__ = ["USAGE_EVERY", "ClientStore", "InvalidImport"]

NO_LIMITS_GIVEN = Limits()
STORED_FIELDS = tuple(f for f in FIELDS if f not in ("jobs_count", "active_jobs_count"))


class InvalidImport(ValueError):
    """Clients that cannot replace a session's data (the message says why)."""


class ClientStore(StoreAccess):
    def __init__(
        self,
        wal: Wal | None,
        job_counts: JobCounts,
        seed: Callable[[], list[Record]],
        limits: Limits = NO_LIMITS_GIVEN,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(wal, StoreMemory(seed, clock), limits, clock)
        self._job_counts = job_counts
        self._seed = self.memory.seed

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
        compact_after: int | None = None,
    ) -> ClientStore:
        """Open (or create and seed) the store at `path`; None keeps everything in memory.
        `durability` (settings.DURABILITY) says what an acknowledged write survives;
        `compact_after`, the journal lines between snapshots (None: wal.COMPACT_AFTER_LINES)."""
        wal = None if path is None else Wal.open(Path(path))
        if wal is not None:
            wal.journal.durability = durability
            wal.compact_after = compact_after
        store = cls(wal, job_counts, seed, limits, clock)
        if wal is None:
            store.memory.restore(store.memory.fresh(), [])
        else:
            wal.open_into(store.memory, store.memory.fresh, reseed)
        return store

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
            if session is None or not self._lifecycle.alive(name, session, self._clock()):
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

    def replace_seed(self, records: list[Record], job_counts: JobCounts) -> None:
        """New fixtures under every session, their writes kept (`serve --watch`; reseed.py)."""
        with self._writing() as transaction:
            carried = reseed(self.memory, records)
            self._seed, self._job_counts = self.memory.seed, job_counts
            if carried is not None:
                self._log(transaction, carried)

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
