"""A stored journal entry as people read it: the control API's listing and the dashboard's
"why" column. Stored entries keep short keys and raw values (the request pays for collecting,
the listing for formatting)."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from typing import Any

from mockserver.store.model import timestamp

Entry = dict[str, Any]
BODY_CAP = 4096  # request body bytes kept per entry


def shown(entry: Entry) -> Entry:
    """A stored entry as the control API lists it."""
    size, text = entry["n"], entry["b"]
    body: Any = None
    if size:
        body = text
        if size <= BODY_CAP:
            with contextlib.suppress(ValueError):
                body = json.loads(text)
    return {
        "time": timestamp(datetime.fromtimestamp(entry["t"] / 1e9, UTC)),
        "method": entry["m"],
        "path": entry["p"],
        "query": entry["q"],
        "operation": entry["o"],
        "headers": entry["h"],
        "body": body,
        "truncated": size > BODY_CAP,
        "status": entry["s"],
        "duration_ms": entry["d"],
        "rule": entry["r"],
        "fault": entry["f"],
        "id": entry.get("i"),
        "prefer": entry.get("w"),
        "problem": entry.get("x"),
        "why": why(entry),
    }


def why(entry: Entry) -> str:
    """What decided the answer, in a few words (the dashboard's column)."""
    if entry["r"]:
        return f"rule {entry['r']}" + (f": fault {entry['f']}" if entry["f"] else "")
    if entry.get("w"):
        return f"Prefer: {entry['w']}"
    if entry.get("x"):
        return f"problem: {entry['x']}"
    if entry["o"] is None:
        return "not in the contract"
    return "the mock's handler"
