"""Wall time of the contract suite's default profile, as CI runs it (in-process mock)."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass

from bench.peers import REPO

SUITE = REPO / "contract_tests"
TIMEOUT_S = 600


@dataclass(frozen=True)
class SuiteRun:
    seconds: float
    exit_code: int
    summary: str


def time_contract_suite() -> SuiteRun | None:
    """None when the suite is not there (it is written by someone else)."""
    if not SUITE.is_dir():
        return None
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", str(SUITE), "-q", "-p", "no:cacheprovider"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    seconds = time.perf_counter() - started
    lines = [line for line in completed.stdout.splitlines() if line.strip()]
    return SuiteRun(seconds, completed.returncode, lines[-1] if lines else completed.stderr[-300:])
