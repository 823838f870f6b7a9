"""Markdown tables for the bench output."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from statistics import median

from bench.growth import NOT_GROWN, STATEFUL, THREADS, Growth, grown_order
from bench.peers import FIXTURES, OURS, OURS_DISK
from bench.side_by_side import Cell, Results, Workload
from bench.wrk import WrkResult

FAILED_SHARE_TO_FLAG = 0.01
FIXTURE_CLIENTS = len(json.loads((FIXTURES / "clients.json").read_text()))
FIXTURES_STATE = "fixtures' size"
RATIOS_NOTE = "Ratios, ours / peer (req/s: above 1 is ours faster; p50: below 1 is ours faster):"


def grown_state(creates: int) -> str:
    return f"after {creates:,} creates"


def fixtures_section(
    results: Results, workloads: Sequence[Workload], servers: Sequence[str], seconds: int, runs: int
) -> list[str]:
    return [
        f"## Side by side at the fixtures' size ({FIXTURE_CLIENTS} clients;"
        f" wrk -t2 -c32 -d{seconds}s, median of {runs})",
        "",
        "Each run starts every server afresh from `fixtures/`, one at a time, for each workload.",
        "",
        side_by_side_table(results, workloads, servers),
        "",
        RATIOS_NOTE,
        "",
        ratio_table(results, workloads, servers),
        "",
    ]


def grown_section(
    results: Results,
    growths: Sequence[Growth],
    workloads: Sequence[Workload],
    servers: Sequence[str],
    creates: int,
    timing: tuple[int, int],
) -> list[str]:
    """The grown state's tables, with how the state was made and what each growth took."""
    runs, seconds = timing
    grown = [name for name in servers if name in STATEFUL]
    ordered = grown_order(workloads)
    order = ", ".join(workload.name for workload in ordered)
    return [
        f"## Side by side {grown_state(creates)} (wrk -t2 -c32 -d{seconds}s, median of {runs})",
        "",
        f"How the state is made: each run starts {quoted(grown)} afresh from `fixtures/`,"
        f" one at a time, POSTs {creates:,} valid creates over HTTP ({THREADS} threads; the"
        " create workload's body, a name and email of its own each), checks the server then"
        f" holds {creates:,} more (ours: `meta.total`, json-server: `X-Total-Count`; the bench"
        " stops if not), and runs that server's workloads on it in this order: "
        f"{order} (reads first, the creates last, so each meets the grown store plus only the"
        " writes of the workloads before it). Growth, per server (median of the runs):",
        "",
        growth_table(growths),
        "",
        side_by_side_table(results, ordered, servers, not_measured=NOT_GROWN),
        "",
        RATIOS_NOTE,
        "",
        ratio_table(results, ordered, grown),
        "",
    ]


def quoted(names: Sequence[str]) -> str:
    """`"ours", "ours, disk" and "json-server"`: names that hold commas, listed."""
    marked = [f'"{name}"' for name in names]
    return " and ".join([", ".join(marked[:-1]), marked[-1]] if len(marked) > 1 else marked)


def growth_table(growths: Sequence[Growth]) -> str:
    rows = []
    for name in dict.fromkeys(growth.server for growth in growths):
        mine = [growth for growth in growths if growth.server == name]
        rows.append(
            [
                name,
                f"{mine[0].before:,} -> {mine[0].after:,}",
                f"{median(growth.seconds for growth in mine):.1f}",
                f"{median(growth.per_s for growth in mine):,.0f}",
            ]
        )
    return markdown_table(["server", "clients", "growth s", "creates/s"], rows)


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
    results: Results,
    workloads: Sequence[Workload],
    servers: Sequence[str],
    not_measured: Mapping[str, str] | None = None,
) -> str:
    """One row per workload and server; a server in `not_measured` gets a row saying why."""
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
    not_measured = not_measured or {}
    rows = []
    for workload in workloads:
        for name in servers:
            cell = results.get((workload.name, name))
            if name in not_measured and name in workload.targets:
                reason = not_measured[name]
                rows.append([workload.name, name, *["-"] * 5, f"not measured: {reason}"])
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
