"""The event loop never waits for a lock held elsewhere (beyond a brief try for the store's
file lock), and never queues writes on threads.

Another worker holds the store's file lock while it compacts. A write that waited for it on the
event loop would hold every read in flight on that worker for as long: the store refuses to wait
there (WouldWait, before changing anything) and the bridge runs the request again once the lock
looks free; only work that is slow whatever the locks goes to a thread, one request at a time.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver import FIXTURES_DIR
from mockserver.http.bridge import OneHopWSGI
from mockserver.store import ClientStore, waiting
from mockserver.store.waiting import WouldWait, may_wait, no_waiting
from mockserver.testing import served_mock

AUTH = {"Authorization": "Bearer t"}


@contextmanager
def store_lock_held(db: Path) -> Iterator[None]:
    """What another worker does while it writes: the exclusive flock on the store."""
    descriptor = os.open(db.with_name(db.name + ".lock"), os.O_RDWR)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)


@pytest.mark.parametrize("workers", [1, 2])
def test_reads_are_answered_while_a_write_waits_for_another_worker(
    tmp_path: Path, workers: int
) -> None:
    db = tmp_path / "clients.json"
    with served_mock(db, workers=workers) as mock, httpx.Client(base_url=mock.api_url) as http:
        known = http.get("/clients", params={"limit": 1}, headers=AUTH).json()["data"][0]
        done: list[httpx.Response] = []
        with store_lock_held(db):
            writer = threading.Thread(
                target=lambda: done.append(
                    http.put(f"/clients/{known['id']}", json={"notes": "waited"}, headers=AUTH)
                )
            )
            writer.start()
            for _ in range(5 * workers):  # on every worker, whichever took the write
                read = http.get(f"/clients/{known['id']}", headers=AUTH, timeout=10)
                assert read.status_code == 200
                assert read.json()["notes"] == known["notes"]
            writer.join(0.5)
            assert not done, "the write did not wait for the lock another worker held"
        writer.join(10)
        assert [response.status_code for response in done] == [200]
        assert http.get(f"/clients/{known['id']}", headers=AUTH).json()["notes"] == "waited"


def test_a_store_that_may_not_wait_refuses_before_changing_anything(tmp_path: Path) -> None:
    db = tmp_path / "clients.json"
    store = ClientStore.open(str(db), lambda: [], {})
    record = json.loads((FIXTURES_DIR / "clients.json").read_text())[0]
    with store_lock_held(db), no_waiting(), pytest.raises(WouldWait):
        store.insert(record)
    assert len(store) == 0
    store.insert(record)  # and once the lock is free, the same write goes through
    assert len(store) == 1


def test_the_loop_tries_the_file_lock_briefly_before_refusing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another worker's write holds the lock for a moment: the loop waits that moment out
    rather than run the whole request again; a lock held for longer is still refused."""
    db = tmp_path / "clients.json"
    db.with_name(db.name + ".lock").touch()
    mine = os.open(db.with_name(db.name + ".lock"), os.O_RDWR)
    monkeypatch.setattr(waiting, "BRIEF_WAIT_S", 0.01)
    with store_lock_held(db), no_waiting():
        assert not waiting.take_flock(mine)  # held throughout: refused
    with store_lock_held(db):
        assert not waiting.take_flock(mine, wait=False)  # a read's offer to share: one try
    monkeypatch.setattr(waiting, "BRIEF_WAIT_S", 30.0)
    holding = threading.Event()
    holder = threading.Thread(target=_hold_for, args=(db, 0.05, holding))
    holder.start()
    holding.wait()
    with no_waiting():
        assert waiting.take_flock(mine)  # taken as soon as the holder let go
    holder.join()
    os.close(mine)


def _hold_for(db: Path, seconds: float, holding: threading.Event) -> None:
    with store_lock_held(db):
        holding.set()
        time.sleep(seconds)


def test_slow_work_goes_to_one_thread_and_the_writes_behind_it_run_on_the_loop() -> None:
    """A compaction falls due for every write that arrives until one has done it: that one takes
    it to a thread; the others wait on the loop, without running up to the lock meanwhile (each
    such run costs a whole request's work, taken from the loop the thread needs the GIL from),
    and then all run there."""
    due = threading.Event()
    due.set()
    in_threads: list[str] = []
    refused: list[str] = []

    def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if due.is_set():
            if not may_wait():
                refused.append(environ["PATH_INFO"])
                raise WouldWait("a compaction is due", needs_thread=True)
            in_threads.append(environ["PATH_INFO"])
            time.sleep(0.05)  # the snapshot being written
            due.clear()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"written"]

    async def twenty_writes() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=OneHopWSGI(wsgi_app, None, writes_inline=True))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as http:
            return await asyncio.gather(*(http.put(f"/clients/{n}") for n in range(20)))

    responses = asyncio.run(twenty_writes())
    assert [response.text for response in responses] == ["written"] * 20
    assert len(in_threads) == 1, f"{len(in_threads)} writes were sent to threads: {in_threads}"
    assert len(refused) == 1, f"{len(refused)} writes ran up to the due compaction: {refused}"


def test_a_write_that_finds_slow_work_taken_while_it_retried_waits_for_it() -> None:
    """B is waiting for a lock when A takes a due compaction to a thread; B, looking again,
    finds the compaction due too: it waits for A's, rather than start a second one."""
    a_in_thread, b_found_it_due = threading.Event(), threading.Event()
    in_threads: list[str] = []

    def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path, inline = environ["PATH_INFO"], not may_wait()
        if path == "/b" and inline and not a_in_thread.is_set():
            raise WouldWait("the store is in use", looks_free=a_in_thread.is_set)
        if path == "/b" and inline and not b_found_it_due.is_set():
            b_found_it_due.set()
            raise WouldWait("a compaction is due", needs_thread=True)
        if path == "/a" and inline:
            raise WouldWait("a compaction is due", needs_thread=True)
        if not inline:
            in_threads.append(path)
            a_in_thread.set()
            b_found_it_due.wait(5)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"written"]

    async def b_then_a() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=OneHopWSGI(wsgi_app, None, writes_inline=True))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as http:

            async def a_after_b() -> httpx.Response:
                await asyncio.sleep(0.05)
                return await http.put("/a")

            return await asyncio.gather(http.put("/b"), a_after_b())

    responses = asyncio.run(asyncio.wait_for(b_then_a(), 10))
    assert [(r.status_code, r.text) for r in responses] == [(200, "written")] * 2
    assert in_threads == ["/a"]
