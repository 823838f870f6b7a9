"""The contract suite against a correct API that behaves like a real staging, on purpose
(tests/contract_suite/staging.py): each staging option is needed (without it the suite fails a
correct server), sufficient (with it the suite passes), and still catches a planted defect."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.testing import free_port

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "staging-token"
pytestmark = pytest.mark.slow

Serve = Callable[..., contextlib.AbstractContextManager[str]]
Suite = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def serve_staging(tmp_path: Path) -> Serve:
    """serve_staging(STAGING_LAG="1.5", ..., tls=False) -> a context with the API URL."""

    @contextlib.contextmanager
    def serve(tls: bool = False, **behaviour: str) -> Iterator[str]:
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "tests.contract_suite.staging:app_from_env",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ]
        if tls:
            command += [
                "--ssl-keyfile",
                str(tmp_path / "key.pem"),
                "--ssl-certfile",
                str(tmp_path / "cert.pem"),
            ]
        log = (tmp_path / f"staging-{port}.log").open("wb")
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **behaviour}, stdout=log, stderr=subprocess.STDOUT
        )
        scheme = "https" if tls else "http"
        try:
            wait_until_up(f"{scheme}://127.0.0.1:{port}", process)
            yield f"{scheme}://127.0.0.1:{port}/api/v1"
        finally:
            process.terminate()
            process.wait(10)
            log.close()

    return serve


def wait_until_up(origin: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the staging target exited"
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(origin + "/__mock/health", verify=False, timeout=1)
            return
        time.sleep(0.1)
    raise TimeoutError(f"the staging target did not answer on {origin}")


@pytest.fixture
def suite(tmp_path: Path) -> Suite:
    """suite(api_url, *pytest args, env={...}) runs the contract suite as CI does."""

    def run(api_url: str, *args: str, env: dict[str, str] | None = None) -> Any:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("CONTRACT_")}
        command = [
            sys.executable,
            "-m",
            "pytest",
            "contract_tests",
            "-p",
            "no:cacheprovider",
            "-q",
            "--base-url",
            api_url,
            "--token",
            TOKEN,
            "--records-file",
            str(tmp_path / "records.json"),
            *args,
        ]
        return subprocess.run(
            command,
            cwd=ROOT,
            env={**inherited, **(env or {})},
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )

    return run


def outcome(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout[-4000:] + result.stderr[-2000:]


LAGGING = "test_a_new_client_is_active or test_search_matches or test_an_update_moves"


def test_settle_waits_out_a_lagging_index_and_read_replica(
    serve_staging: Serve, suite: Suite, tmp_path: Path
) -> None:
    with serve_staging(STAGING_LAG="1.5") as api_url:
        impatient = suite(api_url, "-k", LAGGING)
        junit = tmp_path / "junit.xml"
        patient = suite(api_url, "-k", LAGGING, "--settle", "4", f"--junitxml={junit}")
    assert impatient.returncode == 1, outcome(impatient)
    assert "test_a_new_client_is_active_with_empty_defaults FAILED" in impatient.stdout or (
        "FAILED contract_tests/test_semantics.py::test_a_new_client_is_active" in impatient.stdout
    ), outcome(impatient)
    assert patient.returncode == 0, outcome(patient)
    # Every record the run created, with its name, in the JSON file and the JUnit properties.
    created = json.loads((tmp_path / "records.json").read_text())["created"]
    assert len(created) >= 5 and all(r["name"].startswith("contract-test-") for r in created)
    report = junit.read_text()
    assert all(f'name="created_record_{r["id"]}"' in report for r in created)
    assert 'name="coverage_createClient_exercised"' in report


def test_settle_still_catches_a_real_defect(serve_staging: Serve, suite: Suite) -> None:
    with serve_staging(STAGING_LAG="1.5", STAGING_DEFECT="search_ignores_email") as api_url:
        result = suite(api_url, "-k", "test_search_matches", env={"CONTRACT_SETTLE": "3"})
    assert result.returncode == 1, outcome(result)
    assert "missed a client whose email contains it" in result.stdout, outcome(result)
    assert "still so after waiting 3.0 s" in result.stdout, outcome(result)


THROTTLED = "test_read_operation or test_search_matches or test_paging_parameter_edges"


def test_throttling_is_waited_out_by_default(serve_staging: Serve, suite: Suite) -> None:
    with serve_staging(STAGING_THROTTLE_EVERY="9") as api_url:
        without = suite(api_url, "-k", THROTTLED, "--max-retries", "0")
        default = suite(api_url, "-k", THROTTLED)
        broken = None
    assert without.returncode == 1, outcome(without)
    assert default.returncode == 0, outcome(default)
    with serve_staging(STAGING_THROTTLE_EVERY="9", STAGING_DEFECT="limit_100_refused") as api_url:
        broken = suite(api_url, "-k", "test_paging_parameter_edges")
    assert broken.returncode == 1, outcome(broken)
    assert (
        "GET /clients?limit=100" in broken.stdout
        and "429" not in broken.stdout.split("short test summary")[-1]
    ), outcome(broken)


RATE_LIMITED = "test_an_update_changes_exactly_the_fields_sent"


def test_max_rps_keeps_under_a_rate_limit(serve_staging: Serve, suite: Suite) -> None:
    with serve_staging(STAGING_RATE_LIMIT="20") as api_url:
        unpaced = suite(api_url, "-k", RATE_LIMITED)
        paced = suite(api_url, "-k", RATE_LIMITED, env={"CONTRACT_MAX_RPS": "15"})
    assert unpaced.returncode == 1 and "Throttled" in unpaced.stdout, outcome(unpaced)
    assert paced.returncode == 0, outcome(paced)
    defect = {"STAGING_RATE_LIMIT": "20", "STAGING_DEFECT": "update_keeps_updated_at"}
    with serve_staging(**defect) as api_url:
        broken = suite(api_url, "-k", RATE_LIMITED, "--max-rps", "15")
    assert broken.returncode == 1 and "every successful update moves updated_at" in broken.stdout


GATED = "test_search_matches or test_reads_without_a_token"


def test_header_reaches_a_gateway(serve_staging: Serve, suite: Suite) -> None:
    with serve_staging(STAGING_TENANT="acme") as api_url:
        without = suite(api_url, "-k", GATED)
        with_header = suite(api_url, "-k", GATED, "--header", "X-Tenant: acme")
    with serve_staging(STAGING_TENANT="acme", STAGING_DEFECT="no_www_authenticate") as api_url:
        broken = suite(api_url, "-k", GATED, env={"CONTRACT_HEADERS": "X-Tenant: acme"})
    assert without.returncode == 1, outcome(without)
    assert with_header.returncode == 0, outcome(with_header)
    assert broken.returncode == 1 and "WWW-Authenticate: Bearer" in broken.stdout, outcome(broken)


def test_private_tls_with_a_ca_bundle_or_insecure(
    serve_staging: Serve, suite: Suite, tmp_path: Path
) -> None:
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
    with serve_staging(tls=True) as api_url:
        untrusted = suite(api_url, "-k", "test_search_matches")
        bundled = suite(
            api_url,
            "-k",
            "test_search_matches or test_read_operation",
            "--ca-bundle",
            str(tmp_path / "cert.pem"),
        )
        insecure = suite(api_url, "-k", "test_search_matches", env={"CONTRACT_INSECURE": "1"})
    assert untrusted.returncode == 1 and "CERTIFICATE_VERIFY_FAILED" in outcome(untrusted)
    assert bundled.returncode == 0, outcome(bundled)
    assert insecure.returncode == 0, outcome(insecure)


def test_request_timeout_bounds_each_request(serve_staging: Serve, suite: Suite) -> None:
    with serve_staging(STAGING_SLOW_WRITES="1.5") as api_url:
        hasty = suite(api_url, "-k", "test_a_new_client_is_active", "--request-timeout", "0.5")
        patient = suite(api_url, "-k", "test_a_new_client_is_active")
    assert hasty.returncode == 1 and "ReadTimeout" in hasty.stdout, outcome(hasty)
    assert patient.returncode == 0, outcome(patient)
