"""The soak, for one minute (`python -m bench.soak` runs it for twenty): mixed load, SIGKILLed
workers, two killed servers and a disk that fills and empties twice; then every acknowledged
write is on disk, no read was answered with a 5xx, and descriptors and memory stayed flat.

Its clients pause 20 ms between requests (~165 a second in all, some 10,000 in the minute):
unpaced they took both cores for the whole minute (~550 a second alone), CPU the rest of the
suite waits for. `python -m bench.soak` does not pace them."""

from __future__ import annotations

import pytest

from bench.soak import Report, print_report, soak
from mockserver.scenarios.requests import OPEN_FILES


@pytest.mark.long(60)
def test_a_minute_of_load_and_faults_loses_nothing_and_leaks_nothing() -> None:
    report = soak(60, pace=0.02)
    print_report(report)  # shown when the test fails

    assert report.checked > 100, "too little was written to prove anything"
    assert report.lost == []
    assert report.missing_while_running == []
    assert report.reads_5xx == 0
    assert report.events["kill a worker"] >= 5 and report.events["restart"] == 2
    assert report.events["fill"] == 2
    assert_flat(report)


def assert_flat(report: Report) -> None:
    """Each kind of process holds about what it held after the warm-up. A worker's request
    journal keeps up to OPEN_FILES descriptors open, one a session it served: more once it
    has served more sessions, never more than that."""
    for role in ("supervisor", "worker"):
        start = [s for s in report.samples if s.role == role and s.when == "start"]
        end = [s for s in report.samples if s.role == role and s.when == "end"]
        assert start and end, f"no {role} sampled"
        slack = 0 if role == "supervisor" else OPEN_FILES // 2
        assert max(s.descriptors for s in end) <= max(s.descriptors for s in start) + slack
        assert max(s.pss_mb for s in end) <= max(s.pss_mb for s in start) * 1.2 + 5
        assert max(s.rss_mb for s in end) <= max(s.rss_mb for s in start) * 1.2 + 5
