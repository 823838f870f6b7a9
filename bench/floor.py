"""The stack's floor: our contract on a Connexion FlaskApp whose handlers do nothing.

What a request costs in Connexion 3, Flask and uvicorn alone, as light as we know how to make
them, before any store, journal, rule or guard of ours: routing, bearer security, strict
validation of parameters and body, a compact JSON answer. It keeps the framework-level savings
the mock makes (validators and decorators built once, Flask called on the event loop with no
thread hop) and is served as Connexion's docs serve an app (`uvicorn --factory ... --workers N`).
The side-by-side bench runs it next to ours and the peers: a target that even this cannot reach
is the stack's limit, not the mock's.

    uvicorn --factory bench.floor:create_app --workers 2 --port 8000
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from connexion import FlaskApp
from connexion.resolver import Resolver

from mockserver import FIXTURES_DIR, SPEC_PATH
from mockserver.app import flask_app
from mockserver.contract import load_spec
from mockserver.http.bridge import serve_on_the_loop

Answer = tuple[Any, int, dict[str, str]]
# The operations also declare problem+json answers, so Connexion needs the type named.
JSON = {"Content-Type": "application/json"}


def create_app() -> FlaskApp:
    clients = json.loads((FIXTURES_DIR / "clients.json").read_text())
    app = flask_app(token=None)  # configured as ours: security, compact JSON, validators
    app.add_api(
        copy.deepcopy(load_spec(str(SPEC_PATH))),
        resolver=Resolver(function_resolver=handlers(clients).__getitem__),
        strict_validation=True,
    )
    serve_on_the_loop(app, writes_inline=True)
    return app


def handlers(clients: list[dict[str, Any]]) -> dict[str, Callable[..., Answer]]:
    """One per operationId, each answering a fixture as it is: no store, no lookup."""
    first = clients[0]

    def list_clients(**_: Any) -> Answer:
        page = clients[:50]
        return {"data": page, "meta": {"total": len(clients), "limit": 50, "offset": 0}}, 200, JSON

    def get_client(id: str) -> Answer:
        return first, 200, JSON

    def create_client(body: dict[str, Any]) -> Answer:
        return {**first, **body}, 201, JSON

    def update_client(id: str, body: dict[str, Any]) -> Answer:
        return {**first, **body}, 200, JSON

    return {
        "listClients": list_clients,
        "getClient": get_client,
        "createClient": create_client,
        "updateClient": update_client,
    }
