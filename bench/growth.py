"""The second state of the side-by-side bench: each stateful server after N valid creates.

json-server 0.17 rewrites its whole `db.json` on every write, so its writes slow as the file
grows; ours appends one line to a journal. The issue asks for both states side by side: at the
fixtures' size, and after 5,000 creates made over HTTP, as a user's test run would make them.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from bench.peers import AUTH, FLOOR, JSON_SERVER, OURS, OURS_DISK, PRISM, RunningServer, serve
from bench.side_by_side import Cell, Results, Workload, run_once

CREATES = 5_000
THREADS = 12  # enough to keep two server cores busy from one Python client
STATEFUL = (OURS, OURS_DISK, JSON_SERVER)
# What the grown state's table says of a server that stores nothing, in place of figures.
NOT_GROWN = {
    PRISM: "Prism stores nothing, so creates leave it as it was (see the fixtures' table)",
    FLOOR: "the floor stores nothing, so creates leave it as it was (see the fixtures' table)",
}


class GrowthError(RuntimeError):
    """A server did not end up holding the records it was sent: its figures would be a lie."""


@dataclass(frozen=True)
class Growth:
    server: str
    before: int
    after: int
    seconds: float

    @property
    def per_s(self) -> float:
        return (self.after - self.before) / self.seconds if self.seconds > 0 else 0.0


def create_body(number: int) -> dict[str, object]:
    """The create workload's body (bench/workloads/create.lua), with a name of its own."""
    return {
        "name": f"Bench Grown {number}",
        "email": f"bench-grown-{number}@example.com",
        "industry": "Technology",
        "tags": ["bench"],
    }


def count_clients(client: httpx.Client, server: RunningServer) -> int:
    """How many clients the server holds: ours says `meta.total`, json-server `X-Total-Count`."""
    if server.name == JSON_SERVER:
        response = client.get(server.api_url + "/clients", params={"_limit": 1})
        response.raise_for_status()
        return int(response.headers["X-Total-Count"])
    response = client.get(server.api_url + "/clients", params={"limit": 1})
    response.raise_for_status()
    return int(response.json()["meta"]["total"])


def grow(server: RunningServer, creates: int = CREATES, threads: int = THREADS) -> Growth:
    """POST `creates` clients from `threads` threads, then check the server holds that many more;
    raise GrowthError if one create was refused or the count is not what was sent."""
    if server.name not in STATEFUL:
        raise ValueError(f"{server.name} {NOT_GROWN.get(server.name, 'is not stateful')}")
    with httpx.Client(headers=AUTH, timeout=30) as client:
        before = count_clients(client, server)
        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            shares = [range(first, creates, threads) for first in range(threads)]
            statuses = [
                status
                for share in pool.map(lambda numbers: post_creates(server, numbers), shares)
                for status in share
            ]
        seconds = time.perf_counter() - started
        after = count_clients(client, server)
    refused = sorted({status for status in statuses if status != 201})
    if refused or after - before != creates:
        raise GrowthError(
            f"{server.name}: sent {creates} creates, {statuses.count(201)} answered 201"
            f" (others: {refused}); it held {before} clients before and {after} after"
        )
    return Growth(server.name, before, after, seconds)


def post_creates(server: RunningServer, numbers: range) -> list[int]:
    """One keep-alive connection, one create after another; the statuses, in order. The
    standard library's client costs a third of httpx's CPU (1.4 against 4.4 s for 5,000 creates
    from 12 threads here), and the client shares the machine's cores with the server it grows."""
    address = urlsplit(server.api_url)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, 30)
    headers = {**AUTH, "Content-Type": "application/json"}
    statuses = []
    try:
        for number in numbers:
            body = json.dumps(create_body(number))
            connection.request("POST", address.path + "/clients", body, headers)
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
    finally:
        connection.close()
    return statuses


def grown_order(workloads: Sequence[Workload]) -> list[Workload]:
    """Reads first, then the partial update (it changes one record), the creates last: each
    workload then meets the grown store as the growth left it, plus only its own writes."""
    rank = {"read.lua": 0, "update.lua": 1, "create.lua": 2}
    return sorted(workloads, key=lambda workload: rank.get(workload.script, 1))


def measure_grown(
    servers: Sequence[str],
    workloads: Sequence[Workload],
    runs: int,
    seconds: int,
    warmup_seconds: int,
    workers: int | None = None,
    creates: int = CREATES,
    log: Callable[[str], None] = print,
) -> tuple[Results, list[Growth]]:
    """Each run starts every stateful server afresh from the fixtures, grows it once by
    `creates`, then runs its workloads in `grown_order`; the servers take turns within a run.
    Growing once per run, not per workload, keeps json-server's growth (every write rewrites
    its file) from taking most of the bench's time."""
    stateful = [name for name in servers if name in STATEFUL]
    ordered = grown_order(workloads)
    results: Results = {(w.name, s): Cell() for w in ordered for s in stateful}
    growths: list[Growth] = []
    for run in range(1, runs + 1):
        for name in stateful:
            mine = [workload for workload in ordered if name in workload.targets]
            if not mine:
                continue
            with serve(name, workers=workers) as server:
                growth = grow(server, creates)
                growths.append(growth)
                log(
                    f"  grown run {run}/{runs} {name:<12} {growth.before:,} -> {growth.after:,}"
                    f" clients in {growth.seconds:.1f} s ({growth.per_s:.0f} creates/s)"
                )
                for workload in mine:
                    cell = results[(workload.name, name)]
                    run_once(server, workload, cell, seconds, warmup_seconds)
                    last = cell.runs[-1]
                    log(
                        f"  {workload.name:<18} run {run}/{runs} {name:<12}"
                        f" {last.requests_per_s:>9.0f} req/s  p50 {last.p50_ms:.2f} ms"
                    )
    return results, growths
