"""The validating proxy: in front of the mock it stays silent; in front of a deliberately wrong
upstream it names each planted violation once, at the right place; a dead or slow upstream
gives a 502/504 problem instead of a hang."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from proxy_upstream import (
    AUTH,
    CLIENT_ID,
    ORIGIN,
    PLANTED,
    PROBLEM,
    SLOW_SECONDS,
    VALID_CLIENT,
    WRONG_UPSTREAM,
    free_port,
    serve_in_thread,
)

from mockserver.proxy.app import create_proxy_app
from mockserver.proxy.cli import UVICORN
from mockserver.proxy.settings import ProxySettings
from mockserver.proxy.violations import json_location
from mockserver.settings import SettingsError
from mockserver.testing import served_mock


@pytest.fixture(scope="module")
def wrong_upstream() -> Iterator[str]:
    with serve_in_thread(WRONG_UPSTREAM) as base_url:
        yield base_url


@contextmanager
def proxy_client(upstream: str, **options: Any) -> Iterator[httpx.Client]:
    settings = ProxySettings.load(environ={}, upstream=upstream, **options)
    with (
        serve_in_thread(create_proxy_app(settings), **UVICORN) as base_url,
        httpx.Client(base_url=base_url, timeout=30) as client,
    ):
        yield client


def send(
    client: httpx.Client, method: str, path: str, body: Any = None, **headers: str
) -> httpx.Response:
    return client.request(method, path, headers={**AUTH, **headers}, json=body)


def violation_lines(client: httpx.Client) -> list[str]:
    return [record["line"] for record in client.get("/__mock/violations").json()["violations"]]


# --- in front of our mock ------------------------------------------------------------------


def frontend_session(proxy: httpx.Client) -> list[httpx.Response]:
    """What a client list / detail / edit screen sends, all of it within the contract."""
    answers = [
        send(proxy, "GET", "/api/v1/clients"),
        send(proxy, "GET", "/api/v1/clients?search=acme&status=active&limit=10"),
        send(proxy, "GET", "/api/v1/clients?industry=technology&limit=2&offset=2"),
        send(proxy, "GET", "/api/v1/clients?offset=1000"),
    ]
    first_id = answers[0].json()["data"][0]["id"]
    answers.append(send(proxy, "GET", f"/api/v1/clients/{first_id}"))
    new = {"name": "Wayne Enterprises", "email": "hr@wayne.example.com", "tags": ["new"]}
    created = send(proxy, "POST", "/api/v1/clients", new)
    location = created.headers["Location"]
    answers += [
        created,
        send(proxy, "GET", location),
        send(proxy, "PUT", location, {"phone": None, "status": "inactive", "metadata": {"a": 1}}),
        send(proxy, "PUT", location, {}),
        send(proxy, "GET", "/api/v1/clients/00000000-0000-4000-8000-000000000000"),
    ]
    return answers


def test_in_front_of_the_mock_a_frontend_session_breaks_nothing(tmp_path: Path) -> None:
    with served_mock(tmp_path) as mock, proxy_client(mock.base_url) as proxy:
        answers = frontend_session(proxy)
        report = proxy.get("/__mock/violations").json()
        created_id = answers[5].json()["id"]
        direct = httpx.get(f"{mock.api_url}/clients/{created_id}", headers=AUTH)
        proxied = send(proxy, "GET", f"/api/v1/clients/{created_id}")
        cross_origin = send(proxy, "GET", "/api/v1/clients?limit=1", **ORIGIN)
    statuses = [answer.status_code for answer in answers]
    assert statuses == [200, 200, 200, 200, 200, 201, 200, 200, 200, 404]
    assert [answer.headers["X-Contract-Violations"] for answer in answers] == ["0"] * 10
    assert (report["total"], report["exchanges"]) == (0, 10)
    assert proxied.json() == direct.json()
    assert proxied.json()["status"] == "inactive"
    exposed = cross_origin.headers["access-control-expose-headers"]
    assert {"location", "x-contract-violations"} <= set(exposed.lower().replace(" ", "").split(","))


# --- in front of the wrong upstream --------------------------------------------------------


def test_each_planted_violation_is_reported_once_with_its_location(wrong_upstream: str) -> None:
    with proxy_client(wrong_upstream) as proxy:
        for method, path, body, planted in PLANTED:
            response = send(proxy, method, path, body)
            assert response.headers["X-Contract-Violations"] == str(len(planted)), path
        expected = sorted(line for *_, planted in PLANTED for line in planted)
        assert sorted(violation_lines(proxy)) == expected


def test_answers_pass_through_unchanged(wrong_upstream: str) -> None:
    direct = httpx.get(f"{wrong_upstream}/api/v1/clients/html", headers=AUTH)
    with proxy_client(wrong_upstream) as proxy:
        proxied = send(proxy, "PUT", f"/api/v1/clients/{CLIENT_ID}", {"name": "x"})
        html = send(proxy, "GET", "/api/v1/clients/html")
    assert proxied.status_code == 418
    assert proxied.json()["title"] == "I'm a teapot"
    assert proxied.headers["content-type"] == PROBLEM
    assert (html.status_code, html.content) == (direct.status_code, direct.content)
    added = {"x-contract-violations", "date"}  # the date differs by the time between the calls
    assert without(html.headers, added) == without(direct.headers, added)
    assert len(html.headers.get_list("date")) == 1


def without(headers: httpx.Headers, names: set[str]) -> list[tuple[str, str]]:
    return sorted((name, value) for name, value in headers.multi_items() if name not in names)


def test_a_violation_is_listed_with_its_exchange_and_no_secrets(wrong_upstream: str) -> None:
    with proxy_client(wrong_upstream) as proxy:
        send(proxy, "GET", "/api/v1/clients/bad-date")
        [record] = proxy.get("/__mock/violations").json()["violations"]
    assert record["operation"] == "GET /clients/{id}"
    assert (record["side"], record["status"], record["location"]) == (
        "response",
        200,
        "$.updated_at",
    )
    exchange = record["exchange"]
    assert exchange["request"]["method"] == "GET"
    assert exchange["request"]["url"].endswith("/api/v1/clients/bad-date")
    assert json.loads(exchange["response"]["body"])["updated_at"] == "yesterday"
    headers = dict((name.lower(), value) for name, value in exchange["request"]["headers"])
    assert headers["authorization"] == "<redacted>"


def test_clearing_the_list_starts_a_new_count(wrong_upstream: str) -> None:
    with proxy_client(wrong_upstream) as proxy:
        send(proxy, "GET", "/api/v1/clients/bad-date")
        assert proxy.delete("/__mock/violations").status_code == 204
        assert proxy.get("/__mock/violations").json()["total"] == 0


def test_strict_mode_turns_a_broken_response_into_a_502_problem(wrong_upstream: str) -> None:
    with proxy_client(wrong_upstream, strict=True) as proxy:
        broken = send(proxy, "GET", "/api/v1/clients/bad-date", **ORIGIN)
        sound = send(proxy, "GET", f"/api/v1/clients/{CLIENT_ID}")
    assert broken.status_code == 502
    assert broken.headers["content-type"] == PROBLEM
    # A browser frontend on another origin gets to read the problem and the count.
    assert broken.headers["access-control-allow-origin"] == "*"
    assert "X-Contract-Violations" in broken.headers["access-control-expose-headers"]
    line = "GET /clients/{id} response 200: $.updated_at: 'yesterday' is not a 'date-time'"
    assert broken.json()["violations"] == [line]
    assert line in broken.json()["detail"]
    assert (sound.status_code, sound.json()) == (200, VALID_CLIENT)


def test_an_unreachable_upstream_gives_a_502_problem() -> None:
    with proxy_client(f"http://127.0.0.1:{free_port()}", timeout=5) as proxy:
        response = send(proxy, "GET", "/api/v1/clients")
    assert response.status_code == 502
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["status"] == 502


def test_a_slow_upstream_gives_a_504_problem_within_the_timeout(wrong_upstream: str) -> None:
    with proxy_client(wrong_upstream, timeout=0.5) as proxy:
        started = time.monotonic()
        response = send(proxy, "GET", "/api/v1/clients/slow")
        waited = time.monotonic() - started
    assert response.status_code == 504
    assert response.json()["title"] == "Gateway Timeout"
    # Generous: the point is that the proxy gives up before the upstream answers.
    assert waited < SLOW_SECONDS


# --- the command line: environment, logging, report at shutdown -----------------------------


def test_settings_come_from_the_environment_and_arguments_override_it() -> None:
    environ = {
        "MOCKSERVER_PROXY_UPSTREAM": "http://backend.test",
        "MOCKSERVER_PROXY_STRICT": "yes",
        "MOCKSERVER_PROXY_PORT": "9999",
        "MOCKSERVER_PROXY_REPORT": "out/contract",
    }
    settings = ProxySettings.load(environ=environ, port=7000)
    assert (settings.upstream, settings.strict, settings.port) == (
        "http://backend.test",
        True,
        7000,
    )
    assert settings.report == "out/contract"
    with pytest.raises(SettingsError):
        ProxySettings.load(environ={}, upstream="backend.test")


def test_the_mocks_variables_do_not_move_the_proxy() -> None:
    # The image sets MOCKSERVER_PORT=8080 for the mock; the proxy keeps its own default.
    environ = {"MOCKSERVER_PORT": "8080", "MOCKSERVER_PROXY_UPSTREAM": "http://backend.test"}
    assert ProxySettings.load(environ=environ).port == 8081


def test_the_proxy_command_logs_each_violation_and_writes_reports_on_sigterm(
    wrong_upstream: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "MOCKSERVER_PROXY_UPSTREAM": wrong_upstream,
        "MOCKSERVER_PROXY_PORT": str(port),
    }
    command = [sys.executable, "-m", "mockserver.proxy", "proxy", "--report", str(tmp_path / "c")]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base_url}/__mock/violations")
        httpx.get(f"{base_url}/api/v1/clients/bad-date", headers=AUTH)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    finally:
        process.kill()
    line = "GET /clients/{id} response 200: $.updated_at: 'yesterday' is not a 'date-time'"
    # uvicorn re-raises the signal once it has shut down cleanly.
    assert process.returncode in (0, -signal.SIGTERM)
    assert [entry for entry in stderr.splitlines() if line in entry] != []
    report = json.loads((tmp_path / "c.json").read_text())
    assert [record["line"] for record in report["violations"]] == [line]
    junit = ET.parse(tmp_path / "c.xml").getroot()
    assert junit.get("failures") == "1"
    [failure] = junit.iter("failure")
    assert failure.get("message") == line


def wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            assert time.monotonic() < deadline, f"{url} did not come up"
            time.sleep(0.1)


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ([], "$"),
        (["data", 3, "email"], "$.data[3].email"),
        (["metadata", "external id"], "$.metadata['external id']"),
    ],
)
def test_json_locations_read_as_jsonpath(path: list[Any], location: str) -> None:
    assert json_location(path) == location
