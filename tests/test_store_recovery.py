"""What the store does after a failed write to disk, one failure at a time: a failed compaction
and its backoff, a compaction half done, a failed flush seen from another process, request
counts that cannot be written. Two ClientStores on one path stand for two workers (each has its
own descriptors, so the flock excludes them as it does processes)."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.store import ClientNotFound, ClientStore, StoreUnavailable, disk, snapshot, wal
from mockserver.store.compaction import Backoff
from mockserver.store.journal import Journal
from mockserver.store.sessions import DEFAULT
from tests.test_store import record


class Spy:
    """Which parts failed and recovered, in order (a Degraded keeps only the current state)."""

    def __init__(self) -> None:
        self.failed_parts: list[str] = []
        self.errors: list[str] = []
        self.recovered_parts: list[str] = []

    def failed(self, part: str, error: BaseException | str, dropped: int = 1) -> None:
        self.failed_parts.append(part)
        self.errors.append(str(error))

    def recovered(self, part: str) -> None:
        self.recovered_parts.append(part)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def opened(path: Path, durability: str = "disk", clock: Clock | None = None) -> ClientStore:
    extra = {} if clock is None else {"clock": clock}
    return ClientStore.open(str(path), lambda: [record(0)], {}, durability=durability, **extra)


@pytest.fixture(autouse=True)
def no_faults_after() -> Iterator[None]:
    yield
    disk.install(None)


def test_a_failed_compaction_keeps_the_old_files_backs_off_and_succeeds_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wal, "COMPACT_AFTER_LINES", 3)
    db = tmp_path / "db.json"
    spy, clock = Spy(), Clock()  # the clock stands still: no request-count lines
    store = opened(db, clock=clock)
    store.report_to(spy)
    store._wal.compactions = Backoff(clock)  # type: ignore[union-attr]
    forks: list[int] = []
    fork_writer = wal.snapshot.fork_writer
    monkeypatch.setattr(
        wal.snapshot, "fork_writer", lambda *args: forks.append(1) or fork_writer(*args)
    )
    before = db.read_bytes()
    store.insert(record(1))
    store.insert(record(2))
    assert forks == []  # not due yet
    # The append is write call 1; the compaction's child, forked after it, counts on from
    # there: all of its writes fail, as on a disk with no room for the temporary snapshot.
    disk.install(disk.Plan([disk.Fault("write", "ENOSPC", first=2, times=1000)]))
    store.insert(record(3))  # due: the compaction fails, the write is kept
    disk.install(None)
    assert forks == [1] and spy.failed_parts == ["store compaction"]
    assert "[Errno 28] No space left on device" in spy.errors[0]
    assert db.read_bytes() == before, "the old snapshot was touched"
    assert not list(tmp_path.glob("*.tmp")), "a temporary file was left behind"
    for n in range(4, 8):
        store.insert(record(n))  # within the pause after a failure: no new attempt
    assert forks == [1]
    clock.now += 1.5
    store.insert(record(8))  # the pause is over: tried again, and it succeeds
    assert forks == [1, 1] and "store compaction" in spy.recovered_parts
    assert db.read_bytes() != before
    store.close()
    reopened = opened(db)
    assert len(reopened) == 9
    reopened.close()


def test_a_compaction_half_done_elsewhere_is_finished_by_the_next_writer(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    first, second = opened(db, "os"), opened(db, "os")
    first.insert(record(1))
    # What a compaction's child leaves when its snapshot got in and its new journal did not.
    journal = db.with_name(db.name + ".journal")
    folded = (os.stat(journal).st_ino, journal.stat().st_size)
    generation = first._wal.generation + 1  # type: ignore[union-attr]
    snapshot.write(db, generation, first.memory.state(), follows=folded)
    restarted = opened(db)  # a start meanwhile reads it as it is
    assert restarted.get("id-0001")["name"] == "Client 1" and len(restarted) == 2
    restarted.close()
    second.insert(record(2))  # another worker's next write finishes it first
    lines = journal.read_bytes().splitlines()
    assert [json.loads(line)["g"] for line in lines] == [generation], "appended to the old one"
    first.insert(record(3))
    for store in (first, second):
        assert [store.get(f"id-{n:04d}")["name"] for n in (1, 2, 3)] == [
            "Client 1",
            "Client 2",
            "Client 3",
        ]
        store.close()
    reopened = opened(db)
    assert len(reopened) == 4
    reopened.close()


def test_a_failed_flush_is_refused_and_taken_back_from_every_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL's fsyncgate: after a failed fsync the pages may be gone and the next fsync
    succeed regardless; the line is never acknowledged, and no worker keeps it."""
    db = tmp_path / "db.json"
    first, second = opened(db), opened(db)
    seen_meanwhile = []
    fdatasync = disk.os.fdatasync

    def failing_flush(descriptor: int) -> None:
        # Between the append and the failed flush another worker may read the line...
        seen_meanwhile.append(second.get("id-0001")["name"])
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(disk.os, "fdatasync", failing_flush)
    with pytest.raises(StoreUnavailable, match="Input/output error"):
        first.insert(record(1))
    monkeypatch.setattr(disk.os, "fdatasync", fdatasync)
    assert seen_meanwhile == ["Client 1"]
    # ...but by the time the refusal is answered, it is gone from the journal and every memory.
    for store in (first, second):
        with pytest.raises(ClientNotFound):
            store.get("id-0001")
    second.insert(record(2))
    first.insert(record(3))
    for store in (first, second):
        store.close()
    reopened = opened(db)
    assert {reopened.get(f"id-{n:04d}")["id"] for n in (2, 3)} == {"id-0002", "id-0003"}
    with pytest.raises(ClientNotFound):
        reopened.get("id-0001")
    reopened.close()


def test_request_counts_that_cannot_be_written_are_dropped_and_counted(tmp_path: Path) -> None:
    clock, spy = Clock(), Spy()
    store = opened(tmp_path / "db.json", "os", clock=clock)
    store.report_to(spy)
    store.get("id-0000")
    clock.now += 2  # the counts are due to be shared with the other workers
    disk.install(disk.Plan([disk.Fault("write", "ENOSPC", first=1, times=1000)]))
    assert store.get("id-0000")["name"] == "Client 0"  # the read is answered regardless
    assert spy.failed_parts == ["usage counts"]
    assert store.summary(DEFAULT)["requests"] == 2  # counted here, only not shared
    disk.install(None)
    clock.now += 2
    store.get("id-0000")
    assert "usage counts" in spy.recovered_parts
    store.close()


def test_a_read_opens_a_new_session_on_a_full_disk(tmp_path: Path) -> None:
    spy = Spy()
    store = opened(tmp_path / "db.json", "os")
    store.report_to(spy)
    disk.install(disk.Plan([disk.Fault("write", "ENOSPC", first=1, times=1000)]))
    assert store.get("id-0000", session="new")["name"] == "Client 0"
    assert "store" in spy.failed_parts
    with pytest.raises(StoreUnavailable):
        store.insert(record(1), session="new")
    disk.install(None)
    store.insert(record(1), session="new")  # its first write takes it to the journal
    store.close()
    reopened = opened(tmp_path / "db.json")
    assert reopened.get("id-0001", session="new")["name"] == "Client 1"
    reopened.close()


def test_a_line_a_failed_flush_covered_is_never_flushed_again_as_if_it_succeeded(
    tmp_path: Path,
) -> None:
    """Group commit: one fdatasync covers the lines of several writers. When it fails, every
    one of them is refused, also a writer that comes to flush after the journal was rewritten
    without them (a new fdatasync would succeed, and say nothing of the lost pages)."""
    journal = Journal(tmp_path / "db.json.journal")
    journal.reopen()
    first, second = journal.append(1, {"put": record(1)}), journal.append(1, {"put": record(2)})
    disk.install(disk.Plan([disk.Fault("flush", "EIO")]))
    with pytest.raises(StoreUnavailable):
        journal.make_durable(first)
    disk.install(None)
    assert journal.failed == [(first.start, first.end), (second.start, second.end)]
    journal.reopen()  # what taking the lines out ends with
    with pytest.raises(StoreUnavailable, match="an earlier flush failed"):
        journal.make_durable(second)
    journal.close()
