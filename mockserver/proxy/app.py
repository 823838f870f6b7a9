"""The validating proxy: forwards to the upstream unchanged and checks both sides of every
exchange under the API's base path against the contract."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mockserver.proxy.exchange import Exchange, RecordedRequest, RecordedResponse
from mockserver.proxy.report import ViolationLog, write_report
from mockserver.proxy.settings import ProxySettings
from mockserver.proxy.validation import ContractChecker

logger = logging.getLogger("mockserver.proxy")

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding"}
    | {"upgrade", "proxy-authenticate"}
)
# Recomputed here: httpx hands over the decoded body, whatever the upstream compressed.
REWRITTEN = frozenset({"host", "content-length", "content-encoding"})
VIOLATIONS_HEADER = "X-Contract-Violations"
PROBLEM = "application/problem+json"


def create_proxy_app(settings: ProxySettings) -> Starlette:
    checker = ContractChecker(settings.spec)
    log = ViolationLog()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        timeout = httpx.Timeout(settings.timeout, connect=min(settings.timeout, 5.0))
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            app.state.upstream = client
            yield
        if settings.report:
            json_path, xml_path = write_report(log, settings.report)
            logger.info("contract report: %s, %s (%d violations)", json_path, xml_path, log.total)

    async def forward(request: Request) -> Response:
        recorded = await _record(request)
        client = request.app.state.upstream
        try:
            # httpx bounds each phase; this bounds the whole exchange (think of a slow drip).
            with anyio.fail_after(settings.timeout):
                answer = await _send(client, settings.upstream, request, recorded)
        except (httpx.TimeoutException, TimeoutError):
            detail = f"The upstream {settings.upstream} did not answer within {settings.timeout} s"
            return _problem(504, "Gateway Timeout", detail)
        except httpx.HTTPError as error:
            detail = f"The upstream {settings.upstream} failed: {type(error).__name__}: {error}"
            return _problem(502, "Bad Gateway", detail)
        exchange = Exchange(recorded, answer)
        if not checker.covers(recorded):
            return _response(answer, violations=None)
        checked = await run_in_threadpool(checker.check, exchange)
        log.add(exchange, checked)
        for violation in checked.violations:
            logger.warning("contract violation: %s", violation.line)
        broken = [v.line for v in checked.violations if v.side == "response"]
        if settings.strict and broken:
            return _strict_problem(answer, broken, len(checked.violations))
        return _response(answer, violations=len(checked.violations))

    async def list_violations(request: Request) -> Response:
        return JSONResponse(log.to_json())

    async def clear_violations(request: Request) -> Response:
        log.clear()
        return Response(status_code=204)

    routes = [
        Route("/__mock/violations", list_violations, methods=["GET"]),
        Route("/__mock/violations", clear_violations, methods=["DELETE"]),
        Route("/{path:path}", forward, methods=METHODS),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


async def _record(request: Request) -> RecordedRequest:
    return RecordedRequest(
        method=request.method,
        url=str(request.url),
        headers=[(name, value) for name, value in request.headers.items()],
        body=await request.body(),
    )


async def _send(
    client: httpx.AsyncClient, upstream: str, request: Request, recorded: RecordedRequest
) -> RecordedResponse:
    # raw_path keeps the client's percent-encoding exactly as sent.
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    url = upstream.rstrip("/") + raw_path.decode("latin-1")
    if request.url.query:
        url += "?" + request.url.query
    headers = [(k, v) for k, v in recorded.headers if k.lower() not in HOP_BY_HOP | REWRITTEN]
    upstream_response = await client.request(
        recorded.method, url, headers=headers, content=recorded.body
    )
    return RecordedResponse(
        status=upstream_response.status_code,
        headers=[
            (name, value)
            for name, value in upstream_response.headers.multi_items()
            if name.lower() not in HOP_BY_HOP | REWRITTEN
        ],
        body=upstream_response.content,
    )


def _response(answer: RecordedResponse, violations: int | None) -> Response:
    response = Response(content=answer.body, status_code=answer.status)
    headers = list(answer.headers)
    if violations is not None:
        headers = [*_exposing_violations(headers), (VIOLATIONS_HEADER, str(violations))]
    if answer.status not in (204, 304):
        headers.append(("content-length", str(len(answer.body))))
    response.raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    return response


def _problem_json(status: int, title: str, detail: str, **extra: Any) -> bytes:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return json.dumps(body).encode()


def _problem(status: int, title: str, detail: str) -> Response:
    return Response(_problem_json(status, title, detail), status_code=status, media_type=PROBLEM)


def _exposing_violations(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A cross-origin frontend can read the count only if CORS exposes it."""
    if not any(name.lower() == "access-control-allow-origin" for name, _ in headers):
        return headers
    exposed = [value for name, value in headers if name.lower() == "access-control-expose-headers"]
    others = [(n, v) for n, v in headers if n.lower() != "access-control-expose-headers"]
    return [*others, ("Access-Control-Expose-Headers", ", ".join([*exposed, VIOLATIONS_HEADER]))]


def _strict_problem(answer: RecordedResponse, broken: list[str], count: int) -> Response:
    detail = "The upstream's response breaks the contract: " + "; ".join(broken)
    problem = _problem_json(502, "Bad Gateway", detail, violations=broken)
    # The upstream's CORS headers stay, or a browser would show a CORS error instead.
    cors = [(n, v) for n, v in answer.headers if n.lower().startswith("access-control-")]
    cors += [("Vary", v) for n, v in answer.headers if n.lower() == "vary"]
    strict = RecordedResponse(502, [*cors, ("Content-Type", PROBLEM)], problem)
    return _response(strict, violations=count)
