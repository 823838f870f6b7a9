"""create_app: openapi.yaml routed by Connexion to the handlers in api/, over the store.

This module only wires the parts together: the HTTP edge (http/), the handlers (api/), the
control plane (control/) and the data (store/).
"""

from __future__ import annotations

import copy
import re
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

# Connexion imports Starlette's test client at import time, which warns about httpx on every
# start; the mock never uses that client, so the warning would only confuse people.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from connexion import FlaskApp
from connexion.middleware import MiddlewarePosition
from connexion.resolver import Resolver
from starlette.middleware.cors import CORSMiddleware

from mockserver.api import clients
from mockserver.contract import ContractPaths, load_spec
from mockserver.control import bodiless_operations, control_handler, control_spec
from mockserver.faults import EXTENSION_KEY as DEGRADED_KEY
from mockserver.faults import Degraded
from mockserver.http import problems
from mockserver.http.auth import bearer_handler
from mockserver.http.bridge import serve_on_the_loop
from mockserver.http.guards import BodyGuard, RouteGuard
from mockserver.http.json_codec import OrjsonJsonifier, OrjsonProvider, ParsedBodyRequest
from mockserver.http.session import SessionHeader
from mockserver.http.validation import VALIDATOR_MAP
from mockserver.scenarios.engine import EXTENSION_KEY as SCENARIOS_KEY
from mockserver.scenarios.engine import Scenarios
from mockserver.scenarios.middleware import RequestJournal, ScenarioRules
from mockserver.settings import Settings, SettingsError
from mockserver.store import ClientStore, Limits
from mockserver.store.fixtures import load_clients, load_job_counts


def create_app(settings: Settings | None = None, **overrides: Any) -> FlaskApp:
    settings = Settings.load(**overrides) if settings is None else settings.replace(**overrides)
    store = open_store(settings)
    app = flask_app(settings.token)
    app.add_api(
        copy.deepcopy(load_spec(settings.spec)),
        resolver=Resolver(function_resolver=handler_for),
        strict_validation=True,
        validate_responses=settings.validate_responses,
    )
    # The mock's own features: their own document, routed and validated the same way.
    control = control_spec(load_spec(settings.spec))
    app.add_api(
        control,
        resolver=Resolver(function_resolver=control_handler),
        strict_validation=True,
        validate_responses=settings.validate_responses,
    )
    app.app.extensions[clients.STORE_KEY] = store
    # One record a process of what cannot reach the disk; every part that writes reports to it.
    app.app.extensions[DEGRADED_KEY] = Degraded()
    serve_on_the_loop(
        app,
        # Inline unless a write waits for its flush to disk.
        writes_inline=settings.in_memory or settings.durability != "disk",
        write_threads=None if settings.durability == "disk" else 1,
    )
    app.add_middleware(SessionHeader, MiddlewarePosition.BEFORE_ROUTING)
    app.add_middleware(
        RouteGuard,
        MiddlewarePosition.BEFORE_SECURITY,
        paths=ContractPaths(load_spec(settings.spec)),
    )
    app.add_middleware(
        RouteGuard, MiddlewarePosition.BEFORE_SECURITY, paths=ContractPaths(control), status=400
    )
    app.add_middleware(
        BodyGuard,
        MiddlewarePosition.BEFORE_VALIDATION,
        max_body_bytes=settings.max_body_bytes,
        bodiless=bodiless_operations(control),
    )
    app.add_middleware(
        CORSMiddleware,
        MiddlewarePosition.BEFORE_EXCEPTION,
        allow_origins=settings.origins,
        allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "X-Mock-Session", "Prefer"],
        # The scenario headers too, so page code on another origin can tell an injected answer.
        expose_headers=["Location", "Preference-Applied", "X-Mock-Rule", "X-Mock-Outside-Contract"],
        max_age=600,
    )
    add_scenarios(app, settings)
    problems.register(app, load_spec(settings.spec), control)
    return app


def flask_app(token: str | None) -> FlaskApp:
    """Connexion's FlaskApp as the mock configures it, before any API is added (the bench's
    Connexion floor starts from it too)."""
    app = FlaskApp(
        __name__,
        security_map={"bearer": bearer_handler(token)},
        # Compact, by orjson: Connexion's default indent=2 forces json's pure-Python encoder.
        jsonifier=OrjsonJsonifier(),
        validator_map=VALIDATOR_MAP,
    )
    app.app.json = OrjsonProvider(app.app)
    app.app.request_class = ParsedBodyRequest  # the body the guard parsed, not parsed again
    return app


def add_scenarios(app: FlaskApp, settings: Settings) -> None:
    """Rules, Prefer, latency and the request journal; the journal inside CORS, so a preflight
    is not an API request, and outside the error handling, so it sees every answer."""
    db = None if settings.in_memory else settings.db
    scenarios = Scenarios.for_store(load_spec(settings.spec), db, settings.latency)
    app.app.extensions[SCENARIOS_KEY] = scenarios
    app.app.extensions[clients.STORE_KEY].on_forgotten = scenarios.forget
    app.add_middleware(RequestJournal, MiddlewarePosition.BEFORE_EXCEPTION, scenarios=scenarios)
    app.add_middleware(ScenarioRules, MiddlewarePosition.BEFORE_CONTEXT, scenarios=scenarios)


def open_store(settings: Settings) -> ClientStore:
    """The store the settings name, seeded from the fixtures when new or when asked to reset."""
    path = None if settings.in_memory else settings.db
    counts = load_job_counts(Path(settings.fixtures))
    if settings.max_sessions < 0 or settings.session_ttl < 0:
        raise SettingsError("--max-sessions and --session-ttl cannot be negative")
    limits = Limits(max_sessions=settings.max_sessions, ttl=settings.session_ttl)
    return ClientStore.open(
        path, seed_from(settings), counts, settings.reset, limits, durability=settings.durability
    )


def seed_from(settings: Settings) -> Callable[[], list[dict[str, Any]]]:
    return partial(load_clients, Path(settings.fixtures), load_spec(settings.spec))


def handler_for(operation_id: str) -> Callable[..., Any]:
    """`listClients` -> api.clients.list_clients."""
    return getattr(clients, re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower())
