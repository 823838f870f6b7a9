"""The scenarios in the request path: `ScenarioRules`, an ASGI middleware after Connexion's
routing, authentication and validation, just before the handler: there it applies `--latency`,
the session's first rule that fires and `Prefer`. Injected answers therefore only ever answer
requests the contract accepts, and never reach the store. Control endpoints (`/__mock`) and the
docs pass untouched. What a request was is recorded by `recording.RequestJournal`.
"""

from __future__ import annotations

import asyncio
import random

from connexion.exceptions import ProblemException
from connexion.middleware.routing import ROUTING_CONTEXT
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.http.session import session_of_scope
from mockserver.scenarios import faults
from mockserver.scenarios.answers import Answer, Undeclared
from mockserver.scenarios.engine import Scenarios
from mockserver.scenarios.prefer import PreferError, parse_prefer
from mockserver.scenarios.recording import EXCHANGE, Exchange
from mockserver.scenarios.rules import Rule, delay_seconds


class ScenarioRules:
    def __init__(self, app: ASGIApp, scenarios: Scenarios) -> None:
        self.app = app
        self.scenarios = scenarios

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routing = scope.get("extensions", {}).get(ROUTING_CONTEXT) or {}
        operation_id = routing.get("operation_id")
        if (
            scope["type"] != "http"
            or routing.get("api_base_path") != self.scenarios.base_path
            or operation_id not in self.scenarios.catalog.operations
        ):
            await self.app(scope, receive, send)
            return
        exchange: Exchange | None = scope.get(EXCHANGE)
        session = exchange.session if exchange else session_of_scope(scope)
        if exchange is not None:
            exchange.operation = operation_id
        if self.scenarios.latency is not None:
            await asyncio.sleep(random.uniform(*self.scenarios.latency) / 1000)
        rule = self.scenarios.rules.fire(session, operation_id)
        if rule is not None and await self._apply(rule, operation_id, exchange, receive, send):
            return
        answer = self._preferred(scope, operation_id)
        if answer is not None:
            await _send(answer, send)
            return
        await self.app(scope, receive, send)

    async def _apply(
        self,
        rule: Rule,
        operation_id: str,
        exchange: Exchange | None,
        receive: Receive,
        send: Send,
    ) -> bool:
        """Apply the rule; True when it answered (or dropped) the request itself."""
        if exchange is not None:
            exchange.rule = rule["id"]
        if "delay_ms" in rule:
            await asyncio.sleep(delay_seconds(rule))
        fault = rule.get("fault")
        if fault is not None:
            transport = exchange.transport if exchange else None
            if exchange is not None:
                exchange.fault = fault
                exchange.record()  # now: the client may ask for the journal as soon as it gives up
            if fault == "reset":
                await faults.reset(transport)
            else:
                await faults.hang(receive, transport)
            return True
        if "status" not in rule:
            return False
        catalog = self.scenarios.catalog
        status = rule["status"]
        if status in catalog.operations[operation_id].responses:
            answer = catalog.answer(operation_id, status)
        else:
            answer = catalog.outside(
                operation_id, status, f"Injected by the mock rule {rule['id']}"
            )
        answer.headers.append((b"x-mock-rule", rule["id"].encode()))
        await _send(answer, send)
        return True

    def _preferred(self, scope: Scope, operation_id: str) -> Answer | None:
        values = [v.decode("latin-1") for k, v in scope["headers"] if k.lower() == b"prefer"]
        if not values:
            return None
        try:
            preference = parse_prefer(values)
            if not preference.wanted:
                return None
            operation = self.scenarios.catalog.operations[operation_id]
            status = preference.code or min(
                (code for code in operation.responses if 200 <= code < 300), default=200
            )
            answer = self.scenarios.catalog.answer(
                operation_id, status, preference.example, preference.dynamic
            )
        except (PreferError, Undeclared) as error:
            message = str(error) if isinstance(error, PreferError) else f"Prefer: {error}"
            raise ProblemException(status=400, title="Bad Request", detail=message) from None
        answer.headers.append((b"preference-applied", preference.applied().encode()))
        exchange: Exchange | None = scope.get(EXCHANGE)
        if exchange is not None:
            exchange.prefer = preference.applied()
        return answer


async def _send(answer: Answer, send: Send) -> None:
    headers = [*answer.headers, (b"content-length", str(len(answer.body)).encode())]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
