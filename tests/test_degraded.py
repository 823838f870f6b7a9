"""The record of parts that cannot write: what health shows, and a log that says it once."""

from __future__ import annotations

import errno
import logging

import pytest

from mockserver.faults import Degraded


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def full_disk() -> OSError:
    return OSError(errno.ENOSPC, "No space left on device", "/store/requests.jsonl")


def test_a_failing_part_is_listed_with_its_error_since_and_drops() -> None:
    clock = Clock()
    degraded = Degraded(clock=clock)
    degraded.failed("request journal", full_disk())
    clock.now += 3
    degraded.failed("request journal", full_disk(), dropped=2)

    [fault] = degraded.faults()
    assert fault == {
        "part": "request journal",
        "error": "OSError: [Errno 28] No space left on device",
        "since": "1970-01-01T00:16:40Z",
        "dropped": 3,
    }
    assert degraded.is_degraded("request journal")


def test_recovery_clears_the_part() -> None:
    degraded = Degraded()
    degraded.failed("rules", full_disk())
    degraded.recovered("rules")
    degraded.recovered("store")  # never failed: nothing to say
    assert degraded.faults() == []
    assert not degraded.is_degraded("rules")


def test_the_log_warns_once_per_interval_with_the_writes_given_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    degraded = Degraded(warn_every=5.0, clock=clock)
    with caplog.at_level(logging.WARNING, logger="mockserver.faults"):
        for _ in range(100):
            degraded.failed("request journal", full_disk())
            clock.now += 0.1  # 10 s in all: the first warning, then one after 5 s
        degraded.recovered("request journal")

    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3, lines
    assert "1 write(s) given up" in lines[0]
    assert "50 write(s) given up" in lines[1]
    assert "writes again" in lines[2] and "100 write(s)" in lines[2]


def test_health_says_degraded_with_each_failing_part(api) -> None:  # type: ignore[no-untyped-def]
    assert api.get("/__mock/health").json()["degraded"] == []
    degraded: Degraded = api.app.app.extensions["mockserver.degraded"]
    degraded.failed("request journal", full_disk())

    health = api.get("/__mock/health")
    assert health.status_code == 200  # reads are still answered
    assert health.json()["status"] == "degraded"
    assert [f["part"] for f in health.json()["degraded"]] == ["request journal"]
