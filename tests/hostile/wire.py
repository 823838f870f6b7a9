"""Exact requests on the wire: raw paths, raw bytes, repeated headers, chunked bodies."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

Header = tuple[str, str | bytes]


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes
    error: str | None = None  # set when the connection failed before a response arrived

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        # parse_constant refuses NaN/Infinity: the mock must answer with strict JSON.
        return json.loads(self.body, parse_constant=_refuse_constant)


def send(
    base_url: str,
    method: str,
    path: str,
    headers: Sequence[Header] = (),
    body: bytes | Iterable[bytes] | None = None,
    timeout: float = 30.0,
) -> RawResponse:
    """Send one request exactly as given; a bytes body gets a Content-Length, an iterable is
    sent chunked (no Content-Length, so a size limit cannot rely on the header)."""
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=timeout)
    try:
        return _exchange(connection, method, path, headers, body)
    finally:
        connection.close()


def _exchange(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    headers: Sequence[Header],
    body: bytes | Iterable[bytes] | None,
) -> RawResponse:
    connection.putrequest(method, path, skip_accept_encoding=True)
    for name, value in headers:
        connection.putheader(name, value)
    chunked = body is not None and not isinstance(body, bytes)
    if isinstance(body, bytes):
        connection.putheader("Content-Length", str(len(body)))
    elif chunked:
        connection.putheader("Transfer-Encoding", "chunked")
    try:
        connection.endheaders(body, encode_chunked=chunked)
    except OSError as error:
        # The server may answer (413) and close before reading a large body: the answer can
        # still be waiting in our receive buffer, so try to read it before giving up.
        return _read_after_send_error(connection, error)
    return _read(connection)


def _read(connection: http.client.HTTPConnection) -> RawResponse:
    response = connection.getresponse()
    headers: dict[str, str] = {}
    for name, value in response.getheaders():
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return RawResponse(response.status, headers, response.read())


def _read_after_send_error(connection: http.client.HTTPConnection, error: OSError) -> RawResponse:
    try:
        return _read(connection)
    except (OSError, http.client.HTTPException) as second:
        detail = f"sending failed ({error!r}) and no response could be read ({second!r})"
        return RawResponse(0, {}, b"", error=detail)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name} in a response")
