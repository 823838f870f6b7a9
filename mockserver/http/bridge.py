"""Serve Flask from ASGI with one thread hand-off per request.

a2wsgi's WSGIMiddleware, which Connexion's FlaskApp uses, streams: a request crosses between the
event loop and its thread pool about four times, measured as ~60% of a request's cost here
(bench/RESULTS.md). A body is at most 1 MiB (the guard enforces it before this point) and
an answer is one small JSON document, so reading the body first and buffering the answer costs
nothing and leaves one crossing, or none for a read. a2wsgi still builds the WSGI environ.
"""

from __future__ import annotations

import io
from typing import Any

import anyio.to_thread
from a2wsgi.wsgi import build_environ
from starlette.types import ASGIApp, Receive, Scope, Send

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
# Reads never wait on the disk (a write's fsync happens outside the store lock), so they run on
# the event loop without any hand-off (~20% less per request here). A write can wait: for an
# fdatasync (durability "disk") or for the file lock another worker holds (and may hold while
# the scheduler runs something else). Then it goes to a thread, so the wait never stalls the
# loop; in one process at durability "os" nothing makes it wait, and it too runs inline, which
# also spares it the GIL hand-offs between loop and thread (see bench/RESULTS.md).
INLINE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class OneHopWSGI:
    def __init__(self, wsgi_app: Any, other_scopes: ASGIApp, writes_inline: bool = False) -> None:
        self.wsgi_app = wsgi_app
        self.other_scopes = other_scopes  # lifespan and anything else that is not HTTP
        self.writes_inline = writes_inline

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.other_scopes(scope, receive, send)
            return
        body = await _read_body(receive)
        if self.writes_inline or scope["method"] in INLINE_METHODS:
            status, headers, payload = self._call(scope, body)
        else:
            status, headers, payload = await anyio.to_thread.run_sync(self._call, scope, body)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    def _call(self, scope: Scope, body: bytes) -> Answer:
        started: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> None:
            started["status"] = int(status.split(" ", 1)[0])
            started["headers"] = [
                (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers
            ]

        chunks = self.wsgi_app(build_environ(scope, io.BytesIO(body)), start_response)  # type: ignore[arg-type]
        try:
            payload = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        return started["status"], started["headers"], payload


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)
