"""Several worker processes on one store: every acknowledged write is seen by every worker."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx

from mockserver.testing import served_mock

AUTH = {"Authorization": "Bearer workers"}
WRITERS = 4
WRITES_EACH = 15


def fresh_connections() -> httpx.Client:
    """A new connection per request (none kept alive), so the kernel spreads them over the
    workers; one client for all of them, not one each (a client loads the CA bundle: ~30 ms)."""
    return httpx.Client(headers=AUTH, limits=httpx.Limits(max_keepalive_connections=0))


def test_workers_share_every_acknowledged_write_at_once(tmp_path: Path) -> None:
    failures: list[str] = []
    acknowledged: dict[str, dict] = {}
    guard = threading.Lock()

    def writer(number: int, api: str) -> None:
        with fresh_connections() as http:
            for step in range(WRITES_EACH):
                created = http.post(f"{api}/clients", json={"name": f"w{number}-{step}"})
                if created.status_code != 201:
                    failures.append(f"create answered {created.status_code}")
                    continue
                client = created.json()
                updated = http.put(f"{api}/clients/{client['id']}", json={"notes": str(step)})
                read_back = http.get(f"{api}/clients/{client['id']}")
                if updated.status_code != 200 or read_back.json() != updated.json():
                    failures.append(f"{client['id']}: write not seen by the next request")
                with guard:
                    acknowledged[client["id"]] = updated.json()

    with served_mock(tmp_path, workers=2) as mock:
        seeded = httpx.get(f"{mock.api_url}/clients?limit=1", headers=AUTH).json()["meta"]["total"]
        threads = [threading.Thread(target=writer, args=(n, mock.api_url)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        pids = _worker_pids(mock.api_url)
        listed = _all_ids(mock.api_url)

    assert not failures, failures[:5]
    assert len(acknowledged) == WRITERS * WRITES_EACH
    assert len(listed) == len(set(listed)) == seeded + len(acknowledged)
    assert set(acknowledged) <= set(listed)
    assert len(pids) == 2, "both workers should have answered"


def _all_ids(api: str) -> list[str]:
    ids: list[str] = []
    while True:
        page = httpx.get(f"{api}/clients", params={"limit": 100, "offset": len(ids)}, headers=AUTH)
        ids += [client["id"] for client in page.json()["data"]]
        if not page.json()["data"]:
            return ids


def _worker_pids(api: str) -> set[int]:
    base = api.removesuffix("/api/v1")
    with fresh_connections() as http:
        return {http.get(f"{base}/__mock/health").json()["pid"] for _ in range(40)}


def test_workers_end_when_their_supervisor_is_killed(tmp_path: Path) -> None:
    """A SIGKILL to `mockserver serve` must not leave workers serving the port (issue 15)."""
    with served_mock(tmp_path, workers=2) as mock:
        pids = _worker_pids(mock.api_url)
        assert len(pids) == 2
        mock.process.send_signal(signal.SIGKILL)
        mock.process.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_running(pid) for pid in pids):
            time.sleep(0.1)
        assert not [pid for pid in pids if _running(pid)], "workers outlived their supervisor"


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_workers_are_forks_that_share_what_the_supervisor_loaded(tmp_path: Path) -> None:
    """Spawned, each worker would import the stack and load the store again, into its own memory."""
    with served_mock(tmp_path, workers=2) as mock:
        supervisor = mock.process.pid
        workers = _children(supervisor)
        assert workers == _worker_pids(mock.api_url), "every child of the supervisor serves"
        command = Path(f"/proc/{supervisor}/cmdline").read_bytes()
        for worker in workers:
            assert Path(f"/proc/{worker}/cmdline").read_bytes() == command, "not a fork"
            memory = _memory_mb(worker)
            # Pages written by the supervisor (imports, app, store) and still shared with it.
            assert memory["Shared_Dirty"] >= memory["Private_Dirty"], memory


def test_a_killed_worker_is_replaced_by_one_that_sees_later_writes(tmp_path: Path) -> None:
    with served_mock(tmp_path, workers=2) as mock:
        supervisor = mock.process.pid
        before = httpx.get(f"{mock.api_url}/clients?limit=1", headers=AUTH).json()["meta"]["total"]
        # The supervisor serves nothing: its memory, which the replacement starts from, lacks this.
        created = httpx.post(f"{mock.api_url}/clients", json={"name": "late"}, headers=AUTH)
        assert created.status_code == 201
        killed = min(_children(supervisor))
        os.kill(killed, signal.SIGKILL)
        deadline = time.monotonic() + 15
        workers = _children(supervisor)
        while time.monotonic() < deadline and (killed in workers or len(workers) < 2):
            time.sleep(0.1)
            workers = _children(supervisor)
        assert len(workers) == 2 and killed not in workers, workers
        # Forked at once, the replacement may still be starting: answers gather until it serves.
        counts = _client_counts(mock.api_url)
        serving_by = time.monotonic() + 15
        while set(counts) != workers and time.monotonic() < serving_by:
            time.sleep(0.1)
            counts |= _client_counts(mock.api_url)
        assert set(counts) == workers, f"answered: {counts}, workers: {workers}"
        assert set(counts.values()) == {before + 1}, f"clients each worker sees: {counts}"
        mock.process.send_signal(signal.SIGTERM)
        assert mock.process.wait(15) == 0
        assert not [pid for pid in workers if _running(pid)], "workers outlived a clean stop"


def _children(pid: int) -> set[int]:
    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def _memory_mb(pid: int) -> dict[str, float]:
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]
    return {line.split()[0].rstrip(":"): int(line.split()[1]) / 1024 for line in rollup}


def _client_counts(api: str) -> dict[int, int]:
    base = api.removesuffix("/api/v1")
    with fresh_connections() as http:
        health = [http.get(f"{base}/__mock/health").json() for _ in range(40)]
    return {answer["pid"]: answer["clients"] for answer in health}
