"""A second, deliberately different correct implementation of the Clients API (Starlette).

It shares nothing with the mock but the contract: its own routing, validation wording, store and
seed. Where the contract leaves a choice open it differs from the mock: absolute `Location`,
extra response headers, reversed key order, gzip when asked, other problem titles and details.
`create_app()` is the factory for `pytest contract_tests --app tests.second_impl.app:create_app`.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver.contract import SPEC_PATH
from tests.second_impl.store import Store

LIMIT_MAX, ONE_MIB = 100, 1024 * 1024
LIST_PARAMETERS = {"search", "status", "industry", "limit", "offset"}
INTEGER = re.compile(r"-?[0-9]+")


class Refused(Exception):
    def __init__(self, status: int, title: str, detail: str, **headers: str) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.headers = status, title, detail, headers


def answer(document: Any, status: int = 200, **headers: str) -> Response:
    if isinstance(document, dict):  # the contract fixes no key order: reverse the usual one
        document = dict(reversed(list(document.items())))
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    media = "application/problem+json" if status >= 400 else "application/json"
    headers = {"X-Served-By": "second-impl", "Cache-Control": "no-store", **headers}
    return Response(
        body, status, headers={k.replace("_", "-"): v for k, v in headers.items()}, media_type=media
    )


def validators() -> dict[str, OAS30Validator]:
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return {
        name: OAS30Validator(
            {**spec["components"]["schemas"][name], "components": spec["components"]},
            format_checker=oas30_format_checker,
        )
        for name in ("ClientCreate", "ClientUpdate")
    }


def create_app() -> Starlette:
    store, schemas = Store(), validators()

    def authorise(request: Request) -> None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Refused(
                401,
                "Authentication required",
                "Send Authorization: Bearer <api key>",
                WWW_Authenticate='Bearer realm="clients"',
            )

    async def json_body(request: Request, schema: str) -> dict[str, Any]:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/json":
            raise Refused(415, "Wrong media type", f"expected application/json, got {media!r}")
        raw = await request.body()
        if len(raw) > ONE_MIB:
            raise Refused(413, "Body too large", f"{len(raw)} bytes is over the 1 MiB limit")
        try:
            body = json.loads(raw.decode("utf-8"), parse_constant=reject_constant)
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise Refused(400, "Unreadable JSON", str(error)) from None
        problems = sorted(schemas[schema].iter_errors(body), key=lambda e: list(e.path))
        if problems:
            where = "/".join(str(p) for p in problems[0].absolute_path) or "body"
            raise Refused(400, "Invalid client", f"{where}: {problems[0].message}")
        return dict(body)

    async def clients(request: Request) -> Response:
        authorise(request)
        if request.method == "POST":
            created = store.create(await json_body(request, "ClientCreate"))
            location = str(request.url_for("client", id=created["id"]))
            return answer(created, 201, Location=location)
        query = request.query_params
        unknown = sorted(set(query.keys()) - LIST_PARAMETERS)
        repeated = [name for name in LIST_PARAMETERS if len(query.getlist(name)) > 1]
        if unknown or repeated:
            raise Refused(400, "Unsupported query", f"not allowed: {', '.join(unknown + repeated)}")
        limit = bounded(query, "limit", 50, 1, LIMIT_MAX)
        offset = bounded(query, "offset", 0, 0, None)
        status = query.get("status")
        if status is not None and status not in ("active", "inactive"):
            raise Refused(400, "Unsupported query", "status is active or inactive")
        hits = store.search(query.get("search", ""), status, query.get("industry"))
        meta = {"total": len(hits), "limit": limit, "offset": offset}
        return answer({"data": [flip(c) for c in hits[offset : offset + limit]], "meta": meta})

    async def client(request: Request) -> Response:
        authorise(request)
        client_id = request.path_params["id"]
        known = is_uuid(client_id) and store.get(client_id) is not None
        if request.method == "PUT":
            changes = await json_body(request, "ClientUpdate")
            updated = store.update(client_id, changes) if known else None
            if updated is not None:
                return answer(updated)
        elif known:
            return answer(store.get(client_id))
        raise Refused(404, "No such client", f"no client has the id {client_id!r}")

    async def reset(request: Request) -> Response:
        authorise(request)
        store.reset()
        return Response(status_code=204)

    async def refused(request: Request, error: Exception) -> Response:
        assert isinstance(error, Refused)
        problem = {
            "type": "https://errors.example.org/clients",
            "title": error.title,
            "status": error.status,
            "detail": error.detail,
        }
        return answer(problem, error.status, **error.headers)

    async def http_error(request: Request, error: Exception) -> Response:
        status = getattr(error, "status_code", 500)
        allow = {"/clients": "GET, POST", "/clients/": "GET, PUT"}
        extra = {}
        if status == 405:
            key = "/clients/" if request.url.path.rstrip("/").count("/") > 3 else "/clients"
            extra["Allow"] = allow[key]
        problem = {
            "type": "about:blank",
            "title": "Not routable",
            "status": status,
            "detail": f"{request.method} {request.url.path}",
        }
        return answer(problem, status, **extra)

    routes = [
        Route("/api/v1/clients", clients, methods=["GET", "POST"]),
        Route("/api/v1/clients/{id}", client, methods=["GET", "PUT"], name="client"),
        Route("/__mock/reset", reset, methods=["POST"]),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(GZipMiddleware, minimum_size=0)],
        exception_handlers={Refused: refused, 404: http_error, 405: http_error},
    )


def bounded(query: Any, name: str, default: int, low: int, high: int | None) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not INTEGER.fullmatch(raw) or int(raw) < low or (high is not None and int(raw) > high):
        span = f"{low}..{high}" if high is not None else f">= {low}"
        raise Refused(400, "Unsupported query", f"{name} must be an integer {span}, got {raw!r}")
    return int(raw)


def is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


def flip(document: dict[str, Any]) -> dict[str, Any]:
    return dict(reversed(list(document.items())))


def reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")
