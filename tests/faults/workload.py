"""A scripted workload (creates, updates, reads, a session opened by a read, an import; with a
low compaction threshold, compactions) and the ledger of what each answer promised.

`send(method, path, body, session)` returns (status, headers, text): the same script runs
against the in-process app and against served workers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hostile.store_view import LEAK_PATTERN

Send = Callable[[str, str, Any, str], tuple[int, dict[str, str], str]]
API = "/api/v1/clients"


@dataclass
class Ledger:
    acked: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> last acknowledged
    creates: int = 0  # acknowledged
    imported: list[str] | None = None  # ids, once an import was acknowledged
    refused_import: list[str] | None = None  # ids of a refused import, none acknowledged yet
    refusals: int = 0
    problems: list[str] = field(default_factory=list)  # broken promises

    def judge_write(self, what: str, status: int, headers: dict[str, str], text: str) -> bool:
        """True when acknowledged; a refusal must be our problem document."""
        self._no_leak(what, text)
        if status in (200, 201, 204):
            return True
        self.refusals += 1
        kind = headers.get("content-type", "")
        if status != 503 or kind != "application/problem+json" or "retry-after" not in headers:
            self.problems.append(f"{what}: {status} {kind} {headers} {text[:200]}")
        elif "durable" not in json.loads(text).get("detail", ""):
            self.problems.append(f"{what}: a detail that does not say what happened: {text}")
        return False

    def judge_read(self, what: str, status: int, text: str) -> None:
        self._no_leak(what, text)
        if status != 200:
            self.problems.append(f"{what}: a read answered {status}: {text[:200]}")

    def _no_leak(self, what: str, text: str) -> None:
        if LEAK_PATTERN.search(text):
            self.problems.append(f"{what}: the answer leaks internals: {text[:300]}")


def create(send: Send, ledger: Ledger, n: int) -> None:
    status, headers, text = send("POST", API, {"name": f"client {n}", "tags": [f"t{n}"]}, "")
    if ledger.judge_write(f"create {n}", status, headers, text):
        body = json.loads(text)
        ledger.acked[body["id"]] = body
        ledger.creates += 1


def update(send: Send, ledger: Ledger, n: int) -> None:
    if not ledger.acked:
        return
    target = sorted(ledger.acked)[n % len(ledger.acked)]
    status, headers, text = send("PUT", f"{API}/{target}", {"notes": f"update {n}"}, "")
    if ledger.judge_write(f"update {n}", status, headers, text):
        ledger.acked[target] = json.loads(text)


def read(send: Send, ledger: Ledger, session: str = "") -> None:
    status, _, text = send("GET", API + "?limit=100", None, session)
    ledger.judge_read(f"list in {session or 'default'}", status, text)
    for client_id in list(ledger.acked)[:2] if not session else []:  # sessions are apart
        status, _, text = send("GET", f"{API}/{client_id}", None, session)
        ledger.judge_read(f"get {client_id}", status, text)


def import_session(send: Send, ledger: Ledger) -> None:
    clients = list(ledger.acked.values())[:2]
    path = "/__mock/sessions/imported/clients"
    status, headers, text = send("PUT", path, {"clients": clients}, "")
    ids = sorted(client["id"] for client in clients)
    if ledger.judge_write("import", status, headers, text):
        ledger.imported, ledger.refused_import = ids, None
    elif ledger.imported is None:
        ledger.refused_import = ids


def run(send: Send, ledger: Ledger, rounds: int = 2) -> None:
    number = 0
    for round_number in range(rounds):
        for _ in range(4):
            create(send, ledger, number)
            number += 1
        update(send, ledger, number)
        update(send, ledger, number + 1)
        read(send, ledger)
        read(send, ledger, session=f"reader-{round_number}")  # opened by a read
        import_session(send, ledger)


def check_after_restart(send: Send, ledger: Ledger, seeded: int) -> None:
    """Every acknowledged write is there as acknowledged; no refused create is."""
    status, _, text = send("GET", API + "?limit=100", None, "")
    assert status == 200, text
    stored = {client["id"]: client for client in json.loads(text)["data"]}
    for client_id, acked in ledger.acked.items():
        assert stored.get(client_id) == acked, f"acknowledged write lost: {acked}"
    assert len(stored) == seeded + ledger.creates, "a refused create was kept"
    status, _, text = send("GET", "/__mock/sessions/imported/clients", None, "")
    assert status == 200, text
    exported = sorted(client["id"] for client in json.loads(text)["clients"])
    if ledger.imported is not None:
        assert exported == ledger.imported, "an acknowledged import was lost"
    elif ledger.refused_import is not None:
        assert exported != ledger.refused_import, "a refused import was kept"
