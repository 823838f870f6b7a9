"""Security of the served mock (issue 5): constant-time token checks, no internals in any
response, admin endpoints under the API's token rule, and no request data in a file path."""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hostile.store_view import all_clients, leaks, problem_failures
from hostile.wire import RawResponse, send

import mockserver
from mockserver.app import create_app
from mockserver.testing import served_mock

TOKEN = "security-token-9d1e"
MARKER = f"pwned-{uuid.uuid4().hex}"
PACKAGE = Path(mockserver.__file__).resolve().parent
PASSWD_LINE = "root:x:0:0"  # the first line of /etc/passwd: a traversal that worked shows it


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("security")


@pytest.fixture(scope="module")
def server(store_dir: Path) -> Iterator[Any]:
    with served_mock(store_dir / "clients.json", token=TOKEN) as served:
        yield served


def bearer(token: str = TOKEN) -> list[tuple[str, str | bytes]]:
    return [("Authorization", f"Bearer {token}")]


def json_headers() -> list[tuple[str, str | bytes]]:
    return [*bearer(), ("Content-Type", "application/json")]


# --- constant-time token comparison -----------------------------------------------------------
# Timing cannot be measured reliably in a test; what can be checked is that every decision on a
# token goes through compare_digest, with the token sent and the one configured.


Compared = frozenset[bytes]  # the two values one compare_digest call was given


@pytest.fixture
def digest_calls(monkeypatch: pytest.MonkeyPatch) -> list[Compared]:
    calls: list[Compared] = []
    real = hmac.compare_digest

    def spy(a: str | bytes, b: str | bytes) -> bool:
        calls.append(frozenset(v.encode() if isinstance(v, str) else bytes(v) for v in (a, b)))
        return real(a, b)  # type: ignore[arg-type]

    monkeypatch.setattr(hmac, "compare_digest", spy)
    monkeypatch.setattr(secrets, "compare_digest", spy)
    return calls


@pytest.mark.parametrize(
    ("method", "path", "sent", "status"),
    [
        ("GET", "/api/v1/clients", TOKEN, 200),
        ("GET", "/api/v1/clients", TOKEN[:-1] + "X", 401),
        ("GET", "/api/v1/clients", TOKEN[:-1], 401),
        ("POST", "/__mock/reset", "wrong", 401),
        ("POST", "/__mock/reset", TOKEN, 204),
    ],
)
def test_every_token_decision_is_a_constant_time_comparison(
    digest_calls: list[Compared], method: str, path: str, sent: str, status: int
) -> None:
    with create_app(db=":memory:", token=TOKEN).test_client() as api:
        answer = api.request(method, path, headers={"Authorization": f"Bearer {sent}"})
    assert answer.status_code == status, answer.text
    assert frozenset({sent.encode(), TOKEN.encode()}) in digest_calls, (
        f"{method} {path}: the token was not compared with compare_digest"
    )


# --- nothing internal in any response body --------------------------------------------------

LEAK_PROBES: list[tuple[str, str, bytes | None, str | None]] = [
    # method, path, body, content type
    ("GET", "/nowhere", None, None),
    ("GET", "/api/v1/clients/x/y/z", None, None),
    ("DELETE", "/api/v1/clients", None, None),
    ("GET", "/__mock/reset", None, None),
    ("POST", "/api/v1/clients", b'{"name": ', "application/json"),
    ("POST", "/api/v1/clients", b'{"name": "a\xff"}', "application/json"),
    ("POST", "/api/v1/clients", b'{"name": 1}', "application/json"),
    ("POST", "/api/v1/clients", b'{"name": "x"}', "APPLICATION/JSON"),
    ("POST", "/api/v1/clients", b'{"name": "x"}', "application/vnd.other+json"),
    ("POST", "/api/v1/clients", b'{"name": "x"}', "text/plain"),
    ("POST", "/api/v1/clients", b"[" * 5000 + b"]" * 5000, "application/json"),
    ("POST", "/api/v1/clients", b'{"name": "x", "metadata": {"v": 1e400}}', "application/json"),
    ("PUT", "/api/v1/clients/%00", b"{}", "application/json"),
    ("PUT", "/api/v1/clients/..%2f..%2fetc%2fpasswd", b"{}", "application/json"),
    ("GET", "/api/v1/clients?limit=x", None, None),
    ("GET", "/api/v1/clients?search=%ff", None, None),
    ("GET", "/__mock/health", None, None),
    ("GET", "/api/v1/openapi.json", None, None),
]


@pytest.mark.parametrize(
    "probe", LEAK_PROBES, ids=[" ".join(map(repr, p))[:60] for p in LEAK_PROBES]
)
def test_no_internals_in_a_response_body(server: Any, probe: tuple[Any, ...]) -> None:
    method, path, body, content_type = probe
    headers = bearer() + ([("Content-Type", content_type)] if content_type else [])
    response = send(server.base_url, method, path, headers, body)
    assert response.error is None, response.error
    assert not leaks(response.body), f"{response.status}: {response.body[:400]!r}"
    assert response.status < 500, f"a client's request got {response.status}"


def test_no_internals_when_unauthorised(server: Any) -> None:
    for headers in ([], [("Authorization", "Basic eDp4")], bearer("wrong")):
        response = send(server.base_url, "GET", "/api/v1/clients", headers)
        assert response.status == 401
        assert not leaks(response.body), response.body


# --- admin endpoints follow the API's token rule -----------------------------------------------


def reset(server: Any, headers: list[tuple[str, str | bytes]]) -> RawResponse:
    return send(server.base_url, "POST", "/__mock/reset", headers)


@pytest.mark.parametrize(
    "headers",
    [[], bearer("wrong"), [("Authorization", f"Basic {TOKEN}")], [*bearer(), *bearer("x")]],
    ids=["no token", "wrong token", "Basic scheme", "two headers"],
)
def test_reset_refuses_what_the_api_refuses(server: Any, headers: list[Any]) -> None:
    created = send(server.base_url, "POST", "/api/v1/clients", json_headers(), b'{"name": "keep"}')
    assert created.status == 201
    answer = reset(server, headers)
    assert not problem_failures(answer, (401,)), problem_failures(answer, (401,))
    assert answer.headers.get("www-authenticate", "").startswith("Bearer")
    stored = [c["id"] for c in all_clients(server.api_url, TOKEN)]
    assert created.json()["id"] in stored, "a refused reset still emptied the store"


def test_reset_with_the_token_restores_the_fixtures(server: Any) -> None:
    created = send(server.base_url, "POST", "/api/v1/clients", json_headers(), b'{"name": "gone"}')
    assert reset(server, bearer()).status == 204
    assert created.json()["id"] not in [c["id"] for c in all_clients(server.api_url, TOKEN)]


def test_reset_needs_a_bearer_token_even_when_any_token_is_accepted(tmp_path: Path) -> None:
    # Without --token the API still refuses a request that has no bearer token; so must reset.
    with served_mock(tmp_path / "clients.json") as open_server:
        assert send(open_server.base_url, "GET", "/api/v1/clients").status == 401
        answer = reset(open_server, [])
        assert not problem_failures(answer, (401,)), problem_failures(answer, (401,))
        assert reset(open_server, bearer("anything")).status == 204


# --- request data never reaches a filesystem path ------------------------------------------

TRAVERSALS = [
    f"/api/v1/ui/{'../' * 8}etc/passwd",
    f"/api/v1/ui/{'..%2f' * 8}etc%2fpasswd",
    f"/api/v1/ui/{'%2e%2e/' * 8}etc/passwd",
    f"/api/v1/ui/{'..%5c' * 8}etc%5cpasswd",
    "/api/v1/ui/%2e%2e%2f%2e%2e%2fopenapi.yaml",
    f"/api/v1/{'..%2f' * 8}etc%2fpasswd",
    f"/__mock/{'..%2f' * 8}etc%2fpasswd",
    f"/api/v1/clients/{'..%2f' * 8}etc%2fpasswd",
    f"/api/v1/clients/{'..%2f' * 3}mockserver%2fapp.py",
    "/api/v1/clients/clients.json",
    "/api/v1/clients/%2fetc%2fpasswd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_file_is_served_from_a_path(server: Any, path: str) -> None:
    response = send(server.base_url, "GET", path, bearer())
    text = response.body.decode("latin-1")
    assert response.error is None and response.status in (400, 404), f"{response.status}: {text}"
    assert PASSWD_LINE not in text and "def create_app" not in text and "generation" not in text


def test_request_data_never_names_a_file(server: Any, store_dir: Path) -> None:
    names = [f"../../../../tmp/{MARKER}", f"/tmp/{MARKER}", f"{MARKER}/../../x", MARKER]
    files_before = sorted(p.name for p in store_dir.iterdir())
    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as http:
        for name in names:
            document = {"name": name, "tags": [name], "metadata": {name: name}}
            created = http.post(f"{server.api_url}/clients", json=document)
            assert created.status_code == 201
            updated = http.put(
                f"{server.api_url}/clients/{created.json()['id']}", json={"notes": name}
            )
            assert updated.status_code == 200 and updated.json()["notes"] == name
            found = http.get(f"{server.api_url}/clients", params={"search": name})
            assert created.json()["id"] in [client["id"] for client in found.json()["data"]]
            as_id = http.get(f"{server.api_url}/clients/{name.replace('/', '%2F')}")
            assert as_id.status_code == 404, f"{name!r} as an id: {as_id.status_code}"
    assert sorted(p.name for p in store_dir.iterdir()) == files_before
    for folder in (Path("/tmp"), store_dir, store_dir.parent, Path.cwd(), PACKAGE.parent):
        assert not any(MARKER in p.name for p in folder.iterdir()), (
            f"a file named by a request in {folder}"
        )
