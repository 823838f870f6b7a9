"""What the dashboard costs the mock, and whether its live feed keeps up.

`python -m bench.dashboard [--seconds 5] [--rounds 5] [--burst-seconds 4]`, on one mock with
`--workers 2`:

- throughput: wrk -t2 -c32 on get-by-id with no dashboard open and with five following the
  journal exactly as the page does (a long poll of `.../requests/feed` going on from the last
  id, a 250 ms pause after each answer with entries, the session list every 5 s), the two
  interleaved round by round; medians and the ratio. The followers are threads of this process,
  as five browser tabs would be processes beside the mock;
- the burst: wrk paced at about 1,000 requests a second into one session while one follower
  reads the feed; every request sent must reach it once, in each worker's order, and the ids
  say how many it skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

import httpx

from bench.report import markdown_table
from bench.wrk import run_wrk
from mockserver.scenarios.requests import Journal
from mockserver.testing import ServedMock, served_mock

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
KNOWN_ID = json.loads((FIXTURES / "clients.json").read_text())[0]["id"]
AUTH = {"Authorization": "Bearer bench"}
DASHBOARDS = 5
BATCH_S = 0.25  # the page's pause after an answer with entries (journal.js BATCH_MS)
SESSIONS_EVERY_S = 5.0
LONG_POLL_S = 20


@dataclass
class Follower:
    """One dashboard's traffic: the live feed of a session, and the session list now and then."""

    base_url: str
    session: str
    stop: threading.Event
    entries: list[dict[str, Any]] = field(default_factory=list)
    polls: int = 0
    skipped: int = 0
    lost_place: int = 0

    def run(self) -> None:
        last: str | None = None
        listed = 0.0
        latest: dict[str, int] = {}
        feed = f"{self.base_url}/__mock/sessions/{self.session}/requests/feed"
        with httpx.Client(headers=AUTH, timeout=LONG_POLL_S + 10) as client:
            while not self.stop.is_set():
                if time.monotonic() - listed > SESSIONS_EVERY_S:
                    client.get(f"{self.base_url}/__mock/sessions")
                    listed = time.monotonic()
                query: dict[str, Any] = {"after": last, "wait": 2} if last else {}
                page = client.get(feed, params=query).json()
                self.polls += 1
                if last and not page["meta"]["found"]:
                    self.lost_place += 1
                for entry in page["data"]:
                    pid, n = (int(part) for part in entry["i"].split("."))
                    if pid in latest and n > latest[pid] + 1:
                        self.skipped += n - latest[pid] - 1
                    latest[pid] = max(n, latest.get(pid, 0))
                self.entries += page["data"]
                last = page["meta"]["last"]
                if page["data"]:
                    self.stop.wait(BATCH_S)


def following(mock: ServedMock, session: str, count: int) -> tuple[list[Follower], Any]:
    stop = threading.Event()
    followers = [Follower(mock.base_url, session, stop) for _ in range(count)]
    threads = [threading.Thread(target=f.run, daemon=True) for f in followers]
    for thread in threads:
        thread.start()

    def finish() -> None:
        stop.set()
        for thread in threads:
            thread.join(LONG_POLL_S + 15)

    return followers, finish


@dataclass
class Round:
    rate: dict[str, float] = field(default_factory=dict)  # req/s by variant
    cpu_us: dict[str, float] = field(default_factory=dict)  # the mock's CPU per API request
    streamed: int = 0  # entries the five dashboards received


def throughput(mock: ServedMock, seconds: int, rounds: int) -> list[Round]:
    """Each round: no dashboard and five, in turn (the order alternating)."""
    url = f"{mock.api_url}/clients/{KNOWN_ID}"
    results = []
    for round_number in range(rounds):
        figures = Round()
        for variant in ("none", "five") if round_number % 2 == 0 else ("five", "none"):
            followers, finish = following(mock, "default", DASHBOARDS if variant == "five" else 0)
            time.sleep(0.5)  # each has its first page and is waiting on the feed
            cpu = server_cpu_seconds(mock.process.pid)
            run = run_wrk(url, "read.lua", seconds)
            figures.cpu_us[variant] = (
                (server_cpu_seconds(mock.process.pid) - cpu) / run.requests * 1e6
            )
            figures.rate[variant] = run.requests_per_s
            finish()
            figures.streamed += sum(len(f.entries) for f in followers)
        results.append(figures)
    return results


def server_cpu_seconds(pid: int) -> float:
    """CPU time of the mock: the supervisor and its workers (user + system). Unlike req/s on a
    loaded machine, the CPU a request costs hardly depends on what else runs."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for process in (pid, *_children(pid)):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def burst(mock: ServedMock, seconds: int) -> dict[str, Any]:
    session = "burst"
    (follower,), finish = following(mock, session, 1)
    time.sleep(0.5)
    sent = run_wrk(mock.base_url, "burst.lua", seconds, (session, "10"))
    time.sleep(1.5)  # the last entries reach the follower
    finish()
    # wrk counts the answers it read; a request cut off at the end is journalled all the same.
    return _judged(follower, sent.requests, seconds)


def journal_burst(mock: ServedMock, store: Path, rate: int, seconds: int) -> dict[str, Any]:
    """Two processes append to a session's journal as two workers would, paced at `rate`
    lines a second in all, while one follower reads the feed: the feed's own capacity, whatever
    the API can serve on this machine."""
    session = "journal-burst"
    (follower,), finish = following(mock, session, 1)
    time.sleep(0.5)
    context = multiprocessing.get_context("fork")
    writers = [
        context.Process(target=_append, args=(store, session, rate // 2, seconds)) for _ in range(2)
    ]
    started = time.monotonic()
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    elapsed = time.monotonic() - started
    time.sleep(1.5)
    finish()
    return _judged(follower, rate * seconds // 2 * 2, elapsed)


def _append(store: Path, session: str, rate: int, seconds: int) -> None:
    journal = Journal(store.with_name(store.name + ".scenarios"))
    template = {"m": "GET", "p": "/api/v1/clients", "o": "listClients", "h": {"host": "bench"}}
    template |= {"b": "", "n": 0, "s": 200, "d": 1.0, "r": None, "f": None, "w": None, "x": None}
    pid, start = os.getpid(), time.monotonic()
    for n in range(1, rate * seconds + 1):
        journal.record(
            session, {"t": time.time_ns(), **template, "q": f"n={pid}-{n}", "i": f"{pid}.{n}"}
        )
        ahead = start + n / rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)


def _judged(follower: Follower, sent: int, elapsed: float) -> dict[str, Any]:
    names = [entry["q"] for entry in follower.entries]
    per_worker: dict[str, list[int]] = {}
    for entry in follower.entries:
        pid, n = entry["i"].split(".")
        per_worker.setdefault(pid, []).append(int(n))
    return {
        "sent": sent,
        "rate": sent / elapsed,
        "received": len(names),
        "distinct": len(set(names)),
        "in order": all(ns == sorted(ns) for ns in per_worker.values()),
        "skipped": follower.skipped,
        "lost place": follower.lost_place,
        "polls": follower.polls,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--burst-seconds", type=int, default=4)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder, served_mock(folder, workers=2) as mock:
        rounds = throughput(mock, options.seconds, options.rounds)
        bursts = {
            "API, wrk paced to ~1,000/s": burst(mock, options.burst_seconds),
            "journal, 2 writers at 1,000/s": journal_burst(
                mock, Path(folder) / "clients.json", 1000, options.burst_seconds
            ),
        }
    print(f"## Throughput, get by id, wrk -t2 -c32 {options.seconds} s, --workers 2\n")
    rows = [
        [
            n + 1,
            f"{r.rate['none']:.0f}",
            f"{r.rate['five']:.0f}",
            f"{r.rate['five'] / r.rate['none']:.3f}",
            f"{r.cpu_us['none']:.0f}",
            f"{r.cpu_us['five']:.0f}",
            f"{r.cpu_us['none'] / r.cpu_us['five']:.3f}",
            r.streamed,
        ]
        for n, r in enumerate(rounds)
    ]
    rate = [median(r.rate[v] for r in rounds) for v in ("none", "five")]
    cpu = [median(r.cpu_us[v] for r in rounds) for v in ("none", "five")]
    rows.append(
        [
            "median",
            *(f"{rate[0]:.0f}", f"{rate[1]:.0f}", f"{rate[1] / rate[0]:.3f}"),
            *(f"{cpu[0]:.0f}", f"{cpu[1]:.0f}", f"{cpu[0] / cpu[1]:.3f}", ""),
        ]
    )
    headers = ["round", "req/s, none", "req/s, five", "ratio"]
    headers += ["CPU µs/req, none", "CPU µs/req, five", "capacity ratio", "entries streamed"]
    print(markdown_table(headers, rows))
    print(
        "\ncapacity ratio: the CPU a request costs without dashboards over the CPU with five"
        " (the throughput a saturated mock keeps); the followers' own CPU is not counted.\n"
    )
    print(f"## Live feed under a burst ({options.burst_seconds} s, one session each)\n")
    columns = list(next(iter(bursts.values())))
    print(
        markdown_table(
            ["burst", *columns],
            [[name, *(_cell(result[c]) for c in columns)] for name, result in bursts.items()],
        )
    )


def _cell(value: Any) -> str:
    return f"{value:.0f}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    main()
