"""SearchIndex answers every list filter exactly as model.Filters.match does (issue 15)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from mockserver.store import search_index
from mockserver.store.dataset import Dataset
from mockserver.store.model import Filters, order_key
from mockserver.store.search_index import SearchIndex


@pytest.fixture(autouse=True, params=[7, search_index.CHUNK])
def chunk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Every test also with chunks of a few records, so matches land at chunk boundaries."""
    monkeypatch.setattr(search_index, "CHUNK", request.param)
    return int(request.param)


NAMES = ["Acme Systems", "GLOBEX", "Initech an", "Ünïcode Straße", "tab\there", "nul\x00byte", "",
         "soh\x01byte"]  # fmt: skip
EMAILS = ["hiring@acme.example.com", "ANA@globex.example", None, "x@\x00.example", "y@\x01.example"]
PEOPLE = ["Jane Smith", "Rahul Mehta", None, "ŞAN ÇAY", "İstanbul"]
NEEDLES = ["", "a", "an", "AN", "acm", "ACME SYS", "example", "@", "zz", "straße", "ü",
           "\x00", "l\x00b", "e\x00h", "\t", "jane", "şan", "i̇", "smith", "\x01", "h\x01b",
           "\x01e", "e\x01h"]  # fmt: skip


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


def test_a_dataset_page_follows_records_put_after_it_was_built() -> None:
    """New records one by one and in bulk, and records whose place in the list order moves:
    the page walks the order by index slot, which has to move with them."""
    rng = random.Random(5)

    def dated(number: int) -> dict[str, Any]:
        return {**record(rng, number), "created_at": f"2024-{1 + number % 12:02d}-01T00:00:00.000Z"}

    records = {each["id"]: each for each in map(dated, range(300))}
    dataset = Dataset(records.values())
    for batch in ([dated(n) for n in range(300, 310)], [dated(n) for n in range(310, 400)]):
        moved = [{**dated(n + 5), "id": f"id-{n}"} for n in rng.sample(range(300), 20)]
        renamed = [{**records[f"id-{n}"], "name": f"zz {n}"} for n in rng.sample(range(300), 10)]
        for each in batch + moved + renamed:
            records[each["id"]] = each
        dataset.put(batch)
        dataset.put(moved)  # their created_at moved: a new place in the list order
        dataset.put(renamed)  # the same place, new contents
        for needle in ("", "a", "an", "zz"):
            filters = Filters(needle)
            matching = sorted((r for r in records.values() if filters.match(r)), key=order_key)
            assert dataset.page(filters, 50, 10) == (matching[10:60], len(matching)), needle
