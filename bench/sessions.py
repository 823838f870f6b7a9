"""Sessions (X-Mock-Session): what a session costs next to the default session.

- get by id under wrk, in the default session, in a session that only read, and in a session
  that changed the record read: requests/s and p50, medians of rounds run in turn;
- the first request of a new session against the next requests of existing ones (p50);
- resident memory of the mock idle, then after 1,000 sessions each with one create and one update.

`python -m bench.sessions [--quick]`; one mock process (--workers 1), so the figures compare the
code paths and not the scheduler.
"""

from __future__ import annotations

import argparse
import time
from statistics import median

import httpx

from bench.peers import AUTH, OURS, resident_memory_mb, serve
from bench.wrk import parse_wrk_output, wrk_command

SESSIONS_FOR_MEMORY = 1000
FIRST_REQUESTS = 200


def run_wrk_with_session(url: str, session: str | None, seconds: int) -> tuple[float, float]:
    import subprocess

    command = wrk_command(url, "read.lua", seconds)
    if session is not None:
        command[1:1] = ["-H", f"X-Mock-Session: {session}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=True)
    result = parse_wrk_output(done.stdout)
    if result.non_2xx or result.failed_share > 0.01:  # a few socket timeouts on a busy machine
        raise RuntimeError(f"{session}: {result.non_2xx} non-2xx, {result.failed_share:.1%} failed")
    return result.requests_per_s, result.p50_ms


def get_by_id(api: str, rounds: int, seconds: int) -> dict[str, tuple[float, float]]:
    client_id = httpx.get(f"{api}/clients?limit=1", headers=AUTH).json()["data"][0]["id"]
    # A session that only read, and one that holds its own copy of the record read.
    httpx.get(f"{api}/clients/{client_id}", headers={**AUTH, "X-Mock-Session": "reader"})
    httpx.put(
        f"{api}/clients/{client_id}",
        json={"notes": "changed in this session"},
        headers={**AUTH, "X-Mock-Session": "writer"},
    )
    variants = {
        "default session": None,
        "session, read only": "reader",
        "session, own copy": "writer",
    }
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, session in variants.items():
            figures[name].append(
                run_wrk_with_session(f"{api}/clients/{client_id}", session, seconds)
            )
    return {
        name: (median(r for r, _ in runs), median(p for _, p in runs))
        for name, runs in figures.items()
    }


def first_requests(api: str) -> tuple[float, float]:
    """p50 ms of a new session's first request, and of an existing session's next request."""
    client_id = httpx.get(f"{api}/clients?limit=1", headers=AUTH).json()["data"][0]["id"]
    first, later = [], []
    with httpx.Client(headers=AUTH) as http:
        for number in range(FIRST_REQUESTS):
            headers = {"X-Mock-Session": f"first-{number}"}
            for timings in (first, later):
                started = time.perf_counter()
                answer = http.get(f"{api}/clients/{client_id}", headers=headers)
                timings.append((time.perf_counter() - started) * 1000)
                answer.raise_for_status()
        http.delete(api.removesuffix("/api/v1") + "/__mock/sessions")
    return median(first), median(later)


def memory(api: str, pid: int) -> tuple[float, float]:
    """Resident MB idle (warmed up), and after 1,000 sessions each with a create and an update."""
    with httpx.Client(headers=AUTH) as http:
        for _ in range(50):
            http.get(f"{api}/clients?limit=5")
        idle = resident_memory_mb(pid)
        for number in range(SESSIONS_FOR_MEMORY):
            headers = {"X-Mock-Session": f"memory-{number}"}
            created = http.post(f"{api}/clients", json={"name": f"S{number}"}, headers=headers)
            created.raise_for_status()
            http.put(
                f"{api}/clients/{created.json()['id']}", json={"notes": "x"}, headers=headers
            ).raise_for_status()
        loaded = resident_memory_mb(pid)
    return idle, loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1 round of 2 s (smoke)")
    quick = parser.parse_args().quick
    rounds, seconds = (1, 2) if quick else (3, 5)
    with serve(OURS, workers=1) as server:
        reads = get_by_id(server.api_url, rounds, seconds)
        first, later = first_requests(server.api_url)
        idle, loaded = memory(server.api_url, server.process.pid)
    base_rate, _ = reads["default session"]
    print(f"\n## Sessions ({rounds} rounds of wrk -c32 -d{seconds}s, medians; one process)\n")
    print("| get by id | requests/s | p50 ms | vs default |")
    print("|---|---:|---:|---:|")
    for name, (rate, p50) in reads.items():
        print(f"| {name} | {rate:,.0f} | {p50:.2f} | {rate / base_rate:.0%} |")
    print(
        f"\nFirst request of a new session: p50 {first:.2f} ms "
        f"(the next request of an existing session: {later:.2f} ms; {FIRST_REQUESTS} each)"
    )
    print(
        f"Resident memory: idle {idle:.1f} MB; after {SESSIONS_FOR_MEMORY} sessions with one "
        f"create and one update each {loaded:.1f} MB (+{loaded - idle:.1f} MB)"
    )


if __name__ == "__main__":
    main()
