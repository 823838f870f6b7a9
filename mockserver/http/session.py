"""`X-Mock-Session: <name>`: which isolated dataset a request uses (no header: `default`).

The header is checked before anything else, so a bad name is one clear 400 naming the header,
whatever the request. Handlers read the name with `session_name(headers)`; ASGI middlewares with
`session_of_scope(scope)`. With `--log-level debug`, each request gets a log line naming its
session.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from typing import Any

from connexion.exceptions import ProblemException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Mock-Session"
DEFAULT = "default"
NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
requests_log = logging.getLogger("mockserver.requests")


def session_name(headers: Mapping[str, str] | Any) -> str:
    """The session a request asks for; call it on a request the middleware has let through."""
    return headers.get(HEADER) or DEFAULT


def session_of_scope(scope: Scope) -> str:
    return session_name(Headers(scope=scope))


class SessionHeader:
    """Refuses a malformed or repeated `X-Mock-Session` header with a problem naming it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            values = Headers(scope=scope).getlist(HEADER)
            if len(values) > 1:
                raise _bad_header(f"Send one {HEADER} header, not {len(values)}")
            if values and not NAME.fullmatch(values[0]):
                raise _bad_header(
                    f"{HEADER} must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' and '-'"
                )
            if requests_log.isEnabledFor(logging.DEBUG):
                await self._logged(scope, receive, send, values[0] if values else DEFAULT)
                return
        await self.app(scope, receive, send)

    async def _logged(self, scope: Scope, receive: Receive, send: Send, session: str) -> None:
        started, status = time.perf_counter(), 0

        async def watching(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watching)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            path = scope["path"] + (
                "?" + scope["query_string"].decode("latin-1") if scope["query_string"] else ""
            )
            requests_log.debug(
                "%s %s %s %.1f ms session=%s",
                scope["method"],
                path,
                status or "-",
                elapsed,
                session,
            )


def _bad_header(detail: str) -> ProblemException:
    return ProblemException(status=400, title="Bad Request", detail=detail)
