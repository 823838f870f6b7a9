"""Checks that only read, on whatever data the deployment already holds."""

from __future__ import annotations

from typing import Any

from contract_tests.api import ClientsApi
from contract_tests.checks.common import (
    list_all,
    list_ok,
    matches_search,
    parse_time,
    same_industry,
)
from contract_tests.expect import expect, expect_status

DEFAULT_LIMIT = 50
ATTEMPTS = 3  # re-reads when another writer changed the data between two pages


def meta_echoes_limit_and_offset(api: ClientsApi, limit: int, offset: int) -> None:
    page, response = list_ok(api, "GET /clients", limit=limit, offset=offset)
    meta = page["meta"]
    expect(
        (meta["limit"], meta["offset"]) == (limit, offset),
        f"meta must echo limit={limit} and offset={offset}, got {meta}",
        response,
    )
    expect(len(page["data"]) <= limit, f"a page holds at most limit={limit} items", response)
    expected_size = max(0, min(limit, meta["total"] - offset))
    expect(
        len(page["data"]) == expected_size,
        f"with total={meta['total']}, offset={offset} and limit={limit} the page holds"
        f" {expected_size} items, not {len(page['data'])}",
        response,
    )


def paging_defaults_to_limit_50_offset_0(api: ClientsApi) -> None:
    page, response = list_ok(api, "GET /clients without paging parameters")
    expect(
        (page["meta"]["limit"], page["meta"]["offset"]) == (DEFAULT_LIMIT, 0),
        f"without parameters meta must say limit={DEFAULT_LIMIT}, offset=0: {page['meta']}",
        response,
    )
    expect(
        len(page["data"]) == min(DEFAULT_LIMIT, page["meta"]["total"]),
        f"without parameters a page holds min({DEFAULT_LIMIT}, total) items, not"
        f" {len(page['data'])}",
        response,
    )


def empty_search_filters_nothing(api: ClientsApi) -> None:
    for _ in range(ATTEMPTS):
        before, _response = list_ok(api, "GET /clients")
        searched, response = list_ok(api, "GET /clients?search=", search="")
        after, _response = list_ok(api, "GET /clients")
        if before["meta"]["total"] == after["meta"]["total"]:
            break
    expect(
        searched["meta"]["total"] == before["meta"]["total"],
        f"an empty search filters nothing: total {searched['meta']['total']}, not"
        f" {before['meta']['total']}",
        response,
    )


def small_pages_agree_with_one_big_page(api: ClientsApi, limit: int = 3, pages: int = 3) -> None:
    """Paging is stable: consecutive small pages spell out one big page."""
    for _ in range(ATTEMPTS):
        big, big_response = list_ok(api, "GET /clients", limit=limit * pages, offset=0)
        small = [
            list_ok(api, "GET /clients", limit=limit, offset=limit * number)
            for number in range(pages)
        ]
        if all(page["meta"]["total"] == big["meta"]["total"] for page, _ in small):
            break
    joined = [client["id"] for page, _ in small for client in page["data"]]
    expect(
        joined == [client["id"] for client in big["data"]],
        f"{pages} pages of {limit} do not add up to the first {limit * pages} clients",
        big_response,
        *(response for _, response in small),
    )


def newest_first_on_existing_data(api: ClientsApi) -> None:
    page, response = list_ok(api, "GET /clients?limit=100", limit=100)
    stamps = [parse_time(client["created_at"]) for client in page["data"]]
    for position in range(len(stamps) - 1):
        expect(
            stamps[position] >= stamps[position + 1],
            f"item {position} is older than item {position + 1}: the list is newest first",
            response,
        )


def job_counts_are_consistent(api: ClientsApi) -> None:
    page, response = list_ok(api, "GET /clients?limit=100", limit=100)
    for client in page["data"]:
        expect(
            0 <= client["active_jobs_count"] <= client["jobs_count"],
            f"active_jobs_count {client['active_jobs_count']} > jobs_count"
            f" {client['jobs_count']} for client {client['id']}",
            response,
        )


def listed_clients_equal_fetched_ones(api: ClientsApi, sample: int = 5) -> None:
    page, response = list_ok(api, "GET /clients", limit=sample)
    for listed in page["data"]:
        for _ in range(ATTEMPTS):  # another writer may update it between the list and the get
            fetched_response = api.get(listed["id"])
            fetched = expect_status(fetched_response, 200, "GET /clients/{id} of a listed client")
            if fetched == listed or fetched["updated_at"] == listed["updated_at"]:
                break
            listed = next((c for c in list_all(api) if c["id"] == listed["id"]), listed)
        expect(
            fetched == listed,
            "a client in the list differs from the same client fetched by id",
            response,
            fetched_response,
        )


def search_finds_an_existing_client(api: ClientsApi, client: dict[str, Any]) -> None:
    """Search with part of an existing client's name, case swapped: it is found, all hits match."""
    term = client["name"][:8].swapcase()
    hits = list_all(api, search=term)
    expect(
        client["id"] in {hit["id"] for hit in hits},
        f"search={term!r} did not find {client['name']!r}",
    )
    for hit in hits:
        expect(matches_search(hit, term), f"search={term!r} returned a non-match: {hit!r}")


def filters_keep_only_matches(api: ClientsApi, client: dict[str, Any]) -> None:
    """status=<its status>&industry=<its industry, case swapped> finds it, and only matches."""
    params = {"status": client["status"], "industry": client["industry"].swapcase()}
    hits = list_all(api, **params)
    expect(client["id"] in {hit["id"] for hit in hits}, f"filters {params} missed {client['id']}")
    for hit in hits:
        expect(
            hit["status"] == client["status"]
            and same_industry(hit["industry"], client["industry"]),
            f"filters {params} returned a non-match: {hit!r}",
        )
