"""One HTTP exchange as recorded (by the proxy or in a HAR file), and its openapi-core views."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

# Never copied into logs or reports: CI artifacts are widely readable.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
BODY_PREVIEW_BYTES = 64 * 1024


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    url: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    def header(self, name: str) -> str | None:
        return Headers(self.headers).get(name)


@dataclass(frozen=True)
class RecordedResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


@dataclass(frozen=True)
class Exchange:
    request: RecordedRequest
    response: RecordedResponse | None = None

    def to_json(self) -> dict[str, Any]:
        """The exchange for a report: secrets redacted, long bodies cut."""
        recorded: dict[str, Any] = {"request": _message_json(self.request)}
        recorded["request"].update(method=self.request.method, url=self.request.url)
        if self.response is not None:
            recorded["response"] = _message_json(self.response)
            recorded["response"]["status"] = self.response.status
        return recorded


def _message_json(message: RecordedRequest | RecordedResponse) -> dict[str, Any]:
    headers = [
        [name, "<redacted>" if name.lower() in SECRET_HEADERS else value]
        for name, value in message.headers
    ]
    body = message.body[:BODY_PREVIEW_BYTES].decode("utf-8", "replace")
    return {"headers": headers, "body": body, "truncated": len(message.body) > len(body)}


class OpenAPIRequest:
    """A RecordedRequest seen through openapi-core's Request protocol."""

    def __init__(self, request: RecordedRequest) -> None:
        url = urlsplit(request.url)
        self.host_url = f"{url.scheme or 'http'}://{url.netloc or 'localhost'}"
        self.path = url.path
        self.method = request.method.lower()
        self.body: bytes | None = request.body or None
        headers = Headers(request.headers)
        self.content_type = headers.get("Content-Type", "")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(url.query, keep_blank_values=True)),
            header=headers,
        )


class OpenAPIResponse:
    """A RecordedResponse seen through openapi-core's Response protocol."""

    def __init__(self, response: RecordedResponse) -> None:
        self.status_code = response.status
        self.headers = Headers(response.headers)
        self.content_type = self.headers.get("Content-Type", "")
        self.data: bytes | None = response.body or None
