"""GET /__mock/health and POST /__mock/reset (control.yaml)."""

from __future__ import annotations

import os
from typing import Any

import flask

from mockserver.api.clients import STORE_KEY
from mockserver.control import EXTENSION_KEY as CONTROL_KEY
from mockserver.faults import EXTENSION_KEY as DEGRADED_KEY
from mockserver.faults import Degraded
from mockserver.http.session import DEFAULT
from mockserver.reload.status import RELOAD_KEY, ReloadStatus
from mockserver.store import ClientStore

# The operations also declare problem+json answers, so Connexion needs the type named.
JSON = {"Content-Type": "application/json"}


def get_health() -> tuple[dict[str, Any], int, dict[str, str]]:
    store = current_store()
    faults = current_degraded().faults()
    health = {
        "status": "degraded" if faults else "ok",
        "degraded": faults,
        "clients": len(store),
        "sessions": store.session_count(),
        "pid": os.getpid(),
        "reload": current_reload().as_json(),
    }
    return health, 200, JSON


def reset_store() -> flask.Response:
    current_store().reset(DEFAULT)
    return no_content()


def no_content() -> flask.Response:
    answer = flask.Response(status=204)
    del answer.headers["Content-Type"]  # no body, so no type
    return answer


def current_degraded() -> Degraded:
    degraded: Degraded = flask.current_app.extensions[DEGRADED_KEY]
    return degraded


def current_reload() -> ReloadStatus:
    status: ReloadStatus = flask.current_app.extensions[RELOAD_KEY]
    return status


def current_store() -> ClientStore:
    store: ClientStore = flask.current_app.extensions[STORE_KEY]
    return store


def current_control() -> dict[str, Any]:
    """The control API's document as served (control.yaml with the contract's schemas)."""
    control: dict[str, Any] = flask.current_app.extensions[CONTROL_KEY]
    return control
