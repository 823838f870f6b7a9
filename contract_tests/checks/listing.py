"""The list: search, filters, paging and order, checked on records the check creates."""

from __future__ import annotations

from typing import Any

from contract_tests.api import RECORD_PREFIX, ClientsApi, unique_marker
from contract_tests.checks.common import create_ok, list_ok, matches_search, wait_for_clock_to_move
from contract_tests.expect import expect, expect_status


def search_matches_name_email_and_contact_person(api: ClientsApi) -> None:
    """Search is a case-insensitive substring match on name, email and contact_person only."""
    marker = unique_marker()
    by_name = create_ok(api, {"name": f"{marker} Zoë Ærø Holdings"})
    by_email = create_ok(api, {"name": f"{RECORD_PREFIX}email", "email": f"{marker}@example.com"})
    by_contact = create_ok(
        api, {"name": f"{RECORD_PREFIX}contact", "contact_person": f"Asha {marker}"}
    )
    elsewhere = create_ok(
        api,
        {
            "name": f"{RECORD_PREFIX}elsewhere",
            "address": marker,
            "industry": marker,
            "notes": marker,
            "tags": [marker],
            "metadata": {"marker": marker},
        },
    )
    # An inner part of the marker, in upper case: a substring that differs in case.
    term = marker[len(RECORD_PREFIX) + 2 : -2].upper()
    page, response = list_ok(api, "GET /clients?search=...", search=term)
    found = {client["id"] for client in page["data"]}
    for client, field in ((by_name, "name"), (by_email, "email"), (by_contact, "contact_person")):
        expect(
            client["id"] in found,
            f"search={term!r} missed a client whose {field} contains it"
            f" ({client[field]!r}); search matches {field}, case-insensitively",
            response,
        )
    expect(
        elsewhere["id"] not in found,
        f"search={term!r} returned a client that has it only outside name, email and"
        " contact_person",
        response,
    )
    for client in page["data"]:
        expect(matches_search(client, term), f"search hit does not match: {client!r}", response)
    expect(
        page["meta"]["total"] == 3, f"search={term!r} has 3 matches; total says otherwise", response
    )
    # Case-insensitive beyond ASCII too (letters with a one-to-one upper case).
    accented = f"{marker[-4:]} Zoë Ærø".upper()
    page, response = list_ok(api, "GET /clients?search=...", search=accented)
    hits = [client["id"] for client in page["data"]]
    expect(hits == [by_name["id"]], f"search={accented!r} must find {by_name['name']!r}", response)


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

    def expect_exactly(wanted: set[str], why: str, **params: str) -> None:
        page, response = list_ok(api, f"GET /clients {params}", **params)
        found = [client["id"] for client in page["data"]]
        expect(set(found) == wanted, f"{why}: expected {len(wanted)} matches", response)
        expect(page["meta"]["total"] == len(wanted), f"{why}: total is wrong", response)

    expect_exactly(
        {made["active", industry], made["inactive", industry]},
        "industry matches case-insensitively and exactly (not as a prefix)",
        industry=industry.upper(),
    )
    expect_exactly(
        {made["inactive", industry], made["inactive", longer_industry]},
        "status=inactive keeps only inactive clients",
        search=marker,
        status="inactive",
    )
    expect_exactly(
        {made["active", longer_industry]},
        "status and industry combine with AND",
        status="active",
        industry=longer_industry.lower(),
    )
    expect_exactly(
        set(),
        "search, status and industry combine with AND",
        search=f"{marker} active",
        status="inactive",
    )
    for status in ("active", "inactive"):
        page, response = list_ok(api, f"GET /clients?status={status}", status=status, limit=100)
        for client in page["data"]:
            expect(client["status"] == status, f"status={status} returned {client!r}", response)


def pages_are_disjoint_and_cover_every_match(
    api: ClientsApi, count: int = 5, limit: int = 2
) -> None:
    """meta.total counts every match; pages of `limit` are disjoint and cover them all."""
    marker = unique_marker()
    ids = {create_ok(api, {"name": f"{marker} {number}"})["id"] for number in range(count)}
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
    page, response = list_ok(api, "GET /clients?search=<marker>", search=marker)
    expect(
        [client["id"] for client in page["data"]] == made[::-1],
        "clients created one after another must list newest created first: "
        + newest_first_table(page),
        response,
    )


def newest_first_table(page: dict[str, Any]) -> str:
    return ", ".join(f"{client['name']} created {client['created_at']}" for client in page["data"])
