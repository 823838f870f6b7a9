"""What the scenarios (issue 14) cost a request when no rule applies.

`python -m bench.scenarios [--seconds 5] [--rounds 3] [--parts]` prints three tables:
- the pieces a request pays for, timed in process (best of 7): the rules' fast path, collecting
  and appending the journal entry;
- whole requests through the ASGI stack in process, with and without the scenarios middlewares
  (variants interleaved, best of 15 batches);
- unless `--parts`: the mock served three ways, one process each, on a fresh store: without the
  scenarios middlewares, with them and no rule anywhere, and with a rule for another session.
  wrk -t2 -c32 on get-by-id (the cheapest request, the most sensitive to overhead) and create,
  variants interleaved per round; req/s and the server's CPU time per request, medians and
  ratios against "without". On a busy machine trust the first two tables more.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

import httpx

from bench.wrk import run_wrk
from mockserver.testing import free_port, stop

VARIANTS = ("without scenarios", "no rules", "a rule in another session")
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
KNOWN_ID = json.loads((FIXTURES / "clients.json").read_text())[0]["id"]
WORKLOADS = (
    ("get by id", "read.lua", f"/api/v1/clients/{KNOWN_ID}"),
    ("create", "create.lua", "/api/v1/clients"),
)


def serve(variant: str, port: int, db: str) -> None:
    """The child process: one variant on uvicorn, single process."""
    import uvicorn

    from mockserver.app import create_app
    from mockserver.http.protocol import ProblemHttpToolsProtocol
    from mockserver.scenarios.engine import EXTENSION_KEY
    from mockserver.scenarios.middleware import ScenarioRules
    from mockserver.scenarios.recording import RequestJournal

    app = create_app(db=db, workers=1)
    if variant == VARIANTS[0]:
        stack = app.middleware.middlewares
        stack[:] = [
            m for m in stack if getattr(m, "func", m) not in (RequestJournal, ScenarioRules)
        ]
    elif variant == VARIANTS[2]:
        app.app.extensions[EXTENSION_KEY].add_rule(
            "elsewhere", {"operation": "getClient", "status": 503}
        )
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        http=ProblemHttpToolsProtocol,
        log_level="warning",
        access_log=False,
        server_header=False,
    )


Figures = dict[tuple[str, str], list[tuple[float, float]]]  # (req/s, server CPU µs per request)


def measure(seconds: int, rounds: int) -> Figures:
    rates: Figures = {}
    for _ in range(rounds):
        for variant in VARIANTS:
            with tempfile.TemporaryDirectory(prefix="bench-scenarios-") as folder:
                port = free_port()
                command = [sys.executable, "-m", "bench.scenarios", "--serve", variant, str(port)]
                process = subprocess.Popen([*command, f"{folder}/clients.json"])
                try:
                    base = f"http://127.0.0.1:{port}"
                    _wait(base)
                    for name, script, path in WORKLOADS:
                        cpu = _cpu_seconds(process.pid)
                        result = run_wrk(base + path, script, seconds)
                        per_request = (_cpu_seconds(process.pid) - cpu) / result.requests * 1e6
                        figures = (result.requests_per_s, per_request)
                        rates.setdefault((variant, name), []).append(figures)
                finally:
                    stop(process)
    return rates


def _cpu_seconds(pid: int) -> float:
    """User + system CPU the server process has used: unlike req/s, barely moved by other
    processes competing for the cores."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/__mock/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise TimeoutError(base)


def report(rates: Figures) -> str:
    lines = [
        "| workload | variant | req/s (median) | ratio | server CPU µs/request (median) | ratio |",
        "|---|---|---|---|---|---|",
    ]
    for name, *_ in WORKLOADS:
        base_rate = median(r for r, _ in rates[(VARIANTS[0], name)])
        base_cpu = median(c for _, c in rates[(VARIANTS[0], name)])
        for variant in VARIANTS:
            rate = median(r for r, _ in rates[(variant, name)])
            cpu = median(c for _, c in rates[(variant, name)])
            lines.append(
                f"| {name} | {variant} | {rate:,.0f} | {rate / base_rate:.2f} "
                f"| {cpu:,.0f} | {cpu / base_cpu:.2f} |"
            )
    return "\n".join(lines)


def parts(repeat: int = 7, number: int = 2000) -> str:
    """What the scenarios add to one request, piece by piece: best of `repeat` timings, in µs."""
    import timeit

    from mockserver.contract import SPEC_PATH, load_spec
    from mockserver.scenarios.engine import Scenarios
    from mockserver.scenarios.recording import Exchange, _entry

    scope = {
        "method": "POST",
        "path": "/api/v1/clients",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"authorization", b"Bearer x"),
            (b"content-type", b"application/json"),
            (b"content-length", b"97"),
        ],
    }
    with tempfile.TemporaryDirectory() as folder:
        scenarios = Scenarios(load_spec(str(SPEC_PATH)), Path(folder), None)
        scenarios.add_rule("elsewhere", {"operation": "getClient", "status": 503})
        exchange = Exchange("default", scope, time.perf_counter(), time.time_ns(), None)
        exchange.body += (
            b'{"name":"Bench Client 1-1","email":"bench-1-1@example.com","tags":["bench"]}'
        )
        exchange.body_size = len(exchange.body)
        entry = _entry(exchange, {})
        timings = {
            "rules: is there a rule for this session? (fast path)": lambda: scenarios.rules.fire(
                "default", "createClient"
            ),
            "journal: collect the entry": lambda: _entry(exchange, {}),
            "journal: append it (flock, write)": lambda: scenarios.journal.record("default", entry),
        }
        lines = ["| part | µs per request (best of 7) |", "|---|---|"]
        total = 0.0
        for name, call in timings.items():
            best = min(timeit.repeat(call, repeat=repeat, number=number)) / number * 1e6
            total += best
            lines.append(f"| {name} | {best:.1f} |")
        lines.append(f"| total | {total:.1f} |")
    return "\n".join(lines)


def whole_requests(repeat: int = 15, number: int = 200) -> str:
    """A request through the whole ASGI stack, in process (no network, no wrk): best of
    `repeat` batches, the variants interleaved, so a busy machine's slow moments do not count.
    With and without the scenarios middlewares, each on its own store."""
    import asyncio

    from mockserver.app import create_app
    from mockserver.scenarios.middleware import ScenarioRules
    from mockserver.scenarios.recording import RequestJournal

    async def one(app: Any, method: str, path: str, body: bytes) -> None:
        headers = [(b"host", b"x"), (b"authorization", b"Bearer bench")]
        if body:
            headers += [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 2),
        }
        messages = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> dict[str, Any]:
            return messages.pop() if messages else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                assert message["status"] < 300, message

        await app(scope, receive, send)

    async def batch(app: Any, method: str, path: str, body: bytes) -> float:
        started = time.perf_counter()
        for _ in range(number):
            await one(app, method, path, body)
        return (time.perf_counter() - started) / number * 1e6

    async def interleaved(
        apps: dict[str, Any], method: str, path: str, body: bytes
    ) -> dict[str, float]:
        for app in apps.values():  # warm: validators, caches, the journal file
            await batch(app, method, path, body)
        best = dict.fromkeys(apps, float("inf"))
        for _ in range(repeat):
            for variant, app in apps.items():
                best[variant] = min(best[variant], await batch(app, method, path, body))
        return best

    body = b'{"name":"Bench Client","email":"bench@example.com","tags":["bench"]}'
    lines = ["| request | without scenarios µs | with, no rules µs | ratio |", "|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as folder:
        apps = {}
        for variant in ("without", "with"):
            app = create_app(db=f"{folder}/{variant}.json", workers=1)
            if variant == "without":
                stack = app.middleware.middlewares
                stack[:] = [
                    m for m in stack if getattr(m, "func", m) not in (RequestJournal, ScenarioRules)
                ]
            apps[variant] = app
        for name, method, path, payload in (
            ("get by id", "GET", f"/api/v1/clients/{KNOWN_ID}", b""),
            ("create", "POST", "/api/v1/clients", body),
        ):
            cost = asyncio.run(interleaved(apps, method, path, payload))
            ratio = cost["with"] / cost["without"]
            lines.append(f"| {name} | {cost['without']:.0f} | {cost['with']:.0f} | {ratio:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serve", nargs=3, metavar=("VARIANT", "PORT", "DB"))
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--parts", action="store_true", help="only time the pieces, in process")
    args = parser.parse_args()
    if args.serve:
        variant, port, db = args.serve
        serve(variant, int(port), db)
        return
    print(parts())
    print()
    print(whole_requests())
    if not args.parts:
        print()
        print(report(measure(args.seconds, args.rounds)))


if __name__ == "__main__":
    main()
