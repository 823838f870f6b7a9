"""SearchIndex: the list filters answered from columns kept for them, not from the records.

`search` matches a case-insensitive substring of name, email or contact person; `status` is
exact; `industry` is case-insensitive (model.Filters.match is the reference, and the tests hold
this to it). TinyDB answers a filter by building a document for every record and calling the
filter on it, which lowercases three fields each time: ~280 ms a search at 100,000 clients.

Here each record's searched fields are lowercased once per write and kept joined in one string
per record, in a plain list: a search is one C-level `in` per record, ~10-20 ms at 100,000
(bench/RESULTS.md). A trigram index was tried and measured: it answers a rare 3-letter needle
a few ms sooner, but building it took ~2 s at 100,000 (the start-up budget is 3 s) and ~60 MB,
and a common needle ("an", "example") was slower through it than by the scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

SEARCHED = ("name", "email", "contact_person")
# Between one record's fields. A needle without it cannot match across two fields, so one `in`
# on the joined text is exact; a needle holding it can only match a field holding it too.
SEPARATOR = "\x00"


class SearchIndex:
    def __init__(self, records: Iterable[Mapping[str, Any]] = ()) -> None:
        self._slots: dict[str, int] = {}  # id -> slot
        self._ids: list[str | None] = []  # slot -> id (None: a free slot)
        self._texts: list[str] = []  # slot -> lowercased searched fields, joined
        self._status: list[Any] = []
        self._industry: list[str | None] = []  # lowercased
        self._free: list[int] = []
        self._odd: dict[int, tuple[str, ...]] = {}  # slot -> fields, where one holds SEPARATOR
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
            self._texts[slot] = SEPARATOR.join(fields)
            if any(SEPARATOR in field for field in fields):
                self._odd[slot] = fields
            else:
                self._odd.pop(slot, None)
            self._status[slot] = record.get("status")
            industry = record.get("industry")
            self._industry[slot] = industry.lower() if isinstance(industry, str) else None

    def _load(self, records: list[Mapping[str, Any]]) -> None:
        """`put` into an empty index, column by column (a third faster: start-up)."""
        ids: list[str] = [record["id"] for record in records]
        self._ids = list(ids)
        self._slots = {client_id: slot for slot, client_id in enumerate(ids)}
        self._texts = [
            f"{(record.get('name') or '').lower()}{SEPARATOR}"
            f"{(record.get('email') or '').lower()}{SEPARATOR}"
            f"{(record.get('contact_person') or '').lower()}"
            for record in records
        ]
        self._status = [record.get("status") for record in records]
        self._industry = [
            industry.lower() if isinstance(industry := record.get("industry"), str) else None
            for record in records
        ]
        self._odd = {  # a field holds the separator itself
            slot: tuple((records[slot].get(name) or "").lower() for name in SEARCHED)
            for slot, text in enumerate(self._texts)
            if text.count(SEPARATOR) != len(SEARCHED) - 1
        }

    def remove(self, client_id: str) -> None:
        slot = self._slots.pop(client_id, None)
        if slot is not None:
            self._ids[slot], self._texts[slot] = None, ""
            self._status[slot] = self._industry[slot] = None
            self._odd.pop(slot, None)
            self._free.append(slot)

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    def matching(
        self, search: str = "", status: str | None = None, industry: str | None = None
    ) -> list[str]:
        """Ids of the records matching every filter given, in no particular order."""
        needle = search.lower()
        texts = self._texts
        if not needle:
            slots = list(self._slots.values())
        elif SEPARATOR in needle:
            odd = self._odd.items()
            slots = [slot for slot, fields in odd if any(needle in field for field in fields)]
        else:  # a free slot's text is empty and never holds a needle
            slots = [slot for slot, text in enumerate(texts) if needle in text]
        if status is not None:
            slots = [slot for slot in slots if self._status[slot] == status]
        if industry is not None:
            wanted = industry.lower()
            slots = [slot for slot in slots if self._industry[slot] == wanted]
        ids = self._ids
        return [ids[slot] for slot in slots]  # type: ignore[misc]

    def _grow(self) -> int:
        self._ids.append(None)
        self._texts.append("")
        self._status.append(None)
        self._industry.append(None)
        return len(self._ids) - 1
