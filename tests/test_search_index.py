"""SearchIndex answers every list filter exactly as model.Filters.match does (issue 15)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from mockserver.store.dataset import Dataset
from mockserver.store.model import Filters, order_key
from mockserver.store.search_index import SearchIndex

NAMES = ["Acme Systems", "GLOBEX", "Initech an", "Ünïcode Straße", "tab\there", "nul\x00byte", ""]
EMAILS = ["hiring@acme.example.com", "ANA@globex.example", None, "x@\x00.example"]
PEOPLE = ["Jane Smith", "Rahul Mehta", None, "ŞAN ÇAY", "İstanbul"]
NEEDLES = ["", "a", "an", "AN", "acm", "ACME SYS", "example", "@", "zz", "straße", "ü",
           "\x00", "l\x00b", "e\x00h", "\t", "jane", "şan", "i̇", "smith"]  # fmt: skip


def record(rng: random.Random, number: int) -> dict[str, Any]:
    return {
        "id": f"id-{number}",
        "name": f"{rng.choice(NAMES)} {number}",
        "email": rng.choice(EMAILS),
        "contact_person": rng.choice(PEOPLE),
        "status": rng.choice(["active", "inactive"]),
        "industry": rng.choice(["Technology", "technology", "FINANCE", None]),
    }


def expected(records: dict[str, dict[str, Any]], filters: Filters) -> set[str]:
    return {client_id for client_id, each in records.items() if filters.match(each)}


def found(index: SearchIndex, filters: Filters) -> set[str]:
    ids = index.matching(filters.search, filters.status, filters.industry)
    assert len(ids) == len(set(ids)), "an id matched twice"
    return set(ids)


FILTERS = [
    Filters(needle, status, industry)
    for needle in NEEDLES
    for status in (None, "active")
    for industry in (None, "technology", "Finance", "retail")
]


@pytest.mark.parametrize("seed", [1, 2])
def test_every_filter_matches_exactly_what_the_reference_matches(seed: int) -> None:
    rng = random.Random(seed)
    records = {f"id-{n}": record(rng, n) for n in range(300)}
    index = SearchIndex(records.values())
    assert len(index) == 300
    for filters in FILTERS:
        assert found(index, filters) == expected(records, filters), filters


def test_updates_and_removals_are_seen_by_the_next_search() -> None:
    rng = random.Random(3)
    records = {f"id-{n}": record(rng, n) for n in range(200)}
    index = SearchIndex(records.values())
    for step in range(400):
        client_id = f"id-{rng.randrange(260)}"  # some new ids, most existing
        if step % 7 == 0 and client_id in records:
            del records[client_id]
            index.remove(client_id)
        else:
            records[client_id] = {**record(rng, step), "id": client_id}
            index.put([records[client_id]])
    assert len(index) == len(records)
    for filters in FILTERS:
        assert found(index, filters) == expected(records, filters), filters


def test_a_removed_slot_is_reused_and_clear_forgets_everything() -> None:
    index = SearchIndex([{"id": "a", "name": "Alpha"}, {"id": "b", "name": "Beta"}])
    index.remove("a")
    index.remove("missing")  # nothing to do
    index.put([{"id": "c", "name": "Alphabet"}])
    assert index.matching("alpha") == ["c"]
    assert sorted(index.matching()) == ["b", "c"]
    index.clear()
    assert (len(index), index.matching()) == (0, [])


@pytest.mark.parametrize("needle", ["", "a", "an", "acme", "zz", "straße"])
def test_a_dataset_page_is_the_matches_in_list_order_sparse_or_dense(needle: str) -> None:
    rng = random.Random(4)
    records = [
        {**record(rng, n), "created_at": f"2024-01-{1 + n % 28:02d}T00:00:00.000Z"}
        for n in range(400)
    ]
    dataset = Dataset(records)
    for status in (None, "inactive"):
        filters = Filters(needle, status, "technology")
        matching = sorted((each for each in records if filters.match(each)), key=order_key)
        for offset, limit in ((0, 5), (3, 50), (len(matching) - 1, 10), (500, 10)):
            page, total = dataset.page(filters, limit, max(offset, 0))
            assert total == len(matching)
            assert page == matching[max(offset, 0) : max(offset, 0) + limit], (filters, offset)
