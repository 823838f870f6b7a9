"""Every behaviour of API-DECISIONS.md, through the in-process mock."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver import SPEC_PATH
from mockserver.app import create_app
from mockserver.contract import load_spec

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
AUTH = {"Authorization": "Bearer test-token"}  # the `api` fixture accepts any token
Reader = Callable[..., list[dict[str, Any]]]  # the `all_clients` fixture
FIELDS = set(load_spec(SPEC_PATH)["components"]["schemas"]["Client"]["required"])
UNKNOWN_ID = "5be04d43-b85f-49c4-bab7-ed5f2d182f2b"  # a version-4 UUID no fixture uses


def create(api: TestClient, **body: object) -> dict:
    answer = api.post("/api/v1/clients", json=body, headers=AUTH)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_list_answers_data_and_meta_with_defaults(api: TestClient) -> None:
    page = api.get("/api/v1/clients", headers=AUTH).json()
    fixtures = json.loads((FIXTURES / "clients.json").read_text())
    assert page["meta"] == {"total": len(fixtures), "limit": 50, "offset": 0}
    assert len(page["data"]) == len(fixtures)
    assert all(set(client) == FIELDS for client in page["data"])


def test_search_matches_name_email_and_contact_person_ignoring_case(
    api: TestClient, all_clients: Reader
) -> None:
    by_name = create(api, name="Zyxwv Holdings")
    by_email = create(api, name="Plain", email="hello@QWERTZ-mail.example")
    by_person = create(api, name="Other", contact_person="Ms Qwertz Person")
    create(api, name="Decoy", notes="qwertz in notes does not count")
    assert [c["id"] for c in all_clients(search="zYXWV")] == [by_name["id"]]
    assert {c["id"] for c in all_clients(search="qwertz")} == {by_email["id"], by_person["id"]}


def test_empty_search_filters_nothing(api: TestClient, all_clients: Reader) -> None:
    assert len(all_clients(search="")) == len(all_clients())


def test_status_and_industry_filters_combine(api: TestClient, all_clients: Reader) -> None:
    create(api, name="A", industry="Aerospace", status="inactive")
    create(api, name="B", industry="aerospace", status="active")
    create(api, name="C", industry="Aerospace Parts", status="inactive")
    found = all_clients(industry="AEROSPACE", status="inactive")
    assert [c["name"] for c in found] == ["A"]
    assert {c["name"] for c in all_clients(industry="aerospace")} == {"A", "B"}
    assert all(c["status"] == "inactive" for c in all_clients(status="inactive"))


def test_paging_is_disjoint_complete_and_newest_first(api: TestClient, all_clients: Reader) -> None:
    everything = all_clients()
    pages = [
        api.get("/api/v1/clients", params={"limit": 7, "offset": o}, headers=AUTH).json()
        for o in range(0, len(everything) + 7, 7)
    ]
    ids = [client["id"] for page in pages for client in page["data"]]
    assert ids == [client["id"] for client in everything]
    assert all(page["meta"]["total"] == len(everything) for page in pages)
    order = [(c["created_at"], c["id"]) for c in everything]
    assert order == sorted(order, key=lambda key: (_negated(key[0]), key[1]))


def _negated(timestamp: str) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in timestamp)


@pytest.mark.parametrize("offset", [1000, 10**20])
@pytest.mark.parametrize("search", ["", "a"])
def test_offset_past_the_end_gives_empty_data_and_true_total(
    api: TestClient, all_clients: Reader, offset: int, search: str
) -> None:
    # 10**20 is past any machine integer: still just past the end, never a 500.
    query = {"offset": offset, "limit": 5, "search": search}
    page = api.get("/api/v1/clients", params=query, headers=AUTH).json()
    assert page["data"] == []
    assert page["meta"] == {"total": len(all_clients(search=search)), "limit": 5, "offset": offset}


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=x",
        "offset=-1",
        "offset=1.5",
        "status=archived",
        "serach=acme",
    ],
)
def test_bad_query_gets_400_problem(api: TestClient, query: str) -> None:
    answer = api.get(f"/api/v1/clients?{query}", headers=AUTH)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 400 and answer.json()["detail"]


def test_create_fills_defaults_timestamps_location_and_zero_counts(api: TestClient) -> None:
    answer = api.post("/api/v1/clients", json={"name": "Fresh Co"}, headers=AUTH)
    client = answer.json()
    assert answer.status_code == 201
    assert answer.headers["location"] == f"/api/v1/clients/{client['id']}"
    assert uuid.UUID(client["id"]).version == 4
    assert client["status"] == "active" and client["tags"] == [] and client["metadata"] == {}
    assert client["email"] is None and client["notes"] is None
    assert client["jobs_count"] == 0 and client["active_jobs_count"] == 0
    assert RFC3339_UTC.match(client["created_at"]) and client["created_at"] == client["updated_at"]
    assert api.get(answer.headers["location"], headers=AUTH).json() == client


def test_partial_update_keeps_absent_clears_null_and_replaces_whole(api: TestClient) -> None:
    client = create(
        api,
        name="Keep",
        email="a@b.example",
        phone="123",
        tags=["x", "y"],
        metadata={"external_id": "CRM-1", "nested": {"a": 1}},
    )
    answer = api.put(
        f"/api/v1/clients/{client['id']}",
        headers=AUTH,
        json={"phone": None, "tags": ["z"], "metadata": {"nested": {"b": 2}}},
    )
    updated = answer.json()
    assert answer.status_code == 200
    assert updated["name"] == "Keep" and updated["email"] == "a@b.example"
    assert updated["phone"] is None
    assert updated["tags"] == ["z"] and updated["metadata"] == {"nested": {"b": 2}}
    assert updated["created_at"] == client["created_at"]
    assert updated["updated_at"] > client["updated_at"]
    assert api.get(f"/api/v1/clients/{client['id']}", headers=AUTH).json() == updated


def test_empty_update_is_a_no_op_that_still_moves_updated_at(api: TestClient) -> None:
    client = create(api, name="Same")
    updated = api.put(f"/api/v1/clients/{client['id']}", json={}, headers=AUTH).json()
    assert {k: v for k, v in updated.items() if k != "updated_at"} == {
        k: v for k, v in client.items() if k != "updated_at"
    }
    assert updated["updated_at"] > client["updated_at"]


@pytest.mark.parametrize(
    "body",
    [
        {"id": "x"},
        {"jobs_count": 3},
        {"created_at": "2020"},
        {"nmae": "typo"},
        {"name": None},
        {"name": ""},
        {"status": None},
        {"tags": None},
        {"phone": "1" * 51},
        {"email": "not-an-email"},
        {"website": "not a url"},
    ],
)
def test_update_rejects_read_only_unknown_and_invalid_fields(api: TestClient, body: dict) -> None:
    client = create(api, name="Guarded")
    answer = api.put(f"/api/v1/clients/{client['id']}", json=body, headers=AUTH)
    assert answer.status_code == 400, body
    assert api.get(f"/api/v1/clients/{client['id']}", headers=AUTH).json() == client


# A fixed id: pytest-xdist workers must collect the same test ids.
@pytest.mark.parametrize("client_id", [UNKNOWN_ID, "not-a-uuid", "..%2F..%2Fetc"])
def test_unknown_or_malformed_id_gives_404_problem(api: TestClient, client_id: str) -> None:
    for answer in (
        api.get(f"/api/v1/clients/{client_id}", headers=AUTH),
        api.put(f"/api/v1/clients/{client_id}", json={}, headers=AUTH),
    ):
        assert answer.status_code == 404
        assert answer.headers["content-type"] == "application/problem+json"


def test_job_counts_come_from_the_fixture_jobs(api: TestClient, all_clients: Reader) -> None:
    jobs = json.loads((FIXTURES / "jobs.json").read_text())
    clients = all_clients()
    for client in clients:
        linked = [job for job in jobs if job["client_id"] == client["id"]]
        assert client["jobs_count"] == len(linked)
        assert client["active_jobs_count"] == sum(job["status"] == "active" for job in linked)
    assert len({client["jobs_count"] for client in clients}) >= 4


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer    ", "Basic eDp5", "token-only"])
def test_missing_or_malformed_token_gets_401_with_challenge(api: TestClient, header: str) -> None:
    headers = {} if header is None else {"Authorization": header}
    answer = api.get("/api/v1/clients", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert answer.headers["content-type"] == "application/problem+json"


def test_fixed_token_accepts_only_that_token() -> None:
    with create_app(db=":memory:", token="s3cret").test_client() as api:
        assert api.get("/api/v1/clients", headers={"Authorization": "Bearer s3cret"}).is_success
        assert api.get("/api/v1/clients", headers=AUTH).status_code == 401
        assert api.post("/__mock/reset", headers=AUTH).status_code == 401
        assert (
            api.post("/__mock/reset", headers={"Authorization": "Bearer s3cret"}).status_code == 204
        )


def test_unicode_round_trips(api: TestClient) -> None:
    text = "Zoë 🚀 שלום e\u0301 \u0000 end"
    client = create(api, name=text, notes=text, tags=[text], metadata={text: [text]})
    fetched = api.get(f"/api/v1/clients/{client['id']}", headers=AUTH).json()
    assert fetched["name"] == fetched["notes"] == text
    assert fetched["tags"] == [text] and fetched["metadata"] == {text: [text]}
