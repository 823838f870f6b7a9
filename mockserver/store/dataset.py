"""Dataset: one set of client records in a TinyDB table, indexed by id and by list order.

The default session holds all its records in one; another session holds only the records it
changed or added, over the shared seed (also one). Only the store package imports tinydb.
"""

from __future__ import annotations

import bisect
import itertools
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from typing import Any, cast

from tinydb import TinyDB
from tinydb.storages import MemoryStorage
from tinydb.table import Table

from mockserver.store.model import Filters, Record, order_key
from mockserver.store.search_index import SearchIndex

OrderKey = tuple[str, str]
BULK = 64  # more new records than this: sort the order once instead of inserting each
# One record in this many or more matching: walk the list order to the page (in C, ~5 ms at
# 100,000) rather than sort the matches, which reads every matching record (search_index.py
# says why reading records costs forked workers memory).
DENSE = 256


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

    def insert_multiple(self, documents: Iterable[Mapping[str, Any]]) -> list[int]:
        """TinyDB's, without its copy of each document: the store hands over records it never
        changes again. At 100,000 clients the copies (and the originals left freed among live
        objects, which the allocator cannot give back) cost about 60 MB per process."""
        doc_ids: list[int] = []

        def updater(table: dict[int, Any]) -> None:
            for document in documents:
                doc_id = self._get_next_id()
                doc_ids.append(doc_id)
                table[doc_id] = document

        self._update_table(updater)
        return doc_ids

    def replace(self, doc_id: int, document: Mapping[str, Any]) -> None:
        """TinyDB's update by id to exactly `document`, without the closures and the whole-table
        read and write its `update` goes through (a third of a catch-up's put)."""
        stored = self.stored()[str(doc_id)]
        stored.clear()
        stored.update(document)
        self.clear_cache()

    def stored(self) -> dict[str, Any]:
        """The documents as stored, by TinyDB's id as a string: not copies, never to change."""
        return self._read_table()


class Dataset:
    def __init__(self, records: Iterable[Record] = ()) -> None:
        database = TinyDB(storage=MemoryStorage)
        database.table_class = _MemoryTable
        self._table: _MemoryTable = database.table("clients")  # type: ignore[assignment]
        # TinyDB numbers documents itself; this index maps our uuids to its numbers so a lookup
        # by id never scans the table.
        self._doc_ids: dict[str, int] = {}
        # Every record's order_key, sorted: the list order, kept as records arrive; and beside
        # it each one's slot in the index, which a page walks (search_index.py says why).
        self.order: list[OrderKey] = []
        self._order_slots = array("q")
        self._index = SearchIndex()  # the list filters, kept as records arrive
        self.put(records)

    def __len__(self) -> int:
        return len(self._doc_ids)

    def __contains__(self, client_id: str) -> bool:
        return client_id in self._doc_ids

    def get(self, client_id: str) -> Record | None:
        """The stored record itself, not a copy: read it, never change it."""
        doc_id = self._doc_ids.get(client_id)
        document = self._table.get(doc_id=doc_id) if doc_id is not None else None
        return cast(Record | None, document)

    def search(self, filters: Filters) -> list[Record]:
        """Every record matching non-empty filters, in no particular order (not copies).

        The one place a filtered list looks at records; the search index answers which.
        """
        ids = self._index.matching(filters.search, filters.status, filters.industry)
        # TinyDB's own documents, not copies (a search can match thousands): read, never change.
        documents = self._table.stored()
        doc_ids = self._doc_ids
        return cast(list[Record], [documents[str(doc_ids[client_id])] for client_id in ids])

    def page(self, filters: Filters, limit: int, offset: int) -> tuple[list[Record], int]:
        """One page of the records matching non-empty filters, in list order, and their count."""
        index = self._index
        slots = index.matching_slots(filters.search, filters.status, filters.industry)
        if len(slots) * DENSE < len(self.order):
            matches = [self._stored(client_id) for client_id in index.ids_at(slots)]
            matches.sort(key=order_key)
            return [dict(record) for record in matches[offset : offset + limit]], len(slots)
        # Many matches: sorting them all costs more than walking the list order to the page.
        wanted = bytearray(index.slot_count())
        for slot in slots:
            wanted[slot] = 1
        in_order = itertools.compress(self._order_slots, map(wanted.__getitem__, self._order_slots))
        page = index.ids_at(itertools.islice(in_order, offset, offset + limit))
        return [dict(self._stored(client_id)) for client_id in page], len(slots)

    def _stored(self, client_id: str) -> Record:
        return cast(Record, self._table.stored()[str(self._doc_ids[client_id])])

    def records(self) -> list[Record]:
        return [dict(document) for document in self._table.stored().values()]

    def clear(self) -> None:
        self._table.truncate()
        self._doc_ids.clear()
        self.order.clear()
        del self._order_slots[:]
        self._index.clear()

    def put(self, records: Iterable[Record]) -> None:
        # TinyDB rebuilds its table dict on every insert: new records go in as one batch, each
        # once, in its latest version (a catch-up can hold a create and its updates).
        records = list(records)
        self._index.put(records)
        new: dict[str, Record] = {}
        for record in records:
            doc_id = self._doc_ids.get(record["id"])
            if doc_id is None:
                new[record["id"]] = record
                continue
            old = self._table.stored()[str(doc_id)]
            # The list order is by creation time, then id: an update rarely moves a record.
            old_key = order_key(old) if old["created_at"] != record["created_at"] else None
            self._table.replace(doc_id, record)
            if old_key is not None:
                at = bisect.bisect_left(self.order, old_key)
                del self.order[at], self._order_slots[at]
                self._into_order(record)
        if not new:
            return  # TinyDB would still rebuild its whole table for an empty batch
        doc_ids = self._table.insert_multiple(new.values())
        self._doc_ids.update(zip(new, doc_ids, strict=True))
        if len(new) > BULK:
            # One insort moves the whole list: 100,000 of them took seconds at start-up.
            self.order.extend(order_key(record) for record in new.values())
            self.order.sort()
            self._order_slots = array("q", map(self._index.slot_of, _ids_of(self.order)))
            return
        for record in new.values():
            self._into_order(record)

    def _into_order(self, record: Record) -> None:
        key = order_key(record)
        at = bisect.bisect(self.order, key)
        self.order.insert(at, key)
        self._order_slots.insert(at, self._index.slot_of(key[1]))


def _ids_of(keys: Iterable[OrderKey]) -> Iterator[str]:
    return (client_id for _, client_id in keys)


class LazyDataset:
    """A Dataset of records loaded on first use, for the reads a session over the seed makes."""

    def __init__(self, load: Callable[[], list[Record]]) -> None:
        self._load = load
        self._dataset: Dataset | None = None

    def _built(self) -> Dataset:
        if self._dataset is None:
            self._dataset = Dataset(self._load())
        return self._dataset

    def __len__(self) -> int:
        return len(self._built())

    def __contains__(self, client_id: str) -> bool:
        return client_id in self._built()

    def get(self, client_id: str) -> Record | None:
        return self._built().get(client_id)

    def search(self, filters: Filters) -> list[Record]:
        return self._built().search(filters)

    @property
    def order(self) -> list[OrderKey]:
        return self._built().order


SeedData = Dataset | LazyDataset
