"""Markdown tables for the bench output."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from statistics import median

from bench.peers import OURS, OURS_DISK
from bench.side_by_side import Cell, Results, Workload
from bench.wrk import WrkResult

FAILED_SHARE_TO_FLAG = 0.01


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def requests_per_s(run: WrkResult) -> float:
    return run.requests_per_s


def p50_ms(run: WrkResult) -> float:
    return run.p50_ms


def round_ratio(ours: Cell, peer: Cell, metric: Callable[[WrkResult], float]) -> float | None:
    """Median over rounds of ours / peer, each pair measured back to back, so load that comes
    and goes on a shared machine touches both sides of a ratio alike."""
    pairs = [
        (mine, theirs)
        for mine, theirs in zip(ours.runs, peer.runs, strict=False)
        if metric(theirs) > 0
    ]
    return median(metric(mine) / metric(theirs) for mine, theirs in pairs) if pairs else None


def side_by_side_table(
    results: Results, workloads: Sequence[Workload], servers: Sequence[str]
) -> str:
    headers = [
        "workload",
        "server",
        "req/s",
        "p50 ms",
        "p99 ms",
        "probe",
        "failed",
        "like-for-like?",
    ]
    rows = []
    for workload in workloads:
        for name in servers:
            cell = results.get((workload.name, name))
            if cell is None or not cell.runs:
                continue
            rows.append(
                [
                    workload.name,
                    name,
                    f"{cell.median_of(requests_per_s):,.0f}",
                    f"{cell.median_of(p50_ms):.2f}",
                    f"{cell.median_of(lambda r: r.p99_ms):.2f}",
                    f"{cell.probe_status}, {cell.probe_bytes:,} B",
                    _failed(cell.failed_share),
                    workload.targets[name].note or "yes",
                ]
            )
    return markdown_table(headers, rows)


def ratio_table(results: Results, workloads: Sequence[Workload], servers: Sequence[str]) -> str:
    """Ours (each variant) divided by each peer, per round, median of the rounds."""
    mine = [name for name in servers if name in (OURS, OURS_DISK)]
    peers = [name for name in servers if name not in mine]
    headers = ["workload"] + [f"req/s ours/{p}" for p in peers] + [f"p50 ours/{p}" for p in peers]
    rows = []
    for workload in workloads:
        for variant in mine:
            ours = results.get((workload.name, variant))
            if ours is None or not ours.runs:
                continue
            cells = [results[(workload.name, peer)] for peer in peers]
            rates = [_format(round_ratio(ours, cell, requests_per_s)) for cell in cells]
            latencies = [_format(round_ratio(ours, cell, p50_ms)) for cell in cells]
            label = workload.name if variant == OURS else f"{workload.name} ({variant})"
            rows.append([label, *rates, *latencies])
    return markdown_table(headers, rows)


def _format(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:.2f}"


def _failed(share: float) -> str:
    text = f"{share:.1%}"
    return f"**{text}**" if share >= FAILED_SHARE_TO_FLAG else text
