"""SearchIndex: the list filters answered from columns kept for them, not from the records.

`search` matches a case-insensitive substring of name, email or contact person; `status` is
exact; `industry` is case-insensitive (model.Filters.match is the reference, and the tests hold
this to it). TinyDB answers a filter by building a document for every record and calling the
filter on it, which lowercases three fields each time: ~280 ms a search at 100,000 clients.

Here each record's searched fields are lowercased once per write and kept joined in one string
per record, in a plain list: a search is one C-level `in` per record, ~10-20 ms at 100,000
(docs/benchmarks.md). A trigram index was tried and measured: it answers a rare 3-letter needle
a few ms sooner, but building it took ~2 s at 100,000 (the start-up budget is 3 s) and ~60 MB,
and a common needle ("an", "example") was slower through it than by the scan.

The texts are scanned as chunks, each one string joining many records' texts, and a search
answers slots (fresh ints), never the records' own objects. Workers are forked from the process
that loaded the store and share its memory until they write to it; CPython writes to every
object a loop hands out (its reference count), so a scan over one string per record, and a walk
over the records' ids, made each worker copy ~100 MB at 100,000 clients (issue 15's memory).
A chunk is read by `in` and `split` without touching the strings it was joined from.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import Any

SEARCHED = ("name", "email", "contact_person")
# Between one record's fields, and between records in a chunk. A needle without either cannot
# match across two fields, so one `in` on the joined text is exact; a needle holding one can only
# match a field holding it too (the `odd` records, checked field by field).
SEPARATOR = "\x00"
RECORD_SEPARATOR = "\x01"
CHUNK = 512  # records a chunk joins: a search skips a chunk without the needle at C speed


class SearchIndex:
    def __init__(self, records: Iterable[Mapping[str, Any]] = ()) -> None:
        self._slots: dict[str, int] = {}  # id -> slot
        self._ids: list[str | None] = []  # slot -> id (None: a free slot)
        self._texts: list[str] = []  # slot -> lowercased searched fields, joined
        self._status: list[Any] = []
        self._industry: list[str | None] = []  # lowercased
        self._free: list[int] = []
        self._odd: dict[int, tuple[str, ...]] = {}  # slot -> fields, where one holds a separator
        self._chunks: list[str | None] = []  # texts of CHUNK slots, joined; None: to be joined
        self.put(records)

    def __len__(self) -> int:
        return len(self._slots)

    def put(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Add records, or replace the indexed version of records already held (by id)."""
        records = list(records)
        if not self._ids and len({record["id"] for record in records}) == len(records):
            self._load(records)
            return
        for record in records:
            slot = self._slots.get(record["id"])
            if slot is None:
                slot = self._free.pop() if self._free else self._grow()
                self._slots[record["id"]] = slot
                self._ids[slot] = record["id"]
            fields = tuple((record.get(name) or "").lower() for name in SEARCHED)
            self._texts[slot] = _text(SEPARATOR.join(fields))
            if any(SEPARATOR in field or RECORD_SEPARATOR in field for field in fields):
                self._odd[slot] = fields
            else:
                self._odd.pop(slot, None)
            self._status[slot], self._industry[slot] = _filtered(record)
            self._chunks[slot // CHUNK] = None

    def _load(self, records: list[Mapping[str, Any]]) -> None:
        """`put` into an empty index, column by column (a third faster: start-up)."""
        ids: list[str] = [record["id"] for record in records]
        self._ids = list(ids)
        self._slots = {client_id: slot for slot, client_id in enumerate(ids)}
        self._texts = [
            _text(
                f"{(record.get('name') or '').lower()}{SEPARATOR}"
                f"{(record.get('email') or '').lower()}{SEPARATOR}"
                f"{(record.get('contact_person') or '').lower()}"
            )
            for record in records
        ]
        self._status, self._industry = [], []
        for record in records:
            status, industry = _filtered(record)
            self._status.append(status)
            self._industry.append(industry)
        self._odd = {  # a field holds a separator itself
            slot: tuple((records[slot].get(name) or "").lower() for name in SEARCHED)
            for slot, text in enumerate(self._texts)
            if text.count(SEPARATOR) != len(SEARCHED) - 1
        }
        self._chunks = [None] * -(-len(ids) // CHUNK)
        for number in range(len(self._chunks)):
            self._joined(number)

    def remove(self, client_id: str) -> None:
        slot = self._slots.pop(client_id, None)
        if slot is not None:
            self._ids[slot], self._texts[slot] = None, ""
            self._status[slot] = self._industry[slot] = None
            self._odd.pop(slot, None)
            self._free.append(slot)
            self._chunks[slot // CHUNK] = None

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    def matching(
        self, search: str = "", status: str | None = None, industry: str | None = None
    ) -> list[str]:
        """Ids of the records matching every filter given, in no particular order."""
        return self.ids_at(self.matching_slots(search, status, industry))

    def matching_slots(
        self, search: str = "", status: str | None = None, industry: str | None = None
    ) -> list[int]:
        """Slots (see `slot_of`) of the records matching every filter given."""
        needle = search.lower()
        if not needle:
            free = set(self._free)
            slots = [slot for slot in range(len(self._ids)) if slot not in free]
        elif SEPARATOR in needle or RECORD_SEPARATOR in needle:
            odd = self._odd.items()
            slots = [slot for slot, fields in odd if any(needle in field for field in fields)]
        else:  # a free slot's text is empty and never holds a needle
            slots = self._scan(needle)
        if status is not None:
            slots = [slot for slot in slots if self._status[slot] == status]
        if industry is not None:
            wanted = industry.lower()
            slots = [slot for slot in slots if self._industry[slot] == wanted]
        return slots

    def slot_of(self, client_id: str) -> int:
        """Where a record's columns are held: a small number, reused once it is removed."""
        return self._slots[client_id]

    def slot_count(self) -> int:
        return len(self._ids)

    def ids_at(self, slots: Iterable[int]) -> list[str]:
        ids = self._ids
        return [ids[slot] for slot in slots]  # type: ignore[misc]

    def _scan(self, needle: str) -> list[int]:
        slots: list[int] = []
        for number in range(len(self._chunks)):
            chunk = self._joined(number)
            if needle in chunk:
                first = number * CHUNK
                texts = chunk.split(RECORD_SEPARATOR)
                slots.extend(first + at for at, text in enumerate(texts) if needle in text)
        return slots

    def _joined(self, number: int) -> str:
        chunk = self._chunks[number]
        if chunk is None:
            chunk = RECORD_SEPARATOR.join(self._texts[number * CHUNK : (number + 1) * CHUNK])
            self._chunks[number] = chunk
        return chunk

    def _grow(self) -> int:
        self._ids.append(None)
        self._texts.append("")
        self._status.append(None)
        self._industry.append(None)
        if len(self._ids) > len(self._chunks) * CHUNK:
            self._chunks.append(None)
        return len(self._ids) - 1


def _text(joined: str) -> str:
    """A record's searched text as held in a chunk: one separator stands for both (a needle
    holding either is matched field by field)."""
    return joined.replace(RECORD_SEPARATOR, SEPARATOR) if RECORD_SEPARATOR in joined else joined


def _filtered(record: Mapping[str, Any]) -> tuple[Any, str | None]:
    """Status and lowercased industry, each value one shared string (interned): a filter then
    reads one object per value, not one per record (see the module's note on forked memory)."""
    status, industry = record.get("status"), record.get("industry")
    status = sys.intern(status) if isinstance(status, str) else status
    return status, sys.intern(industry.lower()) if isinstance(industry, str) else None
