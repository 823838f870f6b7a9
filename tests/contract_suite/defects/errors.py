"""Defects in auth and error handling."""

from __future__ import annotations

import json
import re

import httpx

from tests.contract_suite.planting import (
    Defect,
    Forward,
    is_create,
    is_item,
    with_request_json,
    with_response_json,
)


async def unknown_id_gives_500(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if response.status_code == 404 and is_item(request, request.method):
        problem = {**response.json(), "status": 500, "title": "Internal Server Error"}
        return with_response_json(httpx.Response(500, headers=response.headers), problem)
    return response


async def accepts_missing_token(request: httpx.Request, forward: Forward) -> httpx.Response:
    authorization = request.headers.get("authorization", "")
    if not re.fullmatch(r"Bearer \S+", authorization):
        request.headers["Authorization"] = "Bearer planted"
    return await forward(request)


async def oversized_body_accepted(request: httpx.Request, forward: Forward) -> httpx.Response:
    if is_create(request) and len(request.content) > 1024 * 1024:
        body = json.loads(request.content)
        request = with_request_json(request, {**body, "notes": body["notes"][:100]})
    return await forward(request)


async def any_body_type_accepted(request: httpx.Request, forward: Forward) -> httpx.Response:
    if request.method in ("POST", "PUT"):
        request.headers["Content-Type"] = "application/json"
    return await forward(request)


async def no_www_authenticate(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if response.status_code == 401:
        del response.headers["WWW-Authenticate"]
    return response


async def errors_as_plain_json(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if response.status_code >= 400:
        response.headers["Content-Type"] = "application/json"
    return response


DEFECTS: tuple[Defect, ...] = (
    unknown_id_gives_500,
    accepts_missing_token,
    oversized_body_accepted,
    any_body_type_accepted,
    no_www_authenticate,
    errors_as_plain_json,
)
