"""Our mock seeded with N generated clients: p50 per operation and resident memory at each size."""

from __future__ import annotations

import json
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median

import httpx

from bench.peers import AUTH, OURS, RunningServer, proportional_memory_mb, resident_memory_mb, serve
from mockserver.store.model import timestamp

SEARCH_TERM = "an"
WARMUP_REQUESTS = 20
SLICES = 10
# "same term" repeats one search, which TinyDB answers from its query cache after the first;
# "new term" changes it every request (as type-ahead does), so every search scans the store.
SAME_TERM, NEW_TERM = "list search, same term", "list search, new term"
OPERATIONS = ("create", "update", "get by id", SAME_TERM, NEW_TERM)
WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Northwind", "Stark", "Wayne", "Oceanic",
         "Sterling", "Vidya", "Swift", "Saffron", "Surya", "Nimbus", "Zenith", "Orbit"]  # fmt: skip
KINDS = ["Systems", "Health", "Capital", "Retail", "Logistics", "Media", "Energy", "Labs"]
PEOPLE = ["Jane Smith", "Rahul Mehta", "Priya Nair", "Arjun Rao", "Sara Khan", "Li Wei", None]
INDUSTRIES = ["Technology", "Healthcare", "Finance", "Retail", "Logistics", None]
# 24 terms, more than TinyDB's query cache holds (10), each matching about one name in 16.
ROTATING_TERMS = [word.lower()[:3] for word in WORDS + KINDS]


@dataclass(frozen=True)
class SizeResult:
    clients: int
    ready_s: float  # a start on the existing store, as every start after the first
    p50_ms: dict[str, float]
    failures: int
    rss_mb: float
    pss_mb: float
    first_seed_s: float = 0.0  # the first start: fixtures read, checked and written as a store


def generate_client(rng: random.Random, index: int, start: datetime) -> dict[str, object]:
    """One client valid per the contract's Client schema, minus the two job counts."""
    name = f"{rng.choice(WORDS)} {rng.choice(KINDS)} {index}"
    slug = name.lower().replace(" ", "")
    created = start + timedelta(minutes=index, milliseconds=rng.randint(0, 59_999))
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "name": name,
        "email": f"hiring@{slug}.example.com",
        "phone": f"+91 9{rng.randint(0, 999_999_999):09d}",
        "address": f"{rng.randint(1, 400)} Business Park\nPune, India",
        "contact_person": rng.choice(PEOPLE),
        "website": f"https://www.{slug}.example.com",
        "industry": rng.choice(INDUSTRIES),
        "status": rng.choice(["active", "active", "inactive"]),
        "tags": rng.sample(["enterprise", "priority", "startup", "smb", "tech"], k=2),
        "notes": rng.choice(["Primary staffing client", None]),
        "metadata": {"external_id": f"CRM-{10_000 + index}"},
        "created_at": timestamp(created),
        "updated_at": timestamp(created + timedelta(hours=1)),
    }


def write_fixtures(directory: Path, count: int, seed: int = 7) -> list[str]:
    """clients.json with `count` generated clients and an empty jobs.json; returns the ids."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    clients = [generate_client(rng, index, start) for index in range(count)]
    (directory / "clients.json").write_text(json.dumps(clients))
    (directory / "jobs.json").write_text("[]")
    return [str(client["id"]) for client in clients]


@dataclass(frozen=True)
class Seeded:
    """One running mock seeded with N clients, and a client to drive it."""

    server: RunningServer
    client: httpx.Client
    ids: list[str]
    ready_s: float
    first_seed_s: float


def measure_sizes(
    sizes: Sequence[int],
    requests_per_op: int,
    workers: int | None = None,
    log: Callable[[str], None] = print,
) -> list[SizeResult]:
    """Every size is served at once and they take turns, a slice of requests each, so a burst of
    load from the neighbours lands on all sizes alike (an idle server costs nothing meanwhile)."""
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as temp, ExitStack() as stack:
        seeded = {
            size: start_seeded(stack, Path(temp) / str(size), size, workers) for size in sizes
        }
        timings, failures = time_interleaved(seeded, requests_per_op)
        results = [
            SizeResult(
                size,
                mock.ready_s,
                {operation: median(times) for operation, times in timings[size].items()},
                failures[size],
                resident_memory_mb(mock.server.process.pid),
                proportional_memory_mb(mock.server.process.pid),
                mock.first_seed_s,
            )
            for size, mock in seeded.items()
        ]
    for result in results:
        p50s = ", ".join(f"{op} {ms:.2f}" for op, ms in result.p50_ms.items())
        memory = f"rss {result.rss_mb:.0f} MB, pss {result.pss_mb:.0f} MB"
        log(f"  {result.clients:>6} clients: p50 ms {p50s}; {memory}")
    return results


def start_seeded(stack: ExitStack, folder: Path, size: int, workers: int | None) -> Seeded:
    folder.mkdir()
    ids = write_fixtures(folder, size)
    store = folder / "store"
    store.mkdir()
    started = time.perf_counter()
    with serve(OURS, fixtures=folder, workers=workers, workdir=store):
        first_seed_s = time.perf_counter() - started
    started = time.perf_counter()
    server = stack.enter_context(
        serve(OURS, fixtures=folder, workers=workers, workdir=store, reset=False)
    )
    ready_s = time.perf_counter() - started
    client = stack.enter_context(httpx.Client(base_url=server.api_url, headers=AUTH, timeout=30))
    return Seeded(server, client, ids, ready_s, first_seed_s)


def time_interleaved(
    seeded: dict[int, Seeded], requests_per_op: int
) -> tuple[dict[int, dict[str, list[float]]], dict[int, int]]:
    timings = {size: {operation: [] for operation in OPERATIONS} for size in seeded}
    failures = dict.fromkeys(seeded, 0)
    per_slice = max(1, requests_per_op // SLICES)
    for operation in OPERATIONS:
        senders = {size: sender(mock, operation) for size, mock in seeded.items()}
        for send in senders.values():
            for index in range(WARMUP_REQUESTS):
                send(-1 - index)
        for slice_number in range(SLICES):
            for size, send in senders.items():
                for index in range(slice_number * per_slice, (slice_number + 1) * per_slice):
                    began = time.perf_counter()
                    response = send(index)
                    timings[size][operation].append((time.perf_counter() - began) * 1000)
                    failures[size] += not response.is_success
    return timings, failures


def sender(mock: Seeded, operation: str) -> Callable[[int], httpx.Response]:
    """A function sending request number i of one operation to one seeded mock."""
    client, rng = mock.client, random.Random(11)
    if operation == "create":
        return lambda i: client.post("/clients", json={"name": f"Scale Probe {i}"})
    if operation == "update":
        return lambda i: client.put(f"/clients/{rng.choice(mock.ids)}", json={"notes": f"n{i}"})
    if operation == "get by id":
        return lambda i: client.get(f"/clients/{rng.choice(mock.ids)}")
    if operation == NEW_TERM:
        return lambda i: client.get(
            "/clients", params={"search": ROTATING_TERMS[i % len(ROTATING_TERMS)], "limit": 50}
        )
    return lambda i: client.get("/clients", params={"search": SEARCH_TERM, "limit": 50})
