"""The contract suite against a correct API that behaves like a real staging, on purpose
(tests/contract_suite/staging.py): each staging option is needed (without it the suite fails a
correct server), sufficient (with it the suite passes), and still catches a planted defect."""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.contract_suite.serving import SEMANTICS, outcome, serve_target

TOKEN = "staging-token"
pytestmark = [pytest.mark.slow, pytest.mark.staging_target]

Serve = Callable[..., contextlib.AbstractContextManager[str]]
Suite = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def serve_staging(tmp_path: Path) -> Serve:
    """serve_staging(STAGING_LAG="1.5", ..., tls=False) -> a context with the API URL."""
    return partial(serve_target, tmp_path)


@pytest.fixture
def suite(tmp_path: Path, run_contract_suite: Any) -> Suite:
    """suite(api_url, *pytest args, env={...}) runs the contract suite as CI does."""

    def run(api_url: str, *args: str, env: dict[str, str] | None = None) -> Any:
        records = str(tmp_path / "records.json")
        options = ("-q", "--base-url", api_url, "--token", TOKEN, "--records-file", records)
        return run_contract_suite(*options, *args, env=env, paths=(SEMANTICS,))

    return run


# One correct target with every staging reality at once, served over private TLS.
REALITIES = {
    "STAGING_LAG": "1.5",  # search index and read replica
    "STAGING_THROTTLE_EVERY": "9",  # 429 with Retry-After: 1
    "STAGING_RATE_LIMIT": "10",  # per second, bursts of 5; over: 429 with Retry-After: 120
    "STAGING_TENANT": "acme",  # the gateway wants X-Tenant: acme
    "STAGING_SLOW_WRITES": "0.3",
}
# Tests that read after writing, page, and check auth: each reality shows in them.
SUBSET = (
    "test_a_new_client_is_active or test_search_matches or test_an_update_moves"
    " or test_paging_parameter_edges or test_reads_without_a_token"
)
OPTIONS = {
    "settle": ("--settle", "4"),
    "max_rps": ("--max-rps", "5"),
    "header": ("--header", "X-Tenant: acme"),
    "ca_bundle": ("--ca-bundle", "<cert>"),
}


@pytest.fixture
def certificate(tmp_path: Path) -> Path:
    """A self-signed certificate for 127.0.0.1 (key.pem next to it)."""
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return tmp_path / "cert.pem"


def options(certificate: Path, *, leave_out: str = "", **extra: str) -> list[str]:
    chosen = [
        value.replace("<cert>", str(certificate))
        for name, pair in OPTIONS.items()
        if name != leave_out
        for value in pair
    ]
    return chosen + [word for name, value in extra.items() for word in (f"--{name}", value)]


@pytest.mark.timeout(600)  # nine runs of the suite, slow when the machine is loaded
def test_each_staging_option_is_needed_and_enough(
    serve_staging: Serve, suite: Suite, certificate: Path, tmp_path: Path
) -> None:
    junit = tmp_path / "junit.xml"
    with serve_staging(tls=True, **REALITIES) as api_url:
        every = suite(api_url, "-k", SUBSET, *options(certificate), f"--junitxml={junit}")
        assert every.returncode == 0, outcome(every)
        # The created-records report: the JSON file and the JUnit properties.
        created = json.loads((tmp_path / "records.json").read_text())["created"]
        assert len(created) >= 5 and all(r["name"].startswith("contract-test-") for r in created)
        report = junit.read_text()
        assert all(f'name="created_record_{r["id"]}"' in report for r in created)
        assert 'name="coverage_createClient_exercised"' in report
        # Each option left out (or turned off) fails the correct target, for its own reason.
        needed = {
            "settle": (options(certificate, leave_out="settle"), "got 404"),
            "retries": (options(certificate, **{"max-retries": "0"}), "got 429"),
            "max_rps": (options(certificate, leave_out="max_rps"), "Throttled"),
            "header": (options(certificate, leave_out="header"), "got 403"),
            "ca_bundle": (options(certificate, leave_out="ca_bundle"), "CERTIFICATE_VERIFY"),
            "timeout": (options(certificate, **{"request-timeout": "0.1"}), "Timeout"),
        }
        for name, (arguments, reason) in needed.items():
            result = suite(api_url, "-k", SUBSET, "-x", *arguments)
            assert result.returncode == 1 and reason in outcome(result), (name, outcome(result))
        insecure = suite(
            api_url,
            "-k",
            "test_search_matches",
            *options(certificate, leave_out="ca_bundle"),
            env={"CONTRACT_INSECURE": "1"},
        )
        assert insecure.returncode == 0, outcome(insecure)


def test_a_defect_behind_the_staging_realities_is_still_caught(
    serve_staging: Serve, suite: Suite, certificate: Path
) -> None:
    with serve_staging(tls=True, STAGING_DEFECT="search_ignores_email", **REALITIES) as api_url:
        result = suite(
            api_url,
            "-k",
            SUBSET,
            *options(certificate, leave_out="settle"),
            env={"CONTRACT_SETTLE": "3"},
        )
    assert result.returncode == 1, outcome(result)
    summary = result.stdout.split("short test summary")[-1]
    assert "FAILED contract_tests/test_semantics.py::test_search_matches" in summary, outcome(
        result
    )
    assert summary.count("FAILED") == 1, outcome(result)
    assert "missed a client whose email contains it" in result.stdout
    assert "s after the write was acknowledged: beyond --settle)" in result.stdout
