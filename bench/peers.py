"""Start our mock, json-server and Prism on loopback, each from the same fixtures, one at a time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import httpx

from mockserver.testing import free_port

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
SPEC = REPO / "openapi.yaml"
NODE_BIN = REPO / "node_modules" / ".bin"
VENV_BIN = Path(sys.executable).parent
AUTH = {"Authorization": "Bearer bench"}
READY_TIMEOUT_S = 90.0

OURS, JSON_SERVER, PRISM = "ours", "json-server", "prism"
# Our contract on a stock Connexion FlaskApp with do-nothing handlers (bench/floor.py).
FLOOR = "Connexion floor"
# Ours with `--durability disk` (an fdatasync before each write's answer), to show its price.
OURS_DISK = "ours, disk"


@dataclass(frozen=True)
class RunningServer:
    name: str
    base_url: str
    process: subprocess.Popen[bytes]

    @property
    def api_url(self) -> str:
        return self.base_url + api_prefix(self.name)


@cache
def mock_supports_workers() -> bool:
    """The lead may add --workers to `mockserver serve`; use it only if the CLI has it."""
    help_text = subprocess.run(
        [str(VENV_BIN / "mockserver"), "serve", "--help"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return "--workers" in help_text


def ours_command(
    workdir: Path,
    port: int,
    fixtures: Path,
    workers: int | None,
    durability: str | None = None,
    reset: bool = True,
) -> list[str]:
    """`mockserver serve` as `make run` starts it (one worker per core, durability "os"), on a
    store reseeded from `fixtures`, unless told otherwise."""
    command = [
        str(VENV_BIN / "mockserver"),
        "serve",
        "--host=127.0.0.1",
        f"--port={port}",
        f"--db={workdir / 'clients.json'}",
        f"--fixtures={fixtures}",
        "--log-level=warning",
    ]
    command += ["--reset"] if reset else []
    command += [f"--durability={durability}"] if durability else []
    if workers and mock_supports_workers():
        command.append(f"--workers={workers}")
    return command


def json_server_command(workdir: Path, port: int, fixtures: Path) -> list[str]:
    """json-server 0.17 serves {"clients": [...]} from db.json; a routes file adds /api/v1."""
    clients = json.loads((fixtures / "clients.json").read_text())
    (workdir / "db.json").write_text(json.dumps({"clients": clients}))
    (workdir / "routes.json").write_text(json.dumps({"/api/v1/*": "/$1"}))
    return [
        str(NODE_BIN / "json-server"),
        f"--port={port}",
        "--host=127.0.0.1",
        "--quiet",
        f"--routes={workdir / 'routes.json'}",
        str(workdir / "db.json"),
    ]


def floor_command(port: int, workers: int | None) -> list[str]:
    """As Connexion's docs serve an app: uvicorn, one worker per core unless told otherwise."""
    return [
        str(VENV_BIN / "uvicorn"),
        "--factory",
        "bench.floor:create_app",
        f"--app-dir={REPO}",
        "--host=127.0.0.1",
        f"--port={port}",
        f"--workers={workers or os.cpu_count() or 1}",
        "--log-level=warning",
        "--no-access-log",
    ]


def prism_command(port: int) -> list[str]:
    return [
        str(NODE_BIN / "prism"),
        "mock",
        str(SPEC),
        f"--port={port}",
        "--host=127.0.0.1",
        "--verboseLevel=warn",
    ]


def api_prefix(name: str) -> str:
    """Prism ignores a relative `servers` URL, so it serves the paths without /api/v1."""
    return "" if name == PRISM else "/api/v1"


def readiness_path(name: str) -> str:
    """Ours has a health route; the peers are ready once they answer a list request."""
    return "/__mock/health" if name in (OURS, OURS_DISK) else api_prefix(name) + "/clients"


@contextmanager
def serve(
    name: str,
    fixtures: Path = FIXTURES,
    workers: int | None = None,
    workdir: Path | None = None,
    reset: bool = True,
) -> Iterator[RunningServer]:
    """Start one server in a fresh temp dir (or `workdir`, to restart ours on its store), wait
    for its first 200, stop it (by PID) on exit."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{name.replace(', ', '-')}-") as temp:
        workdir, port = workdir or Path(temp), free_port()
        command = {
            OURS: lambda: ours_command(workdir, port, fixtures, workers, reset=reset),
            OURS_DISK: lambda: ours_command(workdir, port, fixtures, workers, "disk", reset),
            JSON_SERVER: lambda: json_server_command(workdir, port, fixtures),
            PRISM: lambda: prism_command(port),
            FLOOR: lambda: floor_command(port, workers),
        }[name]()
        process = start_process(command, workdir / "server.log")
        try:
            server = RunningServer(name, f"http://127.0.0.1:{port}", process)
            wait_until_ready(server, workdir / "server.log")
            yield server
        finally:
            stop_process(process)


def start_process(command: list[str], log_path: Path) -> subprocess.Popen[bytes]:
    # A new session makes the server's own children (workers) one group we can stop together.
    with log_path.open("wb") as log:
        return subprocess.Popen(
            command,
            cwd=log_path.parent,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until_ready(
    server: RunningServer, log_path: Path, timeout_s: float = READY_TIMEOUT_S
) -> None:
    if not poll_until_ok(server.base_url + readiness_path(server.name), server.process, timeout_s):
        tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
        raise RuntimeError(f"{server.name} did not become ready in {timeout_s:.0f} s:\n{tail}")


def poll_until_ok(
    url: str,
    process: subprocess.Popen[bytes],
    timeout_s: float,
    clock: Callable[[], float] = time.perf_counter,
) -> bool:
    """Poll every 10 ms; False if the process dies or the time runs out first."""
    deadline = clock() + timeout_s
    with httpx.Client(headers=AUTH, timeout=2.0) as client:
        while clock() < deadline and process.poll() is None:
            try:
                if client.get(url).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.01)
    return False


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the group led by the PID we started, then SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def resident_memory_mb(pid: int) -> float:
    """VmRSS of a process plus its descendants (workers), in MB."""
    return sum(_vm_rss_kb(each) for each in [pid, *_descendants(pid)]) / 1024


def proportional_memory_mb(pid: int) -> float:
    """PSS of a process plus its descendants, in MB: each page shared between them counted
    once in all (split between the sharers), as the machine holds it. Summed RSS counts a page
    once per process that maps it, which for workers forked from a loaded supervisor is about
    three times the store."""
    return sum(_pss_kb(each) for each in [pid, *_descendants(pid)]) / 1024


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time used so far by a process and its descendants."""
    ticks_per_s = os.sysconf("SC_CLK_TCK")
    return sum(_cpu_ticks(each) for each in [pid, *_descendants(pid)]) / ticks_per_s


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def _vm_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    children_of: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        children_of.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, queue = [], list(children_of.get(pid, []))
    while queue:
        child = queue.pop()
        found.append(child)
        queue.extend(children_of.get(child, []))
    return found
