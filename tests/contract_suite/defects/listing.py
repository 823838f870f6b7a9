"""Defects in the list: search, filters, paging, order, counts."""

from __future__ import annotations

from typing import Any

import httpx

from tests.contract_suite.planting import (
    Defect,
    Forward,
    filter_hits,
    is_list,
    with_params,
    with_response_json,
)

LIST_PARAMETERS = {"search", "status", "industry", "limit", "offset"}


async def search_ignores_email(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    term = request.url.params.get("search", "").casefold()
    if not (is_list(request) and term and response.status_code == 200):
        return response
    fields = ("name", "contact_person")
    return filter_hits(response, lambda c: any(term in (c[f] or "").casefold() for f in fields))


async def search_is_case_sensitive(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    term = request.url.params.get("search", "")
    if not (is_list(request) and term and response.status_code == 200):
        return response
    fields = ("name", "email", "contact_person")
    return filter_hits(response, lambda client: any(term in (client[f] or "") for f in fields))


async def search_folds_ascii_only(request: httpx.Request, forward: Forward) -> httpx.Response:
    """Case-insensitive for A-Z only, like SQLite's LIKE."""
    response = await forward(request)
    term = request.url.params.get("search", "")
    if not (is_list(request) and term and response.status_code == 200):
        return response
    fields = ("name", "email", "contact_person")
    return filter_hits(
        response, lambda c: any(ascii_lower(term) in ascii_lower(c[f] or "") for f in fields)
    )


def ascii_lower(text: str) -> str:
    return "".join(char.lower() if char.isascii() else char for char in text)


async def empty_search_matches_nothing(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if is_list(request) and request.url.params.get("search") == "" and response.is_success:
        return filter_hits(response, lambda client: False)
    return response


async def total_counts_the_page(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if not (is_list(request) and response.status_code == 200):
        return response
    page = response.json()
    page["meta"]["total"] = len(page["data"])
    return with_response_json(response, page)


async def status_filter_ignored(request: httpx.Request, forward: Forward) -> httpx.Response:
    return await forward(with_params(request, status=None) if is_list(request) else request)


async def industry_filter_case_sensitive(
    request: httpx.Request, forward: Forward
) -> httpx.Response:
    response = await forward(request)
    industry = request.url.params.get("industry")
    if not (is_list(request) and industry and response.status_code == 200):
        return response
    return filter_hits(response, lambda client: client["industry"] == industry)


async def offset_ignored(request: httpx.Request, forward: Forward) -> httpx.Response:
    return await ignore_paging_parameter(request, forward, "offset")


async def limit_ignored(request: httpx.Request, forward: Forward) -> httpx.Response:
    return await ignore_paging_parameter(request, forward, "limit")


async def ignore_paging_parameter(
    request: httpx.Request, forward: Forward, name: str
) -> httpx.Response:
    """Serve the default for `name`, but echo the requested value in meta."""
    asked = request.url.params.get(name)
    if not (is_list(request) and asked is not None):
        return await forward(request)
    response = await forward(with_params(request, **{name: None}))
    if response.status_code != 200:
        return response
    page = response.json()
    page["meta"][name] = int(asked)
    return with_response_json(response, page)


async def oldest_first(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if not (is_list(request) and response.status_code == 200):
        return response
    page = response.json()
    return with_response_json(response, {**page, "data": page["data"][::-1]})


async def ordered_by_updated_at(request: httpx.Request, forward: Forward) -> httpx.Response:
    return await reorder(request, forward, lambda client: client["updated_at"])


async def ordered_by_name(request: httpx.Request, forward: Forward) -> httpx.Response:
    return await reorder(request, forward, lambda client: client["name"])


async def reorder(request: httpx.Request, forward: Forward, key: Any) -> httpx.Response:
    """Sort each page by `key`, descending, instead of by created_at."""
    response = await forward(request)
    if not (is_list(request) and response.status_code == 200):
        return response
    page = response.json()
    return with_response_json(response, {**page, "data": sorted(page["data"], key=key)[::-1]})


async def active_jobs_exceed_jobs(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = await forward(request)
    if not (is_list(request) and response.status_code == 200):
        return response
    page = response.json()
    for client in page["data"]:
        client["active_jobs_count"] = client["jobs_count"] + 1
    return with_response_json(response, page)


async def unknown_parameter_accepted(request: httpx.Request, forward: Forward) -> httpx.Response:
    if is_list(request):
        unknown = {key: None for key in request.url.params if key not in LIST_PARAMETERS}
        request = with_params(request, **unknown)
    return await forward(request)


DEFECTS: tuple[Defect, ...] = (
    search_ignores_email,
    search_is_case_sensitive,
    search_folds_ascii_only,
    empty_search_matches_nothing,
    total_counts_the_page,
    status_filter_ignored,
    industry_filter_case_sensitive,
    offset_ignored,
    limit_ignored,
    oldest_first,
    ordered_by_updated_at,
    ordered_by_name,
    active_jobs_exceed_jobs,
    unknown_parameter_accepted,
)
