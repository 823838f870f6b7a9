"""New fixtures are checked against the contract in chunks by the compiled check; the Python
check sees only the records the compiled one refuses, decides them, and words the refusal."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from mockserver import SPEC_PATH
from mockserver.contract import load_spec
from mockserver.store import fixtures

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def records(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Three times the fixtures, each with an id of its own, checked in chunks of 10."""
    monkeypatch.setattr(fixtures, "_checked_mark", lambda path, spec: None)  # always new
    monkeypatch.setattr(fixtures, "CHUNK", 10)
    base = json.loads((FIXTURES / "clients.json").read_text())
    return [{**record, "id": str(uuid.uuid4())} for record in base * 3]


def load(folder: Path, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    (folder / "clients.json").write_text(json.dumps(records))
    return fixtures.load_clients(folder, load_spec(str(SPEC_PATH)))


def test_valid_fixtures_never_reach_the_python_check(
    tmp_path: Path, records: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[int] = []
    monkeypatch.setattr(fixtures, "_check", lambda path, number, *_: checked.append(number))
    assert [r["id"] for r in load(tmp_path, records)] == [r["id"] for r in records]
    assert checked == []


def test_the_first_bad_record_is_named_by_its_place_in_the_file(
    tmp_path: Path, records: list[dict[str, Any]]
) -> None:
    records[37]["email"] = 42
    records[23]["status"] = "paused"
    with pytest.raises(fixtures.FixtureError) as refused:
        load(tmp_path, records)
    message = str(refused.value)
    assert f"record 23 (id {records[23]['id']})" in message and "status" in message, message


def test_a_record_only_the_compiled_check_refuses_is_accepted(
    tmp_path: Path, records: list[dict[str, Any]]
) -> None:
    """A percent-encoded website is a URI, outside the compiled check's pattern for one."""
    records[12]["website"] = "https://acme.example.com/a%20b"
    assert load(tmp_path, records)[12]["website"] == "https://acme.example.com/a%20b"
