"""What the validating proxy adds to a request: p50/p99 latency direct vs through the proxy.

One keep-alive connection each, requests alternating between the two paths so that machine
noise falls on both alike. Run: `python -m bench.proxy_latency [--requests N]`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from mockserver.testing import free_port, served_mock, stop

AUTH = {"Authorization": "Bearer bench"}
WARMUP = 50
STARTUP_SECONDS = 30


@dataclass(frozen=True)
class Row:
    workload: str
    direct_p50_ms: float
    direct_p99_ms: float
    proxy_p50_ms: float
    proxy_p99_ms: float

    def markdown(self) -> str:
        added_p50 = self.proxy_p50_ms - self.direct_p50_ms
        added_p99 = self.proxy_p99_ms - self.direct_p99_ms
        figures = (self.direct_p50_ms, self.direct_p99_ms, self.proxy_p50_ms, self.proxy_p99_ms)
        cells = [f"{value:.2f}" for value in (*figures, added_p50, added_p99)]
        return f"| {self.workload} | " + " | ".join(cells) + " |"


HEADER = (
    "| workload | direct p50 ms | direct p99 ms | proxy p50 ms | proxy p99 ms "
    "| added p50 ms | added p99 ms |\n|---|---|---|---|---|---|---|"
)


@contextmanager
def served_proxy(upstream: str) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "mockserver", "proxy", "--upstream", upstream]
    command += ["--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for(base_url + "/__mock/violations")
        yield base_url
    finally:
        stop(process)


def wait_for(url: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {STARTUP_SECONDS} s")


def percentile(samples: list[float], share: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(share) - 1]


def measure(workload: str, path: str, mock: str, proxy: str, requests: int) -> Row:
    timings: dict[str, list[float]] = {mock: [], proxy: []}
    with httpx.Client(headers=AUTH) as direct, httpx.Client(headers=AUTH) as proxied:
        clients = {mock: direct, proxy: proxied}
        for index in range(WARMUP + requests):
            for base_url in (mock, proxy):
                started = time.perf_counter()
                clients[base_url].get(base_url + path).raise_for_status()
                if index >= WARMUP:
                    timings[base_url].append((time.perf_counter() - started) * 1000)
    return Row(
        workload,
        percentile(timings[mock], 50),
        percentile(timings[mock], 99),
        percentile(timings[proxy], 50),
        percentile(timings[proxy], 99),
    )


def run(requests: int) -> list[Row]:
    with (
        tempfile.TemporaryDirectory() as folder,
        served_mock(folder, log_level="warning") as mock,
        served_proxy(mock.base_url) as proxy,
    ):
        first = httpx.get(mock.api_url + "/clients?limit=1", headers=AUTH).json()
        workloads = [
            ("GET one client", "/api/v1/clients/" + first["data"][0]["id"]),
            ("GET a page of 50", "/api/v1/clients?limit=50"),
        ]
        return [measure(name, path, mock.base_url, proxy, requests) for name, path in workloads]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500, help="timed requests per path")
    args = parser.parse_args(argv)
    rows = run(args.requests)
    print(f"Validating proxy overhead ({args.requests} sequential requests per path)\n")
    print(HEADER)
    for row in rows:
        print(row.markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
