"""`python -m bench.inprocess`: what one request costs our mock and the Connexion floor, called
as ASGI apps in this process: no sockets, no wrk, no second process competing for the CPU.

wrk figures on a shared 2-core machine move by 10-20% between runs; this moves by a few
percent, so it shows what the mock adds to the stack (bench/floor.py) per request. Each app
answers the same get by id and partial update in turn; the table gives the fastest of several
rounds (the one least disturbed by neighbours) in microseconds. By default the clock is the
process's CPU time, which other processes on a shared machine barely move (`--clock wall` for
elapsed time: it also counts the time this process waited for a core).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bench import floor
from bench.report import markdown_table
from bench.side_by_side import KNOWN_ID
from mockserver.api.clients import STORE_KEY
from mockserver.app import create_app

App = Callable[[dict[str, Any], Any, Any], Coroutine[Any, Any, None]]
PATH = f"/api/v1/clients/{KNOWN_ID}"
HEADERS = [(b"host", b"127.0.0.1"), (b"authorization", b"Bearer bench")]
CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def request(method: str, body: bytes = b"") -> dict[str, Any]:
    headers = HEADERS + ([(b"content-type", b"application/json")] if body else [])
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": PATH,
        "raw_path": PATH.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [*headers, (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "extensions": {},
    }


async def call(app: App, scope: dict[str, Any], body: bytes) -> int:
    """One request; the status it was answered with. By hand rather than through httpx's
    ASGITransport, which would add its own per-request cost to both sides of the ratio."""
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


async def start(app: App) -> asyncio.Task[None]:
    """Run the app's lifespan start-up (Connexion builds its middleware stack there); the task
    to cancel when done."""
    started = asyncio.Event()
    events = [{"type": "lifespan.startup"}]

    async def receive() -> dict[str, Any]:
        if events:
            return events.pop()
        await asyncio.Event().wait()  # until the loop ends
        return {}

    async def send(message: dict[str, Any]) -> None:
        started.set()

    task = asyncio.get_running_loop().create_task(app({"type": "lifespan"}, receive, send))
    await started.wait()
    return task


async def microseconds(
    app: App, method: str, requests: int, rounds: int, clock: Callable[[], float]
) -> float:
    lifespan = await start(app)
    fastest = float("inf")
    bodies = [
        json.dumps({"notes": f"note {number}"}).encode() if method == "PUT" else b""
        for number in range(requests)
    ]  # made before the clock starts: only the apps' work is timed
    for round_number in range(rounds + 1):  # the first round warms up
        began = clock()
        for body in bodies:
            status = await call(app, request(method, body), body)
            if status != 200:
                raise RuntimeError(f"{method} {PATH} answered {status}")
        if round_number:
            fastest = min(fastest, (clock() - began) / requests * 1e6)
    lifespan.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await lifespan
    return fastest


def measure(requests: int, rounds: int, clock: str = "cpu") -> list[list[str]]:
    rows, timer = [], CLOCKS[clock]
    for label, method in (("get by id", "GET"), ("partial update", "PUT")):
        with tempfile.TemporaryDirectory(prefix="bench-inprocess-") as folder:
            ours = create_app(db=str(Path(folder) / "clients.json"), reset=True)
            mine = asyncio.run(microseconds(ours, method, requests, rounds, timer))
            # Closed before its folder goes: a later fork would reopen its lock file.
            ours.app.extensions[STORE_KEY].close()
        stack = asyncio.run(microseconds(floor.create_app(), method, requests, rounds, timer))
        rows.append(
            [label, f"{mine:.0f}", f"{stack:.0f}", f"+{mine - stack:.0f}", f"{mine / stack:.2f}"]
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__)
    parser.add_argument("--requests", type=int, default=1000, help="per round (default 1000)")
    parser.add_argument("--rounds", type=int, default=5, help="after a warm-up round (default 5)")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu", help="(default cpu)")
    args = parser.parse_args(argv)
    headers = ["request", "ours µs", "floor µs", "ours - floor µs", "ours / floor"]
    print(markdown_table(headers, measure(args.requests, args.rounds, args.clock)))


if __name__ == "__main__":
    main()
