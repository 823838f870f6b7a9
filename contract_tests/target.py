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
from contract_tests.pacing import PacedAdapter, PacedTransport, Pacing
from contract_tests.run import Options

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


def remote_target(api_url: str, token: str, options: Options, ledger: Ledger) -> Target:
    api_url = api_url.rstrip("/")
    if not api_url.endswith("/api/v1"):
        raise ValueError(f"the base URL must end in /api/v1, got {api_url!r}")
    verify: bool | str = False if options.insecure else (options.ca_bundle or True)
    pacing = Pacing(options.max_rps, options.max_retries)
    http = httpx.Client(
        transport=PacedTransport(httpx.HTTPTransport(verify=verify), pacing),
        timeout=options.timeout,
        event_hooks={"response": [recording_hook(ledger)]},
    )
    session = requests.Session()
    session.mount("http://", PacedAdapter(pacing))
    session.mount("https://", PacedAdapter(pacing))
    ledger.api_path = httpx.URL(api_url).path
    return Target(
        api_url,
        token,
        http,
        extra_headers=dict(options.headers),
        session=session,
        transport_kwargs={"timeout": options.timeout, "verify": verify},
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
