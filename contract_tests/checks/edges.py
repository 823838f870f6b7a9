"""Values at and around each edge the contract draws: field lengths, nullability, enums,
read-only and unknown fields, paging bounds. An invalid request gets a 400 problem and
changes nothing; the value on the right side of the edge is accepted."""

from __future__ import annotations

from typing import Any

from contract_tests.api import ClientsApi, unique_marker
from contract_tests.checks.common import create_ok, expect_problem, list_ok
from contract_tests.expect import expect, expect_status

# Bodies that break ClientCreate / ClientUpdate, each with why.
INVALID_FIELDS: list[tuple[str, dict[str, Any]]] = [
    ("name is never null", {"name": None}),
    ("name has at least 1 character", {"name": ""}),
    ("name has at most 255 characters", {"name": "n" * 256}),
    ("phone has at most 50 characters", {"phone": "1" * 51}),
    ("status is active or inactive", {"status": "paused"}),
    ("status is never null", {"status": None}),
    ("tags is never null", {"tags": None}),
    ("tags hold strings", {"tags": [1]}),
    ("metadata is never null", {"metadata": None}),
    ("metadata is an object", {"metadata": []}),
    ("email is an email address", {"email": "not-an-email"}),
    ("id is read-only", {"id": "7c9e6679-7425-40de-944b-e07fc1f90ae7"}),
    ("jobs_count is read-only", {"jobs_count": 3}),
    ("created_at is read-only", {"created_at": "2026-01-01T00:00:00.000Z"}),
    ("unknown fields are refused", {"nmae": "typo"}),
]
# On the right side of each edge: accepted as sent.
VALID_EDGES: dict[str, Any] = {
    "name": "n" * 255,
    "phone": "1" * 50,
    "email": "first.last+jobs@sub.example.co.uk",
    "tags": [],
    "metadata": {},
}


def invalid_creates_get_400_and_create_nothing(api: ClientsApi) -> None:
    marker = unique_marker()
    for why, fields in INVALID_FIELDS:
        body = {"name": marker, **fields}
        expect_problem(api.create(body), 400, f"POST /clients where {why}: {fields}")
    page, response = list_ok(api, "GET /clients?search=<marker>", search=marker)
    expect(page["meta"]["total"] == 0, "a refused create stored a client anyway", response)


def invalid_updates_get_400_and_change_nothing(api: ClientsApi) -> None:
    original = create_ok(api, {"name": unique_marker(), "email": "a@example.com", "tags": ["t"]})
    for why, fields in INVALID_FIELDS:
        response = api.update(original["id"], fields)
        expect_problem(response, 400, f"PUT /clients/{{id}} where {why}: {fields}")

    response = api.get(original["id"])
    after = expect_status(response, 200, "GET /clients/{id} after refused updates")
    expect(after == original, "a refused update changed the client", response)


def values_at_the_edges_are_accepted(api: ClientsApi) -> None:
    created = create_ok(api, {**VALID_EDGES, "name": unique_marker()})
    for field, value in VALID_EDGES.items():
        if field != "name":
            expect(created[field] == value, f"POST /clients stored {field}={created[field]!r}")
    response = api.update(created["id"], {"name": VALID_EDGES["name"]})
    updated = expect_status(response, 200, "PUT /clients/{id} with a 255-character name")
    expect(updated["name"] == VALID_EDGES["name"], "a 255-character name was not kept", response)


PAGING_REFUSED = [
    {"limit": "0"},
    {"limit": "101"},
    {"limit": "-1"},
    {"limit": "abc"},
    {"limit": "1.5"},
    {"offset": "-1"},
    {"offset": "x"},
    {"status": "ACTIVE"},
    {"status": "deleted"},
]


def paging_parameter_edges(api: ClientsApi) -> None:
    """limit 1..100 and offset >= 0 are accepted as given; past either edge, or not an integer,
    is a 400; status is one of its two values, exactly."""
    for limit in (1, 100):
        page, response = list_ok(api, f"GET /clients?limit={limit}", limit=limit)
        expect(page["meta"]["limit"] == limit, f"limit={limit} must be echoed", response)
        expect(
            len(page["data"]) == min(limit, page["meta"]["total"]),
            f"limit={limit} must give min(limit, total) items, got {len(page['data'])}",
            response,
        )
    for params in PAGING_REFUSED:
        response = api.list(**params)
        expect_problem(
            response, 400, f"GET /clients?{'&'.join(f'{k}={v}' for k, v in params.items())}"
        )


def offset_past_the_end_keeps_the_true_total(api: ClientsApi, attempts: int = 3) -> None:
    for _ in range(attempts):  # another writer may change the total in between
        first, _response = list_ok(api, "GET /clients", limit=1)
        total = first["meta"]["total"]
        past, response = list_ok(api, "GET /clients past the end", offset=total + 5, limit=10)
        if past["meta"]["total"] == total:
            break
    expect(past["data"] == [], "an offset past the end gives an empty page", response)
    expect(
        past["meta"]["total"] == total,
        f"an offset past the end keeps the true total {total}, got {past['meta']['total']}",
        response,
    )
