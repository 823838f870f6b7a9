"""The list: search, filters, paging and order, checked on records the check creates.

On an eventually consistent deployment a read after a write is retried for up to --settle
seconds under the checks, in the suite's HTTP transport (contract_tests/settling.py).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from contract_tests.api import ClientsApi, unique_marker
from contract_tests.checks.common import create_ok, list_ok, parse_time, wait_for_clock_to_move
from contract_tests.expect import expect, expect_status


def filters_select_exactly_the_matches_and_combine(api: ClientsApi) -> None:
    """status is exact, industry a case-insensitive exact match; together they AND."""
    marker = unique_marker()
    industry, longer_industry = f"{marker} Fintech", f"{marker} Fintech Labs"
    made = {
        (status, kind): create_ok(
            api, {"name": f"{marker} {status} {kind}", "status": status, "industry": kind}
        )["id"]
        for status in ("active", "inactive")
        for kind in (industry, longer_industry)
    }
    expect_exactly(
        api,
        {made["active", industry], made["inactive", industry]},
        "industry matches case-insensitively and exactly (not as a prefix)",
        industry=industry.upper(),
    )
    expect_exactly(
        api,
        {made["inactive", industry], made["inactive", longer_industry]},
        "status=inactive keeps only inactive clients",
        search=marker,
        status="inactive",
    )
    expect_exactly(
        api,
        {made["active", longer_industry]},
        "status and industry combine with AND",
        status="active",
        industry=longer_industry.lower(),
    )
    expect_exactly(
        api,
        set(),
        "search, status and industry combine with AND",
        search=f"{marker} active",
        status="inactive",
    )
    for status in ("active", "inactive"):
        page, response = list_ok(api, f"GET /clients?status={status}", status=status, limit=100)
        for client in page["data"]:
            expect(client["status"] == status, f"status={status} returned {client!r}", response)


def expect_exactly(api: ClientsApi, wanted: set[str], why: str, **params: str) -> None:
    """The list with `params` holds exactly the clients `wanted`."""
    page, response = list_ok(api, f"GET /clients {params}", **params)
    found = [client["id"] for client in page["data"]]
    expect(set(found) == wanted, f"{why}: expected {len(wanted)} matches", response)
    expect(page["meta"]["total"] == len(wanted), f"{why}: total is wrong", response)


def update_moves_a_client_between_filters(api: ClientsApi) -> None:
    """After an update of industry and status, the filters find the client by the new values
    and no longer by the old ones."""
    marker = unique_marker()
    old, new = f"{marker} Retail", f"{marker} Logistics"
    client = create_ok(api, {"name": marker, "industry": old, "status": "active"})
    expect_exactly(api, {client["id"]}, "the filter finds a new client", industry=old)
    changes = {"industry": new, "status": "inactive"}
    expect_status(api.update(client["id"], changes), 200, "PUT /clients/{id}")
    expect_exactly(
        api,
        {client["id"]},
        "the filter finds an updated client by its new industry",
        industry=new.swapcase(),
        status="inactive",
    )
    expect_exactly(api, set(), "the filter no longer finds it by its old industry", industry=old)
    expect_exactly(api, set(), "nor by its old status", search=marker, status="active")


def pages_are_disjoint_and_cover_every_match(
    api: ClientsApi, count: int = 5, limit: int = 2
) -> None:
    """meta.total counts every match; pages of `limit` are disjoint and cover them all."""
    marker = unique_marker()
    ids = {create_ok(api, {"name": f"{marker} {number}"})["id"] for number in range(count)}
    walk_pages(api, marker, ids, limit)


def walk_pages(api: ClientsApi, marker: str, ids: set[str], limit: int) -> None:
    count = len(ids)
    seen: list[str] = []
    for offset in range(0, count + limit, limit):
        page, response = list_ok(
            api, "GET /clients paging", search=marker, limit=limit, offset=offset
        )
        data = page["data"]
        expect(
            page["meta"]["total"] == count,
            f"meta.total must count all {count} matches, not the page (got"
            f" {page['meta']['total']})",
            response,
        )
        expect(
            len(data) == max(0, min(limit, count - offset)),
            f"page at offset {offset} with limit {limit} of {count} matches has {len(data)} items",
            response,
        )
        expect(
            not set(seen) & {client["id"] for client in data},
            f"the page at offset {offset} repeats clients of earlier pages",
            response,
        )
        seen += [client["id"] for client in data]
    expect(set(seen) == ids, "the pages together miss some matches", response)


def newest_client_comes_first(api: ClientsApi) -> None:
    """The list is ordered by created_at, newest first: not by name, not by updated_at."""
    marker = unique_marker()
    made: list[str] = []
    # Names out of alphabetical order, so that sorting by name cannot pass for newest first.
    for suffix in ("b", "c", "a"):
        created = create_ok(api, {"name": f"{marker} {suffix}"})
        made.append(created["id"])
        wait_for_clock_to_move(created["created_at"])
    # Touch the oldest: a later updated_at must not move it up.
    expect_status(api.update(made[0], {"notes": "touched"}), 200, "PUT /clients/{id}")

    # Judged by the created_at each record carries, not by the order the suite sent the
    # creates: servers behind a load balancer may have clocks a few ms apart.
    page, response = list_ok(api, "GET /clients?search=<marker>", search=marker)
    stamps = [parse_time(client["created_at"]) for client in page["data"]]
    expect(
        {client["id"] for client in page["data"]} == set(made)
        and all(newer >= older for newer, older in pairwise(stamps)),
        "the list must be ordered by created_at, newest first: " + newest_first_table(page),
        response,
    )


def newest_first_table(page: dict[str, Any]) -> str:
    return ", ".join(f"{client['name']} created {client['created_at']}" for client in page["data"])
