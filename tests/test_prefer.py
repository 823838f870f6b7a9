"""`Prefer: code=, example=, dynamic=` (RFC 7240, as Prism): a declared response of the
operation, the store untouched; what is not declared, or cannot be parsed, is a 400 that lists
what is. Every answer injected by Prefer or by a rule with a declared status passes the
validating proxy with zero violations; an undeclared 5xx is reported as one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from proxy_upstream import serve_in_thread
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.contract import SPEC_PATH, load_spec, schema_errors
from mockserver.proxy.app import create_proxy_app
from mockserver.proxy.cli import UVICORN
from mockserver.proxy.settings import ProxySettings
from mockserver.scenarios.answers import Catalog
from mockserver.scenarios.prefer import PreferError, parse_prefer
from mockserver.testing import served_mock

AUTH = {"Authorization": "Bearer prefer-token"}
ACME = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
CATALOG = Catalog(load_spec(str(SPEC_PATH)))
# A request the contract accepts, per operation: only the answer is chosen by Prefer.
VALID = {
    "listClients": ("GET", "/api/v1/clients?limit=5", None),
    "getClient": ("GET", f"/api/v1/clients/{ACME}", None),
    "createClient": ("POST", "/api/v1/clients", {"name": "Initech"}),
    "updateClient": ("PUT", f"/api/v1/clients/{ACME}", {"status": "inactive"}),
}


@pytest.fixture
def api() -> Iterator[TestClient]:
    with create_app(db=":memory:").test_client() as client:
        yield client


def send(client: Any, operation: str, prefer: str | None = None, **headers: str) -> Any:
    method, url, body = VALID[operation]
    if prefer is not None:
        headers["Prefer"] = prefer
    return client.request(method, url, json=body, headers={**AUTH, **headers})


def test_code_answers_with_that_declared_response_and_touches_nothing(api: TestClient) -> None:
    before = api.get("/api/v1/clients", headers=AUTH).json()["meta"]["total"]
    created = send(api, "createClient", "code=201")
    missing = send(api, "getClient", "code=404")
    assert (created.status_code, created.json()["id"]) == (201, ACME)
    assert created.headers["location"] == f"/api/v1/clients/{ACME}"
    assert created.headers["preference-applied"] == "code=201"
    assert (missing.status_code, missing.json()["status"]) == (404, 404)
    assert missing.headers["content-type"] == "application/problem+json"
    assert api.get("/api/v1/clients", headers=AUTH).json()["meta"]["total"] == before
    unauthorized = send(api, "listClients", "code=401")
    assert unauthorized.headers["www-authenticate"] == "Bearer"


def test_example_and_dynamic_choose_the_body(api: TestClient) -> None:
    named = send(api, "getClient", "code=200, example=acme")
    assert named.json()["name"] == "Acme Corporation"
    assert named.headers["preference-applied"] == 'code=200, example="acme"'
    built = send(api, "getClient", "dynamic=true")
    assert built.status_code == 200
    assert schema_errors(load_spec(str(SPEC_PATH)), "Client", built.json()) == []


def test_unknown_preferences_are_ignored(api: TestClient) -> None:
    answer = send(api, "listClients", "return=minimal; foo=bar, respond-async")
    assert answer.status_code == 200
    assert "preference-applied" not in answer.headers
    assert answer.json()["meta"]["limit"] == 5  # the real handler answered


@pytest.mark.parametrize(
    ("prefer", "listed"),
    [
        ("code=418", "it declares 200 (examples: acme), 401, 404"),
        ("code=200, example=nope", "its named examples: acme"),
        ("code=404, example=acme", "its named examples: none"),
        ("code=4o4", "code must be a status"),
        ("code=404 trailing", "cannot parse"),
        ("dynamic=maybe", "dynamic must be true or false"),
        ("example=", "cannot parse"),
    ],
)
def test_what_cannot_be_honoured_is_a_400_listing_what_is_declared(
    api: TestClient, prefer: str, listed: str
) -> None:
    answer = send(api, "getClient", prefer)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert listed in answer.json()["detail"]


def test_the_first_instance_of_a_preference_counts() -> None:
    assert parse_prefer(["code=404", "code=200"]).code == 404
    assert parse_prefer(['example="two words", code=200']).example == "two words"
    with pytest.raises(PreferError):
        parse_prefer(["code=200,,=x"])


def test_cors_lets_a_browser_send_prefer(api: TestClient) -> None:
    preflight = api.options(
        "/api/v1/clients",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, prefer, x-mock-session",
        },
    )
    assert preflight.status_code == 200
    assert "prefer" in preflight.headers["access-control-allow-headers"].lower()


# --- through the validating proxy --------------------------------------------------------


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    folder: Path = tmp_path_factory.mktemp("prefer")
    with served_mock(folder) as mock:
        settings = ProxySettings.load(environ={}, upstream=mock.base_url)
        with (
            serve_in_thread(create_proxy_app(settings), **UVICORN) as base_url,
            httpx.Client(base_url=base_url, timeout=30) as client,
        ):
            yield client


def declared_answers() -> list[tuple[str, int, str | None]]:
    return [
        (operation.operation_id, status, example)
        for operation in CATALOG.operations.values()
        for status, declared in operation.responses.items()
        for example in [None, *declared.examples]
    ]


def test_every_prefer_answer_passes_the_validating_proxy(proxied: httpx.Client) -> None:
    proxied.delete("/__mock/violations")
    answers = []
    for operation, status, example in declared_answers():
        prefer = f"code={status}" + (f", example={example}" if example else "")
        answers.append(send(proxied, operation, prefer))
        answers.append(send(proxied, operation, f"code={status}, dynamic=true"))
    assert len(answers) == 2 * len(declared_answers()) > 30
    assert [a.headers["x-contract-violations"] for a in answers] == ["0"] * len(answers)
    assert proxied.get("/__mock/violations").json()["total"] == 0


def test_every_declared_rule_answer_passes_the_proxy_and_an_undeclared_one_is_reported(
    proxied: httpx.Client,
) -> None:
    proxied.delete("/__mock/violations")
    session = {"X-Mock-Session": "proxied-rules"}
    for operation, status, example in declared_answers():
        if example is not None:
            continue
        rule = {"operation": operation, "status": status, "times": 1}
        added = proxied.post("/__mock/sessions/proxied-rules/rules", json=rule, headers=AUTH)
        assert added.status_code == 201
        answer = send(proxied, operation, **session)
        assert answer.status_code == status
        assert answer.headers["x-contract-violations"] == "0", (operation, status)
    rule = {"operation": "getClient", "status": 502, "times": 1}
    proxied.post("/__mock/sessions/proxied-rules/rules", json=rule, headers=AUTH)
    gateway = send(proxied, "getClient", **session)
    assert gateway.status_code == 502
    assert gateway.headers["x-mock-outside-contract"] == "502 is not declared for getClient"
    assert gateway.headers["x-contract-violations"] == "1"
    [violation] = proxied.get("/__mock/violations").json()["violations"]
    assert "502 is not documented" in violation["line"]
