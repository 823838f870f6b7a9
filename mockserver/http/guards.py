"""Middlewares in front of Connexion: a request body's guard and the router's blind spot.

Connexion answers some hostile bodies with a 500 (invalid UTF-8: connexion issue 1860), hands a
body without Content-Type to the handler as bytes, and accepts what Python's json accepts.
`BodyGuard` refuses those with a problem first (size, Content-Type, strict JSON), so the
contract's validation only ever sees one well-formed JSON document.
"""

from __future__ import annotations

from http import HTTPStatus

from connexion.exceptions import ProblemException
from connexion.middleware.routing import ROUTING_CONTEXT
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.contract import ContractPaths
from mockserver.http.strict_json import InvalidJson, check_json, hand_on

BODY_METHODS = {"POST", "PUT", "PATCH"}


class BodyGuard:
    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int = 1_048_576,
        bodiless: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.bodiless = bodiless  # operationIds that take no body (POST /__mock/reset)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in BODY_METHODS
            or not _is_api(scope)
            or _operation(scope) in self.bodiless
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        _check_content_type(headers.getlist("content-type"))
        self._check_declared_size(headers.get("content-length"))
        body = await self._read_body(receive)
        try:
            document = check_json(body)
        except InvalidJson as error:
            raise ProblemException(status=400, title="Bad Request", detail=str(error)) from None
        scope = _with_plain_json_type(scope)
        hand_on(scope, document)  # parsed once: Connexion and Flask take it from here
        await self.app(scope, _replay(body, receive), send)

    def _check_declared_size(self, declared: str | None) -> None:
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            raise self._too_large()

    async def _read_body(self, receive: Receive) -> bytes:
        chunks, size = [], 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise self._too_large()
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _too_large(self) -> ProblemException:
        return ProblemException(
            status=413,
            title="Payload Too Large",
            detail=f"The request body is larger than {self.max_body_bytes} bytes",
        )


class RouteGuard:
    """A contract path and method that Connexion did not route is an unknown resource: 404.

    Connexion's router and Flask's disagree on some ids (one ending in a newline, `%0A`): Flask
    dispatches to the operation while Connexion has no operation for it, and its wrapper fails
    with a 500. Unknown paths and wrong methods still go on to Flask's 404 and 405.
    """

    def __init__(self, app: ASGIApp, paths: ContractPaths, status: int = 404) -> None:
        self.app = app
        self.paths = paths
        # 404 for the contract (an unknown id); the control API's names and ids have a pattern,
        # so there a path parameter Connexion cannot route is a malformed one: 400.
        self.status = status

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routed = _is_api(scope) or scope["type"] != "http"
        if not routed and scope["method"] in self.paths.methods_for(scope["path"]):
            detail = f"Nothing is served at {scope['path']!r}"
            if self.status == 400:
                detail = f"A path parameter of {scope['path']!r} is malformed"
            raise ProblemException(
                status=self.status, title=HTTPStatus(self.status).phrase, detail=detail
            )
        await self.app(scope, receive, send)


def _check_content_type(content_types: list[str]) -> None:
    if len(content_types) > 1:
        detail = f"Send one Content-Type header, not {len(content_types)}"
    elif content_types and _mimetype(content_types[0]) == "application/json":
        return
    else:
        found = f"'{content_types[0]}'" if content_types else "no Content-Type"
        detail = f"Send the body as application/json (got {found})"
    raise ProblemException(status=415, title="Unsupported Media Type", detail=detail)


def _mimetype(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def _with_plain_json_type(scope: Scope) -> Scope:
    # Media types are case-insensitive, Connexion's parser is not: it would hand the handler raw
    # bytes for `APPLICATION/JSON`. Pass the type on in the one spelling Connexion parses.
    headers = [
        (name, b"application/json") if name == b"content-type" else (name, value)
        for name, value in scope["headers"]
    ]
    return {**scope, "headers": headers}


def _is_api(scope: Scope) -> bool:
    return bool(_operation(scope))


def _operation(scope: Scope) -> str | None:
    operation: str | None = scope.get("extensions", {}).get(ROUTING_CONTEXT, {}).get("operation_id")
    return operation


def _replay(body: bytes, receive: Receive) -> Receive:
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
