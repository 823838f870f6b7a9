"""The cases an independent `st run --checks all` over /__mock/openapi.json found (issue 22), kept
as deterministic regressions: each was a 500, an answer that broke its own document, or a
refusal of what the document allows."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver import SPEC_PATH
from mockserver.contract import load_spec, schema_errors
from mockserver.control import control_spec
from tests.proxy_upstream import VALID_CLIENT

AUTH = {"Authorization": "Bearer hostile"}
CLIENT = VALID_CLIENT  # a record that passes the contract; each test overrides fields


def imported(api: TestClient, **fields: Any) -> Any:
    body = {"clients": [{**copy.deepcopy(CLIENT), **fields}]}
    return api.put("/__mock/sessions/hostile/clients", json=body, headers=AUTH)


def exported(api: TestClient) -> list[dict[str, Any]]:
    answer = api.get("/__mock/sessions/hostile/clients", headers=AUTH)
    assert answer.status_code == 200, answer.text
    clients: list[dict[str, Any]] = answer.json()["clients"]
    return clients


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("created_at", "0001-01-01T00:04:00+04:00"),  # the year 0 in UTC
        ("updated_at", "9999-12-31T23:59:00-23:56"),  # the year 10000 in UTC
        ("created_at", "0001-01-01T12:00:00+04:00"),  # storable, but the document refuses it
    ],
)
def test_an_offset_that_may_leave_the_years_1_to_9999_is_a_400_naming_the_field(
    api: TestClient, field: str, value: str
) -> None:
    before = exported(api)
    answer = imported(api, **{field: value})
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert field in answer.json()["detail"]
    assert exported(api) == before


@pytest.mark.parametrize(
    ("value", "in_utc"),
    [
        ("2020-01-01T00:00:00+23:56", "2019-12-31T00:04:00.000Z"),
        ("0001-01-01T00:00:00-05:00", "0001-01-01T05:00:00.000Z"),
        ("9999-12-31T23:00:00+05:00", "9999-12-31T18:00:00.000Z"),
    ],
)
def test_an_offset_is_converted_to_utc(api: TestClient, value: str, in_utc: str) -> None:
    assert imported(api, created_at=value).status_code == 204
    assert exported(api)[0]["created_at"] == in_utc


def test_an_update_after_the_last_storable_millisecond_keeps_it(api: TestClient) -> None:
    last = "9999-12-31T23:59:59.999Z"
    assert imported(api, updated_at=last).status_code == 204
    answer = api.put(
        f"/api/v1/clients/{CLIENT['id']}",
        json={"notes": "later"},
        headers={**AUTH, "X-Mock-Session": "hostile"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["updated_at"] == last


@pytest.mark.parametrize("value", ["", "not-a-uuid"])
def test_an_imported_id_is_a_uuid_as_the_contract_says(api: TestClient, value: str) -> None:
    # Connexion's validator skips `format: uuid`; the contract's checks every format.
    answer = imported(api, id=value)
    assert answer.status_code == 400, answer.text
    assert "$.clients[0].id" in answer.json()["detail"]


def test_an_early_year_is_exported_with_four_digits(api: TestClient) -> None:
    assert imported(api, created_at="0229-05-06T05:28:24.400Z").status_code == 204
    [client] = exported(api)
    assert client["created_at"] == "0229-05-06T05:28:24.400Z"


def test_what_the_export_answers_fits_its_own_document(api: TestClient) -> None:
    assert imported(api, created_at="0001-01-01T00:00:00Z").status_code == 204
    control = control_spec(load_spec(str(SPEC_PATH)))
    document = api.get("/__mock/sessions/hostile/clients", headers=AUTH).json()
    assert schema_errors(control, "ClientExport", document) == []


@pytest.mark.parametrize(
    ("rule", "taken"),
    [
        ({}, False),
        ({"operation": "getClient", "method": "GET", "path": "/clients/{id}", "status": 404}, True),
        ({"operation": "listClients", "method": "PUT", "path": "/clients", "status": 503}, False),
        ({"operation": "getClient", "fault": "reset", "status": 503}, False),
        ({"method": "GET", "status": 404}, False),  # listClients does not declare 404
        ({"method": "GET", "path": "/clients/{id}", "status": 404}, True),
        ({"method": "POST", "path": "/clients/{id}", "status": 500}, False),
        ({"path": "/clients", "delay_ms": [300, 100]}, True),
        ({"operation": "createClient", "status": 599, "times": 1}, True),
    ],
)
def test_a_rule_is_taken_exactly_when_the_document_allows_it(
    api: TestClient, rule: dict[str, Any], taken: bool
) -> None:
    control = control_spec(load_spec(str(SPEC_PATH)))
    assert (schema_errors(control, "RuleInput", rule) == []) is taken
    answer = api.post("/__mock/sessions/hostile/rules", json=rule, headers=AUTH)
    assert answer.status_code == (201 if taken else 400), answer.text
