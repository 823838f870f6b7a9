"""Flake benchmark of the contract suite: the default profile with N fresh seeds against each
correct implementation; every failure is a false alarm (a defect of the suite).

    python -m bench.flake --seeds 100            # mock and second implementation, 2 at a time
    python -m bench.flake --seeds 1 --jobs 1     # what CI runs (tests/test_contract_suite_flake.py)

Prints failures per target, the failing seeds (replay: pytest contract_tests
--hypothesis-seed=N [--app ...]) and the median run time; exit status 1 on any failure.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {
    "mock": [],
    "second_impl": ["--app", "tests.second_impl.app:create_app"],
}
FAILED_LINE = re.compile(r"^(?:FAILED|ERROR) (\S+)", re.MULTILINE)


@dataclass
class Tally:
    runs: int = 0
    seconds: list[float] = field(default_factory=list)
    failures: dict[int, list[str]] = field(default_factory=dict)


def run_once(target: str, seed: int) -> tuple[str, int, float, list[str], str]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "contract_tests",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--hypothesis-seed={seed}",
        *TARGETS[target],
    ]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    failed = FAILED_LINE.findall(done.stdout) or ([] if done.returncode == 0 else ["(exit)"])
    return target, seed, elapsed, failed, done.stdout[-3000:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.flake", description=__doc__)
    parser.add_argument("--seeds", type=int, default=100, help="seeds per target (default 100)")
    parser.add_argument("--jobs", type=int, default=2, help="suite runs at a time (default 2)")
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated")
    args = parser.parse_args(argv)
    targets = [name for name in args.targets.split(",") if name]
    seeds = [random.SystemRandom().randrange(2**32) for _ in range(args.seeds)]
    tallies = {target: Tally() for target in targets}
    jobs = [(target, seed) for seed in seeds for target in targets]
    print(
        f"flake bench: {len(seeds)} seeds x {len(targets)} targets, {args.jobs} at a time",
        flush=True,
    )
    with ThreadPoolExecutor(args.jobs) as pool:
        for target, seed, elapsed, failed, tail in pool.map(lambda j: run_once(*j), jobs):
            tally = tallies[target]
            tally.runs += 1
            tally.seconds.append(elapsed)
            if failed:
                tally.failures[seed] = failed
                print(f"  FAIL {target} seed {seed}: {', '.join(failed)}\n{tail}", flush=True)
            else:
                print(f"  ok   {target} seed {seed} ({elapsed:.0f} s)", flush=True)
    print("\n| target | runs | failed runs | median s | failing seeds |")
    print("|---|---|---|---|---|")
    for target, tally in tallies.items():
        median = statistics.median(tally.seconds) if tally.seconds else 0.0
        shown = " ".join(str(seed) for seed in tally.failures) or "-"
        print(f"| {target} | {tally.runs} | {len(tally.failures)} | {median:.1f} | {shown} |")
    return 1 if any(tally.failures for tally in tallies.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
