"""`python -m bench.first_start`: the first start on fixtures the mock has never seen.

A new fixtures file is checked against the contract record by record (later starts skip the
check: store/fixtures.py remembers a checked file). This times, for N generated clients:
the check in process (`load_clients`, CPU and wall), a served first start, process start to the
first 200 of /__mock/health (wall, and the CPU the server used), and a second start on the
store and fixtures the first left (nothing to check, the snapshot read instead). CPU time is
the figure to compare on a shared machine; wall time adds the waits for a core (the load
averages are printed beside the table).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

from bench.peers import cpu_seconds
from bench.report import markdown_table
from bench.scaling import write_fixtures
from mockserver import SPEC_PATH
from mockserver.contract import load_spec
from mockserver.store.fixtures import load_clients
from mockserver.testing import served_mock


def new_fixtures(folder: Path, count: int) -> Path:
    """Fixtures no earlier run has checked (a seed of their own gives a file of its own)."""
    folder.mkdir()
    write_fixtures(folder, count, seed=random.randrange(2**32))
    return folder


def checked_in_process(folder: Path) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    load_clients(folder, load_spec(str(SPEC_PATH)))
    return time.perf_counter() - wall, time.process_time() - cpu


def served_start(folder: Path, store: Path) -> tuple[float, float]:
    started = time.perf_counter()
    with served_mock(store, fixtures=folder, startup_timeout=600) as served:
        return time.perf_counter() - started, cpu_seconds(served.process.pid)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.first_start", description=__doc__)
    parser.add_argument("--clients", type=int, default=100_000, help="(default 100,000)")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-first-start-") as temp:
        wall, cpu = checked_in_process(new_fixtures(Path(temp) / "a", args.clients))
        rows.append(["fixtures checked (load_clients, in process)", f"{wall:.1f}", f"{cpu:.1f}"])
        store, folder = Path(temp) / "store", new_fixtures(Path(temp) / "b", args.clients)
        store.mkdir()
        wall, cpu = served_start(folder, store)
        rows.append(["served: process start to first 200", f"{wall:.1f}", f"{cpu:.1f}"])
        wall, cpu = served_start(folder, store)
        rows.append(["served again: the same store, started again", f"{wall:.1f}", f"{cpu:.1f}"])
    loads = ", ".join(f"{load:.1f}" for load in os.getloadavg())
    print(f"{args.clients:,} new clients (load averages after: {loads})")
    print(markdown_table(["step", "wall s", "CPU s"], rows))


if __name__ == "__main__":
    main()
