"""Defects in validation: edges of fields, read-only and unknown fields, half-applied writes."""

from __future__ import annotations

from typing import Any

import httpx

from mockserver import SPEC_PATH
from mockserver.contract import load_spec
from tests.contract_suite.planting import (
    Defect,
    Forward,
    is_create,
    is_item,
    problem,
    request_json,
    with_request_json,
)

_SCHEMAS = load_spec(str(SPEC_PATH))["components"]["schemas"]
# From the contract, so a field added there is known here too.
WRITABLE = set(_SCHEMAS["ClientCreate"]["properties"])
READ_ONLY = set(_SCHEMAS["Client"]["properties"]) - WRITABLE


async def rewrite_body(request: httpx.Request, forward: Forward, change: Any) -> httpx.Response:
    """Forward a POST/PUT with its JSON object body rewritten by `change(body)`."""
    body = request_json(request) if request.method in ("POST", "PUT") else None
    if isinstance(body, dict):
        request = with_request_json(request, change(dict(body)))
    return await forward(request)


async def null_name_ignored_on_update(request: httpx.Request, forward: Forward) -> httpx.Response:
    def drop(body: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in body.items() if not (k == "name" and v is None)}

    return await rewrite_body(request, forward, drop)


async def read_only_fields_ignored(request: httpx.Request, forward: Forward) -> httpx.Response:
    return await rewrite_body(
        request, forward, lambda body: {k: v for k, v in body.items() if k not in READ_ONLY}
    )


async def unknown_fields_ignored(request: httpx.Request, forward: Forward) -> httpx.Response:
    return await rewrite_body(
        request, forward, lambda b: {k: v for k, v in b.items() if k in WRITABLE | READ_ONLY}
    )


async def long_phone_truncated(request: httpx.Request, forward: Forward) -> httpx.Response:
    def cut(body: dict[str, Any]) -> dict[str, Any]:
        if isinstance(body.get("phone"), str):
            body["phone"] = body["phone"][:50]
        return body

    return await rewrite_body(request, forward, cut)


async def long_name_truncated(request: httpx.Request, forward: Forward) -> httpx.Response:
    def cut(body: dict[str, Any]) -> dict[str, Any]:
        if isinstance(body.get("name"), str):
            body["name"] = body["name"][:255]
        return body

    return await rewrite_body(request, forward, cut)


async def empty_name_replaced(request: httpx.Request, forward: Forward) -> httpx.Response:
    return await rewrite_body(
        request, forward, lambda b: {**b, "name": "unnamed"} if b.get("name") == "" else b
    )


async def unknown_status_dropped(request: httpx.Request, forward: Forward) -> httpx.Response:
    def drop(body: dict[str, Any]) -> dict[str, Any]:
        if body.get("status") not in ("active", "inactive", None):
            del body["status"]
        return body

    return await rewrite_body(request, forward, drop)


async def null_tags_mean_empty(request: httpx.Request, forward: Forward) -> httpx.Response:
    return await rewrite_body(
        request, forward, lambda b: {**b, "tags": []} if "tags" in b and b["tags"] is None else b
    )


async def name_255_refused(request: httpx.Request, forward: Forward) -> httpx.Response:
    body = request_json(request) if request.method in ("POST", "PUT") else None
    if isinstance(body, dict) and len(str(body.get("name", ""))) >= 255:
        return problem(400, "Name too long")
    return await forward(request)


async def refused_update_half_applied(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if is_item(request, "PUT") and response.status_code == 400:
        half = with_request_json(request, {"notes": "half-applied"})
        await forward(half)
    return response


async def refused_create_stored(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    body = request_json(request) if is_create(request) else None
    if response.status_code == 400 and isinstance(body, dict):
        name = body.get("name")
        if isinstance(name, str) and 0 < len(name) <= 255:
            await forward(with_request_json(request, {"name": name}))
    return response


DEFECTS: tuple[Defect, ...] = (
    null_name_ignored_on_update,
    read_only_fields_ignored,
    unknown_fields_ignored,
    long_phone_truncated,
    long_name_truncated,
    empty_name_replaced,
    unknown_status_dropped,
    null_tags_mean_empty,
    name_255_refused,
    refused_update_half_applied,
    refused_create_stored,
)
