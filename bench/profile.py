"""`python -m bench.profile WORKLOAD`: py-spy samples our mock while wrk drives one workload, then
prints where the samples fall (self time by package, inclusive time by function)."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from bench.peers import OURS, VENV_BIN, serve
from bench.side_by_side import WORKLOADS
from bench.wrk import wrk_command

_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^:()]*)(?::\d+)?\)$")


def parse_collapsed(lines: Iterable[str]) -> list[tuple[list[str], int]]:
    """py-spy's raw (collapsed) format: `frame;frame;...;leaf count` per line."""
    stacks = []
    for line in lines:
        stack, _, count = line.rstrip().rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def package_of(frame: str) -> str:
    """`mockserver/store.py`, `tinydb`, `connexion`, ...: the layer a sampled frame belongs to."""
    match = _FRAME.match(frame)
    # py-spy names files relative to sys.path, so the first part is the top-level package.
    path = match.group("file") if match else frame
    if path.startswith("mockserver/"):
        return path
    return path.split("/")[0].removesuffix(".py")


def function_of(frame: str) -> str:
    match = _FRAME.match(frame)
    return f"{match.group('function')} ({package_of(frame)})" if match else frame


def self_by_package(stacks: list[tuple[list[str], int]]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for frames, count in stacks:
        totals[package_of(frames[-1])] += count
    return totals


def self_by_function(stacks: list[tuple[list[str], int]]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for frames, count in stacks:
        totals[function_of(frames[-1])] += count
    return totals


def inclusive_by_function(stacks: list[tuple[list[str], int]]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for frames, count in stacks:
        for name in {function_of(frame) for frame in frames}:
            totals[name] += count
    return totals


def print_shares(title: str, counts: Counter[str], total: int, top: int) -> None:
    print(f"\n{title} ({total} samples)")
    for name, count in counts.most_common(top):
        print(f"  {count / total:6.1%}  {name}")


def record(workload_name: str, seconds: int, rate: int, output: Path) -> None:
    workload = next(w for w in WORKLOADS if w.name == workload_name)
    with serve(OURS) as server:
        url = server.api_url + workload.targets[OURS].path
        load = subprocess.Popen(
            wrk_command(url, workload.script, seconds + 4, workload.script_args(OURS)),
            stdout=subprocess.PIPE,
            text=True,
        )
        spy = [
            str(VENV_BIN / "py-spy"),
            "record",
            "-p",
            str(server.process.pid),
            "-d",
            str(seconds),
        ]
        subprocess.run(
            [
                *spy,
                "-r",
                str(rate),
                "-f",
                "raw",
                "-o",
                str(output),
                "--nonblocking",
                "--gil",
                "--subprocesses",
            ],
            capture_output=True,
            check=True,
        )
        print(load.communicate(timeout=seconds + 30)[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("workload", choices=[w.name for w in WORKLOADS])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rate", type=int, default=250, help="samples per second")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as temp:
        output = Path(temp) / "profile.txt"
        record(args.workload, args.seconds, args.rate, output)
        stacks = parse_collapsed(output.read_text().splitlines())
    total = sum(count for _, count in stacks) or 1
    print_shares("self time by package", self_by_package(stacks), total, args.top)
    print_shares("self time by function", self_by_function(stacks), total, args.top)
    print_shares("inclusive time by function", inclusive_by_function(stacks), total, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
