"""Defects in search and the filters, answered from all clients through `relist`."""

from __future__ import annotations

from typing import Any

import httpx

from tests.contract_suite.planting import Defect, Forward, relist

INDUSTRY_AT_CREATE: dict[str, str | None] = {}


def text(client: dict[str, Any], field: str) -> str:
    return str(client[field] or "")


def searched(params: Any, client: dict[str, Any], fields: tuple[str, ...], match: Any) -> bool:
    term = params.get("search", "")
    return not term or any(match(term, text(client, field)) for field in fields)


def filtered(params: Any, client: dict[str, Any]) -> bool:
    status, industry = params.get("status"), params.get("industry")
    return (status is None or client["status"] == status) and (
        industry is None or text(client, "industry").lower() == industry.lower()
    )


SEARCHED = ("name", "email", "contact_person")


def contains(term: str, value: str) -> bool:
    return term.lower() in value.lower()


async def search_matches_notes(request: httpx.Request, forward: Forward) -> httpx.Response:
    fields = (*SEARCHED, "notes", "address")
    return await relist(
        request, forward, lambda c, p: searched(p, c, fields, contains) and filtered(p, c)
    )


async def search_prefix_only(request: httpx.Request, forward: Forward) -> httpx.Response:
    def starts(term: str, value: str) -> bool:
        return value.lower().startswith(term.lower())

    return await relist(
        request, forward, lambda c, p: searched(p, c, SEARCHED, starts) and filtered(p, c)
    )


async def search_ignores_contact_person(request: httpx.Request, forward: Forward) -> httpx.Response:
    fields = ("name", "email")
    return await relist(
        request, forward, lambda c, p: searched(p, c, fields, contains) and filtered(p, c)
    )


async def search_folds_one_side_only(request: httpx.Request, forward: Forward) -> httpx.Response:
    """The term case-folded, the stored text only lowercased: 'ß' then matches nothing."""

    def half(term: str, value: str) -> bool:
        return term.casefold() in value.lower()

    return await relist(
        request, forward, lambda c, p: searched(p, c, SEARCHED, half) and filtered(p, c)
    )


async def filters_combine_with_or(request: httpx.Request, forward: Forward) -> httpx.Response:
    def either(client: dict[str, Any], params: Any) -> bool:
        status, industry = params.get("status"), params.get("industry")
        if status is None or industry is None:
            return filtered(params, client) and searched(params, client, SEARCHED, contains)
        by_industry = text(client, "industry").lower() == industry.lower()
        return client["status"] == status or by_industry

    return await relist(request, forward, either)


async def industry_filter_is_substring(request: httpx.Request, forward: Forward) -> httpx.Response:
    def loose(client: dict[str, Any], params: Any) -> bool:
        industry = params.get("industry")
        status = params.get("status")
        return (
            searched(params, client, SEARCHED, contains)
            and (status is None or client["status"] == status)
            and (industry is None or industry.lower() in text(client, "industry").lower())
        )

    return await relist(request, forward, loose)


async def industry_index_not_updated(request: httpx.Request, forward: Forward) -> httpx.Response:
    """The industry filter reads a copy taken at create time, never refreshed by updates."""
    response = await forward(request)
    if request.method == "POST" and response.status_code == 201:
        INDUSTRY_AT_CREATE[response.json()["id"]] = response.json()["industry"]

    def stale(client: dict[str, Any], params: Any) -> bool:
        indexed = {**client, "industry": INDUSTRY_AT_CREATE.get(client["id"], client["industry"])}
        return searched(params, client, SEARCHED, contains) and filtered(params, indexed)

    return await relist(request, forward, stale) if request.method == "GET" else response


DEFECTS: tuple[Defect, ...] = (
    search_matches_notes,
    search_prefix_only,
    search_ignores_contact_person,
    search_folds_one_side_only,
    filters_combine_with_or,
    industry_filter_is_substring,
    industry_index_not_updated,
)
