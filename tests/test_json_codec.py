"""JSON through the framework's extension points (http/json_codec.py): orjson writes what json
wrote, value for value; the body the strict guard parsed is the one validated and handled."""

from __future__ import annotations

import datetime
import decimal
import json
import math
import uuid
from typing import Any

import pytest
from connexion.jsonifier import JSONEncoder
from starlette.testclient import TestClient

from mockserver import jsontext
from mockserver.http import guards
from mockserver.http.json_codec import OrjsonJsonifier, dumps, loads
from mockserver.http.strict_json import check_json

AUTH = {"Authorization": "Bearer test-token"}
VALUES: list[Any] = [
    {"name": "Zoë 🚀", "tags": ["a", "b"], "n": None, "ok": True, "x": 1.5, "e": 1e16},
    {"big": 2**70, "small": -(2**63)},  # past 64 bits: json writes it
    {"when": datetime.datetime(2026, 12, 6, 9, 0, 0), "day": datetime.date(2026, 12, 6)},
    {"aware": datetime.datetime(2026, 12, 6, tzinfo=datetime.UTC), "price": decimal.Decimal("2.5")},
    {"id": uuid.UUID("5be04d43-b85f-49c4-bab7-ed5f2d182f2b"), 1: "int key", "deep": [[[{}]]]},
]


@pytest.mark.parametrize("value", VALUES)
def test_orjson_writes_the_value_json_wrote(value: Any) -> None:
    before = json.dumps(value, cls=JSONEncoder, separators=(",", ":"))
    assert json.loads(dumps(value)) == json.loads(before)
    assert loads(dumps(value)) == json.loads(before)


def test_the_jsonifier_answers_one_line_as_connexions_did() -> None:
    assert OrjsonJsonifier().dumps({"a": 1}) == '{"a":1}\n'


def test_what_orjson_cannot_read_is_read_as_json_reads_it() -> None:
    assert math.isnan(loads('{"n": NaN}')["n"])  # as json read it for Flask before
    with pytest.raises(json.JSONDecodeError):
        loads("{not json")


@pytest.fixture
def handed_on(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The guard parses the bytes, then this document is what it hands on."""
    replacement: dict[str, Any] = {}

    def check(body: bytes) -> Any:
        check_json(body)
        return replacement

    monkeypatch.setattr(guards, "check_json", check)
    return replacement


def test_the_handler_gets_the_document_the_guard_parsed(
    api: TestClient, handed_on: dict[str, Any]
) -> None:
    handed_on["notes"] = "handed on"
    client_id = api.get("/api/v1/clients", headers=AUTH).json()["data"][0]["id"]
    answer = api.put(f"/api/v1/clients/{client_id}", json={"notes": "sent"}, headers=AUTH)
    assert answer.status_code == 200, answer.text
    assert answer.json()["notes"] == "handed on"


def test_the_validator_checks_the_document_the_guard_parsed(
    api: TestClient, handed_on: dict[str, Any]
) -> None:
    handed_on["name"] = ""
    client_id = api.get("/api/v1/clients", headers=AUTH).json()["data"][0]["id"]
    answer = api.put(f"/api/v1/clients/{client_id}", json={"notes": "valid"}, headers=AUTH)
    assert answer.status_code == 400
    assert "should be non-empty" in answer.json()["detail"]


@pytest.mark.parametrize(
    "value",
    [
        {"lone": "\ud800"},
        {"big": 2**70 + 1},
        {"low": -(2**64) - 1},
        {"past_u64": 2**64, "below_i64": -(2**63) - 1},
        {"name": "Zoë", "n": 2**63 - 1, "u64": 2**64 - 1, "nineteen": 10**19 - 1},
        {"name": "Zoë 12345678901234567890", "low": -(2**66), "after": "ë"},
    ],
)
def test_the_journals_store_and_read_back_what_orjson_refuses(value: Any) -> None:
    """The store's and the request journal's lines (mockserver/jsontext.py): what orjson
    refuses to write, json writes, and reading it back gives the same value."""
    for text in (jsontext.encode(value), jsontext.encode(value).decode()):
        read = jsontext.decode(text)
        assert read == value
        assert [type(v) for v in read.values()] == [type(v) for v in value.values()]
