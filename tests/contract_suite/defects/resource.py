"""Defects in create and update."""

from __future__ import annotations

import json

import httpx

from tests.contract_suite.planting import (
    Defect,
    Forward,
    is_create,
    is_item,
    with_request_json,
    with_response_json,
)

NULLABLE = ("email", "phone", "address", "contact_person", "website", "industry", "notes")


async def update_wipes_absent_fields(request: httpx.Request, forward: Forward) -> httpx.Response:
    if is_item(request, "PUT"):
        request = with_request_json(
            request, {**dict.fromkeys(NULLABLE), **json.loads(request.content)}
        )
    return await forward(request)


async def update_merges_tags(request: httpx.Request, forward: Forward) -> httpx.Response:
    body = json.loads(request.content) if is_item(request, "PUT") else {}
    if isinstance(body.get("tags"), list):
        auth = {"Authorization": request.headers.get("authorization", "")}
        current = await forward(httpx.Request("GET", request.url, headers=auth))
        if current.status_code == 200:
            old = current.json()["tags"]
            body["tags"] = old + [tag for tag in body["tags"] if tag not in old]
            request = with_request_json(request, body)
    return await forward(request)


async def update_keeps_updated_at(request: httpx.Request, forward: Forward) -> httpx.Response:
    if not is_item(request, "PUT"):
        return await forward(request)
    auth = {"Authorization": request.headers.get("authorization", "")}
    before = await forward(httpx.Request("GET", request.url, headers=auth))
    response = await forward(request)
    if response.status_code != 200 or before.status_code != 200:
        return response
    return with_response_json(
        response, {**response.json(), "updated_at": before.json()["updated_at"]}
    )


async def default_status_inactive(request: httpx.Request, forward: Forward) -> httpx.Response:
    if is_create(request):
        body = json.loads(request.content)
        if isinstance(body, dict) and "status" not in body:
            request = with_request_json(request, {**body, "status": "inactive"})
    return await forward(request)


async def location_without_api_prefix(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if is_create(request) and response.status_code == 201:
        response.headers["Location"] = f"/clients/{response.json()['id']}"
    return response


async def unicode_mangled(request: httpx.Request, forward: Forward) -> httpx.Response:
    """Reads the body as Latin-1: the classic mojibake."""
    if request.method in ("POST", "PUT") and request.content:
        mangled = request.content.decode("latin-1").encode("utf-8")
        request = httpx.Request(
            request.method, request.url, headers=request.headers, content=mangled
        )
        request.headers["Content-Length"] = str(len(mangled))
    return await forward(request)


DEFECTS: tuple[Defect, ...] = (
    update_wipes_absent_fields,
    update_merges_tags,
    update_keeps_updated_at,
    default_status_inactive,
    location_without_api_prefix,
    unicode_mangled,
)
