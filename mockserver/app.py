"""create_app: openapi.yaml routed by Connexion to the handlers in api/, over the store.

This module only wires the parts together: the HTTP edge (http/), the handlers (api/), the
control plane (control/) and the data (store/).
"""

from __future__ import annotations

import copy
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

# Connexion imports Starlette's test client at import time, which warns about httpx on every
# start; the mock never uses that client, so the warning would only confuse people.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from connexion import FlaskApp
from connexion.middleware import ConnexionMiddleware, MiddlewarePosition
from connexion.resolver import Resolver
from starlette.middleware.cors import CORSMiddleware

from mockserver.api import clients
from mockserver.contract import ContractPaths, load_spec
from mockserver.control import EXTENSION_KEY as CONTROL_KEY
from mockserver.control import bodiless_operations, control_handler, control_spec
from mockserver.control.waits import ControlWaits
from mockserver.dashboard import Dashboard
from mockserver.faults import EXTENSION_KEY as DEGRADED_KEY
from mockserver.faults import Degraded
from mockserver.http import problems
from mockserver.http.auth import bearer_handler
from mockserver.http.bridge import serve_on_the_loop
from mockserver.http.content_type import use_fast_content_type
from mockserver.http.docs_routes import with_docs_routes_first_glance
from mockserver.http.guards import BodyGuard, RouteGuard
from mockserver.http.json_codec import OrjsonJsonifier, OrjsonProvider, ParsedBodyRequest
from mockserver.http.media_types import remember_media_types
from mockserver.http.session import SessionHeader
from mockserver.http.spec_check import check_each_document_once
from mockserver.http.validation import VALIDATOR_MAP
from mockserver.reload.files import load_contract
from mockserver.reload.status import RELOAD_KEY, ReloadStatus
from mockserver.scenarios.engine import EXTENSION_KEY as SCENARIOS_KEY
from mockserver.scenarios.engine import Scenarios
from mockserver.scenarios.middleware import ScenarioRules
from mockserver.scenarios.recording import RequestJournal
from mockserver.settings import Settings, SettingsError
from mockserver.store import ClientStore, Limits
from mockserver.store.fixtures import load_clients, load_job_counts


def create_app(settings: Settings | None = None, **overrides: Any) -> FlaskApp:
    settings = Settings.load(**overrides) if settings is None else settings.replace(**overrides)
    spec = load_contract(Path(settings.spec)).spec
    store = open_store(settings, spec)
    scenarios = Scenarios.for_store(
        spec, None if settings.in_memory else settings.db, settings.latency
    )
    store.on_forgotten = scenarios.forget
    # One record a process of what cannot reach the disk; every part that writes reports to it.
    degraded = Degraded()
    store.report_to(degraded)
    # Side files report what they cannot write to the process's record (/__mock/health).
    scenarios.journal.degraded = scenarios.rules.degraded = degraded
    kept = Kept(store, scenarios, degraded, ReloadStatus(watching=settings.watch))
    return build_app(settings, spec, control_spec(spec), kept)


@dataclass(frozen=True)
class Kept:
    """What outlives a version of the app (`serve --watch` builds a new one on each edit)."""

    store: ClientStore
    scenarios: Scenarios
    degraded: Degraded
    reload: ReloadStatus


def build_app(
    settings: Settings, spec: dict[str, Any], control: dict[str, Any], kept: Kept
) -> FlaskApp:
    """The mock serving these documents over what is kept."""
    app = flask_app(settings.token)
    app.add_api(
        copy.deepcopy(spec),
        resolver=Resolver(function_resolver=handler_for),
        strict_validation=True,
        validate_responses=settings.validate_responses,
    )
    # The mock's own features: their own document, routed and validated the same way.
    app.add_api(
        control,
        resolver=Resolver(function_resolver=control_handler),
        strict_validation=True,
        validate_responses=settings.validate_responses,
    )
    app.app.extensions[clients.STORE_KEY] = kept.store
    app.app.extensions[CONTROL_KEY] = control
    app.app.extensions[DEGRADED_KEY] = kept.degraded
    app.app.extensions[RELOAD_KEY] = kept.reload
    serve_on_the_loop(
        app,
        # Inline unless a write waits for its flush to disk.
        writes_inline=settings.in_memory or settings.durability != "disk",
        write_threads=None if settings.durability == "disk" else 1,
        lock_timeout=settings.lock_timeout,
    )
    app.add_middleware(SessionHeader, MiddlewarePosition.BEFORE_ROUTING)
    # The page at /__mock/ and its files: inside the error table, so a missing file is a problem.
    app.add_middleware(
        Dashboard, MiddlewarePosition.BEFORE_ROUTING, base_path=control["servers"][0]["url"]
    )
    app.add_middleware(RouteGuard, MiddlewarePosition.BEFORE_SECURITY, paths=ContractPaths(spec))
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
    add_scenarios(app, kept.scenarios)
    problems.register(app, spec, control)
    return app


def flask_app(token: str | None) -> FlaskApp:
    """Connexion's FlaskApp as the mock configures it, before any API is added (the bench's
    Connexion floor starts from it too)."""
    use_fast_content_type()
    remember_media_types()
    check_each_document_once()
    app = FlaskApp(
        __name__,
        middlewares=with_docs_routes_first_glance(ConnexionMiddleware.default_middlewares),
        security_map={"bearer": bearer_handler(token)},
        # Compact, by orjson: Connexion's default indent=2 forces json's pure-Python encoder.
        jsonifier=OrjsonJsonifier(),
        validator_map=VALIDATOR_MAP,
    )
    app.app.json = OrjsonProvider(app.app)
    app.app.request_class = ParsedBodyRequest  # the body the guard parsed, not parsed again
    return app


def add_scenarios(app: FlaskApp, scenarios: Scenarios) -> None:
    """Rules, Prefer, latency and the request journal; the journal inside CORS, so a preflight
    is not an API request, and outside the error handling, so it sees every answer."""
    app.app.extensions[SCENARIOS_KEY] = scenarios
    app.add_middleware(RequestJournal, MiddlewarePosition.BEFORE_EXCEPTION, scenarios=scenarios)
    app.add_middleware(ScenarioRules, MiddlewarePosition.BEFORE_CONTEXT, scenarios=scenarios)
    app.add_middleware(ControlWaits, MiddlewarePosition.BEFORE_CONTEXT, scenarios=scenarios)


def open_store(settings: Settings, spec: dict[str, Any] | None = None) -> ClientStore:
    """The store the settings name, seeded from the fixtures when new or when asked to reset."""
    path = None if settings.in_memory else settings.db
    counts = load_job_counts(Path(settings.fixtures))
    if settings.max_sessions < 0 or settings.session_ttl < 0:
        raise SettingsError("--max-sessions and --session-ttl cannot be negative")
    limits = Limits(max_sessions=settings.max_sessions, ttl=settings.session_ttl)
    return ClientStore.open(
        path,
        seed_from(settings, spec),
        counts,
        settings.reset,
        limits,
        durability=settings.durability,
        compact_after=settings.compact_after,
    )


def seed_from(
    settings: Settings, spec: dict[str, Any] | None = None
) -> Callable[[], list[dict[str, Any]]]:
    contract = load_spec(settings.spec) if spec is None else spec
    return partial(load_clients, Path(settings.fixtures), contract)


def handler_for(operation_id: str) -> Callable[..., Any]:
    """`listClients` -> api.clients.list_clients."""
    return getattr(clients, re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower())
