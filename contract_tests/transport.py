"""The suite's way to a URL, for both HTTP stacks it uses (httpx for its own checks, requests
under Schemathesis): reads settle (settling.py) over tokens refreshed on 401 (tokens.py) over
throttling waited out (pacing.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from requests.adapters import HTTPAdapter

from contract_tests.pacing import Pacing
from contract_tests.settling import Exchange, Settling
from contract_tests.tokens import TokenSource, send_with_token


@dataclass
class Layers:
    pacing: Pacing
    settling: Settling
    tokens: TokenSource | None = None


class SuiteTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, layers: Layers) -> None:
        self.inner = inner
        self.layers = layers

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        def paced() -> httpx.Response:
            return self.layers.pacing.send(
                lambda: self.inner.handle_request(request),
                lambda r: r.status_code,
                lambda r: r.headers.get("retry-after"),
                discard,
            )

        def authorized() -> httpx.Response:
            return send_with_token(
                self.layers.tokens,
                paced,
                lambda: request.headers.get("authorization"),
                lambda value: request.headers.__setitem__("Authorization", value),
                lambda r: r.status_code,
                discard,
            )

        def read(response: httpx.Response) -> Exchange:
            response.read()
            return Exchange(
                request.method, str(request.url), response.status_code, response.content
            )

        return self.layers.settling.send(authorized, read, mark_unsettled)

    def close(self) -> None:
        self.inner.close()


def mark_unsettled(response: httpx.Response, seconds: float) -> None:
    """For the failure message (expect.explain): this read disagrees with a write acknowledged
    `seconds` ago, beyond --settle."""
    response.extensions["unsettled_after"] = seconds


def discard(response: httpx.Response) -> None:
    response.read()
    response.close()


class SuiteAdapter(HTTPAdapter):
    """requests adapter (Schemathesis' transport) with the same layers."""

    def __init__(self, layers: Layers) -> None:
        super().__init__()
        self.layers = layers

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        def paced() -> Any:
            return self.layers.pacing.send(
                lambda: super(SuiteAdapter, self).send(request, *args, **kwargs),
                lambda r: r.status_code,
                lambda r: r.headers.get("retry-after"),
                lambda r: r.close(),
            )

        def authorized() -> Any:
            return send_with_token(
                self.layers.tokens,
                paced,
                lambda: request.headers.get("Authorization"),
                lambda value: request.headers.__setitem__("Authorization", value),
                lambda r: r.status_code,
                lambda r: r.close(),
            )

        def read(response: Any) -> Exchange:
            return Exchange(request.method, request.url, response.status_code, response.content)

        return self.layers.settling.send(authorized, read)
