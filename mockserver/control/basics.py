"""Endpoints of the mock that are not in the contract: health and reset."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import flask
from connexion import FlaskApp

from mockserver.http.auth import token_problem, unauthorized
from mockserver.store import ClientStore

Seed = Callable[[], list[dict[str, Any]]]


def register(app: FlaskApp, store: ClientStore, seed: Seed, token: str | None) -> None:
    def health() -> tuple[dict[str, Any], int]:
        return {"status": "ok", "clients": len(store), "pid": os.getpid()}, 200

    def reset() -> flask.Response:
        # The API's own rule: any bearer token, or exactly the configured one.
        problem = token_problem(flask.request.headers.getlist("Authorization"), token)
        if problem is not None:
            raise unauthorized(problem)
        store.reset(seed())
        answer = flask.Response(status=204)
        del answer.headers["Content-Type"]  # no body, so no type
        return answer

    app.add_url_rule("/__mock/health", "mock_health", health, methods=["GET"])
    app.add_url_rule("/__mock/reset", "mock_reset", reset, methods=["POST"])
