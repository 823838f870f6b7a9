"""Read the whole store through the API, compare JSON strictly, and judge error responses."""

from __future__ import annotations

import re
from typing import Any

import httpx

from hostile.wire import RawResponse
from mockserver.contract import load_spec
from mockserver.settings import SPEC_PATH

PAGE = 100
# Plain HTTP on loopback: a client that verifies TLS loads the CA bundle when it is made (~30 ms
# of CPU), and the corpus reads the store twice a case.
LOOPBACK = {"timeout": 30, "verify": False}
WRITABLE = tuple(load_spec(SPEC_PATH)["components"]["schemas"]["ClientUpdate"]["properties"])

# What must never reach a response body: tracebacks, source locations, the libraries inside.
LEAK_PATTERN = re.compile(
    r"Traceback|File \"|\.py\b|site-packages|/work/|/usr/lib|/tmp/|"
    r"connexion|flask|werkzeug|starlette|uvicorn|tinydb|jsonschema|openapi_core|"
    r"a2wsgi|pydantic|h11|httptools",
    re.IGNORECASE,
)


def all_clients(api_url: str, token: str) -> list[dict[str, Any]]:
    """Every stored client, page by page, in the API's order."""
    clients: list[dict[str, Any]] = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=api_url, headers=headers, **LOOPBACK) as http:
        while True:
            page = http.get("/clients", params={"limit": PAGE, "offset": len(clients)})
            assert page.status_code == 200, f"listing the store failed: {page.text[:300]}"
            body = page.json()
            clients.extend(body["data"])
            if not body["data"] or len(clients) >= body["meta"]["total"]:
                return clients


def strict_equal(left: Any, right: Any) -> bool:
    """JSON equality that, unlike ==, tells true from 1 and 1 from "1"."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(strict_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(strict_equal(left[k], right[k]) for k in left)
    return type(left) is type(right) and left == right


def problem_failures(response: RawResponse, statuses: tuple[int, ...]) -> list[str]:
    """Why `response` is not a useful problem document with one of `statuses` (empty = it is)."""
    if response.error:
        return [response.error]
    failures = []
    if response.status not in statuses:
        failures.append(f"status {response.status}, expected one of {statuses}")
    if response.content_type != "application/problem+json":
        return [*failures, f"content type {response.content_type!r}: {response.body[:200]!r}"]
    problem = response.json()
    if not isinstance(problem, dict):
        return [*failures, f"problem is not an object: {problem!r}"]
    if problem.get("status") != response.status:
        failures.append(f"problem status {problem.get('status')!r} != {response.status}")
    if not isinstance(problem.get("title"), str) or not problem["title"]:
        failures.append("problem has no title")
    detail = problem.get("detail")
    if not isinstance(detail, str) or len(detail) < 10 or detail == problem.get("title"):
        failures.append(f"detail {detail!r} does not say what went wrong")
    return failures


def leaks(body: bytes) -> list[str]:
    """Stack traces, internal paths or library names found in a response body."""
    return sorted({match.group(0) for match in LEAK_PATTERN.finditer(body.decode("latin-1"))})
