"""Defects in paging: bounds, defaults, totals, page sizes."""

from __future__ import annotations

import httpx

from tests.contract_suite.planting import (
    Defect,
    Forward,
    is_list,
    problem,
    with_params,
    with_response_json,
)


async def limit_100_refused(request: httpx.Request, forward: Forward) -> httpx.Response:
    if is_list(request) and request.url.params.get("limit") == "100":
        return problem(400, "limit must be below 100")
    return await forward(request)


async def limit_above_100_clamped(request: httpx.Request, forward: Forward) -> httpx.Response:
    limit = request.url.params.get("limit", "")
    if is_list(request) and limit.isdigit() and int(limit) > 100:
        request = with_params(request, limit="100")
    return await forward(request)


async def negative_offset_accepted(request: httpx.Request, forward: Forward) -> httpx.Response:
    if is_list(request) and request.url.params.get("offset", "").startswith("-"):
        request = with_params(request, offset="0")
    return await forward(request)


async def bad_limit_ignored(request: httpx.Request, forward: Forward) -> httpx.Response:
    limit = request.url.params.get("limit")
    if is_list(request) and limit is not None and not limit.lstrip("-").isdigit():
        request = with_params(request, limit=None)
    return await forward(request)


async def status_filter_any_case(request: httpx.Request, forward: Forward) -> httpx.Response:
    status = request.url.params.get("status")
    if is_list(request) and status is not None:
        request = with_params(request, status=status.lower())
    return await forward(request)


async def past_the_end_total_zero(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if is_list(request) and response.status_code == 200:
        page = response.json()
        if not page["data"] and page["meta"]["offset"] > 0:
            page["meta"]["total"] = 0
            return with_response_json(response, page)
    return response


async def default_page_of_20(request: httpx.Request, forward: Forward) -> httpx.Response:
    if not (is_list(request) and "limit" not in request.url.params):
        return await forward(request)
    response = await forward(with_params(request, limit="20"))
    if response.status_code != 200:
        return response
    page = response.json()
    page["meta"]["limit"] = 50
    return with_response_json(response, page)


async def pages_short_by_one(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if is_list(request) and response.status_code == 200:
        page = response.json()
        if len(page["data"]) > 1:
            page["data"] = page["data"][:-1]
            return with_response_json(response, page)
    return response


async def total_ignores_filters(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    filters = {"search", "status", "industry"} & set(request.url.params)
    if is_list(request) and response.status_code == 200 and filters:
        everything = await forward(with_params(request, **dict.fromkeys(filters)))
        page = response.json()
        page["meta"]["total"] = everything.json()["meta"]["total"]
        return with_response_json(response, page)
    return response


async def list_omits_nulls(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if is_list(request) and response.status_code == 200:
        page = response.json()
        page["data"] = [{k: v for k, v in c.items() if v is not None} for c in page["data"]]
        return with_response_json(response, page)
    return response


DEFECTS: tuple[Defect, ...] = (
    limit_100_refused,
    limit_above_100_clamped,
    negative_offset_accepted,
    bad_limit_ignored,
    status_filter_any_case,
    past_the_end_total_zero,
    default_page_of_20,
    pages_short_by_one,
    total_ignores_filters,
    list_omits_nulls,
)
