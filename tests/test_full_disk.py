"""A real full disk: the store on a 3 MB tmpfs, two workers, clients created until it is full.

Every 201 survives a restart; reads answer 200 while the disk is full; health says degraded;
writes are refused with our problem document; once space is freed, the next write succeeds in
both workers, without a restart. CI runs as root, so the test mounts its own tmpfs.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hostile.store_view import LEAK_PATTERN

from mockserver.settings import FIXTURES_DIR
from mockserver.testing import served_mock

TOKEN = "full-disk"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
ROOM_LEFT = 48 * 1024  # bytes the filler leaves free: a few hundred creates


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(folder: Path, leave: int) -> Path:
    """A file that takes all the room but `leave` bytes."""
    stat = os.statvfs(folder)
    filler = folder / "filler"
    with open(filler, "wb") as file:
        file.write(b"\0" * max(0, stat.f_bavail * stat.f_frsize - leave))
    return filler


def create(http: httpx.Client, number: int) -> httpx.Response:
    return http.post("/api/v1/clients", json={"name": f"client {number}", "notes": "x" * 200})


def each_worker(base_url: str, tries: int = 200) -> Iterator[tuple[httpx.Client, dict]]:
    """One connection at a time, with the health of the worker that took it, until both
    workers were met (a kept-alive connection would only ever meet one)."""
    met: set[int] = set()
    for _ in range(tries):
        with httpx.Client(base_url=base_url, headers=HEADERS, timeout=10) as http:
            health = http.get("/__mock/health").json()
            yield http, health
            met.add(health["pid"])
        if len(met) == 2:
            return
    raise AssertionError(f"only met workers {met}")


def test_a_full_disk_refuses_writes_answers_reads_and_recovers(small_disk: Path) -> None:
    # The request journal and rules (`<db>.scenarios/`) share the small disk with the store:
    # the whole mock, as a user runs it.
    db = small_disk / "clients.json"
    acked: dict[str, dict] = {}
    with served_mock(db, token=TOKEN, workers=2) as served:
        filler = fill(small_disk, ROOM_LEFT)
        with httpx.Client(base_url=served.base_url, headers=HEADERS, timeout=10) as http:
            for number in range(5000):
                answer = create(http, number)
                assert not LEAK_PATTERN.search(answer.text), answer.text
                if answer.status_code != 201:
                    break
                acked[answer.json()["id"]] = answer.json()
        assert answer.status_code == 503, answer.text
        assert len(acked) > 10, "the disk filled before the test began"

        some = next(iter(acked))
        for http, _ in each_worker(served.base_url):  # each worker reads, and refuses writes
            assert http.get("/api/v1/clients", params={"limit": 5}).status_code == 200
            assert http.get(f"/api/v1/clients/{some}").json() == acked[some]
            refused = create(http, -1)
            assert refused.status_code == 503, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            assert int(refused.headers["retry-after"]) > 0
            assert "No space left on device" in refused.json()["detail"]
            health = http.get("/__mock/health").json()
            assert health["status"] == "degraded", health
            assert "store" in [fault["part"] for fault in health["degraded"]], health

        filler.unlink()
        for http, _ in each_worker(served.base_url):  # each writes again, none restarted
            answer = create(http, 10_000)
            assert answer.status_code == 201, answer.text
            acked[answer.json()["id"]] = answer.json()
            health = http.get("/__mock/health").json()
            assert "store" not in [fault["part"] for fault in health["degraded"]], health

    with (
        served_mock(db, token=TOKEN, workers=2) as restarted,
        httpx.Client(base_url=restarted.api_url, headers=HEADERS, timeout=10) as http,
    ):
        for client_id, body in acked.items():
            stored = http.get(f"/clients/{client_id}")
            assert stored.status_code == 200, f"acknowledged create lost: {body}"
            assert stored.json() == body
        total = http.get("/clients", params={"limit": 1}).json()["meta"]["total"]
    seeded = len(json.loads((Path(FIXTURES_DIR) / "clients.json").read_text()))
    assert total == seeded + len(acked), "a refused create was kept"
