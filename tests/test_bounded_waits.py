"""Bounded waits (issue 22): with the store's lock held elsewhere and never let go, a write is
refused within `lock_timeout` with a 503 and Retry-After, on the event loop (durability os) and
in a write thread (durability disk) alike, and changes nothing; reads do not wait at all."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

import pytest

from mockserver.app import create_app
from mockserver.settings import Settings, SettingsError

AUTH = {"Authorization": "Bearer bounded"}
TIMEOUT = 0.5


@pytest.mark.parametrize("durability", ["os", "disk"])
def test_a_write_behind_a_lock_nobody_releases_gets_a_503_in_time(
    tmp_path: Path, durability: str
) -> None:
    db = tmp_path / "clients.json"
    app = create_app(db=str(db), durability=durability, lock_timeout=TIMEOUT)
    with app.test_client() as api:
        known = api.get("/api/v1/clients?limit=1", headers=AUTH).json()["data"][0]
        api.get(f"/api/v1/clients/{known['id']}", headers=AUTH)
        holder = os.open(db.with_name("clients.json.lock"), os.O_RDWR)
        fcntl.flock(holder, fcntl.LOCK_EX)  # as a frozen worker would hold it
        try:
            started = time.monotonic()
            refused = api.put(f"/api/v1/clients/{known['id']}", json={"notes": "x"}, headers=AUTH)
            waited = time.monotonic() - started
            read = api.get(f"/api/v1/clients/{known['id']}", headers=AUTH)
        finally:
            os.close(holder)
        assert refused.status_code == 503, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["retry-after"] == "1"
        assert "nothing was changed" in refused.json()["detail"]
        assert TIMEOUT <= waited < TIMEOUT + 2
        assert read.status_code == 200 and read.json() == known

        after = api.put(f"/api/v1/clients/{known['id']}", json={"notes": "y"}, headers=AUTH)
        assert after.status_code == 200 and after.json()["notes"] == "y"


def test_lock_and_worker_timeouts_come_from_the_environment() -> None:
    environ = {"MOCKSERVER_LOCK_TIMEOUT": "2.5", "MOCKSERVER_WORKER_TIMEOUT": "0"}
    settings = Settings.load(environ)
    assert (settings.lock_timeout, settings.worker_timeout) == (2.5, 0.0)
    with pytest.raises(SettingsError):
        Settings.load({"MOCKSERVER_LOCK_TIMEOUT": "0"})
