"""Start-up faults (issue 5): one clear line on stderr, a non-zero exit, and no data touched.

Each case runs `python -m mockserver serve` (or `reset`) in a subprocess. A case where the mock
starts instead of refusing is stopped after STARTUP_LIMIT seconds and fails.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.testing import free_port, serve_command, served_mock

STARTUP_LIMIT = 30
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER = 24, 1, 2, 3


def mockserver(*args: str, drop_root: bool = False, env: dict[str, str] | None = None) -> str:
    """Run the CLI, expect a refusal; its one stderr line."""
    command = [sys.executable, "-m", "mockserver", *args]
    if args[0] == "serve":
        command += ["--port", str(free_port())]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=STARTUP_LIMIT,
            env={**os.environ, **(env or {})},
            preexec_fn=without_root_file_powers if drop_root else None,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`{' '.join(args)}` started instead of refusing")
    lines = done.stderr.strip().splitlines()
    assert done.returncode != 0, f"exit 0; stderr: {done.stderr}"
    assert len(lines) == 1 and lines[0].startswith("mockserver: error: "), done.stderr
    return lines[0]


def serve(db: Path, *args: str, **options: Any) -> str:
    return mockserver("serve", "--db", str(db), *args, **options)


def without_root_file_powers() -> None:
    """In the child: drop the capabilities that let root write where permissions say no."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


CORRUPT_STORES = {
    "binary garbage": b"\x00\xff\xfe garbage \x80",
    "truncated JSON": b'{"generation": 1, "clients": [{"id": "a", "na',
    "JSON of another shape": b"[1, 2, 3]",
    "empty file": b"",
}


@pytest.mark.parametrize("content", CORRUPT_STORES.values(), ids=list(CORRUPT_STORES))
def test_a_corrupt_store_is_refused_and_left_untouched(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "clients.json"
    db.write_bytes(content)
    line = serve(db)
    assert str(db) in line, "the error should name the store file"
    assert "reset" in line, "the error should say how to start again"
    assert db.read_bytes() == content, "the refused store was changed"


def test_the_advised_reset_recovers_a_corrupt_store(tmp_path: Path) -> None:
    db = tmp_path / "clients.json"
    db.write_bytes(b"{ not json")
    serve(db)
    reset = subprocess.run(
        [sys.executable, "-m", "mockserver", "reset", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=STARTUP_LIMIT,
    )
    assert reset.returncode == 0, reset.stderr
    with served_mock(db) as served:
        listed = httpx.get(f"{served.api_url}/clients", headers={"Authorization": "Bearer x"})
    assert listed.json()["meta"]["total"] == len(
        json.loads((FIXTURES / "clients.json").read_text())
    )


def test_a_store_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "clients.json"
    db.mkdir()
    assert str(db) in serve(db)


@pytest.fixture
def journalled_store(tmp_path: Path) -> Iterator[tuple[Path, list[str]]]:
    """A store whose journal holds three acknowledged creates (the server was killed -9)."""
    db = tmp_path / "clients.json"
    with served_mock(db) as served:
        ids = [
            httpx.post(
                f"{served.api_url}/clients",
                json={"name": f"journal {n}"},
                headers={"Authorization": "Bearer x"},
            ).json()["id"]
            for n in range(3)
        ]
        served.process.send_signal(signal.SIGKILL)
        served.process.wait(10)
    journal = db.with_name(db.name + ".journal")
    # A session's use may be journalled too when the writes take a while (a loaded machine).
    writes = [line for line in journal.read_bytes().splitlines() if b'"put"' in line]
    assert len(writes) == 3, "expected one journal line per write"
    yield db, ids


def test_a_damaged_journal_line_is_refused(journalled_store: tuple[Path, list[str]]) -> None:
    db, _ = journalled_store
    journal = db.with_name(db.name + ".journal")
    lines = journal.read_bytes().splitlines(keepends=True)
    damaged = lines[0] + b'{"g": 1, "put": {"id": "x", \n' + lines[2]
    journal.write_bytes(damaged)
    snapshot = db.read_bytes()
    line = serve(db)
    assert str(journal) in line and "line 2" in line, line
    assert journal.read_bytes() == damaged and db.read_bytes() == snapshot


def test_a_torn_last_journal_line_is_dropped(journalled_store: tuple[Path, list[str]]) -> None:
    db, ids = journalled_store
    journal = db.with_name(db.name + ".journal")
    with journal.open("ab") as log:
        log.write(b'{"g": 1, "put": {"id": "torn-by-a-kill", "na')  # no newline: never acked
    with served_mock(db) as served:
        auth = {"Authorization": "Bearer x"}
        for client_id in ids:
            assert (
                httpx.get(f"{served.api_url}/clients/{client_id}", headers=auth).status_code == 200
            )


def test_a_store_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    line = serve(tmp_path / "a-file" / "clients.json")
    assert "a-file" in line


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    store_dir = tmp_path / "store"
    store_dir.mkdir(mode=0o555)
    store_dir.chmod(0o555)
    yield store_dir
    store_dir.chmod(0o755)


def test_an_unwritable_store_directory_is_refused(read_only_dir: Path) -> None:
    # Root writes anywhere; so the mock runs as root without the capabilities that allow it.
    line = serve(read_only_dir / "clients.json", drop_root=os.geteuid() == 0)
    assert str(read_only_dir) in line
    assert list(read_only_dir.iterdir()) == []


def test_a_busy_port_is_refused(tmp_path: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        port = blocker.getsockname()[1]
        command = serve_command(tmp_path / "c.json", port)
        done = subprocess.run(command, capture_output=True, text=True, timeout=STARTUP_LIMIT)
    lines = done.stderr.strip().splitlines()
    assert done.returncode != 0 and len(lines) == 1, done.stderr
    assert lines[0].startswith("mockserver: error: ") and str(port) in lines[0]


def broken_fixtures(tmp_path: Path, index: int, field: str, value: object) -> Path:
    folder = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, folder)
    records = json.loads((folder / "clients.json").read_text())
    if value is KeyError:
        del records[index][field]
    else:
        records[index][field] = value
    (folder / "clients.json").write_text(json.dumps(records))
    return folder


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "paused"), ("name", KeyError), ("email", 42), ("surprise", 1)],
)
def test_fixtures_that_break_the_contract_are_refused(
    tmp_path: Path, field: str, value: object
) -> None:
    folder = broken_fixtures(tmp_path, 3, field, value)
    record_id = json.loads((FIXTURES / "clients.json").read_text())[3]["id"]
    line = serve(tmp_path / "clients.json", "--fixtures", str(folder))
    assert record_id in line or "record 3" in line, f"the record is not named: {line}"
    assert field in line, f"the field is not named: {line}"


def test_reset_refuses_fixtures_that_break_the_contract(tmp_path: Path) -> None:
    db = tmp_path / "clients.json"
    seeded = subprocess.run(
        [sys.executable, "-m", "mockserver", "reset", "--db", str(db)],
        capture_output=True,
        timeout=STARTUP_LIMIT,
    )
    assert seeded.returncode == 0, seeded.stderr
    store = db.read_bytes()
    folder = broken_fixtures(tmp_path, 0, "status", "paused")
    assert "status" in mockserver("reset", "--db", str(db), "--fixtures", str(folder))
    assert "status" in serve(db, "--reset", "--fixtures", str(folder))
    assert db.read_bytes() == store, "a refused reset replaced the store"


def test_fixtures_that_are_not_json_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, folder)
    (folder / "clients.json").write_text("[{]")
    line = serve(tmp_path / "clients.json", "--fixtures", str(folder))
    assert "clients.json" in line


def test_a_bad_environment_value_is_refused(tmp_path: Path) -> None:
    line = serve(
        tmp_path / "clients.json",
        env={"MOCKSERVER_LOG_LEVEL": "info", "MOCKSERVER_WORKERS": "many"},
    )
    assert "MOCKSERVER_WORKERS" in line
