"""`python -m bench.dashboard_inprocess`: what following the journal costs the mock, in
process as `bench.inprocess` measures (no sockets, no wrk, no second process; the CPU time of
the fastest of several rounds, the one least disturbed by neighbours): a get by id, and a poll
of the live feed finding nothing new and a batch of new lines. From these, the share of a
saturated event loop five dashboards take: each polls about every 250 ms (an answer with
entries, then the page's pause) and gets every line.

Timing gets beside five real followers in slices of time overstates the cost on a loaded
machine: the process gets a fraction of a core while the followers poll by the clock.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.inprocess import App, call, request, start
from bench.report import markdown_table
from mockserver.api.clients import STORE_KEY
from mockserver.app import create_app

FOLLOWERS = 5
BATCH_S = 0.25
LAST = re.compile(rb'"last":(?:"([^"]*)"|null)\}\}$')


def feed_request(after: str | None) -> dict[str, Any]:
    scope = request("GET")
    path = "/__mock/sessions/default/requests/feed"
    scope |= {"path": path, "raw_path": path.encode()}
    scope["query_string"] = f"after={after}&wait=2".encode() if after else b""
    return scope


async def answer_of(app: App, scope: dict[str, Any]) -> bytes:
    chunks: list[bytes] = []
    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # connected until the answer
        return {}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return b"".join(chunks)


async def best_microseconds(app: App, rounds: int, lines: int) -> dict[str, float]:
    """The fastest of `rounds` (the one least disturbed by neighbours) of: a get by id, and a
    poll of the feed that finds no new line and `lines` new lines, in CPU microseconds."""
    lifespan = await start(app)
    for _ in range(1200):  # a journal of the size a busy session keeps
        await call(app, request("GET"), b"")
    found = LAST.search(await answer_of(app, feed_request(None)))
    last = found.group(1).decode() if found and found.group(1) else None
    best = dict.fromkeys(("get", "poll, nothing new", f"poll, {lines} new"), float("inf"))
    for _ in range(rounds):
        began = time.process_time()
        for _ in range(100):
            await call(app, request("GET"), b"")
        best["get"] = min(best["get"], (time.process_time() - began) / 100 * 1e6)
        for label, new in (("poll, nothing new", 0), (f"poll, {lines} new", lines)):
            spent = 0.0
            for _ in range(20):
                for _ in range(new):
                    await call(app, request("GET"), b"")
                scope = feed_request(last) | {"query_string": f"after={last}".encode()}
                began = time.process_time()
                found = LAST.search(await answer_of(app, scope))
                spent += time.process_time() - began
                last = found.group(1).decode() if found and found.group(1) else last
            best[label] = min(best[label], spent / 20 * 1e6)
    lifespan.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await lifespan
    return best


def cost_of_five(best: dict[str, float], lines: int) -> float:
    """The share of a saturated event loop's CPU five dashboards take: each polls about every
    BATCH_S (an answer with entries, then a pause), and every journal line goes to each."""
    per_line = (best[f"poll, {lines} new"] - best["poll, nothing new"]) / lines
    gets_per_s = 1e6 / best["get"]
    polls = FOLLOWERS / BATCH_S * best["poll, nothing new"]
    lines_cost = FOLLOWERS * gets_per_s * per_line
    return (polls + lines_cost) / 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard_inprocess")
    parser.add_argument("--rounds", type=int, default=7, help="of the cost per poll (default 7)")
    options = parser.parse_args(argv)
    lines = 60  # what a poll brings at ~250 requests a second
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as folder:
        app = create_app(db=str(Path(folder) / "clients.json"), reset=True)
        best = asyncio.run(best_microseconds(app, options.rounds, lines))
        app.app.extensions[STORE_KEY].close()
    print("## What a poll of the feed costs, CPU µs, fastest of", options.rounds, "rounds\n")
    print(markdown_table(["request", "µs"], [[name, f"{us:.0f}"] for name, us in best.items()]))
    print(
        f"\nfive dashboards on a saturated loop (each polling every {BATCH_S:g} s, every line"
        f" sent to each): {cost_of_five(best, lines):.1%} of its CPU\n"
    )


if __name__ == "__main__":
    main()
