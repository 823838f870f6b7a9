"""Configuration precedence, the command line, and the seed data."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from mockserver.contract import load_spec, schema_errors
from mockserver.settings import Settings, SettingsError
from mockserver.testing import free_port, serve_command, served_mock, stop

ROOT = Path(__file__).resolve().parent.parent
AUTH = {"Authorization": "Bearer cli-test"}


def test_environment_overrides_defaults_and_arguments_override_environment() -> None:
    environ = {"MOCKSERVER_PORT": "9000", "MOCKSERVER_TOKEN": "env", "MOCKSERVER_RESET": "true"}
    assert Settings.load(environ={}).port == 8080
    from_env = Settings.load(environ=environ)
    assert (from_env.port, from_env.token, from_env.reset) == (9000, "env", True)
    explicit = Settings.load(environ=environ, port=9100, token=None)
    assert (explicit.port, explicit.token) == (9100, "env")


def test_bad_environment_values_are_named() -> None:
    with pytest.raises(SettingsError, match="MOCKSERVER_PORT"):
        Settings.load(environ={"MOCKSERVER_PORT": "eighty"})


def test_every_fixture_client_matches_the_contract() -> None:
    spec = load_spec(str(ROOT / "openapi.yaml"))
    clients = json.loads((ROOT / "fixtures" / "clients.json").read_text())
    for client in clients:
        assert not schema_errors(
            spec, "Client", {**client, "jobs_count": 0, "active_jobs_count": 0}
        ), client["id"]


def test_fixtures_are_varied_enough_for_a_clients_screen() -> None:
    clients = json.loads((ROOT / "fixtures" / "clients.json").read_text())
    jobs = json.loads((ROOT / "fixtures" / "jobs.json").read_text())
    assert len(clients) >= 40
    assert len({c["industry"] for c in clients if c["industry"]}) >= 8
    assert {c["status"] for c in clients} == {"active", "inactive"}
    assert any(c["tags"] for c in clients) and any(c["email"] is None for c in clients)
    assert all("external_id" in c["metadata"] for c in clients if c["metadata"])
    assert len({c["created_at"][:7] for c in clients}) >= 6
    assert len({job["status"] for job in jobs}) >= 3
    assert len(set(Counter(job["client_id"] for job in jobs).values())) >= 4


def test_serve_persists_across_a_restart_and_reset_command_reseeds(tmp_path: Path) -> None:
    with served_mock(tmp_path) as mock:
        created = httpx.post(mock.api_url + "/clients", json={"name": "Persisted"}, headers=AUTH)
        assert created.status_code == 201
    client_url = f"/clients/{created.json()['id']}"
    with served_mock(tmp_path) as mock:
        assert httpx.get(mock.api_url + client_url, headers=AUTH).json() == created.json()
    reset = subprocess.run(
        [sys.executable, "-m", "mockserver", "reset", "--db", str(tmp_path / "clients.json")],
        capture_output=True,
        text=True,
    )
    assert reset.returncode == 0, reset.stderr
    with served_mock(tmp_path) as mock:
        assert httpx.get(mock.api_url + client_url, headers=AUTH).status_code == 404


def test_serve_prints_address_store_and_swagger_ui_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    command = serve_command(tmp_path / "clients.json", port, token="s3cret")
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        banner = [process.stdout.readline().decode() for _ in range(2)]  # type: ignore[union-attr]
        answered = answers_health(f"http://127.0.0.1:{port}", process)
    finally:
        stop(process)
    assert f"http://127.0.0.1:{port}/api/v1" in banner[0] and "clients.json" in banner[0]
    assert f"http://127.0.0.1:{port}/api/v1/ui/" in banner[1]
    assert answered, "nothing answered at the address the banner printed"
    # SIGTERM (what `stop` sends first) ends serving with status 0: not killed, no traceback.
    assert process.returncode == 0


def answers_health(base_url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(base_url + "/__mock/health", timeout=1).status_code == 200:
                return True
        time.sleep(0.05)
    return False


def test_startup_fault_is_one_line_and_a_nonzero_exit(tmp_path: Path) -> None:
    (tmp_path / "clients.json").write_text("{not json")
    result = subprocess.run(
        serve_command(tmp_path / "clients.json", free_port()),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("mockserver: error: refusing to open the store")
