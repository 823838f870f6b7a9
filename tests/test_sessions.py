"""Sessions through HTTP: `X-Mock-Session` selects an isolated dataset; the control API under
/__mock/sessions lists, summarises, resets, forgets, exports and imports them (issue 13)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import SettingsError

AUTH = {"Authorization": "Bearer test-token"}


def in_session(name: str) -> dict[str, str]:
    return {**AUTH, "X-Mock-Session": name}


def listing(api: TestClient, headers: dict[str, str], **query: Any) -> dict[str, Any]:
    answer = api.get("/api/v1/clients", params={"limit": 100, **query}, headers=headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def ids(api: TestClient, headers: dict[str, str], **query: Any) -> list[str]:
    return [client["id"] for client in listing(api, headers, **query)["data"]]


@pytest.fixture
def limited() -> Iterator[TestClient]:
    with create_app(db=":memory:", max_sessions=1).test_client() as client:
        yield client


def test_each_session_sees_only_its_own_writes(api: TestClient) -> None:
    seeded = listing(api, AUTH)
    first = api.post("/api/v1/clients", json={"name": "Same name"}, headers=in_session("a"))
    second = api.post("/api/v1/clients", json={"name": "Same name"}, headers=in_session("b"))
    assert first.status_code == second.status_code == 201
    seed_id = seeded["data"][5]["id"]
    renamed = api.put(
        f"/api/v1/clients/{seed_id}", json={"name": "Only in a"}, headers=in_session("a")
    )
    assert renamed.status_code == 200

    assert listing(api, AUTH) == seeded  # the default session is untouched
    for name, own, other in (("a", first, second), ("b", second, first)):
        found = listing(api, in_session(name), search="same name")
        assert [c["id"] for c in found["data"]] == [own.json()["id"]]
        assert listing(api, in_session(name))["meta"]["total"] == seeded["meta"]["total"] + 1
        gone = api.get(f"/api/v1/clients/{other.json()['id']}", headers=in_session(name))
        assert gone.status_code == 404
    assert (
        api.get(f"/api/v1/clients/{seed_id}", headers=in_session("a")).json()["name"] == "Only in a"
    )
    assert (
        api.get(f"/api/v1/clients/{seed_id}", headers=in_session("b")).json() == seeded["data"][5]
    )


def test_a_new_session_starts_as_the_fixtures_even_when_default_changed(api: TestClient) -> None:
    fixtures = listing(api, AUTH)
    api.post("/api/v1/clients", json={"name": "In default"}, headers=AUTH)
    assert listing(api, in_session("fresh")) == fixtures


@pytest.mark.parametrize(
    "value",
    ["", "has space", "x" * 65, "semi;colon", "ümlaut".encode(), "a/b"],
    ids=["empty", "space", "too long", "semicolon", "non-ascii", "slash"],
)
def test_a_bad_session_name_is_a_400_naming_the_header(api: TestClient, value: Any) -> None:
    answer = api.get("/api/v1/clients", headers={**AUTH, "X-Mock-Session": value})
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert "X-Mock-Session" in answer.json()["detail"]


def test_control_api_lists_and_summarises_sessions(api: TestClient) -> None:
    api.get("/api/v1/clients", headers=in_session("reader"))
    api.post("/api/v1/clients", json={"name": "W"}, headers=in_session("writer"))
    api.get("/api/v1/clients?limit=1", headers=in_session("writer"))
    listed = api.get("/__mock/sessions", headers=AUTH).json()
    assert [s["name"] for s in listed["data"]] == ["default", "writer", "reader"]
    assert listed["meta"]["total"] == 3
    writer = api.get("/__mock/sessions/writer", headers=AUTH).json()
    assert writer["requests"] == 2
    assert writer["clients"] == listed["data"][0]["clients"] + 1
    assert writer["created_at"] <= writer["last_used_at"]
    assert api.get("/__mock/sessions/never-used", headers=AUTH).status_code == 404
    assert api.get("/__mock/health").json()["sessions"] == 2


def test_reset_forget_and_forget_all(api: TestClient) -> None:
    fixtures = listing(api, AUTH)
    for name in ("a", "b"):
        api.post("/api/v1/clients", json={"name": name}, headers=in_session(name))
    assert api.post("/__mock/sessions/a/reset", headers=AUTH).status_code == 204
    assert listing(api, in_session("a")) == fixtures
    assert listing(api, in_session("b"))["meta"]["total"] == fixtures["meta"]["total"] + 1

    assert api.delete("/__mock/sessions/b", headers=AUTH).status_code == 204
    assert api.get("/__mock/sessions/b", headers=AUTH).status_code == 404
    assert listing(api, in_session("b")) == fixtures  # named again: a new session

    api.post("/api/v1/clients", json={"name": "kept"}, headers=AUTH)
    assert api.delete("/__mock/sessions", headers=AUTH).status_code == 204
    assert [s["name"] for s in api.get("/__mock/sessions", headers=AUTH).json()["data"]] == [
        "default"
    ]
    assert listing(api, AUTH)["meta"]["total"] == fixtures["meta"]["total"] + 1


def test_mock_reset_and_deleting_default_reset_only_the_default_session(api: TestClient) -> None:
    fixtures = listing(api, AUTH)
    api.post("/api/v1/clients", json={"name": "x"}, headers=AUTH)
    api.post("/api/v1/clients", json={"name": "x"}, headers=in_session("other"))
    assert api.post("/__mock/reset", headers=AUTH).status_code == 204
    assert listing(api, AUTH) == fixtures
    api.post("/api/v1/clients", json={"name": "x"}, headers=AUTH)
    assert api.delete("/__mock/sessions/default", headers=AUTH).status_code == 204
    assert listing(api, AUTH) == fixtures
    assert listing(api, in_session("other"))["meta"]["total"] == fixtures["meta"]["total"] + 1


def test_export_then_import_reproduces_a_session_exactly(api: TestClient) -> None:
    api.post("/api/v1/clients", json={"name": "Exported", "tags": ["t"]}, headers=in_session("src"))
    some_id = ids(api, in_session("src"))[3]
    api.put(f"/api/v1/clients/{some_id}", json={"notes": "changed"}, headers=in_session("src"))
    exported = api.get("/__mock/sessions/src/clients", headers=AUTH).json()
    assert [c["id"] for c in exported["clients"]] == ids(api, in_session("src"))

    assert api.put("/__mock/sessions/dst/clients", json=exported, headers=AUTH).status_code == 204
    assert listing(api, in_session("dst")) == listing(api, in_session("src"))
    assert api.get("/__mock/sessions/dst/clients", headers=AUTH).json() == exported


def test_import_replaces_everything_keeping_ids_and_timestamps(api: TestClient) -> None:
    [client] = listing(api, AUTH, limit=1)["data"]
    imported = {
        **client,
        "id": "0b6f3c2e-1b7a-4c1e-9a53-0c1f5a7d2e11",
        "name": "Imported",
        "created_at": "2020-01-02T03:04:05Z",
        "updated_at": "2021-01-02T03:04:05.5+00:00",
    }
    answer = api.put("/__mock/sessions/s/clients", json={"clients": [imported]}, headers=AUTH)
    assert answer.status_code == 204, answer.text
    found = listing(api, in_session("s"))
    assert found["meta"]["total"] == 1
    [stored] = found["data"]
    assert stored["id"] == imported["id"] and stored["name"] == "Imported"
    assert (stored["created_at"], stored["updated_at"]) == (
        "2020-01-02T03:04:05.000Z",
        "2021-01-02T03:04:05.500Z",
    )
    assert api.get(f"/api/v1/clients/{client['id']}", headers=in_session("s")).status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        {"name": ""},
        {"status": "paused"},
        {"id": None},
        {"surprise": 1},
        {"created_at": "yesterday"},
    ],
    ids=["empty name", "bad status", "null id", "unknown field", "bad timestamp"],
)
def test_import_is_all_or_nothing(api: TestClient, change: dict[str, Any]) -> None:
    api.post("/api/v1/clients", json={"name": "before"}, headers=in_session("s"))
    before = listing(api, in_session("s"))
    good, bad = listing(api, AUTH, limit=2)["data"]
    body = {"clients": [good, {**bad, **change}]}
    answer = api.put("/__mock/sessions/s/clients", json=body, headers=AUTH)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert listing(api, in_session("s")) == before


def test_import_refuses_two_clients_with_one_id(api: TestClient) -> None:
    [client] = listing(api, AUTH, limit=1)["data"]
    body = {"clients": [client, {**client, "name": "twin"}]}
    answer = api.put("/__mock/sessions/s/clients", json=body, headers=AUTH)
    assert answer.status_code == 400
    assert client["id"] in answer.json()["detail"]


def test_control_api_follows_the_token_rule() -> None:
    with create_app(db=":memory:", token="s3cret").test_client() as api:
        assert api.get("/__mock/health").status_code == 200
        for method, path in [
            ("GET", "/__mock/sessions"),
            ("DELETE", "/__mock/sessions"),
            ("GET", "/__mock/sessions/default"),
            ("POST", "/__mock/sessions/a/reset"),
            ("GET", "/__mock/sessions/a/clients"),
        ]:
            refused = api.request(method, path, headers={"Authorization": "Bearer wrong"})
            assert refused.status_code == 401, (method, path)
            assert refused.headers["www-authenticate"] == "Bearer"
        ok = api.get("/__mock/sessions", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200


def test_at_the_session_limit_a_new_session_gets_429_naming_the_limit(limited: TestClient) -> None:
    assert limited.get("/api/v1/clients", headers=in_session("first")).status_code == 200
    refused = limited.get("/api/v1/clients", headers=in_session("second"))
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert "--max-sessions" in refused.json()["detail"]
    assert limited.get("/api/v1/clients", headers=in_session("first")).status_code == 200
    assert limited.get("/api/v1/clients", headers=AUTH).status_code == 200  # default: no limit
    assert limited.delete("/__mock/sessions/first", headers=AUTH).status_code == 204
    assert limited.get("/api/v1/clients", headers=in_session("second")).status_code == 200


def test_cors_preflight_allows_the_session_header_and_delete(api: TestClient) -> None:
    answer = api.options(
        "/__mock/sessions/a",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "DELETE",
            "Access-Control-Request-Headers": "authorization, x-mock-session",
        },
    )
    assert answer.status_code == 200
    assert "DELETE" in answer.headers["access-control-allow-methods"]
    assert "x-mock-session" in answer.headers["access-control-allow-headers"].lower()


def test_the_request_log_line_names_the_session(
    api: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="mockserver.requests")
    api.get("/api/v1/clients?limit=1", headers=in_session("log-me"))
    api.get("/api/v1/clients?limit=1", headers=AUTH)
    lines = [r.getMessage() for r in caplog.records if r.name == "mockserver.requests"]
    assert lines[0].startswith("GET /api/v1/clients?limit=1 200")
    assert lines[0].endswith("session=log-me")
    assert lines[1].endswith("session=default")


def test_control_api_has_its_own_document_and_swagger_ui(api: TestClient) -> None:
    document = api.get("/__mock/openapi.json").json()
    assert document["servers"][0]["url"] == "/__mock"
    assert "/sessions/{name}/clients" in document["paths"]
    assert "/clients" not in document["paths"]  # the contract stays apart
    client_schema = document["components"]["schemas"]["Client"]
    assert "jobs_count" in client_schema["properties"]  # copied in from the contract
    assert api.get("/__mock/ui/").status_code == 200


@pytest.mark.parametrize("limit", [{"max_sessions": -1}, {"session_ttl": -5}])
def test_negative_limits_are_refused_at_start(limit: dict[str, int]) -> None:
    with pytest.raises(SettingsError, match="cannot be negative"):
        create_app(db=":memory:", **limit)
