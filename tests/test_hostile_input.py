"""Every hostile case of tests/hostile/ sent to one served mock (issue 5).

Invalid input must get a 4xx application/problem+json with a useful detail and leave the store
exactly as it was; input the contract allows must succeed and round-trip exactly; either way the
server must stay up and answer the next request.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hostile.case import KNOWN, TOKEN, Case
from hostile.cases_body import body_cases
from hostile.cases_request import request_cases
from hostile.store_view import LOOPBACK, all_clients, leaks, problem_failures, strict_equal
from hostile.wire import RawResponse, send

from mockserver.testing import served_mock

CASES = body_cases() + request_cases()
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with served_mock(tmp_path_factory.mktemp("hostile") / "clients.json", token=TOKEN) as served:
        yield served


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_request(server: Any, case: Case) -> None:
    before = all_clients(server.api_url, TOKEN)
    path = case.path.replace(KNOWN, before[0]["id"])
    response = send(server.base_url, case.method, path, case.headers(), case.payload())
    accepted = response.status in (200, 201)
    if case.outcome == "accept" or (case.outcome in ("either", "safe") and accepted):
        check_accepted(server, case, response, before)
    else:
        statuses = tuple(range(400, 500)) if case.outcome == "safe" else case.statuses
        check_refused(server, case, response, before, statuses)
    check_still_serving(server)


def test_server_survived_the_corpus(server: Any) -> None:
    assert server.process.poll() is None, "the served mock exited during the corpus"
    check_still_serving(server)


def check_refused(
    server: Any, case: Case, response: RawResponse, before: list[Any], statuses: tuple[int, ...]
) -> None:
    failures = problem_failures(response, statuses)
    assert not failures, f"{case.method} {case.name}: {'; '.join(failures)}"
    detail = response.json()["detail"]
    for words in case.mentions:
        assert any(word.lower() in detail.lower() for word in words.split("|")), (
            f"detail {detail!r} should mention {words!r}"
        )
    if response.status == 401:
        assert response.headers.get("www-authenticate", "").startswith("Bearer")
    assert not leaks(response.body), f"internals leaked: {leaks(response.body)}"
    after = all_clients(server.api_url, TOKEN)
    assert strict_equal(after, before), "a refused request changed the store"


def check_accepted(server: Any, case: Case, response: RawResponse, before: list[Any]) -> None:
    expected_status = 201 if case.method == "POST" else 200
    assert response.status == expected_status, f"{response.status}: {response.body[:300]!r}"
    body = response.json()
    if case.method == "GET":
        assert strict_equal(all_clients(server.api_url, TOKEN), before)
        return
    for field, value in case.sent_document().items():
        assert strict_equal(body[field], value), f"{field}: sent {value!r}, got {body[field]!r}"
    with httpx.Client(headers=AUTH, **LOOPBACK) as http:
        stored = http.get(f"{server.api_url}/clients/{body['id']}").json()
    assert strict_equal(stored, body), "GET does not return what the write answered"
    others = [c for c in all_clients(server.api_url, TOKEN) if c["id"] != body["id"]]
    assert strict_equal(others, [c for c in before if c["id"] != body["id"]])
    reset_store(server)


def check_still_serving(server: Any) -> None:
    with httpx.Client(headers=AUTH, **LOOPBACK) as http:
        assert http.get(f"{server.base_url}/__mock/health").status_code == 200
        assert http.get(f"{server.api_url}/clients", params={"limit": 1}).status_code == 200


def reset_store(server: Any) -> None:
    # Accepted cases add large records (100,000 tags, 1 MiB notes); later snapshots stay small.
    with httpx.Client(headers=AUTH, **LOOPBACK) as http:
        assert http.post(f"{server.base_url}/__mock/reset").status_code == 204
