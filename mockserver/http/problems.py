"""The error table: domain exceptions and HTTP errors -> application/problem+json."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from connexion import FlaskApp
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.problem import problem
from starlette.exceptions import HTTPException

from mockserver.contract import ContractPaths
from mockserver.scenarios.rulebook import RulesNotSaved
from mockserver.scenarios.rules import RuleError, RuleNotFound
from mockserver.store import (
    ClientNotFound,
    InvalidImport,
    SessionLimit,
    SessionNotFound,
    StoreError,
    StoreUnavailable,
)
from mockserver.store.waiting import StoreBusy

# status, title, and the detail a client sees (None: the exception's own message).
# A StoreError's message names files on this machine, which no response may show.
ERRORS: dict[type[Exception], tuple[int, str, str | None]] = {
    ClientNotFound: (404, "Not Found", None),
    SessionNotFound: (404, "Not Found", None),
    InvalidImport: (400, "Bad Request", None),
    SessionLimit: (429, "Too Many Requests", None),
    StoreError: (503, "Service Unavailable", "The store cannot be written; nothing was changed"),
    StoreUnavailable: (503, "Service Unavailable", None),  # its message names no file
    RuleError: (400, "Bad Request", None),
    RuleNotFound: (404, "Not Found", None),
}
# Refusals that pass by themselves: their `retry_after` (seconds) goes out as Retry-After.
ERRORS |= {
    StoreBusy: (503, "Service Unavailable", None),
    RulesNotSaved: (503, "Service Unavailable", "The rules cannot be saved; nothing was changed"),
}


MAX_DETAIL = 500


def register(app: FlaskApp, *specs: dict[str, Any]) -> None:
    """The error table, for an app serving these documents (the contract, the control API)."""
    for exception, (status, title, detail) in ERRORS.items():
        app.add_error_handler(exception, _answer(status, title, detail))
    app.add_error_handler(ProblemException, _short_problem)
    app.add_error_handler(HTTPException, _http_error([ContractPaths(spec) for spec in specs]))


def _answer(status: int, title: str, detail: str | None) -> Any:
    def handle(_request: ConnexionRequest, error: Exception) -> ConnexionResponse:
        retry = getattr(error, "retry_after", None)
        headers = None if retry is None else {"Retry-After": str(retry)}
        return problem(status=status, title=title, detail=detail or str(error), headers=headers)

    return handle


def _short_problem(_request: ConnexionRequest, error: Exception) -> ConnexionResponse:
    # jsonschema's messages go on to print the schema and the whole instance: keep the sentence.
    assert isinstance(error, ProblemException)
    detail = str(error.detail or "").split("\n", 1)[0][:MAX_DETAIL]
    return problem(
        status=error.status,
        title=error.title or HTTPStatus(error.status).phrase,
        detail=detail,
        type=error.type,
        headers=error.headers,
    )


def _http_error(documents: list[ContractPaths]) -> Any:
    def handle(request: ConnexionRequest, error: Exception) -> ConnexionResponse:
        assert isinstance(error, HTTPException)
        headers = dict(error.headers or {})
        if error.status_code == 404:
            detail = f"Nothing is served at {request.url.path}"
        elif error.status_code == 405:
            path = request.url.path
            allowed = next((m for d in documents if (m := d.methods_for(path))), [])
            # Connexion's own Allow header names the methods of another route: say the contract's.
            headers["Allow"] = ", ".join(allowed)
            detail = f"{request.method} is not allowed here; use {headers['Allow'] or 'nothing'}"
        else:
            detail = error.detail
        title = HTTPStatus(error.status_code).phrase
        return problem(status=error.status_code, title=title, detail=detail, headers=headers)

    return handle
