"""Defects in auth and error handling."""

from __future__ import annotations

import json
import re

import httpx

from tests.contract_suite.planting import (
    ITEM_PATH,
    Defect,
    Forward,
    is_create,
    is_item,
    problem,
    request_json,
    with_request_json,
    with_response_json,
)

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


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


async def malformed_json_gives_500(request: httpx.Request, forward: Forward) -> httpx.Response:
    sent_json = "json" in request.headers.get("content-type", "")
    if request.method in ("POST", "PUT") and sent_json and request_json(request) is None:
        return problem(500, "Internal Server Error")
    return await forward(request)


async def not_a_uuid_gives_400(request: httpx.Request, forward: Forward) -> httpx.Response:
    if is_item(request, "GET") and not UUID.fullmatch(request.url.path.rsplit("/", 1)[1]):
        return problem(400, "Malformed id")
    return await forward(request)


async def basic_auth_accepted(request: httpx.Request, forward: Forward) -> httpx.Response:
    if request.headers.get("authorization", "").startswith("Basic "):
        request.headers["Authorization"] = "Bearer planted"
    return await forward(request)


async def put_needs_no_token(request: httpx.Request, forward: Forward) -> httpx.Response:
    if is_item(request, "PUT") and not request.headers.get("authorization", "").startswith(
        "Bearer "
    ):
        request.headers["Authorization"] = "Bearer planted"
    return await forward(request)


async def oversized_update_accepted(request: httpx.Request, forward: Forward) -> httpx.Response:
    body = request_json(request) if is_item(request, "PUT") else None
    if isinstance(body, dict) and len(request.content) > 1024 * 1024:
        request = with_request_json(request, {**body, "notes": str(body.get("notes"))[:100]})
    return await forward(request)


async def update_body_type_ignored(request: httpx.Request, forward: Forward) -> httpx.Response:
    if is_item(request, "PUT"):
        request.headers["Content-Type"] = "application/json"
    return await forward(request)


async def problem_without_title(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if response.status_code == 404:
        document = {k: v for k, v in response.json().items() if k != "title"}
        return with_response_json(response, document)
    return response


async def www_authenticate_basic(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="api"'
    return response


async def no_allow_on_405(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if response.status_code == 405:
        del response.headers["Allow"]
    return response


async def undeclared_method_gives_404(request: httpx.Request, forward: Forward) -> httpx.Response:
    if request.method in ("PATCH", "DELETE"):
        return problem(404, "Not Found")
    return await forward(request)


async def unknown_path_gives_html(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if response.status_code == 404 and not ITEM_PATH.fullmatch(request.url.path):
        return httpx.Response(404, html="<h1>Not Found</h1>")
    return response


DEFECTS: tuple[Defect, ...] = (
    unknown_id_gives_500,
    accepts_missing_token,
    oversized_body_accepted,
    any_body_type_accepted,
    no_www_authenticate,
    errors_as_plain_json,
    malformed_json_gives_500,
    not_a_uuid_gives_400,
    basic_auth_accepted,
    put_needs_no_token,
    oversized_update_accepted,
    update_body_type_ignored,
    problem_without_title,
    www_authenticate_basic,
    no_allow_on_405,
    undeclared_method_gives_404,
    unknown_path_gives_html,
)
