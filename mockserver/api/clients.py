"""Handlers for the Clients operations, named after their operationIds.

Connexion has already authenticated the caller and validated every argument against
openapi.yaml; a handler only translates arguments, calls the store and shapes the answer.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import flask

from mockserver.http.session import session_name
from mockserver.store import ClientStore, Filters
from mockserver.store.model import tick_after, timestamp

Record = dict[str, Any]
Answer = tuple[Any, ...]

STORE_KEY = "mockserver.store"


def list_clients(
    limit: int,
    offset: int,
    search: str = "",
    status: str | None = None,
    industry: str | None = None,
) -> Answer:
    page = _store().find(Filters(search, status, industry), limit, offset, _session())
    return _json(
        {"data": page.items, "meta": {"total": page.total, "limit": limit, "offset": offset}}
    )


def get_client(id: str) -> Answer:
    return _json(_store().get(id, _session()))


def create_client(body: Record) -> Answer:
    now = _now()
    record = {**_defaults(), **body, "id": str(uuid.uuid4()), "created_at": now, "updated_at": now}
    created = _store().insert(record, _session())
    return _json(created, 201, Location=f"{flask.request.path.rstrip('/')}/{created['id']}")


def update_client(id: str, body: Record) -> Answer:
    def apply(stored: Record) -> Record:
        return {**stored, **body, "updated_at": _later_than(stored["updated_at"])}

    return _json(_store().modify(id, apply, _session()))


def _json(body: Any, status: int = 200, **headers: str) -> Answer:
    # The operations also declare problem+json answers, so Connexion needs the type named.
    return body, status, {"Content-Type": "application/json", **headers}


def _store() -> ClientStore:
    return flask.current_app.extensions[STORE_KEY]


def _session() -> str:
    return session_name(flask.request.headers)


def _defaults() -> Record:
    return {
        "email": None,
        "phone": None,
        "address": None,
        "contact_person": None,
        "website": None,
        "industry": None,
        "status": "active",
        "tags": [],
        "notes": None,
        "metadata": {},
    }


def _now() -> str:
    return timestamp(datetime.now(UTC))


def _later_than(previous: str) -> str:
    # Two updates within one millisecond must still move `updated_at` forward.
    moment = datetime.now(UTC)
    now = timestamp(moment)
    if len(previous) == len(now) and previous.endswith("Z") and now > previous:
        return now  # both in the one format (model.timestamp): their text orders as time does
    return timestamp(max(moment, tick_after(previous)))
