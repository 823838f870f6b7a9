"""Kill -9 under write load, restart on the same store, find every acknowledged write (issue 5).

Eight writers create and update their own clients while the served mock (as `mockserver serve`
starts it: one worker per core) is killed with SIGKILL, every process of it at once, at a random
moment, ten times, at each durability level (issue 15). After each restart the store must load,
and every write that got a 201/200 before the kill must be there with the acknowledged values.
A write in flight at the kill was never acknowledged: it may or may not be there, and both are
accepted.
"""

from __future__ import annotations

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
from hostile.store_view import WRITABLE, all_clients, strict_equal

from mockserver.testing import served_mock

pytestmark = pytest.mark.slow

WRITERS = 8
KILLS = 10
COMPACT_AFTER = 1000  # journal lines (the default is 10,000: a round writes fewer)
OWN_CLIENTS = 4  # each writer keeps updating a few clients, so updates outnumber creates
TOKEN = "crash-test"


@dataclass
class Ledger:
    """What one writer was told: acknowledged states, and the write cut off by the kill."""

    number: int
    acked: dict[str, dict[str, Any]] = field(default_factory=dict)
    in_flight_update: tuple[str, dict[str, Any]] | None = None
    in_flight_creates: int = 0
    acked_creates: int = 0  # since the last check of the store
    writes: int = 0
    refusals: list[str] = field(default_factory=list)


def random_values(rng: random.Random, ledger: Ledger) -> dict[str, Any]:
    sequence = ledger.writes
    return {
        "name": f"writer {ledger.number} write {sequence} é👍",
        "notes": "".join(rng.choices("abcxyz \n", k=rng.randint(0, 40))),
        "status": rng.choice(["active", "inactive"]),
        "tags": [f"t{rng.randint(0, 9)}" for _ in range(rng.randint(0, 3))],
        "metadata": {"writer": ledger.number, "sequence": sequence},
    }


def write_until_killed(api_url: str, ledger: Ledger, seed: int) -> None:
    rng = random.Random(seed)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    # Plain loopback HTTP: no CA bundle to load (~30 ms of CPU a client, 8 clients a kill).
    with httpx.Client(headers=auth, timeout=10, verify=False) as http:
        while True:
            values = random_values(rng, ledger)
            own = list(ledger.acked)
            target = (
                rng.choice(own) if len(own) >= OWN_CLIENTS or (own and rng.random() < 0.7) else None
            )
            try:
                if target is None:
                    response = http.post(f"{api_url}/clients", json=values)
                else:
                    response = http.put(f"{api_url}/clients/{target}", json=values)
            except httpx.TransportError:
                if target is None:
                    ledger.in_flight_creates += 1
                else:
                    ledger.in_flight_update = (target, values)
                return
            ledger.writes += 1
            if response.status_code not in (200, 201):
                ledger.refusals.append(f"{response.status_code}: {response.text[:200]}")
                return
            body = response.json()
            ledger.acked[body["id"]] = body
            ledger.acked_creates += target is None


def load_and_kill(served: Any, ledgers: list[Ledger], rng: random.Random) -> None:
    threads = [
        threading.Thread(target=write_until_killed, args=(served.api_url, ledger, rng.random()))
        for ledger in ledgers
    ]
    for thread in threads:
        thread.start()
    # Long enough on average for the journal to pass COMPACT_AFTER lines and be folded into a
    # snapshot, so kills also land during and after compactions.
    time.sleep(rng.uniform(0.5, 2.5))
    os.killpg(served.process.pid, signal.SIGKILL)  # the supervisor and every worker
    served.process.wait(10)
    for thread in threads:
        thread.join(30)
        assert not thread.is_alive(), "a writer hung after the kill"


def check_survivors(stored: dict[str, dict[str, Any]], ledger: Ledger) -> int:
    """Assert every acknowledged write of `ledger` is stored; adopt the stored state."""
    maybe_id, maybe_values = ledger.in_flight_update or (None, {})
    for client_id, acked in ledger.acked.items():
        found = stored.get(client_id)
        assert found is not None, f"acknowledged create {client_id} lost: {acked}"
        if client_id == maybe_id and not strict_equal(found, acked):
            # The update in flight at the kill landed: allowed, if it landed whole.
            for name in WRITABLE:
                wanted = maybe_values.get(name, acked[name])
                assert strict_equal(found[name], wanted), f"{client_id}.{name} torn: {found}"
        else:
            assert strict_equal(found, acked), f"acknowledged write lost:\n{acked}\n!=\n{found}"
        ledger.acked[client_id] = found
    ledger.in_flight_update = None
    return len(ledger.acked)


def check_store(served: Any, ledgers: list[Ledger], previous: int | None) -> int:
    """Check the restarted store against the ledgers; the number of clients it holds."""
    clients = all_clients(served.api_url, TOKEN)
    stored = {client["id"]: client for client in clients}
    assert len(stored) == len(clients), "a client is listed twice"
    if previous is not None:
        floor = previous + sum(ledger.acked_creates for ledger in ledgers)
        ceiling = floor + sum(ledger.in_flight_creates for ledger in ledgers)
        assert floor <= len(clients) <= ceiling, f"{len(clients)} clients, not {floor}..{ceiling}"
    for ledger in ledgers:
        assert not ledger.refusals, f"writer {ledger.number} was refused: {ledger.refusals}"
        check_survivors(stored, ledger)
        ledger.acked_creates = ledger.in_flight_creates = 0
    return len(clients)


@pytest.mark.long(30)
@pytest.mark.parametrize("durability", ["os", "disk"])
def test_acknowledged_writes_survive_sigkill(tmp_path: Path, durability: str) -> None:
    rng = random.Random(5)
    ledgers = [Ledger(number) for number in range(WRITERS)]
    count: int | None = None
    for round_number in range(KILLS + 1):
        # Each start after the first is a restart on the store the last kill left behind.
        options = {"token": TOKEN, "durability": durability, "compact_after": COMPACT_AFTER}
        with served_mock(tmp_path / "clients.json", **options) as served:
            count = check_store(served, ledgers, count)
            if round_number < KILLS:
                load_and_kill(served, ledgers, rng)
    writes = sum(ledger.writes for ledger in ledgers)
    assert writes >= KILLS * WRITERS, f"only {writes} writes were acknowledged: no real load"
    print(f"\n{KILLS} kills survived, {writes} acknowledged writes, {count} clients verified")
