"""The soak's clients (bench/soak.py): mixed traffic from a few threads, each keeping a ledger
of the writes the mock acknowledged, so that the end can check every one of them is there.

Each thread owns the clients it creates, so what an acknowledged update left is known: the
notes it sent; an update that got no answer (a worker killed under it) may or may not have
landed, so either value is accepted for that client afterwards.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

AUTH = {"Authorization": "Bearer soak"}
READS = frozenset({"get", "list", "search", "session read", "journal"})


@dataclass
class Written:
    session: str
    name: str
    notes: set[str | None] = field(default_factory=lambda: {None})  # what it may hold now


@dataclass
class Ledger:
    """What one thread was told: acknowledged writes, and every answer by kind of request."""

    written: dict[str, Written] = field(default_factory=dict)
    answers: dict[str, Counter[str]] = field(default_factory=dict)
    missing_while_running: list[str] = field(default_factory=list)

    def count(self, kind: str, outcome: str) -> None:
        self.answers.setdefault(kind, Counter())[outcome] += 1


class Client(threading.Thread):
    def __init__(
        self,
        number: int,
        base_url: str,
        stop: threading.Event,
        creates: int,
        seconds: float,
        pace: float = 0.0,
    ) -> None:
        super().__init__(name=f"soak-{number}", daemon=True)
        self.number = number
        self.base_url = base_url
        self.stop = stop
        # Spread over most of the run, so that creates meet every fault; none in its last
        # part, so that memory measured then is not the store growing.
        self.creates, self.created, self.seconds = creates, 0, seconds
        self.pace = pace  # seconds between two steps; 0: as fast as the server answers
        self.began = time.monotonic()
        self.ledger = Ledger()
        self.random = random.Random(number)

    def run(self) -> None:
        with httpx.Client(base_url=self.base_url, headers=AUTH, timeout=15) as http:
            steps = 0
            while not self.stop.is_set():
                steps += 1
                self.step(http, steps)
                if self.pace:
                    self.stop.wait(self.pace)

    def step(self, http: httpx.Client, steps: int) -> None:
        roll = self.random.random()
        session = f"soak-{self.number}-{steps // 500 % 3}"
        if roll < 0.15 and self.created < self.creates_due():
            self.create(http, "default" if roll < 0.1 else session)
        elif roll < 0.35 and self.ledger.written:
            self.update(http)
        elif roll < 0.6 and self.ledger.written:
            self.read(http)
        elif roll < 0.7:
            self.call(http, "list", "GET", "/api/v1/clients?limit=20")
        elif roll < 0.8:
            self.call(http, "search", "GET", f"/api/v1/clients?search=soak{self.number}")
        elif roll < 0.88:
            self.call(http, "session read", "GET", "/api/v1/clients?limit=5", session=session)
        elif roll < 0.95:
            rule = {"operation": "listClients", "delay_ms": 1, "times": 1}
            self.call(http, "add rule", "POST", f"/__mock/sessions/{session}/rules", rule)
            self.call(http, "delete rules", "DELETE", f"/__mock/sessions/{session}/rules")
        else:
            self.call(http, "journal", "GET", f"/__mock/sessions/{session}/requests")

    def creates_due(self) -> float:
        return self.creates * min(1.0, (time.monotonic() - self.began) / (self.seconds * 0.7))

    def create(self, http: httpx.Client, session: str) -> None:
        name = f"soak{self.number} {self.random.getrandbits(40):x}"
        answer = self.call(http, "create", "POST", "/api/v1/clients", {"name": name}, session)
        if answer is not None and answer.status_code == 201:
            self.created += 1
            created = answer.json()
            self.ledger.written[created["id"]] = Written(session, name, {created.get("notes")})

    def update(self, http: httpx.Client) -> None:
        client_id = self.random.choice(list(self.ledger.written))
        written = self.ledger.written[client_id]
        notes = f"n{self.random.getrandbits(32):x}"
        path = f"/api/v1/clients/{client_id}"
        answer = self.call(http, "update", "PUT", path, {"notes": notes}, written.session)
        if answer is None or answer.status_code >= 500:
            written.notes.add(notes)  # it may have landed before the answer was lost
        elif answer.status_code == 200:
            written.notes = {notes}

    def read(self, http: httpx.Client) -> None:
        client_id = self.random.choice(list(self.ledger.written))
        written = self.ledger.written[client_id]
        answer = self.call(
            http, "get", "GET", f"/api/v1/clients/{client_id}", None, written.session
        )
        if answer is not None and answer.status_code == 404:
            self.ledger.missing_while_running.append(client_id)

    def call(
        self,
        http: httpx.Client,
        kind: str,
        method: str,
        path: str,
        body: Any = None,
        session: str = "default",
    ) -> httpx.Response | None:
        try:
            answer = http.request(method, path, json=body, headers={"X-Mock-Session": session})
        except httpx.HTTPError as error:
            self.ledger.count(kind, type(error).__name__)
            self.stop.wait(0.05)  # a worker or the server is being killed: let it come back
            return None
        self.ledger.count(kind, str(answer.status_code))
        return answer


def check(base_url: str, ledgers: list[Ledger]) -> tuple[list[str], int]:
    """The acknowledged writes that are missing or wrong now, and how many were checked."""
    problems: list[str] = []
    checked = 0
    with httpx.Client(base_url=base_url, headers=AUTH, timeout=30) as http:
        for ledger in ledgers:
            for client_id, written in ledger.written.items():
                checked += 1
                answer = http.get(
                    f"/api/v1/clients/{client_id}", headers={"X-Mock-Session": written.session}
                )
                if answer.status_code != 200:
                    problems.append(f"{written.session}/{client_id}: {answer.status_code}")
                    continue
                found = answer.json()
                if found["name"] != written.name or found.get("notes") not in written.notes:
                    problems.append(f"{written.session}/{client_id}: holds {found.get('notes')!r}")
    return problems, checked
