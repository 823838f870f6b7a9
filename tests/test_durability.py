"""The durability levels (issue 15): what has happened to a write when its answer goes out.

"os": the journal line was handed to the kernel with write() (all a killed process could lose;
test_crash_durability.py kills the server at both levels). "disk": it was also flushed with
fdatasync, so an OS crash or power loss cannot lose it either. A power loss cannot be staged
here, so this checks the order the promise rests on: the flush returned before the answer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.app import create_app
from mockserver.settings import Settings, SettingsError

AUTH = {"Authorization": "Bearer durable"}


@pytest.fixture
def flushes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Descriptors passed to os.fdatasync, in call order."""
    calls: list[int] = []
    real = os.fdatasync

    def recording(descriptor: int) -> None:
        real(descriptor)
        calls.append(descriptor)

    monkeypatch.setattr(os, "fdatasync", recording)
    yield calls


def journal_flushes(flushes: list[int], journal: Path) -> int:
    return sum(1 for fd in flushes if _names(fd, journal))


def _names(descriptor: int, path: Path) -> bool:
    try:
        return os.path.samefile(f"/proc/self/fd/{descriptor}", path)
    except OSError:
        return False


@pytest.mark.parametrize(("durability", "flushed"), [("disk", True), ("os", False)])
def test_a_write_is_flushed_before_its_answer_only_at_disk_level(
    tmp_path: Path, flushes: list[int], durability: str, flushed: bool
) -> None:
    db = tmp_path / "clients.json"
    app = create_app(db=str(db), durability=durability)
    journal = db.with_name(db.name + ".journal")
    with app.test_client() as client:
        flushes.clear()  # seeding wrote and flushed a snapshot
        created = client.post("/api/v1/clients", json={"name": "Durable"}, headers=AUTH)
        assert created.status_code == 201
        # Measured when the answer is in hand: a flush after it would not count.
        assert (journal_flushes(flushes, journal) == 1) is flushed
        line = journal.read_bytes()
        assert created.json()["id"].encode() in line, "the write reached the OS before its answer"


def test_the_default_level_survives_a_killed_process() -> None:
    assert Settings.load(environ={}).durability == "os"


def test_an_unknown_level_is_refused_with_the_choices() -> None:
    with pytest.raises(SettingsError, match="one of: os, disk"):
        Settings.load(environ={"MOCKSERVER_DURABILITY": "sometimes"})
