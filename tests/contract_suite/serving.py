"""Serve a target of tests/contract_suite (staging.py, with STAGING_* behaviour) on a free
port, as CI would reach a deployment."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from mockserver.testing import free_port

ROOT = Path(__file__).resolve().parents[2]
SEMANTICS = "contract_tests/test_semantics.py"  # the suite's own tests (not Schemathesis')


@contextlib.contextmanager
def serve_target(tmp_path: Path, tls: bool = False, **behaviour: str) -> Iterator[str]:
    """The staging target with `behaviour` (STAGING_* variables); yields the API URL. With
    `tls`, key.pem and cert.pem in `tmp_path` serve it over HTTPS."""
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


def wait_until_up(origin: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the staging target exited"
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(origin + "/__mock/health", verify=False, timeout=1)
            return
        time.sleep(0.1)
    raise TimeoutError(f"the staging target did not answer on {origin}")


def outcome(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout[-4000:] + result.stderr[-2000:]
