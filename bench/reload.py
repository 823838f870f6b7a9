"""`python -m bench.reload`: what `serve --watch` costs.

- reload time: from an edit of the fixtures (a client renamed, saved as an editor does) to the
  first answer that shows it, at every worker (new connections until each pid answered with
  the edit's digest), median of several edits;
- watching with no edits: wrk on get-by-id against the mock served with and without --watch,
  alternating, req/s and the mock's CPU per request (the steadier figure on a shared machine).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from contextlib import AbstractContextManager
from pathlib import Path

import httpx

from bench.dashboard import server_cpu_seconds
from bench.report import markdown_table
from bench.side_by_side import KNOWN_ID
from bench.wrk import run_wrk
from mockserver import FIXTURES_DIR, SPEC_PATH
from mockserver.reload.files import digest
from mockserver.reload.version import files_of
from mockserver.settings import Settings
from mockserver.testing import ServedMock, served_mock


def copies(folder: Path) -> tuple[Path, Path]:
    shutil.copy(SPEC_PATH, folder / "openapi.yaml")
    shutil.copytree(FIXTURES_DIR, folder / "fixtures")
    return folder / "openapi.yaml", folder / "fixtures"


def serve(folder: Path, workers: int, watch: bool) -> AbstractContextManager[ServedMock]:
    spec, fixtures = folder / "openapi.yaml", folder / "fixtures"
    return served_mock(
        folder / f"store-{watch}",
        watch=watch,
        workers=workers,
        fixtures=fixtures,
        env={"MOCKSERVER_SPEC": str(spec)},
    )


def reload_times(folder: Path, workers: int, edits: int) -> list[float]:
    """Seconds from each edit to every worker serving it."""
    clients = folder / "fixtures" / "clients.json"
    records = json.loads(clients.read_text())
    files = files_of(Settings.load(spec=str(folder / "openapi.yaml"), fixtures=str(clients.parent)))
    times = []
    with serve(folder, workers, watch=True) as mock:
        for edit in range(edits):
            records[0]["name"] = f"Edit {edit}"
            saving = clients.with_name("clients.json.saving")
            saving.write_text(json.dumps(records))
            started = time.perf_counter()
            os.replace(saving, clients)
            expected = digest(files)
            current: set[int] = set()
            while len(current) < workers:
                health = httpx.get(mock.base_url + "/__mock/health").json()
                if health["reload"]["digest"] == expected:
                    current.add(health["pid"])
                else:
                    time.sleep(0.005)
            times.append(time.perf_counter() - started)
            time.sleep(0.5)
    return times


def watching_cost(
    folder: Path, workers: int, seconds: int, rounds: int
) -> dict[bool, list[tuple[float, float]]]:
    """(req/s, CPU µs per request) per round, without and with --watch."""
    figures: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for round_number in range(rounds):
        for watch in (False, True) if round_number % 2 == 0 else (True, False):
            with serve(folder, workers, watch) as mock:
                cpu = server_cpu_seconds(mock.process.pid)
                run = run_wrk(f"{mock.api_url}/clients/{KNOWN_ID}", "read.lua", seconds)
                used = server_cpu_seconds(mock.process.pid) - cpu
                figures[watch].append((run.requests_per_s, used / run.requests * 1e6))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--edits", type=int, default=9)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        copies(folder)
        times = sorted(reload_times(folder, args.workers, args.edits))
        cost = watching_cost(folder, args.workers, args.seconds, args.rounds)
    print(f"Reload, edit to served at all {args.workers} workers ({args.edits} edits), ms:\n")
    print(
        markdown_table(
            ["median", "fastest", "slowest"],
            [
                [
                    f"{statistics.median(times) * 1000:.0f}",
                    f"{times[0] * 1000:.0f}",
                    f"{times[-1] * 1000:.0f}",
                ]
            ],
        )
    )
    print(f"\nWatching with no edits (wrk get by id, {args.rounds} rounds, medians):\n")
    rows = []
    for watch in (False, True):
        rates = [rate for rate, _ in cost[watch]]
        cpu = [used for _, used in cost[watch]]
        rows.append(
            [
                "--watch" if watch else "no watch",
                f"{statistics.median(rates):.0f}",
                f"{statistics.median(cpu):.0f}",
            ]
        )
    print(markdown_table(["served", "req/s", "CPU µs per request"], rows))


if __name__ == "__main__":
    main()
