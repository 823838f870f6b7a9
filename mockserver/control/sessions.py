"""The sessions part of the control API (control.yaml, /__mock/sessions)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import flask

from mockserver.contract import json_location, schema_errors
from mockserver.control.basics import JSON, current_control, current_store, no_content
from mockserver.control.rules import current_scenarios
from mockserver.http.session import DEFAULT
from mockserver.store import InvalidImport
from mockserver.store.model import timestamp

Answer = tuple[Any, ...] | flask.Response


def list_sessions() -> Answer:
    sessions = [_shown(summary) for summary in current_store().summaries()]
    return {"data": sessions, "meta": {"total": len(sessions)}}, 200, JSON


def delete_sessions() -> Answer:
    current_store().forget_all()
    current_scenarios().forget_all_but(DEFAULT)  # their rules and journals too
    return no_content()


def get_session(name: str) -> Answer:
    return _shown(current_store().summary(name)), 200, JSON


def delete_session(name: str) -> Answer:
    current_store().forget(name)
    current_scenarios().forget(name)  # its rules and journal too
    return no_content()


def reset_session(name: str) -> Answer:
    current_store().reset(name)
    return no_content()


def export_session(name: str) -> Answer:
    return {"clients": current_store().export(name)}, 200, JSON


def import_session(name: str, body: dict[str, Any]) -> Answer:
    # Connexion checks the document's types but not every format (`uuid`); the contract's
    # validator checks them all, so an import holds only clients the export can answer with.
    errors = schema_errors(current_control(), "ClientImport", body)
    if errors:
        raise InvalidImport(f"{json_location(errors[0])}: {errors[0].message}")
    current_store().import_records(name, body["clients"])
    return no_content()


def _shown(summary: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": summary["name"],
        "clients": summary["clients"],
        "requests": summary["requests"],
        "created_at": _moment(summary["created"]),
        "last_used_at": _moment(summary["last_used"]),
    }


def _moment(seconds: float) -> str:
    return timestamp(datetime.fromtimestamp(seconds, UTC))
