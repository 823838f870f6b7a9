"""ClientStore: the only module that imports tinydb.

TinyDB keeps the queryable copy in memory. It does not persist it: its JSONStorage rewrites the
whole file on every write and is not atomic, so a kill mid-write can leave an unreadable file.
Durability comes from the write-ahead log (`Wal`) instead; every write goes through
`Wal.transaction`, which fixes the order of locking, catching up, appending and flushing. One
lock serialises every access, because Flask runs handlers on several threads.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import MemoryStorage
from tinydb.table import Table

from mockserver.store.model import (
    FIELDS,
    ClientNotFound,
    Filters,
    JobCounts,
    Page,
    Record,
    order_key,
)
from mockserver.store.wal import Transaction, Wal


class _IdView(MutableMapping[int, Any]):
    """TinyDB's int-keyed view of a table whose stored keys are strings, converting only the
    ids it is asked for."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def __getitem__(self, doc_id: int) -> Any:
        return self.raw[str(doc_id)]

    def __setitem__(self, doc_id: int, document: Any) -> None:
        self.raw[str(doc_id)] = document

    def __delitem__(self, doc_id: int) -> None:
        del self.raw[str(doc_id)]

    def __iter__(self) -> Iterator[int]:
        return (int(doc_id) for doc_id in self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def clear(self) -> None:
        self.raw.clear()


class _MemoryTable(Table):
    """A TinyDB table that writes in O(1).

    TinyDB copies its whole table to int keys and back on every write, because its JSON storage
    needs string keys: at 10,000 clients that was most of a write's cost. This table never
    reaches JSON, so the updater works on the stored dict in place.
    """

    def _update_table(self, updater: Callable[[dict[int, Any]], None]) -> None:
        tables = self._storage.read() or {}
        updater(_IdView(tables.setdefault(self.name, {})))  # type: ignore[arg-type]
        self._storage.write(tables)
        self.clear_cache()


class _Matching:
    """The list filters as a TinyDB condition: hashable, so TinyDB's query cache recognises a
    repeated search (equal filters) until the next write."""

    def __init__(self, filters: Filters) -> None:
        self.filters = filters

    def __call__(self, value: Any) -> bool:
        return self.filters.match(value)

    def __hash__(self) -> int:
        return hash(self.filters)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Matching) and other.filters == self.filters


class ClientStore:
    def __init__(self, wal: Wal | None, job_counts: JobCounts) -> None:
        self._wal = wal
        self._job_counts = job_counts
        self._lock = threading.RLock()
        database = TinyDB(storage=MemoryStorage)
        database.table_class = _MemoryTable
        self._table = database.table("clients")
        # TinyDB numbers documents itself; this index maps our uuids to its numbers so a lookup
        # by id never scans the table.
        self._doc_ids: dict[str, int] = {}
        # Every record's order_key, sorted: the list order, kept as records arrive.
        self._order: list[tuple[str, str]] = []

    @classmethod
    def open(
        cls,
        path: str | None,
        seed: Callable[[], list[Record]],
        job_counts: JobCounts,
        reseed: bool = False,
    ) -> ClientStore:
        """Open (or create and seed) the store at `path`; None keeps everything in memory."""
        wal = None if path is None else Wal.open(Path(path))
        store = cls(wal, job_counts)
        store.take_in(seed() if wal is None else wal.open_records(seed, reseed), whole=True)
        return store

    def close(self) -> None:
        if self._wal is not None:
            self._wal.close()

    def __len__(self) -> int:
        with self._reading():
            return self.count()

    def get(self, client_id: str) -> Record:
        with self._reading():
            return self._present(self._raw(client_id))

    def find(self, filters: Filters, limit: int, offset: int) -> Page:
        """One page of the matching records, newest first (ties by id), and the match count."""
        with self._reading():
            if filters.empty:
                # The common unfiltered page reads only its own records, through the order index.
                keys = self._order[offset : offset + limit]
                page = [self._present(self._raw(client_id)) for _, client_id in keys]
                return Page(page, len(self._order))
            matches = self._table.search(_Matching(filters))
        matches.sort(key=order_key)
        return Page([self._present(doc) for doc in matches[offset : offset + limit]], len(matches))

    def insert(self, record: Record) -> Record:
        with self._writing() as transaction:
            transaction.append(record)
            self.take_in([record], whole=False)
            return self._present(record)

    def modify(self, client_id: str, change: Callable[[Record], Record]) -> Record:
        """Apply `change` to the stored record atomically; it returns the new record."""
        with self._writing() as transaction:
            record = change(self._raw(client_id))
            transaction.append(record)
            self.take_in([record], whole=False)
            return self._present(record)

    def reset(self, records: list[Record]) -> None:
        with self._writing() as transaction:
            transaction.replace_all(records)
            self.take_in(records, whole=True)

    # The WAL's view of this store (wal.Memory).

    def count(self) -> int:
        return len(self._doc_ids)

    def records(self) -> list[Record]:
        return [dict(document) for document in self._table.all()]

    def take_in(self, records: list[Record], whole: bool) -> None:
        if whole:
            self._table.truncate()
            self._doc_ids.clear()
            self._order.clear()
        self._apply(records)

    @contextmanager
    def _reading(self) -> Iterator[None]:
        with self._lock:
            if self._wal is not None:
                self._wal.refresh(self)
            yield

    def _writing(self) -> AbstractContextManager[Transaction]:
        if self._wal is None:
            return _in_memory(self._lock)
        return self._wal.transaction(self, guard=self._lock)

    def _apply(self, records: list[Record]) -> None:
        # TinyDB rebuilds its table dict on every insert: new records go in as one batch, each
        # once, in its latest version (a catch-up can hold a create and its updates).
        new: dict[str, Record] = {}
        for record in records:
            doc_id = self._doc_ids.get(record["id"])
            if doc_id is None:
                new[record["id"]] = record
                continue
            old_key = order_key(self._table.get(doc_id=doc_id))  # type: ignore[arg-type]
            self._table.update(_replace_with(record), doc_ids=[doc_id])
            if old_key != order_key(record):
                self._order.remove(old_key)
                bisect.insort(self._order, order_key(record))
        if not new:
            return  # TinyDB would still rebuild its whole table for an empty batch
        doc_ids = self._table.insert_multiple(new.values())
        self._doc_ids.update(zip(new, doc_ids, strict=True))
        for record in new.values():
            bisect.insort(self._order, order_key(record))

    def _raw(self, client_id: str) -> Record:
        doc_id = self._doc_ids.get(client_id)
        document = self._table.get(doc_id=doc_id) if doc_id is not None else None
        if document is None:
            raise ClientNotFound(client_id)
        return dict(document)

    def _present(self, record: Record) -> Record:
        jobs, active = self._job_counts.get(record["id"], (0, 0))
        counts = {"jobs_count": jobs, "active_jobs_count": active}
        return {field: counts[field] if field in counts else record[field] for field in FIELDS}


class _NoWal(Transaction):
    """An in-memory store's transaction: nothing to append or flush."""

    def __init__(self) -> None:
        self.commit = None

    def append(self, record: Record) -> None:
        pass

    def replace_all(self, records: list[Record]) -> None:
        pass


@contextmanager
def _in_memory(lock: threading.RLock) -> Iterator[Transaction]:
    with lock:
        yield _NoWal()


def _replace_with(record: Record) -> Callable[[MutableMapping[str, Any]], None]:
    def replace(document: MutableMapping[str, Any]) -> None:
        document.clear()
        document.update(record)

    return replace
