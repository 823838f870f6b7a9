"""More defects in create and update: storage, normalisation, timestamps, caching."""

from __future__ import annotations

import html
import re
import unicodedata

import httpx

from tests.contract_suite.planting import (
    Defect,
    Forward,
    auth_of,
    is_create,
    is_item,
    problem,
    request_json,
    with_request_json,
    with_response_json,
)


async def update_ignores_null(request: httpx.Request, forward: Forward) -> httpx.Response:
    body = request_json(request) if is_item(request, "PUT") else None
    if isinstance(body, dict):
        request = with_request_json(request, {k: v for k, v in body.items() if v is not None})
    return await forward(request)


async def update_merges_metadata(request: httpx.Request, forward: Forward) -> httpx.Response:
    body = request_json(request) if is_item(request, "PUT") else None
    if isinstance(body, dict) and isinstance(body.get("metadata"), dict):
        current = await forward(httpx.Request("GET", request.url, headers=auth_of(request)))
        if current.status_code == 200:
            body["metadata"] = {**current.json()["metadata"], **body["metadata"]}
            request = with_request_json(request, body)
    return await forward(request)


async def empty_update_refused(request: httpx.Request, forward: Forward) -> httpx.Response:
    if is_item(request, "PUT") and request_json(request) == {}:
        return problem(400, "Nothing to update")
    return await forward(request)


async def update_resets_status(request: httpx.Request, forward: Forward) -> httpx.Response:
    body = request_json(request) if is_item(request, "PUT") else None
    if isinstance(body, dict) and body and "status" not in body:
        request = with_request_json(request, {**body, "status": "active"})
    return await forward(request)


async def update_moves_created_at(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if is_item(request, "PUT") and response.status_code == 200:
        document = response.json()
        return with_response_json(response, {**document, "created_at": document["updated_at"]})
    return response


async def create_drops_metadata(request: httpx.Request, forward: Forward) -> httpx.Response:
    body = request_json(request) if is_create(request) else None
    if isinstance(body, dict) and "metadata" in body:
        request = with_request_json(request, {k: v for k, v in body.items() if k != "metadata"})
    return await forward(request)


async def tags_sorted(request: httpx.Request, forward: Forward) -> httpx.Response:
    body = request_json(request) if request.method in ("POST", "PUT") else None
    if isinstance(body, dict) and isinstance(body.get("tags"), list):
        request = with_request_json(request, {**body, "tags": sorted(body["tags"], reverse=True)})
    return await forward(request)


async def email_lowercased(request: httpx.Request, forward: Forward) -> httpx.Response:
    body = request_json(request) if request.method in ("POST", "PUT") else None
    if isinstance(body, dict) and isinstance(body.get("email"), str):
        request = with_request_json(request, {**body, "email": body["email"].lower()})
    return await forward(request)


async def plus_address_refused(request: httpx.Request, forward: Forward) -> httpx.Response:
    body = request_json(request) if request.method in ("POST", "PUT") else None
    if isinstance(body, dict) and "+" in str(body.get("email")):
        return problem(400, "Invalid email")
    return await forward(request)


async def name_trimmed(request: httpx.Request, forward: Forward) -> httpx.Response:
    body = request_json(request) if request.method in ("POST", "PUT") else None
    if isinstance(body, dict) and isinstance(body.get("name"), str) and body["name"].strip():
        request = with_request_json(request, {**body, "name": body["name"].strip()})
    return await forward(request)


async def html_escaped(request: httpx.Request, forward: Forward) -> httpx.Response:
    body = request_json(request) if request.method in ("POST", "PUT") else None
    if isinstance(body, dict) and isinstance(body.get("name"), str):
        escaped = html.escape(body["name"], quote=False)
        request = with_request_json(request, {**body, "name": escaped})
    return await forward(request)


async def unicode_normalised(request: httpx.Request, forward: Forward) -> httpx.Response:
    """Stores text in NFC: 'e' + combining acute comes back as one character."""
    if request.method in ("POST", "PUT") and request.content:
        text = unicodedata.normalize("NFC", request.content.decode("utf-8", "replace"))
        request = httpx.Request(
            request.method, request.url, headers=request.headers, content=text.encode()
        )
        request.headers["Content-Length"] = str(len(request.content))
    return await forward(request)


async def new_client_has_a_job(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if is_create(request) and response.status_code == 201:
        return with_response_json(response, {**response.json(), "jobs_count": 1})
    return response


async def location_points_elsewhere(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if is_create(request) and response.status_code == 201:
        response.headers["Location"] = "/api/v1/clients/651011cb-0b8e-40e9-b646-6d5fdae85d09"
    return response


async def create_answers_200(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if is_create(request) and response.status_code == 201:
        return httpx.Response(200, headers=response.headers, content=response.content)
    return response


async def creation_times_differ(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if is_create(request) and response.status_code == 201:
        document = response.json()
        later = document["created_at"][:-5] + "999Z"
        return with_response_json(response, {**document, "updated_at": later})
    return response


async def timestamps_with_offset(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if response.headers.get("content-type", "").startswith("application/json"):
        text = re.sub(r'(T[0-9:.]+)Z"', r'\1+00:00"', response.text)
        return httpx.Response(response.status_code, headers=response.headers, content=text.encode())
    return response


async def stale_read_after_update(request: httpx.Request, forward: Forward) -> httpx.Response:
    """A read cache filled on create and never invalidated."""
    response = await forward(request)
    cache = STALE_CACHE
    if is_create(request) and response.status_code == 201:
        cache[response.json()["id"]] = response.content
    elif is_item(request, "GET") and response.status_code == 200:
        cached = cache.get(response.json()["id"])
        if cached is not None:
            return httpx.Response(200, headers=response.headers, content=cached)
    return response


STALE_CACHE: dict[str, bytes] = {}


async def noop_update_keeps_updated_at(request: httpx.Request, forward: Forward) -> httpx.Response:
    if is_item(request, "PUT") and request_json(request) == {}:
        return await forward(httpx.Request("GET", request.url, headers=auth_of(request)))
    return await forward(request)


DEFECTS: tuple[Defect, ...] = (
    update_ignores_null,
    update_merges_metadata,
    empty_update_refused,
    update_resets_status,
    update_moves_created_at,
    create_drops_metadata,
    tags_sorted,
    email_lowercased,
    plus_address_refused,
    name_trimmed,
    html_escaped,
    unicode_normalised,
    new_client_has_a_job,
    location_points_elsewhere,
    create_answers_200,
    creation_times_differ,
    timestamps_with_offset,
    stale_read_after_update,
    noop_update_keeps_updated_at,
)
