"""POST /__mock/sessions/{name}/verify (control.yaml): was the session sent what a test expects?

The counting and the near misses are `scenarios/verification.py`; a `wait` is spent before this
handler runs, on the event loop (`control/waits.py`), so the handler only answers.
"""

from __future__ import annotations

from typing import Any

import flask

from mockserver.control.basics import JSON
from mockserver.control.rules import current_scenarios
from mockserver.scenarios.engine import Scenarios
from mockserver.scenarios.verification import Times, verify

Answer = tuple[Any, ...] | flask.Response


def verify_requests(name: str, body: dict[str, Any]) -> Answer:
    return run(current_scenarios(), name, body), 200, JSON


def run(scenarios: Scenarios, name: str, body: dict[str, Any]) -> dict[str, Any]:
    """The verification `body` asks for, over the session's journal as it is now."""
    entries = scenarios.journal.entries(name)
    return verify(entries, body, Times.from_body(body.get("times")), scenarios.base_path)
