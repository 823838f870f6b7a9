"""ClientStore: the only module that imports tinydb.

TinyDB keeps the queryable copy in memory. It does not persist it: its JSONStorage rewrites the
whole file on every write and is not atomic, so a kill mid-write can leave an unreadable file.
Durability comes from `Journal` instead: every write is appended to a journal and fsynced before
it is acknowledged, and the journal is folded into an atomically replaced snapshot from time to
time. One lock serialises every access, because Flask runs handlers on several threads.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import MemoryStorage
from tinydb.table import Table

from mockserver.journal import Journal, StoreError
from mockserver.model import FIELDS, ClientNotFound, Filters, JobCounts, Page, Record, order_key

__all__ = ["ClientNotFound", "ClientStore", "Filters", "JobCounts", "Page", "StoreError"]


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


class ClientStore:
    def __init__(self, journal: Journal | None, job_counts: JobCounts) -> None:
        self._journal = journal
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
        if path is None:
            store = cls(None, job_counts)
            store._replace_memory(seed())
            return store
        journal = Journal.open(Path(path))
        with journal.exclusive():
            records = None if reseed else journal.load()
            if records is None:
                records = seed()
                journal.replace_all(records)
        store = cls(journal, job_counts)
        store._replace_memory(records)
        return store

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()

    def __len__(self) -> int:
        with self._lock:
            self._sync()
            return len(self._doc_ids)

    def get(self, client_id: str) -> Record:
        with self._lock:
            self._sync()
            return self._present(self._raw(client_id))

    def find(self, filters: Filters, limit: int, offset: int) -> Page:
        """One page of the matching records, newest first (ties by id), and the match count."""
        with self._lock:
            self._sync()
            if filters.empty:
                # The common unfiltered page reads only its own records, through the order index.
                keys = self._order[offset : offset + limit]
                page = [self._present(self._raw(client_id)) for _, client_id in keys]
                return Page(page, len(self._order))
            matches = self._table.search(filters)
        matches.sort(key=order_key)
        return Page([self._present(doc) for doc in matches[offset : offset + limit]], len(matches))

    def insert(self, record: Record) -> Record:
        return self._write(lambda: record)

    def modify(self, client_id: str, change: Callable[[Record], Record]) -> Record:
        """Apply `change` to the stored record atomically; it returns the new record."""
        return self._write(lambda: change(self._raw(client_id)))

    def reset(self, records: list[Record]) -> None:
        with self._lock, self._exclusive():
            if self._journal is not None:
                self._journal.replace_all(records)
            self._replace_memory(records)

    def _write(self, produce: Callable[[], Record]) -> Record:
        with self._lock, self._exclusive():
            self._sync()
            record = produce()
            if self._journal is None:
                self._apply([record])
                return self._present(record)
            # Journal first: memory must never hold a write that is not in the journal.
            commit = self._journal.append(record)
            self._apply([record])
            if self._journal.wants_compaction(len(self._doc_ids)):
                self._journal.replace_all([dict(document) for document in self._table.all()])
            answer = self._present(record)
        # Outside the locks, so concurrent writes share one disk flush; the caller acknowledges
        # the write only after this returns.
        self._journal.make_durable(commit)
        return answer

    def _exclusive(self) -> AbstractContextManager[None]:
        return self._journal.exclusive() if self._journal is not None else nullcontext()

    def _sync(self) -> None:
        """Take in what other processes on the same store wrote since this one last looked."""
        if self._journal is None:
            return
        records = self._journal.catch_up()
        if records is None:
            self._replace_memory(self._journal.load() or [])
        elif records:
            self._apply(records)

    def _replace_memory(self, records: list[Record]) -> None:
        self._table.truncate()
        self._doc_ids.clear()
        self._order.clear()
        self._apply(records)

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


def _replace_with(record: Record) -> Callable[[MutableMapping[str, Any]], None]:
    def replace(document: MutableMapping[str, Any]) -> None:
        document.clear()
        document.update(record)

    return replace
