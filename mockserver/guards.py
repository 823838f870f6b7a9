"""Checks on a request body before Connexion parses it.

Connexion answers some hostile bodies with a 500 (invalid UTF-8: connexion issue 1860), hands a
body without Content-Type to the handler as bytes, and accepts what Python's json accepts (NaN,
duplicate keys, nesting until the interpreter's recursion limit). This middleware refuses those
with a problem first, so the contract's validation only ever sees one well-formed JSON document.
"""

from __future__ import annotations

import json
import math
from typing import Any

from connexion.exceptions import ProblemException
from connexion.middleware.routing import ROUTING_CONTEXT
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.contract import ContractPaths

MAX_DEPTH = 33  # the body is level 1, so its `metadata` object may nest 32 levels deep
TOO_DEEP = f"The body is nested too deeply: metadata may nest at most {MAX_DEPTH - 1} levels"
BODY_METHODS = {"POST", "PUT", "PATCH"}


class InvalidJson(ValueError):
    """The body is not one strict JSON document."""


class BodyGuard:
    def __init__(self, app: ASGIApp, max_body_bytes: int = 1_048_576) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS or not _is_api(scope):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        _check_content_type(headers.getlist("content-type"))
        self._check_declared_size(headers.get("content-length"))
        body = await self._read_body(receive)
        try:
            check_json(body)
        except InvalidJson as error:
            raise ProblemException(status=400, title="Bad Request", detail=str(error)) from None
        await self.app(_with_plain_json_type(scope), _replay(body, receive), send)

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

    def __init__(self, app: ASGIApp, paths: ContractPaths) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routed = _is_api(scope) or scope["type"] != "http"
        if not routed and scope["method"] in self.paths.methods_for(scope["path"]):
            raise ProblemException(
                status=404, title="Not Found", detail=f"Nothing is served at {scope['path']!r}"
            )
        await self.app(scope, receive, send)


def check_json(body: bytes) -> Any:
    """Parse `body` as strict JSON (UTF-8, unique keys, no NaN, bounded depth) or raise."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidJson(f"The body is not valid UTF-8 (byte {error.start})") from None
    try:
        document = json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_constant=_no_constant,
            parse_float=_finite_float,
        )
    except InvalidJson:
        raise
    except RecursionError:
        raise InvalidJson(TOO_DEEP) from None
    except json.JSONDecodeError as error:
        raise InvalidJson(f"The body is not valid JSON: {error}") from None
    except ValueError as error:  # e.g. an integer past Python's 4,300-digit limit
        raise InvalidJson(f"The body holds a number that cannot be used: {error}") from None
    _check_depth_and_text(document)
    return document


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


def _finite_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise InvalidJson(f"The body holds a number too large for JSON: {text[:40]}")
    return number


def _is_api(scope: Scope) -> bool:
    return bool(scope.get("extensions", {}).get(ROUTING_CONTEXT, {}).get("operation_id"))


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise InvalidJson(f"The body repeats the key '{duplicate}' in one object")
    return document


def _no_constant(name: str) -> None:
    raise InvalidJson(f"The body is not valid JSON: {name} is not a JSON value")


def _check_depth_and_text(document: Any) -> None:
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise InvalidJson(TOO_DEEP)
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    _check_text(key)
                pending.append((item, depth + 1))


def _check_text(text: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidJson("The body holds a lone UTF-16 surrogate (\\ud800-\\udfff)") from None


def _replay(body: bytes, receive: Receive) -> Receive:
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
