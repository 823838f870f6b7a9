"""One client at a time: create, fetch, partial update, defaults, unicode."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from contract_tests.api import ClientsApi, unique_marker
from contract_tests.checks.common import create_ok, list_ok, parse_time, wait_for_clock_to_move
from contract_tests.expect import expect, expect_status

# What a client created without the optional fields holds (the contract's createClient text).
DEFAULTS: dict[str, Any] = {
    "email": None,
    "phone": None,
    "address": None,
    "contact_person": None,
    "website": None,
    "industry": None,
    "status": "active",
    "tags": [],
    "notes": None,
    "metadata": {},
}
REPLACED_WHOLE = ("tags", "metadata")
# RFC 3339 in UTC, written with a Z (the API decisions); any number of fraction digits.
UTC_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z")


def expect_utc_timestamps(client: dict[str, Any], response: httpx.Response) -> None:
    for field in ("created_at", "updated_at"):
        expect(
            isinstance(client.get(field), str) and UTC_TIMESTAMP.fullmatch(client[field]),
            f"`{field}` must be RFC 3339 UTC with a Z, e.g. 2026-11-29T16:10:12.123Z; got"
            f" {client.get(field)!r}",
            response,
        )


def created_client_matches_what_was_sent(api: ClientsApi, body: dict[str, Any]) -> dict[str, Any]:
    """A created client holds what was sent, defaults elsewhere, and GET returns the same."""
    response = api.create(body)
    created: dict[str, Any] = expect_status(response, 201, "POST /clients with a valid body")
    for field, value in {**DEFAULTS, **body}.items():
        origin = "was sent" if field in body else "is the default"
        expect(
            created.get(field) == value,
            f"created client: `{field}` is {created.get(field)!r}, but {value!r} {origin}",
            response,
        )
    expect(
        (created["jobs_count"], created["active_jobs_count"]) == (0, 0),
        "a new client has no jobs yet, so jobs_count and active_jobs_count must be 0",
        response,
    )
    expect_utc_timestamps(created, response)
    expect(
        parse_time(created["updated_at"]) == parse_time(created["created_at"]),
        "creation sets created_at and updated_at to the same instant, got"
        f" {created['created_at']} and {created['updated_at']}",
        response,
    )
    fetch_equals(api, created, response, "created client")
    return created


def fetch_equals(
    api: ClientsApi, expected: dict[str, Any], response: httpx.Response, what: str
) -> None:
    """GET by id returns exactly `expected` (the body of the write that made it)."""
    fetched_response = api.get(expected["id"])
    fetched = expect_status(fetched_response, 200, f"GET /clients/{{id}} of a {what}")
    expect(
        fetched == expected,
        f"GET of a {what} differs from the write's response: {differences(expected, fetched)}",
        response,
        fetched_response,
    )


def new_client_gets_the_defaults(api: ClientsApi) -> None:
    """Only `name` sent: status active, tags [], metadata {}, the rest null."""
    created_client_matches_what_was_sent(api, {"name": unique_marker()})


def location_points_at_the_created_client(api: ClientsApi) -> None:
    response = api.create({"name": unique_marker()})
    created = expect_status(response, 201, "POST /clients with a valid body")
    location = response.headers.get("location")
    expect(location, "a 201 from POST /clients must carry a Location header", response)
    resolved = urljoin(str(response.request.url), location)
    expected_path = urlsplit(api.url(f"/clients/{created['id']}")).path
    expect(
        urlsplit(resolved).path == expected_path,
        f"Location {location!r} does not point at {expected_path}",
        response,
    )

    fetched_response = api.http.get(resolved, headers=api.auth)
    fetched = expect_status(fetched_response, 200, "GET the URL in the Location header")
    expect(fetched == created, "the Location URL serves another document", fetched_response)


def update_changes_exactly_the_fields_sent(
    api: ClientsApi, original: dict[str, Any], changes: dict[str, Any]
) -> dict[str, Any]:
    """Sent fields replace (null clears, tags and metadata whole), absent ones stay, and
    updated_at moves."""
    before = create_ok(api, original)
    wait_for_clock_to_move(before["updated_at"])
    response = api.update(before["id"], changes)
    after: dict[str, Any] = expect_status(response, 200, "PUT /clients/{id} with a valid body")
    expected = {**before, **changes}
    for field, value in expected.items():
        if field != "updated_at":
            expect(
                after.get(field) == value, update_message(field, before, after, changes), response
            )
    expect_utc_timestamps(after, response)
    expect(
        parse_time(after["updated_at"]) > parse_time(before["updated_at"]),
        f"every successful update moves updated_at, but it stayed {after['updated_at']}"
        f" (created/updated at {before['updated_at']})",
        response,
    )
    fetch_equals(api, after, response, "client just updated")
    return after


def update_message(
    field: str, before: dict[str, Any], after: dict[str, Any], changes: dict[str, Any]
) -> str:
    if field not in changes:
        return (
            f"PUT did not send `{field}`, yet it changed from {before[field]!r} to"
            f" {after.get(field)!r}: absent fields keep their value"
        )
    message = f"PUT sent `{field}`: {changes[field]!r}, but the client now has {after.get(field)!r}"
    if field in REPLACED_WHOLE:
        message += f" ({field} are replaced whole, not merged)"
    if changes[field] is None:
        message += " (null clears the field)"
    return message


def unicode_round_trips(api: ClientsApi, text: str) -> None:
    """Non-ASCII text comes back unchanged from create, update, get and list."""
    marker = unique_marker()
    body = {
        "name": f"{marker} {text}",
        "contact_person": text,
        "notes": text,
        "tags": [text],
        "metadata": {text: text},
    }
    created = created_client_matches_what_was_sent(api, body)
    updated = update_changes_exactly_the_fields_sent(
        api, body, {"address": text, "tags": [text, "x"]}
    )

    page, response = list_ok(api, "GET /clients?search=<marker>", search=marker)
    wanted = {created["id"]: created, updated["id"]: updated}
    listed = [client for client in page["data"] if client["id"] in wanted]
    expect(len(listed) == 2, f"search for {marker!r} should find both clients", response)
    for client in listed:
        expect(client == wanted[client["id"]], f"list mangled unicode: {client!r}", response)


def differences(expected: dict[str, Any], actual: Any) -> str:
    if not isinstance(actual, dict):
        return f"got {actual!r}"
    keys = sorted(set(expected) | set(actual))
    return ", ".join(
        f"{key}: {expected.get(key)!r} != {actual.get(key)!r}"
        for key in keys
        if expected.get(key) != actual.get(key)
    )
