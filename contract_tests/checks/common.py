"""Helpers shared by the checks: creating, paging, timestamps, problem documents."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import httpx

from contract_tests.api import ClientsApi
from contract_tests.expect import expect, expect_status

PROBLEM_MEDIA_TYPE = "application/problem+json"
SEARCHED_FIELDS = ("name", "email", "contact_person")
MAX_PAGES = 50  # bounds a walk through a large shared deployment


def create_ok(api: ClientsApi, body: dict[str, Any]) -> dict[str, Any]:
    response = api.create(body)
    created: dict[str, Any] = expect_status(response, 201, "POST /clients with a valid body")
    return created


def list_ok(
    api: ClientsApi, doing: str, **params: str | int
) -> tuple[dict[str, Any], httpx.Response]:
    response = api.list(**params)
    page: dict[str, Any] = expect_status(response, 200, doing)
    return page, response


def list_all(api: ClientsApi, **params: str | int) -> list[dict[str, Any]]:
    """Every match of a filtered list, page by page (bounded)."""
    items: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        page, _response = list_ok(
            api, f"GET /clients {params}", **params, limit=100, offset=len(items)
        )
        items += page["data"]
        if not page["data"] or len(items) >= page["meta"]["total"]:
            break
    return items


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def wait_for_clock_to_move(timestamp: str) -> None:
    """Sleep past the precision of `timestamp`, so the next write gets a later one."""
    fraction = timestamp.rstrip("Z").partition(".")[2]
    time.sleep(max(2 * 10 ** -len(fraction), 0.005))


def matches_search(client: dict[str, Any], term: str) -> bool:
    """A hit by either reading of case-insensitive the API decisions accept."""
    return any(
        fold(term) in fold(client[field] or "")
        for fold in (str.lower, str.casefold)
        for field in SEARCHED_FIELDS
    )


def same_industry(stored: str | None, wanted: str) -> bool:
    return stored is not None and (
        stored.lower() == wanted.lower() or stored.casefold() == wanted.casefold()
    )


def expect_problem(response: httpx.Response, status: int, doing: str) -> None:
    """Expect an RFC 7807 problem document with this status."""
    __tracebackhide__ = True
    problem = expect_status(response, status, doing)
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    expect(
        media_type == PROBLEM_MEDIA_TYPE,
        f"{doing}: errors are {PROBLEM_MEDIA_TYPE}, got {media_type!r}",
        response,
    )
    expect(
        isinstance(problem, dict) and problem.get("status") == status,
        f"{doing}: the problem document's `status` should be {status}",
        response,
    )
    expect(
        all(isinstance(problem.get(key), str) and problem[key] for key in ("type", "title")),
        f"{doing}: a problem document has a `type` and a `title`",
        response,
    )
