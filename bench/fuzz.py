"""The long fuzz profile (issue 5), not run in CI: `python -m bench.fuzz`.

Serves the mock on a throw-away store and runs Schemathesis against it twice, once generating
only valid input (positive) and once only invalid input (negative), `--examples` cases per
operation each (fewer where the contract leaves little to break: a path id that may be any
string has no invalid values), with every Schemathesis check on. It then reads Schemathesis'
NDJSON event log and prints, per operation and mode, the cases sent and the 5xx answers, every
failed check, and how many tracebacks the server logged. Exit status 1 when an operation got
fewer than `--examples` cases in both modes together, any answer was a 5xx, or the server died
or logged a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockserver.testing import ServedMock, free_port, serve_command, stop, wait_until_healthy

TOKEN = "fuzz-token"
OUT = Path(__file__).resolve().parent / "out" / "fuzz"
MODES = ("positive", "negative")


@dataclass
class Tally:
    cases: Counter[tuple[str, str]] = field(default_factory=Counter)  # (operation, mode)
    server_errors: Counter[tuple[str, str]] = field(default_factory=Counter)
    failed_checks: Counter[tuple[str, str]] = field(default_factory=Counter)  # (operation, check)
    samples: list[str] = field(default_factory=list)  # a few 5xx requests, to reproduce


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    tally = Tally()
    server_log = OUT / "server.log"
    with (
        tempfile.TemporaryDirectory() as folder,
        served_with_log(Path(folder), server_log) as served,
    ):
        for mode in MODES:
            for event in events(run_schemathesis(served.api_url, mode, args)):
                count(event, tally)
        alive = served.process.poll() is None
    tracebacks = server_log.read_text(errors="replace").count("Traceback (most recent call last)")
    print_figures(tally, args.examples, alive, tracebacks)
    enough = all(total >= args.examples for total in per_operation(tally).values())
    return 0 if enough and alive and not tracebacks and not tally.server_errors else 1


@contextlib.contextmanager
def served_with_log(folder: Path, log_path: Path) -> Iterator[ServedMock]:
    """`mockserver serve` on a free port, its stderr kept in `log_path` to count tracebacks."""
    with log_path.open("wb") as log:
        port = free_port()
        command = serve_command(folder / "clients.json", port, token=TOKEN)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
        served = ServedMock(f"http://127.0.0.1:{port}", process)
        try:
            wait_until_healthy(served, 60, log)
            yield served
        finally:
            stop(process)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__)
    parser.add_argument("--examples", type=int, default=2000, help="cases per operation and mode")
    parser.add_argument("--seed", type=int, default=5, help="Schemathesis seed, for reruns")
    parser.add_argument("--workers", type=int, default=2, help="Schemathesis workers (2 cores)")
    return parser.parse_args(argv)


def run_schemathesis(api_url: str, mode: str, args: argparse.Namespace) -> Path:
    """One Schemathesis run; the path of its NDJSON event log."""
    log = OUT / f"{mode}.ndjson"
    command = [
        str(Path(sys.executable).with_name("st")), "run", f"{api_url}/openapi.json",
        "--url", api_url, "--header", f"Authorization: Bearer {TOKEN}",
        "--mode", mode, "--max-examples", str(args.examples), "--seed", str(args.seed),
        "--phases", "examples,coverage,fuzzing", "--checks", "all",
        "--workers", str(args.workers), "--generation-database", "none",
        "--suppress-health-check", "all", "--request-timeout", "30", "--no-color",
        "--report", "ndjson", "--report-ndjson-path", str(log),
    ]  # fmt: skip
    print(f"== Schemathesis, {mode} cases, {args.examples} per operation", flush=True)
    subprocess.run(command, check=False)
    return log


def events(log: Path) -> Iterator[dict[str, Any]]:
    with log.open() as lines:
        for line in lines:
            event = json.loads(line)
            if "ScenarioFinished" in event:
                yield event["ScenarioFinished"]["recorder"]


def count(recorder: dict[str, Any], tally: Tally) -> None:
    operation = recorder["label"]
    interactions = recorder.get("interactions", {})
    for case_id, case in recorder.get("cases", {}).items():
        mode = case["value"]["meta"]["generation"]["mode"]
        tally.cases[operation, mode] += 1
        response = (interactions.get(case_id) or {}).get("response") or {}
        if response.get("status_code", 0) >= 500:
            tally.server_errors[operation, mode] += 1
            request = interactions[case_id]["request"]
            tally.samples.append(
                f"{request['method']} {request['uri']} -> {response['status_code']}"
            )
    for results in recorder.get("checks", {}).values():
        for check in results:
            if check["status"] == "failure":
                tally.failed_checks[operation, check["name"]] += 1


def expected_keys(tally: Tally) -> list[tuple[str, str]]:
    operations = sorted({operation for operation, _ in tally.cases})
    return [(operation, mode) for operation in operations for mode in MODES]


def per_operation(tally: Tally) -> Counter[str]:
    totals: Counter[str] = Counter()
    for (operation, _), cases in tally.cases.items():
        totals[operation] += cases
    return totals


def print_figures(tally: Tally, examples: int, alive: bool, tracebacks: int) -> None:
    print(f"\n{'operation':<20} {'mode':<9} {'cases':>7} {'5xx':>5}")
    for operation, mode in expected_keys(tally):
        key = (operation, mode)
        print(f"{operation:<20} {mode:<9} {tally.cases[key]:>7} {tally.server_errors[key]:>5}")
    for operation, total in sorted(per_operation(tally).items()):
        verdict = "ok" if total >= examples else f"FEWER THAN {examples}"
        print(f"{operation:<20} both      {total:>7}       {verdict}")
    print(f"total cases: {sum(tally.cases.values())}, 5xx: {sum(tally.server_errors.values())}")
    for (operation, check), failures in sorted(tally.failed_checks.items()):
        print(f"failed check {check} on {operation}: {failures}")
    for sample in tally.samples[:10]:
        print(f"5xx: {sample}")
    print(f"server alive at the end: {alive}; tracebacks in its log: {tracebacks}")


if __name__ == "__main__":
    raise SystemExit(main())
