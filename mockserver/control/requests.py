"""The request journal of a session (control.yaml, /__mock/sessions/{name}/requests)."""

from __future__ import annotations

from typing import Any

import flask

from mockserver.control.basics import JSON, no_content
from mockserver.control.rules import current_scenarios
from mockserver.scenarios.requests import matching

Answer = tuple[Any, ...] | flask.Response


def list_requests(
    name: str, operation: str | None = None, method: str | None = None, status: int | None = None
) -> Answer:
    entries = current_scenarios().journal.entries(name)
    found = matching(entries, operation=operation, method=method, status=status)
    return {"data": found, "meta": {"total": len(found)}}, 200, JSON


def follow_requests(name: str, after: str | None = None, wait: float | None = None) -> Answer:
    # `wait` was spent before this handler ran (control/waits.py), on the event loop.
    entries, found = current_scenarios().journal.after(name, after)
    last = entries[-1]["id"] if entries else (after if found else None)
    return {"data": entries, "meta": {"found": found, "last": last}}, 200, JSON


def clear_requests(name: str) -> Answer:
    current_scenarios().journal.clear(name)
    return no_content()
