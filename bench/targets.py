"""The issue's targets, checked against what one bench invocation measured."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median

from bench.contract import SuiteRun
from bench.peers import FLOOR, JSON_SERVER, OURS, PRISM
from bench.report import requests_per_s, round_ratio
from bench.scaling import NEW_TERM, SizeResult
from bench.side_by_side import Results, Workload

STARTUP_LIMIT_S = 1.5
CONTRACT_LIMIT_S = 120.0
SEARCH_P50_LIMIT_MS = 25.0
MEMORY_LIMIT_MB = 150.0
READ_TAIL_LIMIT = 4.0  # p99 / p50 on reads, side by side
STALL_TAIL_LIMIT = 5.0  # p99 / p50 of get by id during the write-heavy run
LARGE = 100_000
LARGE_SEARCH_LIMIT_MS = 50.0
LARGE_STARTUP_LIMIT_S = 3.0
LARGE_MEMORY_LIMIT_MB = 400.0
READS = ("list limit=50", "list search=an", "get by id")

Row = list[str]


def verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def throughput_rows(
    results: Results,
    workloads: Sequence[Workload],
    state: str = "",
    reference: Results | None = None,
) -> list[Row]:
    """Ours >= json-server on every workload, ours >= Prism on get by id; where the Connexion
    floor ran too, what it reached against the same peer: the most this stack can. `state`
    names the state the rows judge; a peer not measured in it (Prism stores nothing, so it is
    not grown) is read from `reference`, the fixtures' state of the same bench run."""
    prefix = f"{state}: " if state else ""
    wanted = [(w, JSON_SERVER) for w in workloads] + [
        (w, PRISM) for w in workloads if w.name == "get by id"
    ]
    rows = []
    for workload, peer in wanted:
        share = _share(results, workload, OURS, peer)
        note = ""
        if share is None and reference is not None and _measured(results, workload, OURS):
            share = _median_share(results, reference, workload, peer)
            note = f" (against {peer} at the fixtures' size: it stores nothing)"
        if share is not None:
            target = f"{prefix}{workload.name}: req/s ours >= {peer}"
            floor = _share(results, workload, FLOOR, peer)
            measured = f"{share:.2f}x" + ("" if floor is None else f" (floor: {floor:.2f}x)")
            rows.append([target, measured + note, verdict(share >= 1)])
    for workload in workloads:
        ours = results.get((workload.name, OURS))
        if workload.name in READS and ours and ours.runs:
            tail = median(run.p99_ms / run.p50_ms for run in ours.runs if run.p50_ms > 0)
            target = f"{prefix}{workload.name}: ours p99 < {READ_TAIL_LIMIT:.0f}x p50"
            rows.append([target, f"{tail:.1f}x", verdict(tail < READ_TAIL_LIMIT)])
    return rows


def _measured(results: Results, workload: Workload, server: str) -> bool:
    cell = results.get((workload.name, server))
    return bool(cell and cell.runs)


def _share(results: Results, workload: Workload, server: str, peer: str) -> float | None:
    mine, other = results.get((workload.name, server)), results.get((workload.name, peer))
    return round_ratio(mine, other, requests_per_s) if mine and other else None


def _median_share(
    results: Results, reference: Results, workload: Workload, peer: str
) -> float | None:
    """Ours in one state against a peer measured in another: medians, as no round pairs them."""
    mine, other = results[(workload.name, OURS)], reference.get((workload.name, peer))
    if not other or not other.runs or other.median_of(requests_per_s) <= 0:
        return None
    return mine.median_of(requests_per_s) / other.median_of(requests_per_s)


def stall_row(p50_ms: float, p99_ms: float) -> list[Row]:
    tail = p99_ms / p50_ms if p50_ms > 0 else float("inf")
    measured = f"{tail:.1f}x ({p50_ms:.1f} / {p99_ms:.1f} ms)"
    target = f"10k get by id p99 < {STALL_TAIL_LIMIT:.0f}x p50 under writes and searches"
    return [[target, measured, verdict(tail < STALL_TAIL_LIMIT)]]


def large_rows(sizes: Sequence[SizeResult]) -> list[Row]:
    by_size = {size.clients: size for size in sizes}
    small, large = by_size.get(100), by_size.get(LARGE)
    if not small or not large:
        return []
    rows = []
    for operation in ("get by id", "update"):
        growth = large.p50_ms[operation] / small.p50_ms[operation]
        rows.append([f"100k {operation} p50 <= 2x of 100", f"{growth:.2f}x", verdict(growth <= 2)])
    search = large.p50_ms[NEW_TERM]
    rows += [
        [
            f"100k list-search (new term) p50 < {LARGE_SEARCH_LIMIT_MS:.0f} ms",
            f"{search:.1f} ms",
            verdict(search < LARGE_SEARCH_LIMIT_MS),
        ],
        [
            f"100k start-up (existing store) < {LARGE_STARTUP_LIMIT_S:.0f} s",
            f"{large.ready_s:.2f} s (first seeding {large.first_seed_s:.1f} s)",
            verdict(large.ready_s < LARGE_STARTUP_LIMIT_S),
        ],
        [
            f"100k memory (PSS, all processes) < {LARGE_MEMORY_LIMIT_MB:.0f} MB",
            f"{large.pss_mb:.0f} MB (summed RSS {large.rss_mb:.0f} MB)",
            verdict(large.pss_mb < LARGE_MEMORY_LIMIT_MB),
        ],
    ]
    return rows


def scaling_rows(sizes: Sequence[SizeResult]) -> list[Row]:
    by_size = {size.clients: size for size in sizes}
    small, large = by_size.get(100), by_size.get(10_000)
    if not small or not large:
        return []
    get_growth = large.p50_ms["get by id"] / small.p50_ms["get by id"]
    create_growth = large.p50_ms["create"] / small.p50_ms["create"]
    search = large.p50_ms[NEW_TERM]
    pss = large.pss_mb
    return [
        ["10k get by id p50 <= 2x of 100", f"{get_growth:.2f}x", verdict(get_growth <= 2.0)],
        ["10k create p50 <= 3x of 100", f"{create_growth:.2f}x", verdict(create_growth <= 3.0)],
        [
            "10k list-search (new term) p50 < 25 ms",
            f"{search:.1f} ms",
            verdict(search < SEARCH_P50_LIMIT_MS),
        ],
        ["10k memory (PSS) < 150 MB", f"{pss:.0f} MB", verdict(pss < MEMORY_LIMIT_MB)],
    ]


def startup_row(timings: dict[str, list[tuple[float, float]]]) -> list[Row]:
    if not timings.get(OURS):
        return []
    wall = median(wall for wall, _ in timings[OURS])
    cpu = median(cpu for _, cpu in timings[OURS])
    measured = f"{wall:.2f} s wall ({cpu:.2f} s CPU)"
    return [["start-up < 1.5 s (wall)", measured, verdict(wall < STARTUP_LIMIT_S)]]


def contract_row(run: SuiteRun | None) -> list[Row]:
    if run is None:
        return [["contract suite < 2 min", "not available", "n/a"]]
    passed = run.exit_code == 0
    note = "" if passed else f" (exit {run.exit_code}: {run.summary})"
    return [
        [
            "contract suite < 2 min",
            f"{run.seconds:.0f} s{note}",
            verdict(run.seconds < CONTRACT_LIMIT_S),
        ]
    ]
