"""The five workloads as each server can express them, run with wrk on one server at a time."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import median

import httpx

from bench.peers import (
    AUTH,
    FIXTURES,
    FLOOR,
    JSON_SERVER,
    OURS,
    OURS_DISK,
    PRISM,
    RunningServer,
    serve,
)
from bench.wrk import WrkResult, run_wrk

SEARCH_TERM = "an"
# A client from the fixtures every stateful server starts with.
KNOWN_ID = json.loads((FIXTURES / "clients.json").read_text())[0]["id"]
JSON_SERVER_ORDER = "_sort=created_at&_order=desc"
PRISM_NOTE = "fixed example, not stateful"
DISK_NOTE = "yes; `--durability disk`: flushed before the answer"
FLOOR_NOTE = "the stack alone: handlers answer a fixture, no store"


@dataclass(frozen=True)
class Target:
    """How one server is asked to do one workload; `note` says why it is not like-for-like."""

    path: str
    method: str = "GET"
    note: str = ""


@dataclass(frozen=True)
class Workload:
    name: str
    script: str
    targets: dict[str, Target]
    body: dict[str, object] = field(default_factory=dict)

    def script_args(self, server: str) -> tuple[str, ...]:
        return (self.targets[server].method,) if self.script == "update.lua" else ()


WORKLOADS = (
    Workload(
        "list limit=50",
        "read.lua",
        {
            OURS: Target("/clients?limit=50"),
            JSON_SERVER: Target(
                f"/clients?{JSON_SERVER_ORDER}&_limit=50",
                note="`_limit`, bare array, no meta/total",
            ),
            PRISM: Target("/clients?limit=50", note=f"{PRISM_NOTE} (1 item)"),
        },
    ),
    Workload(
        f"list search={SEARCH_TERM}",
        "read.lua",
        {
            OURS: Target(f"/clients?search={SEARCH_TERM}&limit=50"),
            JSON_SERVER: Target(
                f"/clients?q={SEARCH_TERM}&{JSON_SERVER_ORDER}&_limit=50",
                note="`q=` full-text over every field, not name/email/contact",
            ),
            PRISM: Target(
                f"/clients?search={SEARCH_TERM}&limit=50", note=f"{PRISM_NOTE}, no filter"
            ),
        },
    ),
    Workload(
        "get by id",
        "read.lua",
        {
            OURS: Target(f"/clients/{KNOWN_ID}"),
            JSON_SERVER: Target(f"/clients/{KNOWN_ID}", note="no job counts"),
            PRISM: Target(f"/clients/{KNOWN_ID}", note=PRISM_NOTE),
            FLOOR: Target(f"/clients/{KNOWN_ID}", note=FLOOR_NOTE),
        },
    ),
    Workload(
        "create",
        "create.lua",
        {
            OURS: Target("/clients", "POST"),
            OURS_DISK: Target("/clients", "POST", note=DISK_NOTE),
            JSON_SERVER: Target("/clients", "POST", note="no validation, no defaults"),
            PRISM: Target("/clients", "POST", note=f"{PRISM_NOTE}, stores nothing"),
        },
        body={"name": "Bench Probe", "tags": ["bench"]},
    ),
    Workload(
        "partial update",
        "update.lua",
        {
            OURS: Target(f"/clients/{KNOWN_ID}", "PUT"),
            OURS_DISK: Target(f"/clients/{KNOWN_ID}", "PUT", note=DISK_NOTE),
            JSON_SERVER: Target(
                f"/clients/{KNOWN_ID}", "PATCH", note="PATCH (its PUT replaces all), no validation"
            ),
            PRISM: Target(f"/clients/{KNOWN_ID}", "PUT", note=f"{PRISM_NOTE}, stores nothing"),
            FLOOR: Target(f"/clients/{KNOWN_ID}", "PUT", note=FLOOR_NOTE),
        },
        body={"notes": "bench probe"},
    ),
)


@dataclass
class Cell:
    """Every run of one workload on one server, plus what one probe request returned."""

    runs: list[WrkResult] = field(default_factory=list)
    probe_status: int = 0
    probe_bytes: int = 0

    def median_of(self, metric: Callable[[WrkResult], float]) -> float:
        return median(metric(run) for run in self.runs)

    @property
    def failed_share(self) -> float:
        return max((run.failed_share for run in self.runs), default=1.0)


Results = dict[tuple[str, str], Cell]


def measure(
    servers: Sequence[str],
    workloads: Sequence[Workload],
    runs: int,
    seconds: int,
    warmup_seconds: int,
    workers: int | None = None,
    log: Callable[[str], None] = print,
) -> Results:
    """Each run starts every server afresh from the fixtures, servers alternating within a round,
    so machine noise spreads over all of them and writes never pile up from one run to the next."""
    results: Results = {(w.name, s): Cell() for w in workloads for s in servers}
    for workload in workloads:
        for run in range(1, runs + 1):
            for name in servers:
                if name not in workload.targets:
                    continue  # ours with --durability disk only differs on writes
                cell = results[(workload.name, name)]
                with serve(name, workers=workers) as server:
                    run_once(server, workload, cell, seconds, warmup_seconds)
                last = cell.runs[-1]
                log(
                    f"  {workload.name:<18} run {run}/{runs} {name:<12}"
                    f" {last.requests_per_s:>9.0f} req/s  p50 {last.p50_ms:.2f} ms"
                )
    return results


def run_once(
    server: RunningServer, workload: Workload, cell: Cell, seconds: int, warmup_seconds: int
) -> None:
    target = workload.targets[server.name]
    url = server.api_url + target.path
    cell.probe_status, cell.probe_bytes = probe(url, target.method, workload.body)
    args = workload.script_args(server.name)
    if warmup_seconds > 0:
        run_wrk(url, workload.script, warmup_seconds, args)
    cell.runs.append(run_wrk(url, workload.script, seconds, args))


def probe(url: str, method: str, body: dict[str, object]) -> tuple[int, int]:
    """One request like the workload's, to show the status and response size each server gives."""
    response = httpx.request(method, url, headers=AUTH, json=body or None, timeout=10)
    return response.status_code, len(response.content)
