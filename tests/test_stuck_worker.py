"""A stuck neighbour (issue 22): a worker frozen while it holds the store's lock costs the
others a bounded wait, a 503 with Retry-After for writes and nothing for reads, and the
supervisor replaces it within --worker-timeout, after which writes succeed again."""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import signal
import time
from pathlib import Path

import httpx

from mockserver.testing import served_mock

AUTH = {"Authorization": "Bearer stuck"}
LOCK_TIMEOUT = 1.0
WORKER_TIMEOUT = 4.0
SYS_PIDFD_GETFD = 438  # x86-64 and arm64 alike


def workers_of(supervisor: int) -> list[int]:
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    return [int(pid) for pid in children]


def freeze_holding_the_store_lock(worker: int, lock_file: Path) -> None:
    """SIGSTOP the worker, then take the store's flock on its own open file description (as if
    it froze mid-write): the lock is then held by that worker's descriptor alone, and goes when
    the worker does, exactly as a lock it took itself."""
    os.kill(worker, signal.SIGSTOP)
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(worker)
    try:
        for name in os.listdir(f"/proc/{worker}/fd"):
            if os.readlink(f"/proc/{worker}/fd/{name}") != str(lock_file):
                continue
            theirs = libc.syscall(SYS_PIDFD_GETFD, pidfd, int(name), 0)
            assert theirs >= 0, os.strerror(ctypes.get_errno())
            try:
                deadline = time.monotonic() + 5
                while True:  # the other worker may hold it for a write this instant
                    try:
                        fcntl.flock(theirs, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        return
                    except BlockingIOError:
                        assert time.monotonic() < deadline, "the store's lock never came free"
                        time.sleep(0.001)
            finally:
                os.close(theirs)  # the lock stays with the worker's description
        raise AssertionError(f"worker {worker} has no descriptor on {lock_file}")
    finally:
        os.close(pidfd)


def test_a_frozen_lock_holder_costs_writes_a_bounded_503_and_reads_nothing(
    tmp_path: Path,
) -> None:
    environment = {"MOCKSERVER_LOCK_TIMEOUT": str(LOCK_TIMEOUT)}
    with served_mock(tmp_path, workers=2, worker_timeout=WORKER_TIMEOUT, env=environment) as mock:
        supervisor = mock.process.pid
        with httpx.Client(base_url=mock.base_url, headers=AUTH, timeout=30) as warm:
            known = warm.get("/api/v1/clients?limit=1").json()["data"][0]["id"]
            assert warm.post("/api/v1/clients", json={"name": "Before"}).status_code == 201
        frozen, other = workers_of(supervisor)
        try:
            freeze_holding_the_store_lock(frozen, tmp_path / "clients.json.lock")
            check_the_bounds(mock.base_url, supervisor, frozen, other, known)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(frozen, signal.SIGKILL)  # a stopped worker would outlive the test


def check_the_bounds(base_url: str, supervisor: int, frozen: int, other: int, known: str) -> None:
    """Writes: a 503 within the lock timeout; reads: 200; the supervisor: a new worker within
    the worker timeout, after which writes succeed."""
    stopped_at = time.monotonic()
    # New connections: only the worker that still runs accepts them.
    with httpx.Client(base_url=base_url, headers=AUTH, timeout=30) as client:
        started = time.monotonic()
        refused = client.post("/api/v1/clients", json={"name": "During"})
        waited = time.monotonic() - started
        assert refused.status_code == 503, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert int(refused.headers["retry-after"]) >= 1
        assert LOCK_TIMEOUT * 0.9 <= waited < LOCK_TIMEOUT + 1.5
        for _ in range(5):
            read = client.get(f"/api/v1/clients/{known}")
            assert read.status_code == 200 and read.json()["id"] == known
            assert client.get("/api/v1/clients?search=During").json()["data"] == []
        assert client.get("/__mock/health").json()["pid"] == other
        assert time.monotonic() - stopped_at < WORKER_TIMEOUT, "too slow to test the bound"

        # The supervisor kills the silent worker, which frees the lock, and starts another.
        deadline = stopped_at + WORKER_TIMEOUT + 10
        while frozen in workers_of(supervisor) and time.monotonic() < deadline:
            time.sleep(0.1)
        replaced = time.monotonic() - stopped_at
        assert frozen not in workers_of(supervisor), "the frozen worker is still there"
        assert WORKER_TIMEOUT * 0.9 <= replaced < WORKER_TIMEOUT + 3
        created = client.post("/api/v1/clients", json={"name": "After"})
        assert created.status_code == 201, created.text
    deadline = time.monotonic() + 10
    while len(workers_of(supervisor)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(workers_of(supervisor)) == 2
    with httpx.Client(base_url=base_url, headers=AUTH, timeout=30) as client:
        names = [c["name"] for c in client.get("/api/v1/clients?limit=100").json()["data"]]
    assert "After" in names and "Before" in names and "During" not in names
