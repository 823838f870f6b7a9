"""The API under test: the in-process mock (default), another ASGI app, or a URL."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import requests
from starlette.testclient import TestClient

from contract_tests.ledger import Ledger
from contract_tests.pacing import Pacing
from contract_tests.run import Options
from contract_tests.settling import Settling
from contract_tests.tokens import TokenSource
from contract_tests.transport import Layers, SuiteAdapter, SuiteTransport

IN_PROCESS_ORIGIN = "http://testserver"
IN_PROCESS_TOKEN = "contract-test-token"


@dataclass
class Target:
    """Where requests go. `app` is set for an in-process ASGI app, which can be reset."""

    api_url: str
    token: str
    http: httpx.Client
    app: Any = None
    extra_headers: dict[str, str] = field(default_factory=dict)
    session: requests.Session | None = None  # Schemathesis' transport to a URL
    transport_kwargs: dict[str, Any] = field(default_factory=dict)
    layers: Layers | None = None  # pacing, settling and token refresh, for a URL

    @property
    def auth(self) -> dict[str, str]:
        return {**self.extra_headers, "Authorization": f"Bearer {self.token}"}

    @property
    def in_process(self) -> bool:
        return self.app is not None

    def call_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for Schemathesis' `case.call` to reach this target."""
        if self.in_process:
            return {"app": self.app, "headers": self.auth}
        return {
            "base_url": self.api_url,
            "session": self.session,
            "headers": self.auth,
            **self.transport_kwargs,
        }

    def reset(self) -> None:
        """Back to the fixtures; only the in-process mock can promise that."""
        if self.in_process:
            response = self.http.post(IN_PROCESS_ORIGIN + "/__mock/reset", headers=self.auth)
            response.raise_for_status()

    def close(self) -> None:
        self.http.close()
        if self.session is not None:
            self.session.close()


def recording_hook(ledger: Ledger) -> Callable[[httpx.Response], None]:
    def record(response: httpx.Response) -> None:
        response.read()
        request = response.request
        ledger.observe(request.method, str(request.url), response.status_code, response.content)

    return record


def remote_target(
    api_url: str, token: str | None, options: Options, ledger: Ledger, token_command: str | None
) -> Target:
    """`token_command` (when given) supplies the token, and a new one when it expires."""
    api_url = api_url.rstrip("/")
    if not api_url.endswith("/api/v1"):
        raise ValueError(f"the base URL must end in /api/v1, got {api_url!r}")
    tokens = TokenSource(token_command) if token_command else None
    token = tokens.token if tokens else token
    if not token:
        raise ValueError("--base-url needs --token or --token-command (or CONTRACT_TOKEN)")
    verify: bool | str = False if options.insecure else (options.ca_bundle or True)
    layers = Layers(Pacing(options.max_rps, options.max_retries), Settling(options.settle), tokens)
    http = httpx.Client(
        transport=SuiteTransport(httpx.HTTPTransport(verify=verify), layers),
        timeout=options.timeout,
        event_hooks={"response": [recording_hook(ledger)]},
    )
    session = requests.Session()
    session.mount("http://", SuiteAdapter(layers))
    session.mount("https://", SuiteAdapter(layers))
    ledger.api_path = httpx.URL(api_url).path
    return Target(
        api_url,
        token,
        http,
        extra_headers=dict(options.headers),
        session=session,
        transport_kwargs={"timeout": options.timeout, "verify": verify},
        layers=layers,
    )


def in_process_target(app_factory: str | None, token: str | None, ledger: Ledger) -> Target:
    """`app_factory` is "module:function" returning an ASGI app; None means the mock."""
    app = load_factory(app_factory)() if app_factory else default_app()
    client = TestClient(app, base_url=IN_PROCESS_ORIGIN)
    client.event_hooks["response"] = [recording_hook(ledger)]
    return Target(IN_PROCESS_ORIGIN + "/api/v1", token or IN_PROCESS_TOKEN, client, app)


def default_app() -> Any:
    from mockserver.app import create_app

    return create_app(db=":memory:", validate_responses=True)


def load_factory(spec: str) -> Callable[[], Any]:
    module_name, _, attribute = spec.partition(":")
    factory: Callable[[], Any] = getattr(importlib.import_module(module_name), attribute)
    return factory
