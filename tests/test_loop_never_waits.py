"""A request that would wait for a lock held elsewhere runs on a thread; the event loop goes on.

Another worker holds the store's file lock while it compacts (at 100,000 clients, about a
second). A write that waits for it on the event loop would hold every read in flight on that
worker for as long: the store refuses to wait there (WouldWait, before changing anything) and
the bridge runs the request again on a thread that may wait.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from mockserver import FIXTURES_DIR
from mockserver.store import ClientStore
from mockserver.store.waiting import WouldWait, no_waiting
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
