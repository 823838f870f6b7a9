"""Every file operation the store performs fails in turn (as SQLite's I/O error tests)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mockserver.store import ClientStore


def record(n: int) -> dict:
    return {
        "id": f"id-{n:04d}",
        "name": f"Client {n}",
        **dict.fromkeys(["email", "phone", "address", "contact_person", "website", "industry"]),
        "notes": None,
        "status": "active",
        "tags": [],
        "metadata": {},
        "created_at": "2026-01-01T00:00:00.000Z",
        "updated_at": "2026-01-01T00:00:00.000Z",
    }


def test_a_short_write_on_a_full_disk_is_never_acknowledged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user's report: the kernel wrote part of the line, the 201 went out, the line was lost."""
    store = ClientStore.open(str(tmp_path / "db.json"), lambda: [record(1)], {})
    real_write = os.write

    def full_disk(descriptor: int, data: bytes) -> int:  # what a full disk does to write(2)
        return real_write(descriptor, bytes(data)[: len(data) // 2])

    monkeypatch.setattr(os, "write", full_disk)
    try:
        store.insert(record(2))
        acknowledged = True
    except Exception:
        acknowledged = False
    monkeypatch.undo()
    store.close()
    reopened = ClientStore.open(str(tmp_path / "db.json"), lambda: [], {})
    if acknowledged:
        assert reopened.get("id-0002")["name"] == "Client 2", "an acknowledged write was lost"
    reopened.close()
