"""Sessions in the store: copy-on-write over the seed, the same answers as the default session,
durable, shared between processes, bounded by --max-sessions and --session-ttl."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from mockserver.store import (
    ClientNotFound,
    ClientStore,
    Filters,
    Limits,
    SessionLimit,
    SessionNotFound,
)
from mockserver.store import wal as journal_module


def record(n: int, **fields: object) -> dict:
    return {
        "id": f"id-{n:04d}",
        "name": f"Client {n} {'acme' if n % 3 == 0 else 'initech'}",
        **dict.fromkeys(["email", "phone", "address", "contact_person", "website"]),
        "industry": ["Tech", "Retail", None][n % 3],
        "notes": None,
        "status": "active" if n % 4 else "inactive",
        "tags": [],
        "metadata": {},
        "created_at": f"2026-01-01T00:00:{n % 7:02d}.000Z",  # many ties, broken by id
        "updated_at": f"2026-01-01T00:00:{n % 7:02d}.000Z",
        **fields,
    }


SEED = [record(n) for n in range(30)]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def open_store(
    path: Path | None, limits: Limits | None = None, clock: Clock | None = None
) -> ClientStore:
    return ClientStore.open(
        None if path is None else str(path),
        lambda: [dict(r) for r in SEED],
        {"id-0003": (2, 1)},
        limits=limits or Limits(),
        clock=clock or Clock(),
    )


def everything(store: ClientStore, session: str) -> list[dict]:
    return store.find(Filters(), limit=10_000, offset=0, session=session).items


def test_a_session_that_only_reads_holds_no_copy_and_a_write_holds_one_record(
    tmp_path: Path,
) -> None:
    store = open_store(tmp_path / "db.json")
    held = store.memory.count()  # the default session's records
    assert everything(store, "reader") == everything(store, "default")
    assert store.get("id-0003", session="reader")["jobs_count"] == 2
    assert store.memory.count() == held
    store.modify("id-0004", lambda r: {**r, "name": "Changed"}, session="writer")
    store.insert(record(99), session="writer")
    assert store.memory.count() == held + 2
    store.insert(record(98), session="writer")
    snapshot = store.memory.state()  # what a compaction writes
    assert len(snapshot["clients"]) == len(SEED)
    assert snapshot["sessions"]["reader"]["clients"] == []
    assert {r["id"] for r in snapshot["sessions"]["writer"]["clients"]} == {
        "id-0004",
        "id-0099",
        "id-0098",
    }


QUERIES = [
    Filters(),
    Filters(search="ACME"),
    Filters(search="client 1"),
    Filters(status="inactive"),
    Filters(industry="tech"),
    Filters(search="initech", status="active", industry="RETAIL"),
    Filters(search="nothing matches"),
]


def test_a_session_answers_exactly_as_the_default_session_after_the_same_writes() -> None:
    store = open_store(None)
    writes = [
        ("insert", record(100, created_at="2026-01-01T00:00:03.000Z")),  # ties a seed record
        ("insert", record(101, created_at="2027-01-01T00:00:00.000Z")),
        ("modify", record(4, name="Renamed acme", status="inactive")),
        ("modify", record(9, industry="Tech")),
        ("insert", record(102, created_at="2025-01-01T00:00:00.000Z")),
        ("modify", record(101, name="newest, renamed")),
    ]
    for session in ("default", "twin"):
        for kind, written in writes:
            if kind == "insert":
                store.insert(dict(written), session=session)
            else:
                store.modify(written["id"], lambda r, w=written: {**r, **w}, session=session)
    for filters, limit, offset in itertools.product(QUERIES, (1, 7, 100), (0, 5, 29, 33, 40)):
        default = store.find(filters, limit, offset, session="default")
        twin = store.find(filters, limit, offset, session="twin")
        assert twin == default, (filters, limit, offset)
    assert store.find(Filters(), 100, 0, session="twin").total == len(SEED) + 3


def test_sessions_survive_a_restart_in_their_own_session_only(tmp_path: Path) -> None:
    store = open_store(tmp_path / "db.json")
    store.insert(record(200), session="a")
    store.modify("id-0001", lambda r: {**r, "notes": "b's"}, session="b")
    store.import_records("c", [{**record(300), "jobs_count": 0, "active_jobs_count": 0}])
    store.insert(record(201), session="d")
    store.reset("d")
    store.insert(record(202), session="e")
    store.forget("e")
    before = {name: everything(store, name) for name in ("default", "a", "b", "c", "d")}
    store.close()

    reopened = open_store(tmp_path / "db.json")
    assert {s["name"] for s in reopened.summaries()} == {"default", "a", "b", "c", "d"}
    for name, records in before.items():
        assert everything(reopened, name) == records, name
    assert [r["id"] for r in everything(reopened, "c")] == ["id-0300"]
    with pytest.raises(ClientNotFound):
        reopened.get("id-0200", session="b")
    assert reopened.get("id-0001", session="default")["notes"] is None


def test_two_processes_share_sessions_at_once(tmp_path: Path) -> None:
    clock = Clock()
    first = open_store(tmp_path / "db.json", clock=clock)
    second = open_store(tmp_path / "db.json", clock=clock)
    first.insert(record(200), session="shared")
    assert second.get("id-0200", session="shared")["name"] == record(200)["name"]
    second.modify("id-0200", lambda r: {**r, "notes": "second"}, session="shared")
    assert first.get("id-0200", session="shared")["notes"] == "second"
    second.import_records("other", [])
    assert everything(first, "other") == []
    first.forget("shared")
    assert "shared" not in {s["name"] for s in second.summaries()}
    # A catch-up holding two versions of one seed record counts it once.
    first.modify("id-0002", lambda r: {**r, "notes": "one"}, session="caught-up")
    first.modify("id-0002", lambda r: {**r, "notes": "two"}, session="caught-up")
    assert second.find(Filters(), 1, 0, session="caught-up").total == len(SEED)
    assert second.get("id-0002", session="caught-up")["notes"] == "two"
    # Request counts reach the other process about once a second.
    before = first.summary("other")["requests"]
    for _ in range(5):
        second.find(Filters(), 1, 0, session="other")
    clock.now += journal_module_usage_interval()
    second.find(Filters(), 1, 0, session="other")
    assert first.summary("other")["requests"] == before + 6


def journal_module_usage_interval() -> float:
    from mockserver.store.client_store import USAGE_EVERY

    return USAGE_EVERY


def test_sessions_survive_compaction_seen_from_another_process(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(journal_module, "COMPACT_AFTER_LINES", 3)
    first = open_store(tmp_path / "db.json")
    second = open_store(tmp_path / "db.json")
    for n in range(200, 210):
        first.insert(record(n), session=f"s{n % 2}")
    assert len(everything(second, "s0")) == len(everything(second, "s1")) == len(SEED) + 5
    assert len(everything(second, "default")) == len(SEED)


def test_an_idle_session_expires_after_the_ttl() -> None:
    clock = Clock()
    store = open_store(None, Limits(ttl=60), clock)
    forgotten: list[str] = []
    store.on_forgotten = forgotten.append
    store.insert(record(200), session="idle")
    clock.now += 59
    assert store.summary("idle")["clients"] == len(SEED) + 1
    clock.now += 2
    with pytest.raises(SessionNotFound):
        store.summary("idle")
    assert "idle" not in {s["name"] for s in store.summaries()}
    assert forgotten == []
    assert len(everything(store, "idle")) == len(SEED)  # named again: fresh from the fixtures
    assert forgotten == ["idle"]  # and its rules and journal went with the old one
    clock.now += 3600
    assert store.summary("default")["clients"] == len(SEED)  # default never expires


def test_at_the_limit_the_least_recently_used_idle_session_is_evicted() -> None:
    clock = Clock()
    store = open_store(None, Limits(max_sessions=2, evictable_after=60), clock)
    forgotten: list[str] = []
    store.on_forgotten = forgotten.append
    store.insert(record(200), session="old")
    clock.now += 10
    store.insert(record(201), session="recent")
    clock.now += 55  # "old" idle 65 s, "recent" 55 s
    store.get("id-0001", session="newcomer")
    assert {s["name"] for s in store.summaries()} == {"default", "recent", "newcomer"}
    assert forgotten == ["old"]
    with pytest.raises(SessionLimit, match="--max-sessions"):
        store.get("id-0001", session="one-too-many")  # nobody idle for 60 s
    assert {s["name"] for s in store.summaries()} == {"default", "recent", "newcomer"}


def test_a_store_written_before_sessions_existed_still_opens(tmp_path: Path) -> None:
    (tmp_path / "db.json").write_text(json.dumps({"generation": 1, "clients": SEED[:3]}))
    (tmp_path / "db.json.journal").write_text(json.dumps({"g": 1, "put": record(50)}) + "\n")
    store = open_store(tmp_path / "db.json")
    assert {r["id"] for r in everything(store, "default")} == {
        "id-0000",
        "id-0001",
        "id-0002",
        "id-0050",
    }
    assert len(everything(store, "new")) == len(SEED)


def test_with_no_sessions_allowed_only_the_default_session_answers() -> None:
    store = open_store(None, Limits(max_sessions=0))
    with pytest.raises(SessionLimit, match="limit of 0 sessions"):
        store.get("id-0001", session="any")
    assert store.get("id-0001")["id"] == "id-0001"


def test_random_writes_give_the_same_answers_in_a_session_and_seen_from_another_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_module, "COMPACT_AFTER_LINES", 50)  # reloads in between
    rng = random.Random(7)
    first = open_store(tmp_path / "db.json")
    second = open_store(tmp_path / "db.json")
    known = [r["id"] for r in SEED]
    for step in range(300):
        if rng.random() < 0.3:
            written = record(
                1000 + step, created_at=f"2026-01-01T00:00:{rng.randint(0, 9):02d}.000Z"
            )
            known.append(written["id"])
            for session in ("default", "twin"):
                first.insert(dict(written), session=session)
        else:
            target = rng.choice(known)
            change = {"name": rng.choice(["acme x", "initech y", "other"]), "status": "inactive"}
            for session in ("default", "twin"):
                first.modify(target, lambda r, c=change: {**r, **c}, session=session)
        if step % 37 == 0:
            second.find(Filters(), 1, 0, session="twin")  # catches up part way
    for filters, limit, offset in itertools.product(QUERIES, (3, 100), (0, 40, 120)):
        expected = first.find(filters, limit, offset, session="default")
        assert first.find(filters, limit, offset, session="twin") == expected
        assert second.find(filters, limit, offset, session="twin") == expected
        assert second.find(filters, limit, offset, session="default") == expected
