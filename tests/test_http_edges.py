"""Errors as decided, CORS, Swagger UI and the mock's own endpoints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app

AUTH = {"Authorization": "Bearer test-token"}  # the `api` fixture accepts any token
JSON = {**AUTH, "Content-Type": "application/json"}
Reader = Callable[..., list[dict[str, Any]]]  # the `all_clients` fixture


def assert_problem(answer: Any, status: int) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    return problem


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_body_without_json_content_type_gets_415(api: TestClient, content_type: str | None) -> None:
    headers = AUTH if content_type is None else {**AUTH, "Content-Type": content_type}
    answer = api.post("/api/v1/clients", content=b'{"name": "x"}', headers=headers)
    assert_problem(answer, 415)


def test_body_over_one_mebibyte_gets_413(api: TestClient) -> None:
    body = b'{"name": "x", "notes": "' + b"a" * 1_048_576 + b'"}'
    assert_problem(api.post("/api/v1/clients", content=body, headers=JSON), 413)


# What strict JSON refuses is tests/test_strict_json.py's; here, that the refusal is wired in
# front of Connexion (which answers invalid UTF-8 with a 500 and accepts duplicate keys) and that
# a parsable body that is not a client object is the contract's 400.
@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "\xff\xfe"}',
        b'{"name": "a", "name": "b"}',
        b"",
        b"[]",
        b'"name"',
    ],
)
def test_malformed_json_gets_400_and_changes_nothing(
    api: TestClient, all_clients: Reader, body: bytes
) -> None:
    before = all_clients()
    assert_problem(api.post("/api/v1/clients", content=body, headers=JSON), 400)
    assert all_clients() == before


def test_metadata_nesting_limit_is_32_levels(api: TestClient) -> None:
    def nested(levels: int) -> dict:
        value: dict = {}
        for _ in range(levels - 1):
            value = {"k": value}
        return value

    accepted = api.post("/api/v1/clients", json={"name": "x", "metadata": nested(32)}, headers=AUTH)
    assert accepted.status_code == 201
    refused = api.post("/api/v1/clients", json={"name": "x", "metadata": nested(33)}, headers=AUTH)
    assert "32" in assert_problem(refused, 400)["detail"]


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/api/v1/clients/abc", "GET, PUT"),
        ("PATCH", "/api/v1/clients", "GET, POST"),
        ("DELETE", "/api/v1/clients", "GET, POST"),
    ],
)
def test_method_not_allowed_names_the_contract_methods(
    api: TestClient, method: str, path: str, allow: str
) -> None:
    answer = api.request(method, path, headers=AUTH)
    assert_problem(answer, 405)
    assert answer.headers["allow"] == allow


def test_unknown_path_gets_404_problem(api: TestClient) -> None:
    assert_problem(api.get("/api/v1/nowhere", headers=AUTH), 404)


def test_cors_preflight_allows_bearer_and_json_from_any_origin(api: TestClient) -> None:
    answer = api.options(
        "/api/v1/clients",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "*"
    allowed = answer.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    created = api.post(
        "/api/v1/clients", json={"name": "x"}, headers={**AUTH, "Origin": "http://localhost:5173"}
    )
    assert "location" in created.headers["access-control-expose-headers"].lower()


def test_cors_origins_can_be_restricted() -> None:
    with create_app(db=":memory:", cors_origins="http://app.test").test_client() as api:
        allowed = api.get("/api/v1/clients", headers={**AUTH, "Origin": "http://app.test"})
        other = api.get("/api/v1/clients", headers={**AUTH, "Origin": "http://evil.test"})
    assert allowed.headers["access-control-allow-origin"] == "http://app.test"
    assert "access-control-allow-origin" not in other.headers


def test_swagger_ui_and_document_are_served(api: TestClient) -> None:
    assert api.get("/api/v1/ui/").status_code == 200
    document = api.get("/api/v1/openapi.json").json()
    assert {
        op["operationId"]
        for item in document["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    } == {"listClients", "getClient", "createClient", "updateClient"}


def test_health_and_reset_restore_the_fixtures(api: TestClient, all_clients: Reader) -> None:
    seeded = all_clients()
    created = api.post("/api/v1/clients", json={"name": "Temporary"}, headers=AUTH).json()
    api.put(f"/api/v1/clients/{seeded[0]['id']}", json={"name": "Renamed"}, headers=AUTH)
    assert api.get("/__mock/health").json()["status"] == "ok"
    assert api.post("/__mock/reset").status_code == 401
    assert api.post("/__mock/reset", headers=AUTH).status_code == 204
    assert all_clients() == seeded
    assert api.get(f"/api/v1/clients/{created['id']}", headers=AUTH).status_code == 404
