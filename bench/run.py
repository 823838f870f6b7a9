"""`python -m bench.run [--quick]`: our mock against json-server and Prism (at the fixtures'
size and after 5,000 creates), then scaling, start-up and contract-suite timings, printed as
Markdown and saved to bench/out/latest.md; a full run also writes docs/benchmarks.md's results."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from bench import docs_page, growth, provenance, proxy_latency, report, stalls, targets
from bench.contract import time_contract_suite
from bench.peers import FLOOR, JSON_SERVER, OURS, OURS_DISK, PRISM, REPO
from bench.scaling import OPERATIONS, measure_sizes
from bench.side_by_side import WORKLOADS, Results, measure
from bench.startup import measure_startup, startup_rows

STATES = ("fixtures", "grown")
SECTIONS = ("side", "scaling", "stalls", "startup", "contract", "proxy")
SERVERS = (OURS, OURS_DISK, JSON_SERVER, PRISM, FLOOR)
SIZES = (100, 1_000, 10_000, 100_000)
DEFAULT_OUTPUT = REPO / "bench" / "out" / "latest.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 1 run of 2 s, no contract suite"
    )
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--servers", nargs="+", choices=SERVERS, default=list(SERVERS))
    parser.add_argument(
        "--states",
        nargs="+",
        choices=STATES,
        default=list(STATES),
        help="side by side at the fixtures' size, after --creates creates (grown), or both",
    )
    parser.add_argument(
        "--creates",
        type=int,
        default=growth.CREATES,
        help=f"creates that make the grown state (default {growth.CREATES:,})",
    )
    parser.add_argument("--runs", type=int, help="wrk runs per server and workload (default 3)")
    parser.add_argument("--seconds", type=int, help="length of each wrk run (default 5)")
    parser.add_argument(
        "--warmup",
        type=int,
        help="seconds of wrk before each measured run (default 2, or the run's length if"
        " shorter; 0: none)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        help="--workers for our mock (default: none given, as `make run`: one per core)",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--no-docs",
        dest="docs",
        action="store_false",
        help="a full run (no flag that narrows it) also writes docs/benchmarks.md; not this one",
    )
    args = parser.parse_args(argv)
    args.full = is_full_run(args)
    args.runs = args.runs or (1 if args.quick else 3)
    args.seconds = args.seconds or (2 if args.quick else 5)
    if args.warmup is None:
        args.warmup = min(args.seconds, 1 if args.quick else 2)
    args.requests_per_op = 50 if args.quick else 200
    args.startup_repeats = 1 if args.quick else 5
    default_sections = [s for s in SECTIONS if not (args.quick and s == "contract")]
    args.only = args.only or default_sections
    return args


def is_full_run(args: argparse.Namespace) -> bool:
    """Only a run of everything, as `make bench` runs it by default, may write the results page."""
    return (
        not args.quick
        and args.only is None
        and args.runs is None
        and args.seconds is None
        and args.warmup is None
        and args.workers is None
        and args.creates == growth.CREATES
        and sorted(args.servers) == sorted(SERVERS)
        and sorted(args.states) == sorted(STATES)
    )


def run_side_by_side(args: argparse.Namespace, out: list[str], checks: list[list[str]]) -> None:
    """Each state in turn: at the fixtures' size, then after `--creates` creates (grown)."""
    fixtures: Results | None = None
    if "fixtures" in args.states:
        print(f"side by side at the fixtures' size: {args.runs} run(s) of {args.seconds} s")
        fixtures = measure(
            args.servers, WORKLOADS, args.runs, args.seconds, args.warmup, args.workers
        )
        out += report.fixtures_section(fixtures, WORKLOADS, args.servers, args.seconds, args.runs)
        checks += targets.throughput_rows(fixtures, WORKLOADS, state=report.FIXTURES_STATE)
    if "grown" in args.states:
        print(f"side by side after {args.creates:,} creates: {args.runs} run(s) per server")
        timing = (args.runs, args.seconds, args.warmup, args.workers)
        grown, growths = growth.measure_grown(args.servers, WORKLOADS, *timing, args.creates)
        out += report.grown_section(
            grown, growths, WORKLOADS, args.servers, args.creates, timing[:2]
        )
        state = report.grown_state(args.creates)
        checks += targets.throughput_rows(grown, WORKLOADS, state=state, reference=fixtures)


def run_scaling(args: argparse.Namespace, out: list[str], checks: list[list[str]]) -> None:
    print(f"scaling: {args.requests_per_op} sequential requests per operation", flush=True)
    # Scaling and start-up measure the mock as `mockserver serve` runs it by default.
    sizes = measure_sizes(SIZES, args.requests_per_op, args.workers)
    rows = [
        [f"{s.clients:,}", *(f"{s.p50_ms[op]:.2f}" for op in OPERATIONS), f"{s.pss_mb:.0f}",
         f"{s.rss_mb:.0f}", f"{s.ready_s:.2f}", f"{s.first_seed_s:.2f}", str(s.failures)]
        for s in sizes
    ]  # fmt: skip
    headers = [
        "clients", *(f"{op} p50 ms" for op in OPERATIONS), "PSS MB", "RSS MB (summed)", "restart s",
        "first seeding s", "failed",
    ]  # fmt: skip
    out += [f"## Scaling (our mock, {args.requests_per_op} sequential requests per operation)", ""]
    out += [report.markdown_table(headers, rows), ""]
    checks += targets.scaling_rows(sizes) + targets.large_rows(sizes)


def run_stalls(args: argparse.Namespace, out: list[str], checks: list[list[str]]) -> None:
    seconds = 6 if args.quick else 20
    print(f"stalls: get by id at 10,000 clients for {seconds} s during writes and searches")
    figures = stalls.measure(seconds, args.workers)
    out += [f"## No stalls (10,000 clients, {seconds} s, all at once)", "", figures.markdown(), ""]
    checks += targets.stall_row(figures.get.p50_ms, figures.get.p99_ms)


def run_startup(args: argparse.Namespace, out: list[str], checks: list[list[str]]) -> None:
    print(f"start-up: {args.startup_repeats} start(s) per server", flush=True)
    # Ours with disk durability starts alike; the floor is there to compare requests, not starts.
    servers = [name for name in args.servers if name not in (OURS_DISK, FLOOR)]
    timings = measure_startup(servers, args.startup_repeats, args.workers)
    headers = ["server", "median s", "min s", "max s", "CPU s (median)"]
    out += [f"## Start-up (process start to first 200, {args.startup_repeats} starts)", ""]
    out += [report.markdown_table(headers, startup_rows(timings)), ""]
    checks += targets.startup_row(timings)


def run_contract(args: argparse.Namespace, out: list[str], checks: list[list[str]]) -> None:
    print("contract suite: pytest contract_tests -q", flush=True)
    suite = time_contract_suite()
    measured = "not available" if suite is None else f"{suite.seconds:.1f} s, {suite.summary}"
    out += [
        "## Contract suite (default profile)",
        "",
        f"`pytest contract_tests -q`: {measured}",
        "",
    ]
    checks += targets.contract_row(suite)


def run_proxy(args: argparse.Namespace, out: list[str], checks: list[list[str]]) -> None:
    requests = 100 if args.quick else 500
    print(f"validating proxy: {requests} sequential requests per path, direct and proxied")
    rows = proxy_latency.run(requests)
    out += [f"## Validating proxy, added latency ({requests} sequential requests per path)", ""]
    out += [proxy_latency.HEADER, *(row.markdown() for row in rows), ""]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    started, load_at_start = time.perf_counter(), os.getloadavg()[0]
    out: list[str] = []
    checks: list[list[str]] = []
    sections = {
        "side": run_side_by_side,
        "scaling": run_scaling,
        "stalls": run_stalls,
        "startup": run_startup,
        "contract": run_contract,
        "proxy": run_proxy,
    }
    for name in args.only:
        sections[name](args, out, checks)
    # The verdicts first: the page opens on what was met and missed, the tables follow.
    out = [
        "# Bench results",
        "",
        provenance.header(argv, load_at_start),
        "",
        "## Targets",
        "",
        report.markdown_table(["target", "measured", "verdict"], checks),
        "",
        f"Bench wall time: {time.perf_counter() - started:.0f} s. Load average (1 min) of the "
        f"machine: {load_at_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end "
        f"({os.cpu_count()} cores; above that, neighbours were competing for the CPU).",
        "",
        *out,
    ]
    text = "\n".join(out)
    print("\n" + text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n")
    if args.full and args.docs:
        docs_page.write_results(text)
        print(f"results written to {args.output} and {docs_page.PAGE}")
    else:
        print(f"results written to {args.output} (not to docs/benchmarks.md: not a full run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
