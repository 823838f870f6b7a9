"""The Swagger UI middleware passes at once what cannot be a docs page
(mockserver/http/docs_routes.py), and answers everything else as Connexion's router does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.routing import Router
from starlette.testclient import TestClient

from mockserver.app import create_app

AUTH = {"Authorization": "Bearer any-token"}
# What Connexion's router answered before the shortcut (its redirects included).
ANSWERS = {
    "/api/v1": (307, "http://testserver/api/v1/"),
    "/api/v1/ui": (307, "/api/v1/ui/"),
    "/api/v1/ui/": (200, None),
    "/api/v1/openapi.json": (200, None),
    "/api/v1/openapi.json/": (307, "http://testserver/api/v1/openapi.json"),
    "/__mock": (307, "http://testserver/__mock/"),
    "/__mock/ui": (307, "/__mock/ui/"),
    "/__mock/openapi.yaml": (200, None),
    "/api/v1/clients/": (307, "http://testserver/api/v1/clients"),
    "/api/v1/uix": (404, None),
    "/api/v1/clients": (200, None),
}


@pytest.fixture
def docs_router_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The paths Starlette's routers were called with (the docs router's among them)."""
    calls: list[str] = []
    route = Router.__call__

    async def counted(self: Router, scope: Any, receive: Any, send: Any) -> None:
        calls.append(scope["path"])
        await route(self, scope, receive, send)

    monkeypatch.setattr(Router, "__call__", counted)
    yield calls


@pytest.mark.parametrize("path", sorted(ANSWERS))
def test_docs_paths_and_api_paths_answer_as_connexions_router_did(path: str) -> None:
    with TestClient(create_app(db=":memory:")) as client:
        answer = client.get(path, headers=AUTH, follow_redirects=False)
    assert (answer.status_code, answer.headers.get("location")) == ANSWERS[path]


def test_an_api_request_skips_the_docs_router_and_a_docs_request_takes_it(
    docs_router_calls: list[str],
) -> None:
    with TestClient(create_app(db=":memory:")) as client:
        client.get("/api/v1/clients", headers=AUTH)
        api_calls = len(docs_router_calls)
        docs_router_calls.clear()
        client.get("/api/v1/openapi.json")
    # The API request meets only Connexion's routing (its router and the API's mount);
    # the docs request meets the docs router first, then answers from it.
    assert api_calls == 2
    assert docs_router_calls[:2] == ["/api/v1/openapi.json", "/api/v1/openapi.json"]
