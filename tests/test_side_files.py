"""Side files (the request journal, the rules) never take the API down: on a full or failing
disk a write is dropped and counted, nothing torn is left for readers to choke on, the answer is
never cut or turned into a 5xx, and the next write that fits recovers by itself (issue 22).
The journal's appends take no lock and stay whole under concurrent writers (issue 26)."""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.faults import Degraded
from mockserver.scenarios import requests as journal_module
from mockserver.scenarios.requests import PART, Journal
from mockserver.testing import served_mock

AUTH = {"Authorization": "Bearer side-files"}


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "256k") -> Iterator[Path]:
    """A tmpfs of `size` at `folder` (CI runs as root)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """A file that takes every byte left on `folder`'s filesystem."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as file:
        for chunk in (65536, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    file.write(b"x" * chunk)
    return filler


def entry(number: int, padding: int = 0) -> dict[str, Any]:
    """A stored journal entry as the middleware makes one; `padding`: body bytes."""
    return {
        "t": 1_700_000_000_000_000_000 + number,
        "m": "GET",
        "p": "/api/v1/clients",
        "q": "",
        "o": "listClients",
        "h": {"x-number": str(number)},
        "b": "x" * padding,
        "n": padding,
        "s": 200,
        "d": 0.1,
        "r": None,
        "f": None,
    }


def numbers(journal: Journal, session: str = "s") -> list[int]:
    return [int(listed["headers"]["x-number"]) for listed in journal.entries(session)]


def test_a_full_disk_drops_journal_lines_counts_them_and_recovers(tmp_path: Path) -> None:
    degraded = Degraded()
    with small_disk(tmp_path / "disk") as disk:
        journal = Journal(disk, degraded)
        journal.record("s", entry(0))
        filler = fill(disk)
        for number in range(1, 41):
            journal.record("s", entry(number, padding=300))  # never raises

        [fault] = degraded.faults()
        assert fault["part"] == PART and "No space left" in fault["error"]
        kept = numbers(journal)  # whatever was torn, the file still reads
        assert kept == sorted(kept) and kept[0] == 0
        assert len(kept) == 41 - fault["dropped"]

        filler.unlink()
        journal.record("s", entry(41))
        assert degraded.faults() == []
        assert numbers(journal) == [*kept, 41]


@pytest.mark.parametrize("newline_fits", [True, False])
def test_a_torn_line_never_hides_the_entries_around_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, newline_fits: bool
) -> None:
    """A short write (the disk filled mid-line) leaves a fragment: ended by a newline when
    one more byte fits, else glued to the next entry, which readers salvage."""
    degraded = Degraded()
    journal = Journal(tmp_path, degraded)
    journal.record("s", entry(1))
    real_write = os.write
    calls: list[bytes] = []

    def tearing(descriptor: int, data: bytes) -> int:
        calls.append(bytes(data))
        if len(calls) == 1:
            return real_write(descriptor, data[: len(data) // 2])
        if data == b"\n" and not newline_fits:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(descriptor, data)

    monkeypatch.setattr(journal_module.os, "write", tearing)
    journal.record("s", entry(2, padding=500))
    assert degraded.is_degraded(PART)
    journal.record("s", entry(3))
    monkeypatch.undo()

    assert numbers(journal) == [1, 3]
    assert not degraded.is_degraded(PART)


def _append_many(folder: Path, worker: int, count: int, padding: int) -> None:
    journal = Journal(folder)
    for number in range(count):
        journal.record("s", entry(worker * 100_000 + number, padding))


def test_concurrent_appends_with_rotations_lose_and_tear_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines far longer than PIPE_BUF (one of 64 KiB) from three processes, with the file
    rotated about every 20 lines meanwhile: every entry is read back once, none torn."""
    monkeypatch.setattr(journal_module, "COMPACT_BYTES", 200_000)
    monkeypatch.setattr(journal_module, "LIMIT", 10_000)  # rotations keep everything
    Journal(tmp_path)  # the folder and its lock file
    context = multiprocessing.get_context("fork")
    plan = [(1, 150, 10_000), (2, 60, 65_536), (3, 400, 100)]
    workers = [
        context.Process(target=_append_many, args=(tmp_path, worker, count, padding))
        for worker, count, padding in plan
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0

    found = numbers(Journal(tmp_path))
    wanted = sorted(worker * 100_000 + n for worker, count, _ in plan for n in range(count))
    assert sorted(found) == wanted
    lines = (tmp_path / "requests" / "s.jsonl").read_bytes().splitlines()
    assert all(line.startswith(b'{"t":') and line.endswith(b"}") for line in lines)


def test_reads_go_on_and_rules_answer_503_while_the_side_files_cannot_write(
    tmp_path: Path,
) -> None:
    """The issue's symptom: on a full disk every answer was cut mid-body. Only the side files'
    folder is on the small disk here, so what the store does on a full disk stays out of it."""
    with (
        small_disk(tmp_path / "clients.json.scenarios"),
        served_mock(tmp_path, workers=1) as mock,
        httpx.Client(base_url=mock.base_url, headers=AUTH, timeout=10) as client,
    ):
        known = client.get("/api/v1/clients?limit=1").json()["data"][0]["id"]
        assert client.post("/__mock/sessions/default/rules", json=ONE_FAILED_GET).status_code == 201
        filler = fill(tmp_path / "clients.json.scenarios")
        big = {"X-Padding": "p" * 900}  # each journal line ~1.5 KB: the slack fills at once
        for _ in range(30):  # the rule cannot be counted: answered as if it did not match
            answer = client.get(f"/api/v1/clients/{known}", headers=big)
            assert answer.status_code == 200 and answer.json()["id"] == known
        refused = client.post("/__mock/sessions/default/rules", json=RULE)
        assert refused.status_code == 503, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert int(refused.headers["retry-after"]) > 0
        health = client.get("/__mock/health").json()
        assert health["status"] == "degraded"
        assert {f["part"] for f in health["degraded"]} == {"request journal", "rules"}
        assert client.get("/__mock/sessions/default/requests").status_code == 200

        filler.unlink()
        assert client.post("/__mock/sessions/default/rules", json=RULE).status_code == 201
        assert client.get(f"/api/v1/clients/{known}").status_code == 503  # the rule, unspent
        assert client.get(f"/api/v1/clients/{known}").status_code == 200
        deadline = time.monotonic() + 5
        while client.get("/__mock/health").json()["degraded"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get("/__mock/health").json()["status"] == "ok"
        assert len(client.get("/__mock/sessions/default/rules").json()["data"]) == 2


RULE = {"operation": "createClient", "status": 503, "times": 1}
ONE_FAILED_GET = {"operation": "getClient", "status": 503, "times": 1}
