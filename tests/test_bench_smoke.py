"""The bench harness's pure pieces: reading wrk and py-spy output, building tables, checking
targets, generating scaling fixtures. Nothing here starts a server or measures time."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from bench import docs_page, floor, growth, inprocess, report, run, targets
from bench.profile import function_of, package_of, parse_collapsed, self_by_package
from bench.scaling import NEW_TERM, SizeResult, write_fixtures
from bench.side_by_side import WORKLOADS, Cell
from bench.wrk import WrkError, WrkResult, parse_wrk_output, wrk_command
from mockserver import FIXTURES_DIR, SPEC_PATH
from mockserver.contract import load_spec, schema_errors

WRK_OUTPUT = """\
Running 5s test @ http://127.0.0.1:8080/api/v1/clients/651011cb
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    61.09ms   34.63ms    1.20s    72.42%
    Req/Sec   258.00     60.37   363.00     70.00%
  Latency Distribution
     50%  850.00us
     75%   78.25ms
     90%  110.11ms
     99%    1.20s
  1028 requests in 5.00s, 0.76MB read
  Socket errors: connect 0, read 1, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:    205.60
Transfer/sec:    386.23KB
"""


def result(rate: float, p50: float = 1.0) -> WrkResult:
    return WrkResult(rate, p50, p50 * 3, requests=1000, non_2xx=0, socket_errors=0)


def test_wrk_summary_is_read_with_units_converted_to_ms() -> None:
    parsed = parse_wrk_output(WRK_OUTPUT)
    assert parsed == WrkResult(205.6, 0.85, 1200.0, 1028, non_2xx=7, socket_errors=4)
    assert parsed.failed_share == pytest.approx(11 / 1028)


def test_wrk_output_without_errors_counts_none() -> None:
    failure_lines = ("Socket errors", "Non-2xx")
    clean = "\n".join(
        line for line in WRK_OUTPUT.splitlines() if not line.strip().startswith(failure_lines)
    )
    parsed = parse_wrk_output(clean)
    assert (parsed.non_2xx, parsed.socket_errors) == (0, 0)


def test_unreadable_wrk_output_is_an_error_not_a_zero() -> None:
    with pytest.raises(WrkError):
        parse_wrk_output("unable to connect to 127.0.0.1:1 Connection refused")


def test_wrk_command_passes_script_arguments_after_a_double_dash() -> None:
    command = wrk_command("http://127.0.0.1:1/x", "update.lua", 5, ("PATCH",))
    assert command[:5] == ["wrk", "-t2", "-c32", "-d5s", "--latency"]
    assert command[-3:] == ["http://127.0.0.1:1/x", "--", "PATCH"]
    assert "--" not in wrk_command("http://127.0.0.1:1/x", "read.lua", 5)


def fake_results(ours: float, json_server: float, prism: float) -> dict[tuple[str, str], Cell]:
    rates = {"ours": ours, "json-server": json_server, "prism": prism}
    return {
        (workload.name, name): Cell([result(rate)], 200, 500)
        for workload in WORKLOADS
        for name, rate in rates.items()
    }


def test_side_by_side_table_marks_every_row_that_is_not_like_for_like() -> None:
    table = report.side_by_side_table(fake_results(100, 200, 400), WORKLOADS, ["ours", "prism"])
    rows = table.splitlines()[2:]
    assert len(rows) == 2 * len(WORKLOADS)
    assert all(row.endswith("| yes |") for row in rows if "| ours |" in row)
    assert all("not stateful" in row for row in rows if "| prism |" in row)


def test_ratio_table_divides_ours_by_each_peer() -> None:
    servers = ["ours", "json-server", "prism"]
    table = report.ratio_table(fake_results(100, 200, 50), WORKLOADS, servers)
    assert "| get by id | 0.50 | 2.00 | 1.00 | 1.00 |" in table


def test_failures_above_one_percent_are_flagged_in_bold() -> None:
    cell = Cell([WrkResult(1.0, 1.0, 1.0, requests=100, non_2xx=2, socket_errors=0)])
    results = {(w.name, "ours"): cell for w in WORKLOADS}
    assert "**2.0%**" in report.side_by_side_table(results, WORKLOADS, ["ours"])


def test_throughput_targets_compare_against_json_server_everywhere_and_prism_on_get() -> None:
    rows = targets.throughput_rows(fake_results(100, 50, 200), WORKLOADS)
    verdicts = {row[0]: row[2] for row in rows}
    assert len(verdicts) == len(WORKLOADS) + 1 + len(targets.READS)
    assert verdicts["get by id: req/s ours >= json-server"] == "met"
    assert verdicts["get by id: req/s ours >= prism"] == "**missed**"
    assert verdicts["get by id: ours p99 < 4x p50"] == "met"  # result(): p99 is 3x p50


def test_a_target_row_shows_what_the_connexion_floor_reached_against_the_same_peer() -> None:
    results = fake_results(100, 200, 400)
    for workload in WORKLOADS:
        results[(workload.name, "Connexion floor")] = Cell([result(120)], 200, 500)
    measured = {row[0]: row[1] for row in targets.throughput_rows(results, WORKLOADS)}
    assert measured["get by id: req/s ours >= json-server"] == "0.50x (floor: 0.60x)"
    assert measured["get by id: req/s ours >= prism"] == "0.25x (floor: 0.30x)"
    without_floor = {row[0]: row[1] for row in targets.throughput_rows(fake_results(1, 2, 4), [])}
    assert without_floor == {}


def test_a_read_tail_over_four_times_its_median_misses() -> None:
    results = fake_results(100, 50, 200)
    results[("list limit=50", "ours")] = Cell([WrkResult(100, 2.0, 9.0, 1000, 0, 0)], 200, 500)
    verdicts = {row[0]: row[2] for row in targets.throughput_rows(results, WORKLOADS)}
    assert verdicts["list limit=50: ours p99 < 4x p50"] == "**missed**"


def test_ratio_table_has_a_row_for_ours_at_disk_durability_on_writes_only() -> None:
    results = fake_results(100, 200, 50)
    results[("create", "ours, disk")] = Cell([result(50)], 201, 300)
    servers = ["ours", "ours, disk", "json-server", "prism"]
    table = report.ratio_table(results, WORKLOADS, servers)
    assert "| create (ours, disk) | 0.25 | 1.00 |" in table
    assert "get by id (ours, disk)" not in table


def test_grown_targets_are_named_for_their_state_and_judge_prism_from_the_fixtures_run() -> None:
    """Prism stores nothing, so it is not grown: the get-by-id target against it reads Prism's
    figures from the fixtures' state of the same run, and says so."""
    fixtures = fake_results(100, 50, 400)
    grown = {key: cell for key, cell in fake_results(100, 50, 0).items() if key[1] != "prism"}
    rows = targets.throughput_rows(
        grown, WORKLOADS, state="after 5,000 creates", reference=fixtures
    )
    by_target = {row[0]: row[1:] for row in rows}
    assert by_target["after 5,000 creates: create: req/s ours >= json-server"] == ["2.00x", "met"]
    assert by_target["after 5,000 creates: get by id: req/s ours >= prism"] == [
        "0.25x (against prism at the fixtures' size: it stores nothing)",
        "**missed**",
    ]
    alone = targets.throughput_rows(grown, WORKLOADS, state="grown")
    assert not any("prism" in row[0] for row in alone)


def test_a_server_not_measured_in_a_state_gets_a_row_saying_why() -> None:
    results = {key: cell for key, cell in fake_results(100, 50, 0).items() if key[1] != "prism"}
    table = report.side_by_side_table(
        results, WORKLOADS, ["ours", "prism"], not_measured=growth.NOT_GROWN
    )
    prism_rows = [row for row in table.splitlines() if "| prism |" in row]
    assert len(prism_rows) == len(WORKLOADS)
    assert all(
        "| - | - |" in row and "not measured: Prism stores nothing" in row for row in prism_rows
    )


def test_the_grown_state_runs_reads_first_then_the_update_and_the_creates_last() -> None:
    names = [workload.name for workload in growth.grown_order(WORKLOADS)]
    assert names == ["list limit=50", "list search=an", "get by id", "partial update", "create"]


def test_growth_is_refused_for_a_server_that_stores_nothing() -> None:
    prism = growth.RunningServer("prism", "http://127.0.0.1:1", None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="stores nothing"):
        growth.grow(prism, creates=1)


@pytest.mark.parametrize(
    ("flags", "full"),
    [
        ([], True),
        (["--no-docs"], True),  # full, but told not to write the page
        (["--quick"], False),
        (["--only", "side"], False),
        (["--runs", "1"], False),
        (["--seconds", "5"], False),
        (["--warmup", "0"], False),
        (["--states", "grown"], False),
        (["--creates", "200"], False),
        (["--servers", "ours", "json-server"], False),
        (["--workers", "1"], False),
    ],
)
def test_only_a_run_of_everything_counts_as_full(flags: list[str], full: bool) -> None:
    assert run.parse_args(flags).full is full


def test_a_full_run_replaces_only_the_results_between_the_pages_markers(tmp_path: Path) -> None:
    page = tmp_path / "benchmarks.md"
    before = (
        f"# Benchmarks\n\nBy hand.\n\n{docs_page.BEGIN}\nold tables\n{docs_page.END}\n\nAfter.\n"
    )
    page.write_text(before)
    docs_page.write_results("# Bench results\n\n- date: today\n\n## Targets\n\n| a |", page)
    assert page.read_text() == (
        f"# Benchmarks\n\nBy hand.\n\n{docs_page.BEGIN}\n## The latest full run\n\n"
        f"- date: today\n\n### Targets\n\n| a |\n{docs_page.END}\n\nAfter.\n"
    )
    page.write_text("# Benchmarks\n\nno markers\n")
    with pytest.raises(docs_page.PageError):
        docs_page.write_results("# Bench results", page)
    assert page.read_text() == "# Benchmarks\n\nno markers\n"


def test_the_results_page_has_its_markers() -> None:
    text = docs_page.PAGE.read_text()
    assert text.count(docs_page.BEGIN) == 1 and text.count(docs_page.END) == 1
    assert text.index(docs_page.BEGIN) < text.index(docs_page.END)


def test_stall_target_is_the_tail_of_get_under_load() -> None:
    assert targets.stall_row(2.0, 9.0)[0][2] == "met"
    assert targets.stall_row(2.0, 10.0)[0][2] == "**missed**"


def test_the_100k_row_is_judged_against_the_100_row() -> None:
    small = SizeResult(
        100, 1.0, {"create": 2, "update": 2, "get by id": 1, NEW_TERM: 3}, 0, 200, 80
    )
    large = SizeResult(
        100_000, 2.5, {"create": 3, "update": 5, "get by id": 1.9, NEW_TERM: 40}, 0, 1000, 390, 60.0
    )
    verdicts = {row[0]: row[2] for row in targets.large_rows([small, large])}
    assert verdicts == {
        "100k get by id p50 <= 2x of 100": "met",
        "100k update p50 <= 2x of 100": "**missed**",
        "100k list-search (new term) p50 < 50 ms": "met",
        "100k start-up (existing store) < 3 s": "met",
        "100k memory (PSS, all processes) < 400 MB": "met",  # summed RSS: 1000
    }


def test_scaling_targets_use_growth_from_100_to_10000() -> None:
    small = SizeResult(
        100, 1.0, {"create": 2, "update": 2, "get by id": 1, NEW_TERM: 3}, 0, 200, 80
    )
    large = SizeResult(
        10_000, 9.0, {"create": 7, "update": 9, "get by id": 1.5, NEW_TERM: 30}, 0, 300, 120
    )
    verdicts = [row[2] for row in targets.scaling_rows([small, large])]
    assert verdicts == ["met", "**missed**", "**missed**", "met"]


def test_a_missing_contract_suite_is_reported_not_failed() -> None:
    assert targets.contract_row(None) == [["contract suite < 2 min", "not available", "n/a"]]


def test_generated_scaling_clients_are_valid_per_the_contract(tmp_path: Path) -> None:
    ids = write_fixtures(tmp_path, 50)
    spec = load_spec(str(SPEC_PATH))
    clients = json.loads((tmp_path / "clients.json").read_text())
    assert len(set(ids)) == 50 and all(uuid.UUID(i).version == 4 for i in ids)
    assert (tmp_path / "jobs.json").read_text() == "[]"
    for client in clients:
        presented = {**client, "jobs_count": 0, "active_jobs_count": 0}
        assert schema_errors(spec, "Client", presented) == []
        assert client["created_at"].endswith("Z")


def test_py_spy_collapsed_stacks_are_grouped_by_package() -> None:
    lines = [
        "run (threading.py:1045);get_client (mockserver/clients.py:39) 3",
        "run (threading.py:1045);wsgi_app (flask/app.py:1500) 2",
        "garbage",
    ]
    stacks = parse_collapsed(lines)
    assert [count for _, count in stacks] == [3, 2]
    assert self_by_package(stacks) == {"mockserver/clients.py": 3, "flask": 2}
    assert package_of("send (uvicorn/protocols/http/httptools_impl.py:500)") == "uvicorn"
    assert function_of("wsgi_app (flask/app.py:1500)") == "wsgi_app (flask)"


def test_the_connexion_floor_does_the_stacks_work_on_our_contract() -> None:
    """The floor is only a fair ceiling if it routes, authenticates and validates as ours does."""
    client = floor.create_app().test_client()
    known = json.loads((FIXTURES_DIR / "clients.json").read_text())[0]
    auth = {"Authorization": "Bearer bench"}
    url = f"/api/v1/clients/{known['id']}"
    assert client.get(url, headers=auth).json() == known
    assert client.get(url).status_code == 401
    assert client.put(url, headers=auth, json={"notes": 5}).status_code == 400
    assert client.put(url, headers=auth, json={"notes": "n"}).json()["notes"] == "n"
    assert client.get("/api/v1/clients?limit=x", headers=auth).status_code == 400


def test_the_in_process_bench_answers_every_request_of_ours_and_the_floor_with_200() -> None:
    """It raises on any other status, so its per-request figures are of answered requests."""
    rows = inprocess.measure(requests=5, rounds=1)
    assert [row[0] for row in rows] == ["get by id", "partial update"]
    assert all(float(row[1]) > 0 and float(row[2]) > 0 for row in rows)
