"""The suite's own machinery: the wire judge, the header filter, the pacing policy, options."""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from contract_tests.options import header, options_from
from contract_tests.pacing import PacedTransport, Pacing, Throttled, retry_after
from contract_tests.wire import WireJudge, is_valid_http_header
from mockserver import contract_test
from mockserver.contract import SPEC_PATH

ROOT = Path(__file__).resolve().parents[1]
API = "http://127.0.0.1/api/v1"
AUTH = {"Authorization": "Bearer t"}
JSON = {**AUTH, "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def judge() -> WireJudge:
    return WireJudge(str(SPEC_PATH))


@pytest.mark.parametrize(
    ("method", "url", "headers", "body"),
    [
        # The issue's mislabelled cases, as they were really sent: valid.
        ("GET", "/clients?limit=84&offset=3776754662947907584", AUTH, None),
        ("GET", "/clients?industry=", AUTH, None),
        ("GET", "/clients?search=", AUTH, None),
        ("POST", "/clients", JSON, b'{"name": "x", "email": "a+b@example.com"}'),
        ("PUT", "/clients/anything", JSON, b"{}"),
    ],
)
def test_valid_requests_on_the_wire(
    judge: WireJudge, method: str, url: str, headers: dict[str, str], body: bytes | None
) -> None:
    assert judge.request_errors(method, API + url, headers, body) == []


@pytest.mark.parametrize(
    ("method", "url", "headers", "body"),
    [
        ("GET", "/clients", {}, None),
        ("GET", "/clients", {"Authorization": "Basic eDp5"}, None),
        ("GET", "/clients?serach=acme", AUTH, None),
        ("GET", "/clients?limit=101", AUTH, None),
        ("GET", "/clients?limit=", AUTH, None),
        ("GET", "/clients?status=", AUTH, None),
        ("POST", "/clients", JSON, b'{"name": "x", "id": "1"}'),
        ("POST", "/clients", {**AUTH, "Content-Type": "text/plain"}, b'{"name": "x"}'),
        ("DELETE", "/clients/x", AUTH, None),
    ],
)
def test_invalid_requests_on_the_wire(
    judge: WireJudge, method: str, url: str, headers: dict[str, str], body: bytes | None
) -> None:
    assert judge.request_errors(method, API + url, headers, body) != []


def test_header_values_that_are_not_http_are_not_sent() -> None:
    assert is_valid_http_header("X-Trace", "D}BK0 R]$")
    assert not is_valid_http_header("Content-Length", "12x")
    assert not is_valid_http_header("X-Trace", "a\x00b")
    assert not is_valid_http_header("X-Trace", " padded")
    assert not is_valid_http_header("X-Trace", "snow ☃")
    assert not is_valid_http_header("Bad Name", "x")


def throttling_transport(answers: list[httpx.Response]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    return httpx.MockTransport(answer)


def test_throttled_answers_are_waited_out_then_given_up(monkeypatch: Any) -> None:
    monkeypatch.setattr("contract_tests.pacing.time.sleep", lambda seconds: None)
    busy = httpx.Response(429, headers={"Retry-After": "1"})
    inner = throttling_transport([busy, busy, httpx.Response(200)])
    with httpx.Client(transport=PacedTransport(inner, Pacing(max_retries=2))) as client:
        assert client.get("http://x/").status_code == 200
    inner = throttling_transport([busy, busy, busy])
    with (
        httpx.Client(transport=PacedTransport(inner, Pacing(max_retries=2))) as client,
        pytest.raises(Throttled),
    ):
        client.get("http://x/")
    # A 503 without Retry-After is an answer, not throttling.
    inner = throttling_transport([httpx.Response(503)])
    with httpx.Client(transport=PacedTransport(inner, Pacing())) as client:
        assert client.get("http://x/").status_code == 503


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after("3") == 3.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after("soon") is None


def test_options_are_checked(monkeypatch: Any) -> None:
    given = {
        "settle": "2",
        "max_rps": None,
        "max_retries": "5",
        "request_timeout": "30",
        "header": None,
        "ca_bundle": None,
        "insecure": False,
        "max_time": "90",
    }
    monkeypatch.setenv("CONTRACT_HEADERS", "X-Tenant: acme\nX-Env: staging")
    options = options_from(SimpleNamespace(**given))
    assert options.settle == 2 and options.headers == (("X-Tenant", "acme"), ("X-Env", "staging"))
    assert options.max_time == 90
    with pytest.raises(ValueError, match="--settle"):
        options_from(SimpleNamespace(**{**given, "settle": "-1"}))
    with pytest.raises(ValueError, match="--max-time"):
        options_from(SimpleNamespace(**{**given, "max_time": "soon"}))
    with pytest.raises(ValueError, match="Name: value"):
        header("no colon")


@pytest.mark.slow
def test_the_issues_seed_passes_on_the_mock(run_contract_suite: Any) -> None:
    result = run_contract_suite("-q", "--read-only", "--hypothesis-seed=422979023")
    assert result.returncode == 0, result.stdout[-5000:]


def test_the_install_hint_names_the_extra_that_carries_the_suite(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    monkeypatch.setitem(sys.modules, "contract_tests", None)  # as if not installed
    assert contract_test.run(argparse.Namespace()) == 2
    hint = capsys.readouterr().out
    assert "pip install 'mockserver[contract]'" in hint
    assert any(dependency.startswith("schemathesis") for dependency in extras["contract"])
    documented = [
        path
        for path in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
        if "mockserver[test]" in path.read_text(encoding="utf-8")
    ]
    assert not documented


def test_the_command_passes_the_ci_options_to_the_suite() -> None:
    parser = argparse.ArgumentParser()
    contract_test.register(parser.add_subparsers())
    given = ["--base-url", "u", "--token-command", "issue token", "--max-time", "60"]
    args = parser.parse_args(["contract-test", *given, "--report-markdown", "s.md", "-k", "x"])
    assert contract_test.pytest_arguments(args, "suite") == [
        "suite",
        "-p",
        "no:cacheprovider",
        "--base-url=u",
        "--token-command=issue token",
        "--max-time=60",
        "--report-markdown=s.md",
        "-k",
        "x",
    ]
