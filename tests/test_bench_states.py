"""The side-by-side bench's grown state, run for real on a tiny budget: ours and json-server
started, grown by 200 creates over HTTP, counted, then measured by wrk for 1 s a workload (no
warm-up). It proves the harness works end to end; the figures it measures mean nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench import docs_page, growth, run
from bench.peers import OURS, serve
from bench.side_by_side import WORKLOADS

pytestmark = pytest.mark.slow


@pytest.mark.long(30)
def test_a_short_run_grows_ours_and_json_server_and_measures_every_workload_on_them(
    tmp_path: Path,
) -> None:
    page_before = docs_page.PAGE.read_text()
    output = tmp_path / "latest.md"
    flags = ["--only", "side", "--states", "grown", "--servers", "ours", "json-server"]
    budget = ["--runs", "1", "--seconds", "1", "--warmup", "0", "--creates", "200"]
    budget += ["--output", str(output)]
    assert run.main(flags + budget) == 0

    text = output.read_text()
    assert "## Side by side after 200 creates" in text
    assert re.search(r"\| ours \| 44 -> 244 \| [\d.]+ \| [\d,]+ \|", text)
    assert re.search(r"\| json-server \| 44 -> 244 \| [\d.]+ \| [\d,]+ \|", text)
    for workload in WORKLOADS:
        for server in ("ours", "json-server"):
            row = re.search(rf"^\| {workload.name} \| {server} \| ([\d,]+) \| .*$", text, re.M)
            assert row, f"no row for {workload.name} on {server}"
            assert int(row.group(1).replace(",", "")) > 0
            assert "| 0.0% |" in row.group(0), row.group(0)
        target = f"| after 200 creates: {workload.name}: req/s ours >= json-server | "
        assert target in text
    assert "fixtures' size:" not in text  # the state left out is not reported
    assert docs_page.PAGE.read_text() == page_before  # a narrowed run leaves the page alone


def test_growth_that_the_server_refuses_stops_the_bench(monkeypatch: pytest.MonkeyPatch) -> None:
    """A create the contract refuses (an empty name) is not stored: the grown state would be
    smaller than it says, so the growth raises instead of returning."""
    monkeypatch.setattr(growth, "create_body", lambda number: {"name": ""})
    with serve(OURS, workers=1) as server, pytest.raises(growth.GrowthError) as refused:
        growth.grow(server, creates=6, threads=2)
    assert "sent 6 creates, 0 answered 201 (others: [400])" in str(refused.value)
    assert "held 44 clients before and 44 after" in str(refused.value)
