"""Who is hit: recorded requests (a HAR file, or a session's request journal saved as JSON)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from mockserver.diff.load import Document
from mockserver.diff.model import Change, Severity
from mockserver.diff.operations import METHODS


class TrafficError(ValueError):
    """The file is neither a HAR file nor a saved request journal."""


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: frozenset[str]
    headers: frozenset[str]
    body: Any = None
    status: int | None = None
    operation: str | None = None  # the operationId, when the recorder knew it
    body_known: bool = True  # a journal may leave bodies out: then any body change may hit


def read_traffic(path: str) -> list[Call]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        if isinstance(document, dict) and "log" in document:
            return [_har_call(entry) for entry in document["log"]["entries"]]
        entries = document["data"] if isinstance(document, dict) else document
        return [_journal_call(entry) for entry in entries]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise TrafficError(f"{path}: not a HAR file or a request journal ({error!r})") from None


def _har_call(entry: dict[str, Any]) -> Call:
    request = entry["request"]
    url = urlsplit(request["url"])
    text = (request.get("postData") or {}).get("text")
    headers = frozenset(h["name"].lower() for h in request.get("headers", []))
    status = (entry.get("response") or {}).get("status") or None
    query = frozenset(name for name, _ in parse_qsl(url.query, keep_blank_values=True))
    return Call(request["method"].upper(), unquote(url.path), query, headers, _json(text), status)


def _journal_call(entry: dict[str, Any]) -> Call:
    url = urlsplit(entry.get("path") or "")
    query = entry.get("query") or url.query
    names = query.keys() if isinstance(query, dict) else (n for n, _ in parse_qsl(str(query)))
    body = entry.get("body")
    return Call(
        str(entry.get("method") or "").upper(),
        unquote(url.path),
        frozenset(names),
        frozenset(),
        _json(body) if isinstance(body, str) else body,
        entry.get("status"),
        entry.get("operation"),
        "body" in entry,
    )


def _json(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def mark(changes: list[Change], calls: list[Call], base: Document) -> list[Change]:
    """Each breaking change with the number of recorded requests that touch it."""
    routes = _routes(base)
    by_endpoint: dict[tuple[str, str], list[Call]] = {}
    for call in calls:
        endpoint = _endpoint(call, routes)
        if endpoint is not None:
            by_endpoint.setdefault(endpoint, []).append(call)
    marked = []
    for change in changes:
        if change.severity is Severity.BREAKING:
            hits = by_endpoint.get((change.method, change.path), [])
            if change.operation == "(document)":
                hits = [c for found in by_endpoint.values() for c in found]
            change = replace(change, touched=sum(_touches(change, c) for c in hits))
        marked.append(change)
    return marked


Route = tuple[str, str, re.Pattern[str], str | None]


def _routes(base: Document) -> list[Route]:
    paths = base.root.get("paths")
    # Recorded URLs carry the server's path (/api/v1/clients); a journal may leave it out.
    servers = [
        urlsplit(str(s.get("url", ""))).path.rstrip("/") for s in base.root.raw("servers") or []
    ]
    prefix = "(?:" + "|".join(map(re.escape, {"", *servers})) + ")"
    routes = []
    for path, item in paths.items() if paths else []:
        template = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(path))
        pattern = re.compile(f"{prefix}{template}/?")
        for method in METHODS:
            operation = item.get(method)
            if operation is not None:
                routes.append((method.upper(), path, pattern, operation.raw("operationId")))
    # Literal segments beat templates: /clients/search before /clients/{id}.
    return sorted(routes, key=lambda route: route[1].count("{"))


def _endpoint(call: Call, routes: list[Route]) -> tuple[str, str] | None:
    for method, path, pattern, operation_id in routes:
        if call.operation is not None and call.operation == operation_id:
            return method, path
        if call.method == method and pattern.fullmatch(call.path):
            return method, path
    return None


def _touches(change: Change, call: Call) -> bool:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in change.location.split("/")[1:]]
    # A field or parameter that became required hits the requests that left it out.
    missing = change.kind.endswith(("became-required", "required-property-added"))
    missing = missing or change.kind == "required-parameter-added"
    if parts[:1] == ["parameters"] and len(parts) >= 3:
        where, name = parts[1], parts[2]
        if where == "query":
            return (name in call.query) != missing
        return name.lower() in call.headers if where == "header" and call.headers else True
    if parts[:1] == ["requestBody"] and not call.body_known:
        return True
    if parts[:1] == ["requestBody"]:
        used = call.body is not None and _has_field(call.body, parts[4:] if len(parts) > 3 else [])
        return call.body is not None and used != missing
    if parts[:1] == ["responses"] and len(parts) >= 2 and call.status is not None:
        return parts[1] in (str(call.status), f"{str(call.status)[0]}XX", "default")
    return True


def _has_field(value: Any, pointer: list[str]) -> bool:
    """Did this body use the field at this schema pointer (properties/x/items/properties/y)?"""
    if not pointer:
        return True
    keyword, rest = pointer[0], pointer[1:]
    if keyword == "properties" and rest:
        return isinstance(value, dict) and rest[0] in value and _has_field(value[rest[0]], rest[1:])
    if keyword == "items":
        return isinstance(value, list) and any(_has_field(v, rest) for v in value)
    return True  # a keyword of this value (type, enum, required...): the value was sent
