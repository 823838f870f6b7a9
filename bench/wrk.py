"""Run wrk against one URL and read the figures we report out of its text output."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

WORKLOADS_DIR = Path(__file__).resolve().parent / "workloads"
THREADS = 2
CONNECTIONS = 32

_TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_PERCENTILE = re.compile(r"^\s*(\d+(?:\.\d+)?)%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_TOTAL = re.compile(r"^\s*(\d+) requests in", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


class WrkError(RuntimeError):
    """wrk failed or printed something we cannot read."""


@dataclass(frozen=True)
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int

    @property
    def failed_share(self) -> float:
        """Share of requests that did not get a 2xx/3xx (socket errors count as failures too)."""
        return (self.non_2xx + self.socket_errors) / self.requests if self.requests else 1.0


def parse_wrk_output(text: str) -> WrkResult:
    """Read the summary of `wrk --latency` (requests/s, p50, p99, failures)."""
    rate = _RATE.search(text)
    total = _TOTAL.search(text)
    percentiles = {
        float(share): _to_ms(value, unit) for share, value, unit in _PERCENTILE.findall(text)
    }
    if not rate or not total or 50.0 not in percentiles or 99.0 not in percentiles:
        raise WrkError(f"unreadable wrk output:\n{text}")
    non_2xx = _NON_2XX.search(text)
    socket_errors = _SOCKET_ERRORS.search(text)
    return WrkResult(
        requests_per_s=float(rate.group(1)),
        p50_ms=percentiles[50.0],
        p99_ms=percentiles[99.0],
        requests=int(total.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(map(int, socket_errors.groups())) if socket_errors else 0,
    )


def _to_ms(value: str, unit: str) -> float:
    return float(value) * _TIME_UNITS_MS[unit]


def wrk_command(
    url: str, script: str, seconds: int, script_args: tuple[str, ...] = ()
) -> list[str]:
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(WORKLOADS_DIR / script),
        url,
    ]
    return [*command, "--", *script_args] if script_args else command


def run_wrk(url: str, script: str, seconds: int, script_args: tuple[str, ...] = ()) -> WrkResult:
    completed = subprocess.run(
        wrk_command(url, script, seconds, script_args),
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=False,
    )
    if completed.returncode != 0:
        raise WrkError(f"wrk exited {completed.returncode}: {completed.stderr or completed.stdout}")
    return parse_wrk_output(completed.stdout)
