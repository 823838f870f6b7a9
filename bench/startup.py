"""Start-up time: from starting the process to its first 200 (ours: /__mock/health).

Wall time on a shared machine mostly measures the neighbours, so the CPU time the server used
until then is reported too: on an idle machine a single-threaded start-up takes about that long.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from statistics import median

from bench.peers import cpu_seconds, serve

Start = tuple[float, float]  # (wall seconds, CPU seconds) to the first 200


def time_to_first_ok(name: str, workers: int | None = None) -> Start:
    started = time.perf_counter()
    with serve(name, workers=workers) as server:
        return time.perf_counter() - started, cpu_seconds(server.process.pid)


def measure_startup(
    servers: Sequence[str], repeats: int, workers: int | None = None
) -> dict[str, list[Start]]:
    """Servers alternate within each round, as in the throughput runs."""
    timings: dict[str, list[Start]] = {name: [] for name in servers}
    for _ in range(repeats):
        for name in servers:
            timings[name].append(time_to_first_ok(name, workers))
    return timings


def startup_rows(timings: dict[str, list[Start]]) -> list[list[str]]:
    rows = []
    for name, starts in timings.items():
        walls = [wall for wall, _ in starts]
        cpu = median(cpu for _, cpu in starts)
        rows.append(
            [name, f"{median(walls):.2f}", f"{min(walls):.2f}", f"{max(walls):.2f}", f"{cpu:.2f}"]
        )
    return rows
