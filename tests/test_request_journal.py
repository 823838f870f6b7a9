"""The request journal: a scripted sequence of mixed requests (valid, invalid, faulted) comes
back exactly, in order, per session; filters, clearing, redaction, the bound."""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.scenarios import entries
from mockserver.scenarios import requests as requests_module
from mockserver.scenarios.requests import Journal
from mockserver.testing import served_mock

AUTH = {"Authorization": "Bearer journal-token"}
ACME = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with (
        served_mock(tmp_path_factory.mktemp("journal"), workers=2) as served,
        httpx.Client(base_url=served.base_url, headers=AUTH, timeout=10) as client,
    ):
        yield client


# (method, path, query, operation, body, extra headers): each request of the script
Step = tuple[str, str, str, str | None, Any, dict[str, str]]


def script(rng: random.Random, count: int) -> list[Step]:
    menu: list[Step] = [
        ("GET", "/api/v1/clients", "limit=5", "listClients", None, {}),
        ("GET", "/api/v1/clients", "search=acme&status=active", "listClients", None, {}),
        ("GET", "/api/v1/clients", "limit=0", "listClients", None, {}),  # 400
        ("GET", "/api/v1/clients", "serach=typo", "listClients", None, {}),  # 400
        ("GET", f"/api/v1/clients/{MISSING}", "", "getClient", None, {}),  # 404
        ("POST", "/api/v1/clients", "", "createClient", {"name": "Initech", "tags": ["x"]}, {}),
        ("POST", "/api/v1/clients", "", "createClient", {"nom": "typo"}, {}),  # 400
        ("PUT", f"/api/v1/clients/{MISSING}", "", "updateClient", {"status": "inactive"}, {}),
        ("GET", "/api/v1/clients", "", "listClients", None, {"Authorization": ""}),  # 401
        ("GET", "/api/v1/nothing-here", "", None, None, {}),  # 404, no operation
        ("GET", f"/api/v1/clients/{ACME}", "", "getClient", None, {"Prefer": "code=200"}),
    ]
    return [rng.choice(menu) for _ in range(count)]


def run(client: httpx.Client, session: str, steps: list[Step]) -> list[dict[str, Any]]:
    """Send the script; what the client saw, shaped like journal entries."""
    seen = []
    for method, path, query, operation, body, extra in steps:
        headers = {"X-Mock-Session": session, **extra}
        url = path + (f"?{query}" if query else "")
        try:
            status: int | None = client.request(method, url, json=body, headers=headers).status_code
        except (httpx.ReadError, httpx.RemoteProtocolError):
            status = None  # the session's rule reset the connection
        seen.append(
            {
                "method": method,
                "path": path,
                "query": query,
                "operation": operation,
                "body": body,
                "status": status,
            }
        )
    return seen


def journal(client: httpx.Client, session: str, **filters: Any) -> dict[str, Any]:
    answer = client.get(f"/__mock/sessions/{session}/requests", params=filters)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def shaped(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = ("method", "path", "query", "operation", "body", "status")
    return [{key: entry[key] for key in keys} for entry in entries]


def test_two_sessions_journals_equal_their_scripts_in_order_and_never_mix(
    mock: httpx.Client,
) -> None:
    sessions = [f"j-{uuid.uuid4().hex[:8]}" for _ in range(2)]
    scripts = {name: script(random.Random(seed), 200) for seed, name in enumerate(sessions)}
    for name in sessions:  # some updates and creates are faulted
        rule = {"operation": "updateClient", "fault": "reset", "probability": 0.5, "seed": 11}
        assert mock.post(f"/__mock/sessions/{name}/rules", json=rule).status_code == 201
        rule = {"operation": "createClient", "status": 503, "probability": 0.3, "seed": 5}
        assert mock.post(f"/__mock/sessions/{name}/rules", json=rule).status_code == 201
    seen: dict[str, list[dict[str, Any]]] = {}

    def drive(name: str) -> None:
        with httpx.Client(base_url=mock.base_url, headers=AUTH, timeout=10) as own:
            seen[name] = run(own, name, scripts[name])

    threads = [threading.Thread(target=drive, args=(name,)) for name in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name in sessions:
        recorded = journal(mock, name)
        assert recorded["meta"]["total"] == 200
        assert shaped(recorded["data"]) == seen[name]
        statuses = {entry["status"] for entry in seen[name]}
        assert {None, 503, 400, 401, 404, 200, 201} <= statuses  # the mix really was mixed
        faulted = [e for e in recorded["data"] if e["status"] is None]
        assert faulted and all(e["fault"] == "reset" and e["rule"] for e in faulted)


def test_filters_count_calls(mock: httpx.Client) -> None:
    session = f"j-{uuid.uuid4().hex[:8]}"
    steps = script(random.Random(3), 40)
    seen = run(mock, session, steps)
    creates = [e for e in seen if e["operation"] == "createClient"]
    assert journal(mock, session, operation="createClient")["meta"]["total"] == len(creates)
    assert journal(mock, session, method="POST")["meta"]["total"] == len(creates)
    bad = [e for e in seen if e["status"] == 400]
    assert shaped(journal(mock, session, status=400)["data"]) == bad
    both = [e for e in creates if e["status"] == 201]
    found = journal(mock, session, operation="createClient", status=201)
    assert found["meta"]["total"] == len(both)


def test_clearing_empties_one_session_only(mock: httpx.Client) -> None:
    one, two = (f"j-{uuid.uuid4().hex[:8]}" for _ in range(2))
    for name in (one, two):
        run(mock, name, script(random.Random(1), 3))
    assert mock.delete(f"/__mock/sessions/{one}/requests").status_code == 204
    assert journal(mock, one)["meta"]["total"] == 0
    assert journal(mock, two)["meta"]["total"] == 3


def test_credentials_are_redacted_and_control_docs_and_preflights_not_recorded(
    mock: httpx.Client,
) -> None:
    session = f"j-{uuid.uuid4().hex[:8]}"
    headers = {"X-Mock-Session": session, "Cookie": "sid=secret-cookie"}
    mock.get("/api/v1/clients?limit=1&access_token=secret-query", headers=headers)
    mock.get(f"/__mock/sessions/{session}/rules", headers=headers)
    mock.get("/api/v1/openapi.json", headers=headers)
    mock.options(
        "/api/v1/clients",
        headers={
            **headers,
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
        },
    )
    [entry] = journal(mock, session)["data"]
    assert "secret" not in json.dumps(entry)
    assert entry["headers"]["authorization"] == "<redacted>"
    assert entry["headers"]["cookie"] == "<redacted>"
    assert entry["query"] == "limit=1&access_token=<redacted>"


def test_a_large_body_is_kept_up_to_the_cap(mock: httpx.Client) -> None:
    session = f"j-{uuid.uuid4().hex[:8]}"
    notes = "n" * 10_000
    mock.post(
        "/api/v1/clients", json={"name": "Big", "notes": notes}, headers={"X-Mock-Session": session}
    )
    [entry] = journal(mock, session)["data"]
    assert entry["truncated"] is True
    assert len(entry["body"]) == entries.BODY_CAP
    assert entry["body"].startswith('{"name":')


@pytest.mark.parametrize("on_disk", [True, False])
def test_the_journal_keeps_the_newest_entries_up_to_its_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, on_disk: bool
) -> None:
    monkeypatch.setattr(requests_module, "COMPACT_BYTES", 256 * 1024)
    store = Journal(tmp_path if on_disk else None)
    total = requests_module.LIMIT + 3000
    for n in range(total):
        raw = {"t": n, "m": "GET", "p": f"/{n}", "q": "", "o": None, "h": {}, "b": ""}
        store.record("s", {**raw, "n": 0, "s": 200, "d": 0.1, "r": None, "f": None})
    kept = [entry["path"] for entry in store.entries("s")]
    assert kept == [f"/{n}" for n in range(total - requests_module.LIMIT, total)]
    if on_disk:
        assert (tmp_path / "requests" / "s.jsonl").stat().st_size <= 256 * 1024 + 200
