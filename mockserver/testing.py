"""Run the mock in a subprocess on a free loopback port, for tests and benchmarks."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any


@dataclass
class ServedMock:
    base_url: str
    process: subprocess.Popen[bytes]

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/v1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_command(db: str | Path, port: int, **options: Any) -> list[str]:
    """`mockserver serve` arguments; options become flags (True: a bare flag, None: left out)."""
    command = [
        sys.executable,
        "-m",
        "mockserver",
        "serve",
        "--db",
        str(db),
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
    ]
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            command.append(flag)
        elif value is not None and value is not False:
            command += [flag, str(value)]
    return command


@contextlib.contextmanager
def served_mock(
    db: str | Path,
    *,
    startup_timeout: float = 30,
    env: dict[str, str] | None = None,
    **options: Any,
) -> Iterator[ServedMock]:
    """Serve the mock on `db` until the block ends; `db` may be a folder (the store goes in it)."""
    db = Path(db) / "clients.json" if Path(db).is_dir() else db
    port = free_port()
    # A file, not a pipe: nobody reads a pipe while serving, and a full one would hang the mock.
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(
        serve_command(db, port, **options),
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=errors,
        # Its own process group: a test can kill the server with all its workers at once.
        start_new_session=True,
    )
    served = ServedMock(f"http://127.0.0.1:{port}", process)
    try:
        wait_until_healthy(served, startup_timeout, errors)
        yield served
    finally:
        stop(process)
        errors.close()


def wait_until_healthy(served: ServedMock, timeout: float, errors: IO[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            errors.seek(0)
            error = errors.read().decode(errors="replace")
            raise RuntimeError(f"mockserver exited with {served.process.returncode}: {error}")
        if _healthy(served.base_url):
            return
        time.sleep(0.05)
    raise TimeoutError(f"mockserver did not answer on {served.base_url} within {timeout} s")


def stop(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(base_url + "/__mock/health", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False
