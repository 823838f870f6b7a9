"""Sessions under load and under SIGKILL, against a served mock with two workers (issue 13).

- Eight client processes, each in its own session, create, update and list clients with the
  same names for 10 s: each sees exactly its own records with exact totals, and no 5xx. A reset
  and an import in two sessions afterwards leave the other six byte-identical.
- Writers in four sessions while the mock is killed with SIGKILL, three times: after each restart
  every acknowledged write is there, in its own session and in no other.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import random
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.testing import served_mock

pytestmark = pytest.mark.slow

AUTH = {"Authorization": "Bearer sessions-load"}
PROCESSES = 8
SECONDS = 10.0
NAMES = [f"Load client {n}" for n in range(5)]  # the same names in every session


def session_headers(name: str) -> dict[str, str]:
    return {**AUTH, "X-Mock-Session": name}


def listed(http: httpx.Client, **query: Any) -> tuple[list[dict[str, Any]], int]:
    found: list[dict[str, Any]] = []
    while True:
        page = http.get("/api/v1/clients", params={**query, "limit": 100, "offset": len(found)})
        if page.status_code != 200:
            raise AssertionError(f"list answered {page.status_code}: {page.text[:200]}")
        body = page.json()
        found += body["data"]
        if not body["data"]:
            return found, body["meta"]["total"]


def work_in_own_session(base_url: str, session: str, seconds: float) -> dict[str, Any]:
    """One client process: its own session, the same names as everyone else."""
    rng = random.Random(session)
    errors: list[str] = []
    mine: dict[str, dict[str, Any]] = {}
    operations = 0
    with httpx.Client(base_url=base_url, headers=session_headers(session), timeout=30) as http:
        seeded = http.get("/api/v1/clients?limit=1").json()["meta"]["total"]
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            operations += 1
            if not mine or rng.random() < 0.4:
                answer = http.post("/api/v1/clients", json={"name": rng.choice(NAMES)})
            else:
                target = rng.choice(list(mine))
                answer = http.put(
                    f"/api/v1/clients/{target}", json={"notes": f"{session} {operations}"}
                )
            if answer.status_code not in (200, 201):
                errors.append(f"{answer.request.method} answered {answer.status_code}")
                continue
            mine[answer.json()["id"]] = answer.json()
            if operations % 10 == 0:
                found, total = listed(http, search="load client")
                if {c["id"]: c for c in found} != mine or total != len(mine):
                    errors.append(f"{session} saw {total} load clients, not its own {len(mine)}")
                if http.get("/api/v1/clients?limit=1").json()["meta"]["total"] != seeded + len(
                    mine
                ):
                    errors.append(f"{session}: total is not the fixtures plus its own clients")
    return {"session": session, "errors": errors, "operations": operations, "mine": mine}


def exported(base_url: str, session: str) -> tuple[bytes, bytes]:
    """A session's export and its first list page, as bytes."""
    with httpx.Client(base_url=base_url, headers=session_headers(session)) as http:
        export = http.get(f"/__mock/sessions/{session}/clients").content
        page = http.get("/api/v1/clients?limit=100&search=load").content
    return export, page


@pytest.mark.long(20)
def test_eight_processes_in_eight_sessions_see_only_their_own_records(tmp_path: Path) -> None:
    sessions = [f"proc-{n}" for n in range(PROCESSES)]
    with served_mock(tmp_path, workers=2) as mock:
        context = multiprocessing.get_context("spawn")
        with context.Pool(PROCESSES) as pool:
            results = pool.starmap(
                work_in_own_session, [(mock.base_url, name, SECONDS) for name in sessions]
            )
        for result in results:
            assert not result["errors"], result["errors"][:5]
            assert result["operations"] > 20, f"{result['session']}: no real load"
            with httpx.Client(
                base_url=mock.base_url, headers=session_headers(result["session"])
            ) as http:
                found, _ = listed(http, search="load client")
            assert {c["id"]: c for c in found} == result["mine"]

        before = {name: exported(mock.base_url, name) for name in sessions}
        assert (
            httpx.post(f"{mock.base_url}/__mock/sessions/proc-0/reset", headers=AUTH).status_code
            == 204
        )
        imported = httpx.put(
            f"{mock.base_url}/__mock/sessions/proc-1/clients", json={"clients": []}, headers=AUTH
        )
        assert imported.status_code == 204
        for name in sessions[2:]:
            assert exported(mock.base_url, name) == before[name], f"{name} changed"
        assert json.loads(exported(mock.base_url, "proc-1")[0]) == {"clients": []}
    print(f"\n{sum(r['operations'] for r in results)} operations in {PROCESSES} sessions")


@dataclass
class Writer:
    session: str
    acked: dict[str, dict[str, Any]] = field(default_factory=dict)
    in_flight: tuple[str, dict[str, Any]] | None = None
    refusals: list[str] = field(default_factory=list)


def write_until_killed(api_url: str, writer: Writer, seed: float) -> None:
    rng = random.Random(seed)
    with httpx.Client(headers=session_headers(writer.session), timeout=10) as http:
        while True:
            values = {"name": rng.choice(NAMES), "notes": f"{writer.session} {rng.random()}"}
            target = rng.choice(list(writer.acked)) if writer.acked and rng.random() < 0.6 else None
            try:
                if target is None:
                    answer = http.post(f"{api_url}/clients", json=values)
                else:
                    answer = http.put(f"{api_url}/clients/{target}", json=values)
            except httpx.TransportError:
                writer.in_flight = (target, values) if target else None
                return
            if answer.status_code not in (200, 201):
                writer.refusals.append(f"{answer.status_code}: {answer.text[:200]}")
                return
            writer.acked[answer.json()["id"]] = answer.json()


def check_writers(base_url: str, writers: list[Writer]) -> None:
    stored = {}
    for session in {writer.session for writer in writers}:
        answer = httpx.get(f"{base_url}/__mock/sessions/{session}/clients", headers=AUTH)
        stored[session] = {client["id"]: client for client in answer.json()["clients"]}
    for writer in writers:
        assert not writer.refusals, writer.refusals
        maybe_id, maybe = writer.in_flight or (None, {})
        for client_id, acked in writer.acked.items():
            found = stored[writer.session].get(client_id)
            assert found is not None, f"acknowledged write lost in {writer.session}: {acked}"
            if found != acked:
                assert client_id == maybe_id, f"{writer.session}: {found} != {acked}"
                assert (found["name"], found["notes"]) == (maybe["name"], maybe["notes"])
            writer.acked[client_id] = found
            elsewhere = [s for s in stored if s != writer.session and client_id in stored[s]]
            assert not elsewhere, f"{client_id} of {writer.session} also in {elsewhere}"
        writer.in_flight = None


def test_acknowledged_writes_in_several_sessions_survive_sigkill(tmp_path: Path) -> None:
    rng = random.Random(13)
    writers = [Writer(f"crash-{n % 4}") for n in range(8)]
    for round_number in range(4):
        with served_mock(tmp_path / "clients.json", workers=2) as served:
            check_writers(served.base_url, writers)
            if round_number == 3:
                break
            threads = [
                threading.Thread(target=write_until_killed, args=(served.api_url, w, rng.random()))
                for w in writers
            ]
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(0.5, 2.0))
            _kill_all(served.process.pid)
            served.process.wait(10)
            for thread in threads:
                thread.join(30)
                assert not thread.is_alive(), "a writer hung after the kill"
    assert sum(len(w.acked) for w in writers) >= 8, "no real load"


def _kill_all(pid: int) -> None:
    """SIGKILL the mock and its worker processes (a kill -9 of the whole service)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    workers = [int(child) for child in children.read_text().split()] if children.exists() else []
    for process in [pid, *workers]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process, signal.SIGKILL)
