"""The dashboard without a browser: the page and its files are served with a CSP that forbids
inline script, are shipped in the wheel, hold no markup sink; and the live feed it reads
(GET /__mock/sessions/{name}/requests/feed): ids, order, long poll at two workers, the gap after
a clear or a cut back, and each entry's `why`."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.dashboard import STATIC
from mockserver.scenarios import requests as journal_module
from mockserver.testing import ServedMock, served_mock

AUTH = {"Authorization": "Bearer dashboard-token"}
ASSETS = sorted(path.name for path in STATIC.iterdir())
ROOT = Path(__file__).resolve().parent.parent


def test_the_page_is_served_at_the_control_base_with_a_strict_csp(api: TestClient) -> None:
    page = api.get("/__mock/")  # no token: the files hold no data
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    policy = dict(
        part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'none'"
    assert policy["connect-src"] == "'self'"
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert '<script type="module" src="dashboard/main.js">' in page.text
    assert api.get("/__mock", follow_redirects=False).status_code in (301, 302, 307, 308)


@pytest.mark.parametrize("name", [name for name in ASSETS if name != "index.html"])
def test_every_asset_is_served_with_its_type_and_the_policy(api: TestClient, name: str) -> None:
    answer = api.get(f"/__mock/dashboard/{name}")
    assert answer.status_code == 200
    kind = {"js": "text/javascript", "css": "text/css", "html": "text/html"}[name.rsplit(".")[-1]]
    assert answer.headers["content-type"].startswith(kind)
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert answer.content == (STATIC / name).read_bytes()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/__mock/dashboard/missing.js", 404),
        ("GET", "/__mock/dashboard/../control.yaml", 404),
        ("GET", "/__mock/dashboard/%2e%2e/__init__.py", 404),
        ("POST", "/__mock/", 405),
        ("DELETE", "/__mock/dashboard/main.js", 405),
    ],
)
def test_anything_else_is_a_problem(api: TestClient, method: str, path: str, status: int) -> None:
    answer = api.request(method, path)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"


def test_the_files_hold_no_inline_script_and_set_no_markup() -> None:
    html = (STATIC / "index.html").read_text()
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert re.findall(r"\son[a-z]+\s*=", html) == []  # no inline event handlers
    for script in STATIC.glob("*.js"):
        text = script.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in text, f"{script.name} uses {sink}"
        assert not re.search(r"https?://", text), f"{script.name} reaches another origin"


def test_the_files_are_in_the_wheel(tmp_path: Path) -> None:
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            tmp_path,
            ".",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("mockserver-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"mockserver/dashboard/static/{name}" for name in ASSETS} <= names


# The live feed, at two workers.


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedMock]:
    with served_mock(tmp_path_factory.mktemp("feed"), workers=2) as served:
        yield served


def feed(mock: ServedMock, session: str, **query: Any) -> dict[str, Any]:
    answer = httpx.get(
        f"{mock.base_url}/__mock/sessions/{session}/requests/feed",
        params=query,
        headers=AUTH,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def send(mock: ServedMock, session: str, count: int, path: str = "/clients") -> None:
    headers = {**AUTH, "X-Mock-Session": session, "Connection": "close"}
    for index in range(count):
        httpx.get(f"{mock.api_url}{path}", params={"offset": index}, headers=headers, timeout=10)


def test_the_feed_goes_on_after_the_last_entry_seen_in_order(mock: ServedMock) -> None:
    send(mock, "feed-order", 6)
    first = feed(mock, "feed-order")
    assert first["meta"]["found"] is False  # no cursor: everything kept
    ids = [entry["i"] for entry in first["data"]]
    assert first["meta"]["last"] == ids[-1]
    assert [entry["q"] for entry in first["data"]] == [f"offset={n}" for n in range(6)]
    # Unique, and each worker counts its own entries of the session from 1 without a gap.
    assert len(set(ids)) == 6
    by_worker: dict[str, list[int]] = {}
    for entry_id in ids:
        pid, n = entry_id.split(".")
        by_worker.setdefault(pid, []).append(int(n))
    assert all(ns == list(range(1, len(ns) + 1)) for ns in by_worker.values())
    send(mock, "feed-order", 2)
    then = feed(mock, "feed-order", after=first["meta"]["last"])
    assert then["meta"]["found"] is True
    assert [entry["q"] for entry in then["data"]] == ["offset=0", "offset=1"]
    assert feed(mock, "feed-order", after=then["meta"]["last"])["data"] == []


def test_a_long_poll_answers_when_any_worker_records(mock: ServedMock) -> None:
    send(mock, "feed-wait", 1)
    last = feed(mock, "feed-wait")["meta"]["last"]
    sender = threading.Timer(0.3, send, (mock, "feed-wait", 1))
    sender.start()
    started = time.monotonic()
    answer = feed(mock, "feed-wait", after=last, wait=20)
    sender.join()
    assert len(answer["data"]) == 1 and answer["meta"]["found"]
    assert time.monotonic() - started < 10  # answered by the request, not the 20 s bound


def test_a_long_poll_with_nothing_new_waits_its_bound(mock: ServedMock) -> None:
    send(mock, "feed-idle", 1)
    last = feed(mock, "feed-idle")["meta"]["last"]
    started = time.monotonic()
    answer = feed(mock, "feed-idle", after=last, wait=0.5)
    assert time.monotonic() - started >= 0.5
    assert answer == {"data": [], "meta": {"found": True, "last": last}}


def test_after_a_clear_the_feed_says_it_lost_its_place(mock: ServedMock) -> None:
    send(mock, "feed-clear", 2)
    last = feed(mock, "feed-clear")["meta"]["last"]
    httpx.delete(f"{mock.base_url}/__mock/sessions/feed-clear/requests", headers=AUTH)
    assert feed(mock, "feed-clear", after=last, wait=5) == {
        "data": [],
        "meta": {"found": False, "last": None},
    }


@pytest.mark.parametrize("on_disk", [True, False])
def test_after_a_cut_back_the_ids_tell_how_many_were_missed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, on_disk: bool
) -> None:
    # In process, with a small journal, so a cut back comes after a few entries.
    monkeypatch.setattr(journal_module, "LIMIT", 5)
    monkeypatch.setattr(journal_module, "COMPACT_BYTES", 4000)
    db = str(tmp_path / "clients.json") if on_disk else ":memory:"
    with create_app(db=db).test_client() as client:
        for _ in range(3):
            client.get("/api/v1/clients", headers=AUTH)
        last = client.get("/__mock/sessions/default/requests/feed", headers=AUTH).json()
        for _ in range(20):
            client.get("/api/v1/clients", headers=AUTH)
        then = client.get(
            "/__mock/sessions/default/requests/feed",
            params={"after": last["meta"]["last"]},
            headers=AUTH,
        ).json()
    assert then["meta"]["found"] is False
    numbers = [int(entry["i"].split(".")[1]) for entry in then["data"]]
    assert numbers == [19, 20, 21, 22, 23]  # 4 to 18 were missed: the reader can say so


@pytest.mark.parametrize(
    ("request_", "why"),
    [
        (("GET", "/clients", {}), "the mock's handler"),
        (("GET", "/clients?limit=0", {}), "problem: query parameter 'limit': 0 is less than"),
        (("GET", "/clients", {"Prefer": "code=401"}), "Prefer: code=401"),
        (("GET", "/nowhere", {}), "problem: Nothing is served at"),
        (("GET", "/clients", {"Authorization": ""}), "problem: "),
    ],
)
def test_each_entry_says_why_it_was_answered(
    api: TestClient, request_: tuple[str, str, dict[str, str]], why: str
) -> None:
    method, path, headers = request_
    api.request(method, f"/api/v1{path}", headers={**AUTH, **headers})
    (entry,) = api.get("/__mock/sessions/default/requests", headers=AUTH).json()["data"]
    assert entry["why"].startswith(why), entry
    assert entry["id"].endswith(".1")


def test_a_rule_is_named_as_the_why(api: TestClient) -> None:
    rule = api.post(
        "/__mock/sessions/default/rules",
        json={"operation": "listClients", "status": 503},
        headers=AUTH,
    ).json()
    api.get("/api/v1/clients", headers=AUTH)
    (entry,) = api.get("/__mock/sessions/default/requests", headers=AUTH).json()["data"]
    assert (entry["why"], entry["rule"], entry["status"]) == (f"rule {rule['id']}", rule["id"], 503)
