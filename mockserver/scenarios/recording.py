"""The request journal's middleware: what each API request was and how it was answered.

`RequestJournal` sits outside Connexion's exception handling, so it sees every answer as the
client gets it (400s and 401s included), and records API requests in the session's journal
before the last byte leaves. Control endpoints (`/__mock`) and the docs are not recorded.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from connexion.middleware.routing import ROUTING_CONTEXT
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.http.session import session_of_scope
from mockserver.scenarios import faults
from mockserver.scenarios.engine import Scenarios
from mockserver.scenarios.entries import BODY_CAP

EXCHANGE = "mockserver.exchange"
HEADER_CAP = 1000
URL_CAP = 4096  # path and query kept per entry (a hostile URL can be 64 KiB)
# As the validating proxy redacts them (its package loads openapi-core, which the mock does not).
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
SECRET_QUERY = re.compile(
    r"((?:^|&)(?:access_token|token|api_key|apikey|key|password|secret)=)[^&]*", re.I
)


@dataclass
class Exchange:
    """One API request on its way through, as the journal will record it."""

    session: str
    scope: Scope
    started: float
    received_ns: int
    transport: Any
    body: bytearray = field(default_factory=bytearray)
    body_size: int = 0
    status: int | None = None
    operation: str | None = None
    rule: str | None = None
    fault: str | None = None
    prefer: str | None = None  # the Preference-Applied of an answer Prefer chose
    problem: bytearray | None = None  # a problem answer's body, for its detail
    record: Callable[[], None] = lambda: None


class RequestJournal:
    def __init__(self, app: ASGIApp, scenarios: Scenarios) -> None:
        self.app = app
        self.scenarios = scenarios
        self.prefix = scenarios.base_path + "/"
        # Each entry's id, `<pid>.<n>` with n counting this process's entries of the session:
        # unique across workers, so a reader can go on after the last entry it saw (the live
        # feed), and a gap in n tells it how many entries it missed.
        self._counters: dict[str, itertools.count[int]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        scope = {**scope, "extensions": dict(scope.get("extensions") or {})}
        exchange = Exchange(
            session_of_scope(scope),
            scope,
            time.perf_counter(),
            time.time_ns(),
            faults.transport_of(receive),
        )
        exchange.record = lambda: self._record(exchange)
        scope[EXCHANGE] = exchange

        async def receive_body() -> Message:
            message = await receive()
            chunk = message.get("body", b"")
            exchange.body_size += len(chunk)
            if len(exchange.body) < BODY_CAP:
                exchange.body += chunk[: BODY_CAP - len(exchange.body)]
            return message

        async def send_recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                if _is_problem(message.get("headers", ())):
                    exchange.problem = bytearray()
            elif message["type"] == "http.response.body":
                if exchange.problem is not None and len(exchange.problem) < BODY_CAP:
                    exchange.problem += message.get("body", b"")[:BODY_CAP]
                if not message.get("more_body"):
                    exchange.record()
            await send(message)

        try:
            await self.app(scope, receive_body, send_recording)
        except Exception:
            exchange.status = exchange.status or 500
            exchange.record()
            raise

    def _record(self, exchange: Exchange) -> None:
        exchange.record = lambda: None  # once
        routing = exchange.scope["extensions"].get(ROUTING_CONTEXT) or {}
        if routing.get("api_base_path") != self.scenarios.base_path:
            return  # the docs, or a request refused before routing (a bad session name)
        counter = self._counters.setdefault(exchange.session, itertools.count(1))
        entry = _entry(exchange, routing)
        entry["i"] = f"{os.getpid()}.{next(counter)}"
        self.scenarios.journal.record(exchange.session, entry)


def _entry(exchange: Exchange, routing: dict[str, Any]) -> dict[str, Any]:
    """The entry as stored: short keys, raw values; `requests.shown` makes it readable later,
    so a request pays only for collecting it."""
    scope = exchange.scope
    query = scope["query_string"][:URL_CAP].decode("latin-1")
    return {
        "t": exchange.received_ns,
        "m": scope["method"],
        "p": scope["path"][:URL_CAP],
        "q": SECRET_QUERY.sub(r"\1<redacted>", query) if query else "",
        "o": exchange.operation or routing.get("operation_id"),
        "h": _headers(scope),
        "b": exchange.body.decode("utf-8", "replace"),
        "n": exchange.body_size,
        "s": exchange.status,
        "d": round((time.perf_counter() - exchange.started) * 1000, 3),
        "r": exchange.rule,
        "f": exchange.fault,
        "w": exchange.prefer,
        "x": _problem_detail(exchange.problem),
    }


def _is_problem(headers: Any) -> bool:
    return any(
        name.lower() == b"content-type" and value.startswith(b"application/problem+json")
        for name, value in headers
    )


def _problem_detail(body: bytearray | None) -> str | None:
    """Why the request was refused, as the problem document said (validation's message)."""
    if not body:
        return None
    try:
        problem = json.loads(body)
    except ValueError:
        return None
    if not isinstance(problem, dict):
        return None
    text = problem.get("detail") or problem.get("title")
    return str(text)[:HEADER_CAP] if text else None


def _headers(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1").lower()
        value = "<redacted>" if name in SECRET_HEADERS else raw_value.decode("latin-1")[:HEADER_CAP]
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers
