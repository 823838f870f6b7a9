"""`python -m bench.dashboard_inprocess`: the gets by id one event loop answers per second of
its CPU, with five dashboards following the journal beside them and with none; slices
interleaved, the median of the paired ratios.

In process, as `bench.inprocess` does (no sockets, no wrk, no second process): on a loaded
machine this moves by a few percent where wrk's req/s moves by tens. The followers poll the
feed exactly as the page does (going on from the last id, a long poll, 250 ms after an answer
with entries); they read their answers no further than the next id, so what is timed is the
mock's work, as a browser elsewhere would parse its own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import tempfile
import time
from pathlib import Path
from statistics import median
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


async def follow(app: App, stop: asyncio.Event, streamed: list[int]) -> None:
    last: str | None = None
    while not stop.is_set():
        body = await answer_of(app, feed_request(last))
        found = LAST.search(body)
        last = found.group(1).decode() if found and found.group(1) else None
        lines = body.count(b'"i":"')
        streamed[0] += lines
        if lines:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), BATCH_S)


async def gets_in(app: App, seconds: float, followers: int, streamed: list[int]) -> float:
    """Gets answered per second of this process's CPU: unlike gets per second of the clock,
    hardly moved by what else the machine runs."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(follow(app, stop, streamed)) for _ in range(followers)]
    await asyncio.sleep(0.3)  # each has its first page and waits on the feed
    count, end, cpu = 0, time.perf_counter() + seconds, time.process_time()
    while time.perf_counter() < end:
        await call(app, request("GET"), b"")
        await asyncio.sleep(0)  # let the followers' timers run, as a server's loop would
        count += 1
    rate = count / (time.process_time() - cpu)
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return rate


async def slices(app: App, seconds: float, pairs: int) -> tuple[list[tuple[float, float]], int]:
    lifespan = await start(app)
    streamed = [0]
    await gets_in(app, seconds, 0, streamed)  # warm-up
    results = []
    for pair in range(pairs):
        counts = {}
        for followers in (0, FOLLOWERS) if pair % 2 == 0 else (FOLLOWERS, 0):
            counts[followers] = await gets_in(app, seconds, followers, streamed)
        results.append((counts[0], counts[FOLLOWERS]))
    lifespan.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await lifespan
    return results, streamed[0]


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
    parser.add_argument("--seconds", type=float, default=2.0, help="per slice (default 2)")
    parser.add_argument("--pairs", type=int, default=9, help="slices of each kind (default 9)")
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
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as folder:
        app = create_app(db=str(Path(folder) / "clients.json"), reset=True)
        results, streamed = asyncio.run(slices(app, options.seconds, options.pairs))
        app.app.extensions[STORE_KEY].close()
    ratios = [five / none for none, five in results]
    rows = [
        [n + 1, f"{none:.0f}", f"{five:.0f}", f"{five / none:.3f}"]
        for n, (none, five) in enumerate(results)
    ]
    middle = [median(r[0] for r in results), median(r[1] for r in results)]
    rows.append(["median", f"{middle[0]:.0f}", f"{middle[1]:.0f}", ""])
    print(f"## Gets by id per CPU second, {options.seconds:g} s slices, in process\n")
    print(markdown_table(["slice pair", "no dashboard", "five dashboards", "ratio"], rows))
    print(f"\nmedian of the paired ratios: {median(ratios):.3f} ({streamed} lines streamed)")


if __name__ == "__main__":
    main()
