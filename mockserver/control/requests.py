"""The request journal of a session (control.yaml, /__mock/sessions/{name}/requests)."""

from __future__ import annotations

import json
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
    # `wait` was spent before this handler ran (control/waits.py), on the event loop. The lines
    # go out as stored, joined, not parsed and encoded again: with five dashboards following
    # a busy session, that formatting would cost more than the requests they show.
    lines, found = current_scenarios().journal.after(name, after)
    last = _id_of(lines[-1]) if lines else (after if found else None)
    meta = json.dumps({"found": found, "last": last}, separators=(",", ":")).encode()
    body = b'{"data":[' + b",".join(lines) + b'],"meta":' + meta + b"}"
    return flask.Response(body, 200, mimetype="application/json")


def _id_of(line: bytes) -> str:
    """The id of a stored line: its last key."""
    return str(json.loads(line)["i"])


def clear_requests(name: str) -> Answer:
    current_scenarios().journal.clear(name)
    return no_content()
