"""Verification (POST /__mock/sessions/{name}/verify and mockserver.control_client.MockControl):
counts by each criterion, `times`, the nearest misses and what differed, waiting until it holds
at two workers, and the Python helper's failure message."""

from __future__ import annotations

import json
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.control_client import ControlError, MockControl
from mockserver.scenarios.verification import Times, body_difference, path_matches
from mockserver.testing import ServedMock, served_mock

TOKEN = "verify-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ACME = "651011cb-0b8e-40e9-b646-6d5fdae85d09"


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedMock]:
    with served_mock(tmp_path_factory.mktemp("verify"), workers=2, token=TOKEN) as served:
        yield served


@pytest.fixture
def session(mock: ServedMock) -> Iterator[tuple[httpx.Client, MockControl]]:
    """A fresh session: a client of the API with its header, and its control."""
    name = f"verify-{uuid.uuid4().hex[:8]}"
    headers = {**AUTH, "X-Mock-Session": name}
    with (
        httpx.Client(base_url=mock.api_url, headers=headers, timeout=20) as api,
        MockControl(mock.base_url, session=name, token=TOKEN) as control,
    ):
        yield api, control
        control.forget()


def send_script(api: httpx.Client) -> None:
    assert api.post("/clients", json={"name": "Acme Two", "tags": ["a", "b"]}).status_code == 201
    assert api.post("/clients", json={"nom": "typo"}).status_code == 400
    assert api.get(f"/clients/{ACME}", headers={"X-Trace": "abc"}).status_code == 200
    assert api.put(f"/clients/{ACME}", json={"status": "inactive"}).status_code == 200
    assert api.get("/clients", params={"limit": 5}).status_code == 200


@pytest.mark.parametrize(
    ("criteria", "count"),
    [
        ({}, 5),
        ({"operation": "createClient"}, 2),
        ({"method": "post"}, 2),
        ({"method": "GET", "path": "/clients/{id}"}, 1),
        ({"path": f"/api/v1/clients/{ACME}"}, 2),
        ({"path": f"/clients/{ACME}"}, 2),
        ({"path": "/clients"}, 3),
        ({"status": 400}, 1),
        ({"headers": {"x-trace": "abc"}}, 1),
        ({"headers": {"X-TRACE": "abc"}}, 1),
        ({"headers": {"x-trace": "abd"}}, 0),
        ({"body": {"name": "Acme Two"}}, 1),
        ({"body": {"tags": ["a", "b"]}}, 1),
        ({"body": {"tags": ["a"]}}, 0),
        ({"body": {"status": "inactive"}, "operation": "updateClient"}, 1),
        ({"operation": "createClient", "status": 201, "body": {"name": "Acme Two"}}, 1),
    ],
)
def test_counts_the_requests_matching_every_criterion(
    session: tuple[httpx.Client, MockControl], criteria: dict[str, Any], count: int
) -> None:
    api, control = session
    send_script(api)
    result = control.verification(**criteria, times={"atLeast": 0})
    assert result["count"] == count, result["message"]
    assert result["held"]


@pytest.mark.parametrize(
    ("times", "held"),
    [
        (2, True),
        (1, False),
        ({"exactly": 3}, False),
        ({"atLeast": 2}, True),
        ({"atLeast": 3}, False),
        ({"atMost": 2}, True),
        ({"atMost": 1}, False),
        ({"atLeast": 1, "atMost": 2}, True),
        ({"atLeast": 3, "atMost": 5}, False),
        (None, True),
    ],
)
def test_times_exactly_at_least_and_at_most(
    session: tuple[httpx.Client, MockControl], times: Any, held: bool
) -> None:
    api, control = session
    send_script(api)
    assert control.verification(operation="createClient", times=times)["held"] is held


def test_a_failure_names_the_nearest_misses_and_what_differed(
    session: tuple[httpx.Client, MockControl],
) -> None:
    api, control = session
    send_script(api)
    result = control.verification(
        operation="createClient", status=201, body={"name": "Acme Three"}, times=1
    )
    assert not result["held"]
    assert result["count"] == 0
    assert result["expected"] == "exactly 1"
    misses = result["near_misses"]
    # The 201 create met two of three criteria, the 400 create one, the rest none: among
    # those, the newest (the list) comes first.
    assert [miss["met"] for miss in misses] == [2, 1, 0]
    assert misses[2]["request"]["operation"] == "listClients"
    nearest = misses[0]
    assert nearest["request"]["operation"] == "createClient"
    assert nearest["request"]["status"] == 201
    assert nearest["differences"] == [
        {
            "criterion": "body",
            "expected": {"name": "Acme Three"},
            "actual": {"name": "Acme Two", "tags": ["a", "b"]},
            "detail": "$.name is 'Acme Two', not 'Acme Three'",
        }
    ]
    refused = misses[1]
    assert refused["request"]["status"] == 400
    assert {d["criterion"] for d in refused["differences"]} == {"status", "body"}


def test_too_many_is_a_failure_without_near_misses(
    session: tuple[httpx.Client, MockControl],
) -> None:
    api, control = session
    send_script(api)
    result = control.verification(operation="createClient", times={"atMost": 1})
    assert (result["held"], result["count"], result["near_misses"]) == (False, 2, [])
    assert "expected at most 1" in result["message"]


def test_wait_holds_once_a_request_reaches_any_worker(
    mock: ServedMock, session: tuple[httpx.Client, MockControl]
) -> None:
    api, control = session
    headers = dict(api.headers)
    late = threading.Timer(
        0.4, lambda: httpx.get(f"{mock.api_url}/clients/{ACME}", headers=headers, timeout=10)
    )
    assert not control.verification(operation="getClient")["held"]
    late.start()
    try:
        result = control.verification(operation="getClient", wait=8)
    finally:
        late.join()
    assert result["held"] and result["count"] == 1


def test_wait_is_bounded_and_answers_the_count_when_it_never_holds(
    session: tuple[httpx.Client, MockControl],
) -> None:
    api, control = session
    send_script(api)
    started = time.monotonic()
    result = control.verification(operation="createClient", times=5, wait=0.5)
    assert time.monotonic() - started >= 0.5
    assert (result["held"], result["count"]) == (False, 2)
    with pytest.raises(ControlError, match="400"):
        control.verification(operation="createClient", wait=11)


@pytest.mark.parametrize(
    "body",
    [
        {"times": {"exactly": 1, "atLeast": 1}},
        {"times": {}},
        {"times": {"exactly": -1}},
        {"method": "FETCH"},
        {"status": 99},
        {"headers": {"x": 1}},
        {"opration": "typo"},
    ],
)
def test_a_malformed_verification_is_a_400_problem(mock: ServedMock, body: Any) -> None:
    answer = httpx.post(f"{mock.base_url}/__mock/sessions/x/verify", json=body, headers=AUTH)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"


def test_the_helper_raises_a_readable_assertion_error(
    session: tuple[httpx.Client, MockControl],
) -> None:
    api, control = session
    send_script(api)
    control.verify(operation="updateClient", body={"status": "inactive"}, times=1)
    with pytest.raises(AssertionError) as failure:
        control.verify(operation="updateClient", body={"status": "active"}, times=1)
    message = str(failure.value)
    assert message.splitlines()[0] == (
        "Verification failed: 0 of 5 requests matched operation='updateClient', "
        "body={'status': 'active'}: expected exactly 1"
    )
    assert "Nearest misses:" in message
    assert f"1. PUT /api/v1/clients/{ACME} -> 200 (updateClient" in message
    assert "body: $.status is 'inactive', not 'active'" in message


def test_the_helper_adds_and_removes_rules_lists_requests_and_resets(
    session: tuple[httpx.Client, MockControl],
) -> None:
    api, control = session
    rule = control.add_rule(operation="listClients", status=503, times=1)
    assert [listed["id"] for listed in control.rules()] == [rule["id"]]
    assert api.get("/clients").status_code == 503
    control.remove_rule(rule["id"])
    assert control.rules() == []
    assert api.post("/clients", json={"name": "Reset Me"}).status_code == 201
    assert [entry["status"] for entry in control.requests()] == [503, 201]
    assert control.requests(status=201)[0]["operation"] == "createClient"
    control.add_rule(operation="listClients", status=503)
    control.reset()
    assert (control.rules(), control.requests()) == ([], [])
    assert api.get("/clients", params={"search": "Reset Me"}).json()["meta"]["total"] == 0


def test_the_helper_says_what_the_control_api_refused(mock: ServedMock) -> None:
    with (
        MockControl(mock.base_url, token="wrong") as control,
        pytest.raises(ControlError, match="401"),
    ):
        control.rules()


def test_path_templates_and_body_subsets() -> None:
    assert path_matches("/clients/{id}", "/api/v1/clients/42", "/api/v1")
    assert not path_matches("/clients/{id}", "/api/v1/clients/42/x", "/api/v1")
    assert not path_matches("/clients.json", "/api/v1/clientsxjson", "/api/v1")
    assert (
        body_difference({"a": {"b": [1, {"c": True}]}}, {"a": {"b": [1, {"c": True}]}, "z": 0})
        is None
    )
    assert body_difference({"a": 1}, {"a": True}) == "$.a is True, not 1"
    assert body_difference({"a": [1]}, {"a": [1, 2]}) == "$.a is an array of 2, not an array of 1"
    assert body_difference({"a": {"b": 1}}, {"a": "x"}) == "$.a is a string, not an object"
    assert str(Times.from_body({"atLeast": 1, "atMost": 3})) == "between 1 and 3"


@pytest.mark.slow
def test_the_docs_playwright_recipe_runs_as_written(mock: ServedMock) -> None:
    recipe = Path(__file__).resolve().parent / "recipes" / "playwright-verify.mjs"
    finished = subprocess.run(
        ["node", str(recipe), mock.base_url, TOKEN],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=recipe.parent.parent.parent,
    )
    assert finished.returncode == 0, finished.stderr
    result = json.loads(finished.stdout)
    assert result["count"] == 1
    assert result["failure"].splitlines() == [
        "0 of 1 requests matched operation='createClient', body={'name': 'Acme Playwrite'}: "
        "expected at least 1",
        "  POST /api/v1/clients -> 201 (body: $.name is 'Acme Playwright', not 'Acme Playwrite')",
    ]
    # docs/mock/verification.md shows the file as it runs here (a snippet include, no copy).
    docs = (recipe.parent.parent.parent / "docs" / "mock" / "verification.md").read_text()
    assert '--8<-- "tests/recipes/playwright-verify.mjs"' in docs


def test_a_waiting_verification_holds_up_no_other_request(tmp_path: Path) -> None:
    # One worker: if the wait held its event loop, the read below would answer after it.
    with served_mock(tmp_path, workers=1, token=TOKEN) as single:
        control = MockControl(single.base_url, token=TOKEN)
        finished: list[str] = []
        waiting = threading.Thread(
            target=lambda: finished.append(
                str(control.verification(operation="getClient", times=5, wait=3)["held"])
            )
        )
        waiting.start()
        time.sleep(0.5)
        answer = httpx.get(f"{single.api_url}/clients", headers=AUTH, timeout=10)
        read_while_waiting = not finished
        waiting.join()
        control.close()
    assert answer.status_code == 200
    assert read_while_waiting
    assert finished == ["False"]
