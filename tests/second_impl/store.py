"""The second implementation's data: a dict in memory, its own seed, its own choices.

Every choice the contract leaves open is made differently from the mock: ids drawn from a
seeded generator, microsecond timestamps, search by full case folding, ties broken by id
descending, a seed of its own (70 clients, several sharing a created_at).
"""

from __future__ import annotations

import random
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

OPTIONAL_DEFAULTS: dict[str, Any] = {
    "email": None,
    "phone": None,
    "address": None,
    "contact_person": None,
    "website": None,
    "industry": None,
    "status": "active",
    "tags": [],
    "notes": None,
    "metadata": {},
}
SEARCHED = ("name", "email", "contact_person")
INDUSTRIES = ("Technology", "Finance", "Healthcare", "Retail", "Logistics", None)
SEED_SIZE = 70


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rng = random.Random(20261130)
        self.clients: dict[str, dict[str, Any]] = {}
        self.last_stamp = ""
        self.reset()

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def now(self) -> str:
        """Strictly increasing, so every update moves updated_at even within a microsecond."""
        moment = datetime.now(UTC)
        while stamp(moment) <= self.last_stamp:
            moment += timedelta(microseconds=1)
        self.last_stamp = stamp(moment)
        return self.last_stamp

    def reset(self) -> None:
        with self.lock:
            self.clients = {}
            base = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
            for number in range(SEED_SIZE):
                # Pairs share a created_at: the tie-break by id is exercised.
                created = stamp(base + timedelta(hours=7 * (number // 2)))
                jobs = self.rng.randint(0, 6)
                client = {
                    **OPTIONAL_DEFAULTS,
                    "id": self.new_id(),
                    "name": f"Seed Company {number:02d}" + (" Straße" if number % 9 == 0 else ""),
                    "email": f"jobs+{number}@seed{number}.example.org" if number % 3 else None,
                    "contact_person": f"Person {number}" if number % 4 else None,
                    "industry": INDUSTRIES[number % len(INDUSTRIES)],
                    "status": "inactive" if number % 7 == 0 else "active",
                    "tags": ["seed"] if number % 2 else [],
                    "jobs_count": jobs,
                    "active_jobs_count": self.rng.randint(0, jobs),
                    "created_at": created,
                    "updated_at": created,
                }
                self.clients[client["id"]] = client

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            moment = self.now()
            client = {
                **OPTIONAL_DEFAULTS,
                **body,
                "id": self.new_id(),
                "jobs_count": 0,
                "active_jobs_count": 0,
                "created_at": moment,
                "updated_at": moment,
            }
            self.clients[client["id"]] = client
            return dict(client)

    def update(self, client_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        with self.lock:
            client = self.clients.get(client_id)
            if client is None:
                return None
            client.update(changes, updated_at=self.now())
            return dict(client)

    def get(self, client_id: str) -> dict[str, Any] | None:
        with self.lock:
            found = self.clients.get(client_id)
            return dict(found) if found else None

    def search(self, term: str, status: str | None, industry: str | None) -> list[dict[str, Any]]:
        needle = term.casefold()
        with self.lock:
            hits = [
                dict(client)
                for client in self.clients.values()
                if (not needle or any(needle in (client[f] or "").casefold() for f in SEARCHED))
                and (status is None or client["status"] == status)
                and (industry is None or same_industry(client["industry"], industry))
            ]
        # Newest first; ties by id, descending (the mock breaks them ascending).
        hits.sort(key=lambda client: (client["created_at"], client["id"]), reverse=True)
        return hits


def same_industry(stored: str | None, wanted: str) -> bool:
    return stored is not None and stored.casefold() == wanted.casefold()
