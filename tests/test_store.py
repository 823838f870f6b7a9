"""The store: durable across restarts, crash-safe journal, reset, refusal of damaged files."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver import app
from mockserver.settings import Settings, SettingsError
from mockserver.store import ClientNotFound, ClientStore, Filters, StoreError
from mockserver.store import wal as journal_module


def record(n: int, **fields: object) -> dict:
    return {
        "id": f"id-{n:04d}",
        "name": f"Client {n}",
        **dict.fromkeys(["email", "phone", "address", "contact_person", "website", "industry"]),
        "notes": None,
        "status": "active",
        "tags": [],
        "metadata": {},
        "created_at": f"2026-01-01T00:00:{n % 60:02d}.000Z",
        "updated_at": f"2026-01-01T00:00:{n % 60:02d}.000Z",
        **fields,
    }


def open_store(path: Path, seed: list[dict] | None = None, reseed: bool = False) -> ClientStore:
    return ClientStore.open(str(path), lambda: [dict(r) for r in seed or []], {}, reseed=reseed)


def test_new_store_is_seeded_and_written_to_disk(tmp_path: Path) -> None:
    store = open_store(tmp_path / "db.json", [record(1), record(2)])
    store.close()
    snapshot = json.loads((tmp_path / "db.json").read_text())
    assert [r["id"] for r in snapshot["clients"]] == ["id-0001", "id-0002"]


def test_a_snapshot_keeps_values_past_orjson_exactly(tmp_path: Path) -> None:
    """The snapshot is written by orjson; what it refuses (an integer past 64 bits, a lone
    surrogate a fixtures file may hold) is written by json, and every value reads back as it was."""
    odd = record(1, metadata={"big": 2**70, "low": -(2**63) - 1, "text": "Zoë 🚀"}, notes="\ud800")
    plain = record(2, metadata={"text": "Zoë 🚀", "nested": {"list": [1.5, None, True]}})
    for seed in ([plain], [odd, plain]):
        path = tmp_path / f"db{len(seed)}.json"
        open_store(path, seed).close()
        reopened = open_store(path)
        shown = [{**r, "jobs_count": 0, "active_jobs_count": 0} for r in seed]
        assert [reopened.get(r["id"]) for r in seed] == shown
        reopened.close()


def test_acknowledged_writes_survive_a_restart(tmp_path: Path) -> None:
    store = open_store(tmp_path / "db.json", [record(1)])
    store.insert(record(2))
    store.modify("id-0001", lambda r: {**r, "name": "Renamed"})
    store.close()  # only releases the lock: every write was on disk when it returned
    reopened = open_store(tmp_path / "db.json")
    assert reopened.get("id-0001")["name"] == "Renamed"
    assert reopened.get("id-0002")["name"] == "Client 2"


def test_a_torn_last_journal_line_is_dropped_and_appends_stay_clean(tmp_path: Path) -> None:
    store = open_store(tmp_path / "db.json", [record(1)])
    store.insert(record(2))
    store.close()
    with open(tmp_path / "db.json.journal", "ab") as log:
        log.write(b'{"g": 1, "put": {"id": "id-0003", "na')  # killed mid-append
    reopened = open_store(tmp_path / "db.json")
    assert len(reopened) == 2
    reopened.insert(record(4))
    reopened.close()
    assert {r["id"] for r in _all(open_store(tmp_path / "db.json"))} == {
        "id-0001",
        "id-0002",
        "id-0004",
    }


def test_compaction_folds_the_journal_into_the_snapshot(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(journal_module, "COMPACT_AFTER_LINES", 5)
    store = open_store(tmp_path / "db.json", [record(1)])
    for n in range(2, 12):
        store.insert(record(n))
    store.close()
    journal_lines = (tmp_path / "db.json.journal").read_bytes().count(b"\n")
    assert journal_lines < 5
    assert len(open_store(tmp_path / "db.json")) == 11


def test_compact_after_sets_the_lines_between_snapshots(tmp_path: Path) -> None:
    """`--compact-after` / MOCKSERVER_COMPACT_AFTER, through the settings to the store."""
    environ = {"MOCKSERVER_COMPACT_AFTER": "4"}
    settings = Settings.load(environ=environ, db=str(tmp_path / "db.json"))
    store = app.open_store(settings)  # 44 fixtures: due at max(4, records / 2) lines
    for n in range(1, 51):
        store.insert(record(n))
    store.close()
    assert (tmp_path / "db.json.journal").read_bytes().count(b"\n") < 25  # 50 if not folded
    with pytest.raises(SettingsError, match="compact_after must be 1 or more"):
        Settings.load(environ={}, compact_after=0)


def test_journal_lines_of_an_older_generation_are_not_replayed(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    store = open_store(tmp_path / "db.json", [record(1)])
    store.insert(record(2))
    stale = (tmp_path / "db.json.journal").read_bytes()
    monkeypatch.setattr(journal_module, "COMPACT_AFTER_LINES", 1)
    store.modify("id-0002", lambda r: {**r, "name": "Renamed"})  # folded into a new snapshot
    store.close()
    # A crash right after the new snapshot, before the journal's truncation:
    (tmp_path / "db.json.journal").write_bytes(stale)
    assert open_store(tmp_path / "db.json").get("id-0002")["name"] == "Renamed"


@pytest.mark.parametrize("content", [b"not json", b'{"clients": "nope"}', b"[]", b"\xff"])
def test_a_damaged_snapshot_is_refused_and_left_untouched(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "db.json").write_bytes(content)
    with pytest.raises(StoreError, match="mockserver reset --db"):
        open_store(tmp_path / "db.json", [record(1)])
    assert (tmp_path / "db.json").read_bytes() == content


def test_a_damaged_journal_line_before_the_end_is_refused(tmp_path: Path) -> None:
    open_store(tmp_path / "db.json", [record(1)]).close()
    (tmp_path / "db.json.journal").write_bytes(b"garbage\n" + b'{"g": 1, "put": {"id": "x"}}\n')
    with pytest.raises(StoreError, match="line 1"):
        open_store(tmp_path / "db.json")


def test_reseed_replaces_a_damaged_store(tmp_path: Path) -> None:
    (tmp_path / "db.json").write_bytes(b"not json")
    store = open_store(tmp_path / "db.json", [record(1)], reseed=True)
    assert [r["id"] for r in _all(store)] == ["id-0001"]


def test_two_processes_on_one_store_see_each_others_writes_at_once(tmp_path: Path) -> None:
    # Each ClientStore has its own descriptors and flock, as a worker process would.
    first = open_store(tmp_path / "db.json", [record(1)])
    second = open_store(tmp_path / "db.json")
    first.insert(record(2))
    first.modify("id-0002", lambda r: {**r, "notes": "caught up with its create"})
    assert second.get("id-0002")["notes"] == "caught up with its create"
    assert len(second) == 2
    second.modify("id-0002", lambda r: {**r, "name": "Changed by second"})
    assert first.get("id-0002")["name"] == "Changed by second"
    assert len(first) == len(second) == 2


def test_a_compaction_or_reset_elsewhere_is_picked_up(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(journal_module, "COMPACT_AFTER_LINES", 3)
    first = open_store(tmp_path / "db.json", [record(1)])
    second = open_store(tmp_path / "db.json", [record(1)])  # workers share the fixtures
    for n in range(2, 9):
        first.insert(record(n))
    assert {r["id"] for r in _all(second)} == {f"id-{n:04d}" for n in range(1, 9)}
    second.insert(record(9))
    first.reset()
    assert [r["id"] for r in _all(second)] == ["id-0001"]


def test_a_compaction_elsewhere_is_followed_without_a_reload(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A reload parses the whole snapshot and rebuilds every index, stalling that worker: the
    # other process reads the rest of the old journal and the new one instead.
    monkeypatch.setattr(journal_module, "COMPACT_AFTER_LINES", 4)
    first = open_store(tmp_path / "db.json", [record(1)])
    second = open_store(tmp_path / "db.json")
    reloads = _count_reloads(second, monkeypatch)
    first.insert(record(2))
    assert second.get("id-0002")  # second is one line into the first journal
    for n in range(3, 6):  # the fourth line compacts; second missed two lines of that journal
        first.insert(record(n))
    first.modify("id-0002", lambda r: {**r, "notes": "after the compaction"})
    assert _all(second) == _all(first)
    assert second.get("id-0002")["notes"] == "after the compaction"
    assert reloads == []
    second.insert(record(6))  # and it writes to the new journal, seen by the first
    assert first.get("id-0006")


@pytest.mark.parametrize("behind_by", ["two compactions", "a reset"])
def test_what_cannot_be_followed_is_reloaded(tmp_path: Path, monkeypatch, behind_by: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(journal_module, "COMPACT_AFTER_LINES", 2)
    first = open_store(tmp_path / "db.json", [record(1)])
    second = open_store(tmp_path / "db.json")
    reloads = _count_reloads(second, monkeypatch)
    if behind_by == "a reset":
        first.insert(record(2))
        open_store(tmp_path / "db.json", [record(7)], reseed=True).close()  # `mockserver reset`
        expected = ["id-0007"]
    else:
        for n in range(2, 7):
            first.insert(record(n))
        expected = sorted(r["id"] for r in _all(first))
    assert sorted(r["id"] for r in _all(second)) == expected
    assert len(reloads) == 1


def _count_reloads(store: ClientStore, monkeypatch) -> list[object]:  # type: ignore[no-untyped-def]
    reloads: list[object] = []
    restore = store.memory.restore
    monkeypatch.setattr(store.memory, "restore", lambda *a: (reloads.append(a), restore(*a))[1])
    return reloads


def test_unknown_id_raises_not_found(tmp_path: Path) -> None:
    store = ClientStore.open(None, lambda: [record(1)], {})
    with pytest.raises(ClientNotFound):
        store.get("id-9999")
    with pytest.raises(ClientNotFound):
        store.modify("id-9999", dict)


def test_find_sorts_newest_first_then_by_id_and_counts_before_paging() -> None:
    seed = [
        record(1, created_at="2026-01-01T00:00:00.000Z"),
        record(3),
        record(2),
        record(0, created_at="2026-01-01T00:00:00.000Z"),
    ]
    seed[1]["created_at"] = seed[2]["created_at"] = "2026-02-01T00:00:00.000Z"
    store = ClientStore.open(None, lambda: seed, {"id-0002": (3, 1)})
    page = store.find(Filters(), limit=3, offset=0)
    assert [r["id"] for r in page.items] == ["id-0002", "id-0003", "id-0000"]
    assert page.total == 4
    assert page.items[0]["jobs_count"] == 3 and page.items[0]["active_jobs_count"] == 1


def _all(store: ClientStore) -> list[dict]:
    return store.find(Filters(), limit=10_000, offset=0).items


def test_a_snapshot_writer_keeps_the_store_locked_if_its_worker_dies(tmp_path: Path) -> None:
    # Killed mid-compaction, a worker's lock would pass to another worker, which would append
    # acknowledged writes to the journal the orphaned writer is about to replace with an empty
    # one. The writer holds the lock itself until it is done.
    worker = subprocess.Popen([sys.executable, "-c", DYING_WORKER, str(tmp_path / "db.json")])
    assert worker.wait(10) == -signal.SIGKILL
    other_worker = os.open(tmp_path / "db.json.lock", os.O_RDWR)
    with pytest.raises(BlockingIOError):
        fcntl.flock(other_worker, fcntl.LOCK_EX | fcntl.LOCK_NB)
    fcntl.flock(other_worker, fcntl.LOCK_EX)  # once the snapshot is written
    assert json.loads((tmp_path / "db.json").read_text())["clients"] == ["written"]
    assert (tmp_path / "db.json.journal").read_bytes() == b""


# A worker holding the store's lock starts a snapshot writer, then is killed.
DYING_WORKER = """
import os, signal, sys, time
from pathlib import Path
from mockserver.store import snapshot
from mockserver.store.wal import Wal
wal = Wal.open(Path(sys.argv[1]))
with wal._exclusive():
    def slow_state():
        time.sleep(1.5)
        return {"clients": ["written"]}
    snapshot.fork_writer(wal.path, wal.log_path, 1, slow_state, (0, 0), wal._lock_fd)
    os.kill(os.getpid(), signal.SIGKILL)
"""
