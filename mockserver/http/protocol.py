"""uvicorn's HTTP protocol: a problem document for what it cannot parse, an answer in one send.

- uvicorn refuses what httptools cannot parse (a URL over 65,535 bytes, a malformed request
  line) with a text/plain 400 before the app sees the request; the contract promises
  application/problem+json for every error.
- uvicorn writes an answer's status line and headers on `http.response.start` and its body on
  `http.response.body`: two sends, so two trips through the kernel's TCP stack (on loopback, the
  receiver's wake-up included) for one small answer. What one turn of the event loop writes to a
  connection goes out as one send instead, at the end of that turn (`OneSendTransport`).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

PROBLEM = {
    "type": "about:blank",
    "title": "Bad Request",
    "status": 400,
    "detail": "The request is not valid HTTP/1.1, or its URL is longer than 65,535 bytes",
}


class ProblemHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(OneSendTransport(transport, self.loop))  # type: ignore[arg-type]

    def send_400_response(self, msg: str) -> None:
        body = json.dumps(PROBLEM).encode()
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        head += [
            name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers
        ]
        head += [
            b"content-type: application/problem+json\r\n",
            b"content-length: " + str(len(body)).encode() + b"\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


class OneSendTransport:
    """A connection's transport whose writes within one turn of the event loop are joined and
    sent once, as the turn ends; everything else is the transport's own."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(data)

    def flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            if not self._transport.is_closing():  # the peer went meanwhile: uvicorn's rule too
                self._transport.write(data)

    def close(self) -> None:
        self.flush()  # what was written before a close goes out before the FIN
        self._transport.close()

    def abort(self) -> None:
        self._pending.clear()  # a reset sends nothing more
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
