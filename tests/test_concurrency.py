"""Sixteen clients creating, updating and reading at once against one served mock (issue 5).

No 5xx; every acknowledged create present exactly once; each record's final state is its last
acknowledged update; reads see the reader's own last write; `total` counts every record; and a
record all clients update at once ends as one whole acknowledged update, never a mix.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from hostile.store_view import all_clients, strict_equal

from mockserver.testing import served_mock

pytestmark = pytest.mark.slow

CLIENTS = 16
SECONDS = 10
MAX_OPERATIONS = 600  # per client: bounds the load on a fast machine
TOKEN = "concurrency-test"
RUN = uuid.uuid4().hex[:8]  # in every name created here, to count this run's records


@dataclass
class Worker:
    number: int
    shared_id: str
    own: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> last acked state
    shared_acks: list[dict[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    operations: int = 0


def values(worker: Worker, rng: random.Random) -> dict[str, Any]:
    return {
        "name": f"{RUN} client {worker.number} op {worker.operations}",
        "notes": f"written by {worker.number} at op {worker.operations}",
        "status": rng.choice(["active", "inactive"]),
        "tags": [f"w{worker.number}", f"op{worker.operations}"],
        "metadata": {"worker": worker.number, "op": worker.operations},
    }


def create(http: httpx.Client, worker: Worker, rng: random.Random) -> None:
    response = http.post("/clients", json=values(worker, rng))
    if expect(worker, response, 201, "create"):
        worker.own[response.json()["id"]] = response.json()


def update_own(http: httpx.Client, worker: Worker, rng: random.Random) -> None:
    client_id = rng.choice(list(worker.own))
    response = http.put(f"/clients/{client_id}", json=values(worker, rng))
    if expect(worker, response, 200, "update"):
        worker.own[client_id] = response.json()


def update_shared(http: httpx.Client, worker: Worker, rng: random.Random) -> None:
    # No run marker in this name: the search for the marker counts created records only.
    shared = values(worker, rng) | {"name": f"shared, written by {worker.number}"}
    response = http.put(f"/clients/{worker.shared_id}", json=shared)
    if expect(worker, response, 200, "shared update"):
        worker.shared_acks.append(response.json())


def read_own(http: httpx.Client, worker: Worker, rng: random.Random) -> None:
    client_id = rng.choice(list(worker.own))
    response = http.get(f"/clients/{client_id}")
    if expect(worker, response, 200, "read") and not strict_equal(
        response.json(), worker.own[client_id]
    ):
        worker.failures.append(f"read {client_id}: not the last acknowledged write")


def list_page(http: httpx.Client, worker: Worker, rng: random.Random) -> None:
    response = http.get("/clients", params={"limit": 100, "offset": rng.randint(0, 50)})
    if expect(worker, response, 200, "list") and len(response.json()["data"]) > 100:
        worker.failures.append("a page longer than its limit")


def expect(worker: Worker, response: httpx.Response, status: int, what: str) -> bool:
    if response.status_code != status:
        worker.failures.append(f"{what}: {response.status_code} {response.text[:200]}")
    return response.status_code == status


def run_worker(api_url: str, worker: Worker, deadline: float) -> None:
    rng = random.Random(worker.number)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=api_url, headers=headers, timeout=30) as http:
        while time.monotonic() < deadline and worker.operations < MAX_OPERATIONS:
            worker.operations += 1
            roll = rng.random()
            if not worker.own or roll < 0.25:
                operation = create
            else:
                operation = (update_own, read_own, list_page, update_shared)[int(roll * 8) % 4]
            try:
                operation(http, worker, rng)
            except httpx.HTTPError as error:
                worker.failures.append(f"{operation.__name__}: {error!r}")


def run_load(api_url: str, shared_id: str) -> list[Worker]:
    workers = [Worker(number, shared_id) for number in range(CLIENTS)]
    deadline = time.monotonic() + SECONDS
    threads = [threading.Thread(target=run_worker, args=(api_url, w, deadline)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(SECONDS + 60)
        assert not thread.is_alive(), "a client hung"
    return workers


def test_sixteen_clients_at_once(tmp_path: Path) -> None:
    with served_mock(tmp_path / "clients.json", token=TOKEN) as served:
        seeded = all_clients(served.api_url, TOKEN)
        workers = run_load(served.api_url, seeded[0]["id"])
        stored = all_clients(served.api_url, TOKEN)
        with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            mine = http.get(f"{served.api_url}/clients", params={"search": RUN, "limit": 1})
    assert [failure for w in workers for failure in w.failures] == []
    created = {client_id: state for w in workers for client_id, state in w.own.items()}
    ids = [client["id"] for client in stored]
    assert sorted(ids) == sorted({*ids}), "a client is listed twice"
    by_id = {client["id"]: client for client in stored}
    for client_id, state in created.items():
        assert strict_equal(by_id.get(client_id), state), f"{client_id} is not its last write"
    assert len(stored) == len(seeded) + len(created), "records appeared or vanished"
    assert mine.json()["meta"]["total"] == len(created), "total does not count every record"
    check_shared(by_id[seeded[0]["id"]], [ack for w in workers for ack in w.shared_acks])
    operations = sum(w.operations for w in workers)
    print(f"\n{CLIENTS} clients, {operations} operations, {len(created)} creates verified")


def check_shared(final: dict[str, Any], acks: list[dict[str, Any]]) -> None:
    assert acks, "no update of the shared record was acknowledged"
    assert any(strict_equal(final, ack) for ack in acks), "shared record is a mix of updates"
    assert final["updated_at"] == max(ack["updated_at"] for ack in acks)
