"""A deliberately wrong upstream for the proxy tests: each route plants known violations
(listed in PLANTED with the exact line the proxy must report), served by uvicorn in a thread."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mockserver.testing import free_port
from tests.yaml_text import parse_yaml

AUTH = {"Authorization": "Bearer secret-token"}
CLIENT_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
VALID_CLIENT: dict[str, Any] = {
    "id": CLIENT_ID,
    "name": "Acme Corporation",
    "email": "contact@acme.example.com",
    "phone": None,
    "address": None,
    "contact_person": None,
    "website": None,
    "industry": "Technology",
    "status": "active",
    "tags": [],
    "notes": None,
    "metadata": {},
    "jobs_count": 0,
    "active_jobs_count": 0,
    "created_at": "2026-11-29T16:10:12.123Z",
    "updated_at": "2026-11-29T16:10:12.123Z",
}
PROBLEM = "application/problem+json"
SLOW_SECONDS = 3.0


# --- a deliberately wrong upstream: each route plants one violation --------------------------


async def list_clients(request: Request) -> Response:
    bad_email = {**VALID_CLIENT, "email": "not-an-email"}
    page = {"data": [VALID_CLIENT, bad_email], "meta": {"total": 2, "limit": 50, "offset": 0}}
    return JSONResponse(page)


async def get_client(request: Request) -> Response:
    planted = request.path_params["id"]
    if planted == "bad-date":
        return JSONResponse({**VALID_CLIENT, "updated_at": "yesterday"})
    if planted == "html":
        return Response("<h1>Acme</h1>", media_type="text/html")
    if planted == "no-challenge":
        body = {"type": "about:blank", "title": "Unauthorized", "status": 401}
        return JSONResponse(body, status_code=401, media_type=PROBLEM)
    if planted == "slow":
        await asyncio.sleep(SLOW_SECONDS)
    return JSONResponse(VALID_CLIENT)


async def create_client(request: Request) -> Response:
    return JSONResponse(VALID_CLIENT, status_code=201)  # no Location header


async def update_client(request: Request) -> Response:
    body = {"type": "about:blank", "title": "I'm a teapot", "status": 418}
    return JSONResponse(body, status_code=418, media_type=PROBLEM)


async def list_jobs(request: Request) -> Response:
    return JSONResponse([])


WRONG_UPSTREAM = Starlette(
    routes=[
        Route("/api/v1/clients", list_clients, methods=["GET"]),
        Route("/api/v1/clients", create_client, methods=["POST"]),
        Route("/api/v1/clients/{id}", get_client, methods=["GET"]),
        Route("/api/v1/clients/{id}", update_client, methods=["PUT"]),
        Route("/api/v1/jobs", list_jobs, methods=["GET"]),
    ],
    middleware=[Middleware(CORSMiddleware, allow_origins=["*"], expose_headers=["Location"])],
)


def documented_statuses(path: str, method: str) -> list[str]:
    """The statuses the contract documents for an operation, as the proxy lists them."""
    contract = parse_yaml((Path(__file__).parents[1] / "openapi.yaml").read_text())
    return sorted(contract["paths"][path][method]["responses"], key=int)


ORIGIN = {"Origin": "http://localhost:5173"}

# (method, path, body, the violations it plants)
PLANTED: list[tuple[str, str, dict[str, Any] | None, list[str]]] = [
    (
        "GET",
        "/api/v1/clients",
        None,
        ["GET /clients response 200: $.data[1].email: 'not-an-email' is not a 'email'"],
    ),
    (
        "GET",
        "/api/v1/clients?serach=acme",
        None,
        [
            "GET /clients request: query.serach: not documented "
            "(search, status, industry, limit, offset)",
            "GET /clients response 200: $.data[1].email: 'not-an-email' is not a 'email'",
        ],
    ),
    (
        "GET",
        "/api/v1/clients/bad-date",
        None,
        ["GET /clients/{id} response 200: $.updated_at: 'yesterday' is not a 'date-time'"],
    ),
    (
        "GET",
        "/api/v1/clients/html",
        None,
        [
            "GET /clients/{id} response 200: Content-Type: 'text/html; charset=utf-8' "
            "is not documented (expected application/json)"
        ],
    ),
    (
        "GET",
        "/api/v1/clients/no-challenge",
        None,
        ["GET /clients/{id} response 401: header WWW-Authenticate: required, but missing"],
    ),
    (
        "POST",
        "/api/v1/clients",
        {"name": "Acme Corporation"},
        ["POST /clients response 201: header Location: required, but missing"],
    ),
    (
        "PUT",
        f"/api/v1/clients/{CLIENT_ID}",
        {"status": "archived"},
        [
            "PUT /clients/{id} request: $.status: 'archived' is not one of ['active', 'inactive']",
            "PUT /clients/{id} response 418: status: 418 is not documented "
            f"(documented: {', '.join(documented_statuses('/clients/{id}', 'put'))})",
        ],
    ),
    ("GET", "/api/v1/jobs", None, ["GET /jobs request: path: not in the contract"]),
]


@contextmanager
def serve_in_thread(app: Any, **options: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port for the length of the block."""
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="error", **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the upstream did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
