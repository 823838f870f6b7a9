"""The guards in front of Connexion, as ASGI middleware on their own: what reaches the app."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import pytest
from connexion.exceptions import ProblemException
from connexion.middleware.routing import ROUTING_CONTEXT
from starlette.types import Message, Receive, Scope, Send

from mockserver import SPEC_PATH
from mockserver.contract import ContractPaths, load_spec
from mockserver.http.guards import BodyGuard, RouteGuard

LIMIT = 64
BODY = b'{"name": "x"}'


class App:
    """The app behind a guard: records the scope it got and the body it read."""

    def __init__(self) -> None:
        self.scope: Scope | None = None
        self.messages: list[Message] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scope = scope
        self.messages.append(await receive())
        while self.messages[-1].get("more_body"):
            self.messages.append(await receive())

    @property
    def body(self) -> bytes:
        return b"".join(message.get("body", b"") for message in self.messages)

    @property
    def content_types(self) -> list[bytes]:
        assert self.scope is not None
        return [value for name, value in self.scope["headers"] if name == b"content-type"]


class Client:
    """Sends one request through a guard, chunk by chunk, counting what the guard read."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        chunks = list(chunks)
        self.pending: list[Message] = [
            {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
            for i, chunk in enumerate(chunks)
        ]
        self.read = 0

    async def receive(self) -> Message:
        self.read += 1
        return self.pending.pop(0) if self.pending else {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        raise AssertionError(f"a guard answered itself instead of raising: {message}")


def scope(
    method: str = "POST",
    headers: Iterable[tuple[str, str]] = (("Content-Type", "application/json"),),
    operation_id: str | None = "createClient",
    path: str = "/api/v1/clients",
) -> Scope:
    routing = {ROUTING_CONTEXT: {"operation_id": operation_id}} if operation_id else {}
    return {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(name.lower().encode(), value.encode()) for name, value in headers],
        "extensions": routing,
    }


def through_body_guard(request: Scope, *chunks: bytes) -> tuple[App, Client]:
    app, client = App(), Client(chunks or [b""])
    asyncio.run(BodyGuard(app, max_body_bytes=LIMIT)(request, client.receive, client.send))
    return app, client


def refusal(request: Scope, *chunks: bytes) -> tuple[ProblemException, Client]:
    client = Client(chunks or [b""])
    with pytest.raises(ProblemException) as refused:
        asyncio.run(BodyGuard(App(), max_body_bytes=LIMIT)(request, client.receive, client.send))
    return refused.value, client


def test_a_body_sent_in_chunks_reaches_the_app_whole_and_once() -> None:
    app, _ = through_body_guard(scope(), BODY[:5], BODY[5:9], BODY[9:])
    assert app.messages[0] == {"type": "http.request", "body": BODY, "more_body": False}
    assert len(app.messages) == 1


@pytest.mark.parametrize(
    "content_type", ["application/json", "APPLICATION/JSON", "application/json; charset=utf-8"]
)
def test_json_in_any_spelling_reaches_connexion_as_plain_application_json(
    content_type: str,
) -> None:
    app, _ = through_body_guard(scope(headers=[("Content-Type", content_type)]), BODY)
    assert app.content_types == [b"application/json"]


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        ([], "got no Content-Type"),
        ([("Content-Type", "text/plain")], "got 'text/plain'"),
        ([("Content-Type", "application/vnd.other+json")], "application/vnd.other+json"),
        ([("Content-Type", "application/json")] * 2, "one Content-Type header, not 2"),
    ],
)
def test_a_body_that_is_not_declared_json_gets_415(
    headers: list[tuple[str, str]], named: str
) -> None:
    problem, client = refusal(scope(headers=headers), BODY)
    assert problem.status_code == 415 and named in str(problem.detail)
    assert client.read == 0, "the body was read although its type was refused"


def test_a_declared_length_over_the_limit_gets_413_before_the_body_is_read() -> None:
    headers = [("Content-Type", "application/json"), ("Content-Length", str(LIMIT + 1))]
    problem, client = refusal(scope(headers=headers), b"x" * (LIMIT + 1))
    assert problem.status_code == 413 and str(LIMIT) in str(problem.detail)
    assert client.read == 0


def test_a_streamed_body_stops_being_read_once_past_the_limit() -> None:
    chunks = [b" " * (LIMIT // 2)] * 4  # no Content-Length: chunked transfer
    problem, client = refusal(scope(), *chunks)
    assert problem.status_code == 413
    assert client.read == 3, "read on past the limit"


def test_a_body_of_exactly_the_limit_is_accepted() -> None:
    body = b'{"name": "' + b"a" * (LIMIT - 12) + b'"}'
    assert len(body) == LIMIT
    app, _ = through_body_guard(scope(), body)
    assert app.body == body


def test_a_body_that_is_not_strict_json_gets_400_with_the_parsers_reason() -> None:
    problem, _ = refusal(scope(), b'{"name": "a", "name": "b"}')
    assert problem.status_code == 400
    assert "repeats the key 'name'" in str(problem.detail)


@pytest.mark.parametrize(
    "request_scope",
    [
        scope(method="GET"),
        scope(method="DELETE"),
        scope(operation_id=None),  # not an API operation: the router's 404/405 answers it
        {"type": "lifespan"},
    ],
    ids=["GET", "DELETE", "unrouted", "lifespan"],
)
def test_requests_without_an_api_body_pass_untouched(request_scope: dict[str, Any]) -> None:
    app = App()
    client = Client([b"\xff not json"])
    asyncio.run(BodyGuard(app, max_body_bytes=LIMIT)(request_scope, client.receive, client.send))
    assert app.scope is request_scope and app.body == b"\xff not json"


def test_an_operation_that_takes_no_body_passes_without_content_type() -> None:
    request = scope(headers=[], operation_id="mockserver.control.basics.resetMock")
    app, client = App(), Client([b""])
    guard = BodyGuard(app, max_body_bytes=LIMIT, bodiless=frozenset({request_operation(request)}))
    asyncio.run(guard(request, client.receive, client.send))
    assert app.scope is request
    problem, _ = refusal(request)  # the same request to an operation that takes a body
    assert problem.status_code == 415


def request_operation(request: Scope) -> str:
    return str(request["extensions"][ROUTING_CONTEXT]["operation_id"])


@pytest.fixture(scope="module")
def paths() -> ContractPaths:
    return ContractPaths(load_spec(SPEC_PATH))


def through_route_guard(paths: ContractPaths, request: Scope) -> App:
    app, client = App(), Client([b""])
    asyncio.run(RouteGuard(app, paths)(request, client.receive, client.send))
    return app


def test_a_contract_operation_connexion_did_not_route_is_an_unknown_resource(
    paths: ContractPaths,
) -> None:
    request = scope(method="GET", path="/api/v1/clients/abc\n", operation_id=None)
    with pytest.raises(ProblemException) as refused:
        through_route_guard(paths, request)
    assert refused.value.status_code == 404
    assert "/api/v1/clients/abc\\n" in str(refused.value.detail)


@pytest.mark.parametrize(
    ("method", "path", "operation_id"),
    [
        ("GET", "/api/v1/clients/abc", "getClient"),  # routed by Connexion
        ("GET", "/api/v1/nowhere", None),  # not in the contract: the router's 404
        ("DELETE", "/api/v1/clients/abc", None),  # not a contract method: the router's 405
    ],
)
def test_routed_requests_and_what_the_router_answers_pass(
    paths: ContractPaths, method: str, path: str, operation_id: str | None
) -> None:
    app = through_route_guard(paths, scope(method=method, path=path, operation_id=operation_id))
    assert app.scope is not None and app.scope["path"] == path
