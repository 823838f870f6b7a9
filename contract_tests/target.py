"""The API under test: the in-process mock (default), another ASGI app, or a URL."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.testclient import TestClient

IN_PROCESS_ORIGIN = "http://testserver"
IN_PROCESS_TOKEN = "contract-test-token"
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Target:
    """Where requests go. `app` is set for an in-process ASGI app, which can be reset."""

    api_url: str
    token: str
    http: httpx.Client
    app: Any = None

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def in_process(self) -> bool:
        return self.app is not None

    def call_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for Schemathesis' `case.call_and_validate` to reach this target."""
        where = {"app": self.app} if self.in_process else {"base_url": self.api_url}
        return {**where, "headers": self.auth}

    def reset(self) -> None:
        """Back to the fixtures; only the in-process mock can promise that."""
        if self.in_process:
            response = self.http.post(IN_PROCESS_ORIGIN + "/__mock/reset", headers=self.auth)
            response.raise_for_status()

    def close(self) -> None:
        self.http.close()


def remote_target(api_url: str, token: str) -> Target:
    api_url = api_url.rstrip("/")
    if not api_url.endswith("/api/v1"):
        raise ValueError(f"the base URL must end in /api/v1, got {api_url!r}")
    return Target(api_url, token, httpx.Client(timeout=TIMEOUT_SECONDS))


def in_process_target(app_factory: str | None, token: str | None) -> Target:
    """`app_factory` is "module:function" returning an ASGI app; None means the mock."""
    app = load_factory(app_factory)() if app_factory else default_app()
    client = TestClient(app, base_url=IN_PROCESS_ORIGIN)
    return Target(IN_PROCESS_ORIGIN + "/api/v1", token or IN_PROCESS_TOKEN, client, app)


def default_app() -> Any:
    from mockserver.app import create_app

    return create_app(db=":memory:", validate_responses=True)


def load_factory(spec: str) -> Callable[[], Any]:
    module_name, _, attribute = spec.partition(":")
    factory: Callable[[], Any] = getattr(importlib.import_module(module_name), attribute)
    return factory
