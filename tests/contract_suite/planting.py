"""Plant a defect in front of any ASGI app: a function from request to response.

A defect sees each HTTP request as an `httpx.Request` and a `forward` coroutine that sends a
request to the real app; it may rewrite the request, the response, or make extra requests.
It knows nothing about how the app is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

ORIGIN = "http://testserver"
Forward = Callable[[httpx.Request], Awaitable[httpx.Response]]
Defect = Callable[[httpx.Request, Forward], Awaitable[httpx.Response]]
FRAMING_HEADERS = {"content-length", "transfer-encoding", "content-encoding"}
ITEM_PATH = re.compile(r".*/api/v1/clients/[^/]+")


class Planted:
    """An ASGI app: `app` with `defect` in front of its HTTP traffic."""

    def __init__(self, app: Any, defect: Defect) -> None:
        self.app = app
        self.defect = defect

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = await read_request(scope, receive)
        response = await self.defect(request, self.forward)
        await write_response(response, send)

    async def forward(self, request: httpx.Request) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as client:
            return await client.send(request)


async def read_request(scope: Any, receive: Any) -> httpx.Request:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
    query = scope.get("query_string", b"").decode("latin-1")
    url = ORIGIN + path + (f"?{query}" if query else "")
    headers = [
        (name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]
    ]
    return httpx.Request(scope["method"], url, headers=headers, content=body)


async def write_response(response: httpx.Response, send: Any) -> None:
    body = response.content
    headers = [
        (name.encode("latin-1"), value.encode("latin-1"))
        for name, value in response.headers.multi_items()
        if name.lower() not in FRAMING_HEADERS
    ]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def with_request_json(request: httpx.Request, body: Any) -> httpx.Request:
    headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() not in FRAMING_HEADERS]
    return httpx.Request(request.method, request.url, headers=headers, content=json.dumps(body))


def with_response_json(response: httpx.Response, document: Any) -> httpx.Response:
    headers = [
        (k, v) for k, v in response.headers.multi_items() if k.lower() not in FRAMING_HEADERS
    ]
    return httpx.Response(response.status_code, headers=headers, content=json.dumps(document))


def with_params(request: httpx.Request, **changes: str | None) -> httpx.Request:
    """The request with query parameters replaced (None removes one)."""
    params = {key: value for key, value in request.url.params.items() if key not in changes}
    params.update({key: value for key, value in changes.items() if value is not None})
    return httpx.Request(
        request.method,
        request.url.copy_with(params=params),
        headers=request.headers,
        content=request.content,
    )


def is_list(request: httpx.Request) -> bool:
    return request.method == "GET" and request.url.path.endswith("/api/v1/clients")


def is_create(request: httpx.Request) -> bool:
    return request.method == "POST" and request.url.path.endswith("/api/v1/clients")


def is_item(request: httpx.Request, method: str) -> bool:
    return request.method == method and bool(ITEM_PATH.fullmatch(request.url.path))


def filter_hits(response: httpx.Response, keep: Any) -> httpx.Response:
    """Drop the list hits `keep` rejects, and count them out of the total."""
    page = response.json()
    kept = [client for client in page["data"] if keep(client)]
    page["meta"]["total"] -= len(page["data"]) - len(kept)
    return with_response_json(response, {**page, "data": kept})


def auth_of(request: httpx.Request) -> dict[str, str]:
    return {"Authorization": request.headers.get("authorization", "")}


def request_json(request: httpx.Request) -> Any:
    try:
        return json.loads(request.content)
    except ValueError:
        return None


async def all_clients(request: httpx.Request, forward: Forward) -> list[dict[str, Any]]:
    """Every client the app holds, unfiltered, in its own order."""
    items: list[dict[str, Any]] = []
    while True:
        url = request.url.copy_with(params={"limit": "100", "offset": str(len(items))})
        page = (await forward(httpx.Request("GET", url, headers=auth_of(request)))).json()
        items += page["data"]
        if not page["data"] or len(items) >= page["meta"]["total"]:
            return items


async def relist(request: httpx.Request, forward: Forward, keep: Any) -> httpx.Response:
    """Answer a valid list request from all clients filtered by `keep(client, params)`,
    paged as asked: a list whose filters are rewritten."""
    response = await forward(request)
    if not (is_list(request) and response.status_code == 200):
        return response
    page = response.json()
    limit, offset = page["meta"]["limit"], page["meta"]["offset"]
    hits = [c for c in await all_clients(request, forward) if keep(c, request.url.params)]
    meta = {**page["meta"], "total": len(hits)}
    return with_response_json(response, {"data": hits[offset : offset + limit], "meta": meta})


def problem(status: int, title: str) -> httpx.Response:
    document = {"type": "about:blank", "title": title, "status": status, "detail": "planted"}
    return httpx.Response(
        status, json=document, headers={"Content-Type": "application/problem+json"}
    )
