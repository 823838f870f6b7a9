"""`check-traffic`: recorded traffic (HAR) checked offline, with an exit status CI can use."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.app import create_app
from mockserver.proxy.cli import CLEAN, UNUSABLE, VIOLATIONS, main
from mockserver.testing import served_mock

DATA = Path(__file__).parent / "data"
PLANTED_HAR = DATA / "planted.har"
# planted.har: a browser export (HTTP/2 pseudo-headers, credentials scrubbed, a CORS preflight,
# a static asset, a failed request, a base64 body) with these violations planted, in this order.
PLANTED = [
    "POST /clients request: $.email: 'acme' is not a 'email'",
    "GET /clients/{id} response 200: $.jobs_count: -1 is less than the minimum of 0",
    "PUT /clients/{id} response 200: $: 'metadata' is a required property",
    "GET /clients request: query.limit: 500 is greater than the maximum of 100",
    "GET /clients/{id} response 404: Content-Type: 'application/json' is not documented "
    "(expected application/problem+json)",
]
PLANTED_API_EXCHANGES = 7
AUTH = {"Authorization": "Bearer t"}


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    status = main(["check-traffic", *args])
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


def test_planted_violations_are_printed_once_each_in_traffic_order(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, lines, summary = check(capsys, str(PLANTED_HAR))
    assert status == VIOLATIONS
    assert lines == PLANTED
    assert f"{len(PLANTED)} violation(s) in {PLANTED_API_EXCHANGES} exchange(s)" in summary
    assert "2 outside the API" in summary


def test_the_report_holds_each_violation_with_its_exchange(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    check(capsys, str(PLANTED_HAR), "--report", str(tmp_path / "traffic.json"))
    report = json.loads((tmp_path / "traffic.json").read_text())
    assert [record["line"] for record in report["violations"]] == PLANTED
    jobs = next(r for r in report["violations"] if r["location"] == "$.jobs_count")
    assert json.loads(jobs["exchange"]["response"]["body"])["jobs_count"] == -1
    junit = ET.parse(tmp_path / "traffic.xml").getroot()
    assert sorted(f.get("message") for f in junit.iter("failure")) == sorted(PLANTED)
    failed_cases = {
        (case.get("classname"), case.get("name"))
        for case in junit.iter("testcase")
        if case.find("failure") is not None
    }
    assert ("PUT /clients/{id}", "response") in failed_cases
    assert ("PUT /clients/{id}", "request") not in failed_cases


def test_check_auth_requires_the_credentials_recorders_scrub(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, lines, _ = check(capsys, str(PLANTED_HAR), "--check-auth")
    missing = [line for line in lines if "header Authorization: missing" in line]
    assert len(missing) == PLANTED_API_EXCHANGES


def test_traffic_recorded_from_the_mock_is_clean(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    client = create_app(db=":memory:").test_client()
    created = client.post("/api/v1/clients", headers=AUTH, json={"name": "Wayne Enterprises"})
    answers = [
        client.get("/api/v1/clients?limit=5", headers=AUTH),
        created,
        client.put(created.headers["Location"], headers=AUTH, json={"status": "inactive"}),
        client.get("/api/v1/clients/unknown", headers=AUTH),
        client.get("/api/v1/clients"),  # no token: 401 with its challenge
    ]
    har = tmp_path / "session.har"
    har.write_text(json.dumps(har_of(answers)))
    status, lines, _ = check(capsys, str(har))
    assert (status, lines) == (CLEAN, [])


def test_a_schemathesis_har_is_read(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    har = tmp_path / "schemathesis.har"
    with served_mock(tmp_path) as mock:
        run = [sys.executable, "-m", "schemathesis.cli", "run", f"{mock.api_url}/openapi.json"]
        run += ["--url", mock.api_url, "--phases", "examples", "-H", "Authorization: Bearer t"]
        # The mock takes any token by design, so Schemathesis' auth probe is left out.
        run += ["--mode", "positive", "--checks", "not_a_server_error"]
        run += ["--report", "har", "--report-har-path", str(har)]
        subprocess.run(run, check=True, capture_output=True, timeout=120)
    entries = len(json.loads(har.read_text())["log"]["entries"])
    status, lines, summary = check(capsys, str(har))
    assert (status, lines) == (CLEAN, [])
    assert f"0 violation(s) in {entries} exchange(s)" in summary
    assert entries >= 4


def test_files_that_cannot_be_checked_exit_with_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    not_har = tmp_path / "notes.har"
    not_har.write_text("{}")
    no_api = tmp_path / "static.har"
    no_api.write_text(
        json.dumps(har_of([httpx.Response(200, request=httpx.Request("GET", "http://x/app.js"))]))
    )
    assert check(capsys, str(not_har))[0] == UNUSABLE
    assert check(capsys, str(tmp_path / "missing.har"))[0] == UNUSABLE
    assert check(capsys, str(no_api))[0] == UNUSABLE


def test_the_command_exits_non_zero_on_violations() -> None:
    command = [sys.executable, "-m", "mockserver", "check-traffic", str(PLANTED_HAR)]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert finished.returncode == VIOLATIONS
    assert finished.stdout.splitlines() == PLANTED


def har_of(answers: list[httpx.Response]) -> dict[str, Any]:
    """A minimal HAR 1.2 document of the exchanges behind these responses."""
    return {"log": {"version": "1.2", "entries": [har_entry(answer) for answer in answers]}}


def har_entry(answer: httpx.Response) -> dict[str, Any]:
    request = answer.request
    body = request.content.decode()
    request_entry: dict[str, Any] = {
        "method": request.method,
        "url": str(request.url),
        "headers": [{"name": k, "value": v} for k, v in request.headers.multi_items()],
    }
    if body:
        request_entry["postData"] = {"mimeType": request.headers["content-type"], "text": body}
    return {
        "request": request_entry,
        "response": {
            "status": answer.status_code,
            "headers": [{"name": k, "value": v} for k, v in answer.headers.multi_items()],
            "content": {"size": len(answer.content), "text": answer.text},
        },
    }
