"""Start-up steps say what they do: a bar on a terminal, plain lines elsewhere, nothing when
quick (mockserver/progress.py). Time is a fake clock here: no test sleeps."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from mockserver import SPEC_PATH, progress
from mockserver.contract import load_spec
from mockserver.store import fixtures


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def run_step(stream: io.StringIO, seconds_per_item: float, items: int = 10) -> str:
    clock = Clock()
    with progress.step("checking", items, stream=stream, clock=clock) as advance:
        for _ in range(items):
            clock.now += seconds_per_item
            advance(1)
    return stream.getvalue()


def test_a_long_step_writes_plain_lines_where_there_is_no_terminal() -> None:
    shown = run_step(io.StringIO(), seconds_per_item=1.0)  # 10 s in all
    lines = shown.splitlines()
    assert lines[0] == "mockserver: checking: 2 of 10 (2 s)"  # after two seconds, not before
    assert lines[1] == "mockserver: checking: 7 of 10 (7 s)"  # then every five
    assert lines[-1] == "mockserver: checking: done, 10 in 10.0 s"
    assert "\r" not in shown and "\x1b" not in shown  # no bar drawing in a log


def test_a_quick_step_says_nothing() -> None:
    assert run_step(io.StringIO(), seconds_per_item=0.1) == ""  # 1 s in all


def test_a_terminal_gets_a_bar() -> None:
    terminal = Terminal()
    with progress.step("checking", 10, stream=terminal, show_after=0) as advance:
        for _ in range(10):
            advance(1)
    drawn = terminal.getvalue()
    assert "mockserver: checking" in drawn and "10/10" in drawn and "100%" in drawn
    assert "\r" in drawn  # redrawn in place, not a line per update


def test_a_quick_step_draws_no_bar_on_a_terminal() -> None:
    terminal = Terminal()
    with progress.step("checking", 10, stream=terminal) as advance:
        advance(10)
    assert terminal.getvalue() == ""


def test_checking_new_fixtures_is_a_step_that_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = json.loads((Path(__file__).parents[1] / "fixtures" / "clients.json").read_text())
    (tmp_path / "clients.json").write_text(json.dumps(records * 3, separators=(",", ":")))
    monkeypatch.setattr(fixtures, "_checked_mark", lambda path, spec: None)  # always new
    monkeypatch.setattr(fixtures, "CHUNK", 10)
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)
    log = io.StringIO()
    monkeypatch.setattr("sys.stderr", log)
    with pytest.raises(fixtures.FixtureError, match="used by more than one record"):
        fixtures.load_clients(tmp_path, load_spec(str(SPEC_PATH)))
    assert f"checking the fixtures against the contract: done, {len(records) * 3:,} in" in (
        log.getvalue()
    )
