"""The control API's waits, spent on the event loop: a long poll of the journal's live feed
(`GET .../requests/feed?wait=`) and a verification that may wait until it holds (`wait` in the
body of `POST .../verify`).

Handlers run on the event loop and must not wait there (http/bridge.py), and a thread per
waiting dashboard would hold the bridge's pool. So this middleware, after validation, sleeps
asynchronously, looking at the journal's cheap version (a file's size and mtime) every
`POLL_S`, and lets the request through to its handler once there is something to say or the
wait is over; the handler then answers from the journal as it is.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import parse_qs

from connexion.middleware.routing import ROUTING_CONTEXT
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.control.verification import run
from mockserver.http.bridge import read_body
from mockserver.scenarios.engine import Scenarios

FEED = "mockserver.control.requests.followRequests"
VERIFY = "mockserver.control.verification.verifyRequests"
POLL_S = 0.05


class ControlWaits:
    def __init__(self, app: ASGIApp, scenarios: Scenarios) -> None:
        self.app = app
        self.scenarios = scenarios

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routing = scope.get("extensions", {}).get(ROUTING_CONTEXT) or {}
        operation = routing.get("operation_id")
        if scope["type"] != "http" or operation not in (FEED, VERIFY):
            await self.app(scope, receive, send)
            return
        session = scope["path_params"]["name"]
        body = await read_body(receive)
        if operation == FEED:
            query = parse_qs(scope["query_string"].decode("latin-1"))
            after = query.get("after", [None])[0]
            wait = float(query.get("wait", ["0"])[0])
            # Any change of the journal after that is news: its handler reads it.
            ready, again = partial(self._fed, session, after), _always
        else:
            asked = json.loads(body)
            wait = float(asked.get("wait", 0))
            ready = again = partial(self._held, session, asked)
        await self._until(session, wait, ready, again, receive)
        await self.app(scope, _replay(body, receive), send)

    async def _until(
        self,
        session: str,
        wait: float,
        ready: Callable[[], bool],
        again: Callable[[], bool],
        receive: Receive,
    ) -> None:
        """Return once `ready()`, then `again()` each time the session's journal changed, says
        so, after `wait` seconds, or once the client is gone (a closed tab)."""
        if wait <= 0 or ready():
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        seen = self.scenarios.journal.version(session)
        gone = asyncio.ensure_future(receive())  # the body is read: only a disconnect is left
        try:
            while loop.time() < deadline and not gone.done():
                await asyncio.sleep(min(POLL_S, max(0.0, deadline - loop.time())))
                version = self.scenarios.journal.version(session)
                if version != seen:
                    seen = version
                    if again():
                        return
        finally:
            gone.cancel()

    def _fed(self, session: str, after: str | None) -> bool:
        entries, found = self.scenarios.journal.after(session, after)
        return bool(entries) or (after is not None and not found)

    def _held(self, session: str, asked: dict[str, Any]) -> bool:
        return bool(run(self.scenarios, session, asked)["held"])


def _always() -> bool:
    return True


def _replay(body: bytes, receive: Receive) -> Receive:
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
