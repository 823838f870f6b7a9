"""The responses each operation declares, ready to send: what `Prefer` and rules answer with.

Built once from the contract: per operation and status, the media type, the named examples, the
body to send when none is named (the first example, else one built from the schema) and the
response headers the contract declares (`Location` on 201, `WWW-Authenticate` on 401).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from mockserver.scenarios.sample import resolve, sample

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
OUTSIDE_HEADER = "X-Mock-Outside-Contract"


class Undeclared(ValueError):
    """A status or example the operation does not declare; the message lists what it does."""


@dataclass(frozen=True)
class Declared:
    media_type: str | None
    examples: dict[str, Any]
    body: Any  # the first example, else `built`
    built: Any  # built from the schema (`Prefer: dynamic=true`)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    template: str  # as the contract writes it: /clients/{id}
    responses: dict[int, Declared]

    def describe(self) -> str:
        """`200 (examples: acme), 401, 404`: what a refusal lists."""
        parts = []
        for status, declared in self.responses.items():
            names = ", ".join(declared.examples)
            parts.append(f"{status} (examples: {names})" if names else str(status))
        return ", ".join(parts)


class Catalog:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.operations: dict[str, Operation] = {}
        for template, item in spec["paths"].items():
            for method in HTTP_METHODS:
                if method in item and "operationId" in item[method]:
                    operation = _operation(spec, template, method, item[method])
                    self.operations[operation.operation_id] = operation

    def answer(
        self, operation_id: str, status: int, example: str | None = None, dynamic: bool = False
    ) -> Answer:
        """The declared response; raises Undeclared for a status or example it lacks."""
        operation = self.operations[operation_id]
        declared = operation.responses.get(status)
        if declared is None:
            raise Undeclared(
                f"{operation_id} does not declare the status {status}; "
                f"it declares {operation.describe()}"
            )
        body = declared.body
        if example is not None:
            if example not in declared.examples:
                names = ", ".join(declared.examples) or "none"
                raise Undeclared(
                    f"the {status} response of {operation_id} has no example {example!r}; "
                    f"its named examples: {names}"
                )
            body = declared.examples[example]
        elif dynamic:
            body = declared.built
        headers = [
            (name.lower().encode(), value.encode()) for name, value in declared.headers.items()
        ]
        return _encoded(status, declared.media_type, body, headers)

    def outside(self, operation_id: str, status: int, detail: str) -> Answer:
        """An answer the contract does not declare (a gateway's 5xx), marked as such."""
        title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        problem = {"type": "about:blank", "title": title, "status": status, "detail": detail}
        note = f"{status} is not declared for {operation_id}"
        marker = (OUTSIDE_HEADER.lower().encode(), note.encode())
        return _encoded(status, "application/problem+json", problem, [marker])


def _operation(spec: dict[str, Any], template: str, method: str, op: dict[str, Any]) -> Operation:
    responses = {}
    for code, response in op.get("responses", {}).items():
        if str(code).isdigit():
            responses[int(code)] = _declared(spec, resolve(spec, response))
    return Operation(op["operationId"], method.upper(), template, responses)


def _declared(spec: dict[str, Any], response: dict[str, Any]) -> Declared:
    headers = {}
    for name, header in response.get("headers", {}).items():
        header = resolve(spec, header)
        value = header["example"] if "example" in header else sample(spec, header.get("schema", {}))
        headers[name] = str(value)
    content = response.get("content", {})
    if not content:
        return Declared(None, {}, None, None, headers)
    media_type, media = next(iter(content.items()))
    examples = {
        name: resolve(spec, example).get("value")
        for name, example in media.get("examples", {}).items()
    }
    built = sample(spec, media.get("schema", {}))
    body = media["example"] if "example" in media else next(iter(examples.values()), built)
    return Declared(media_type, examples, body, built, headers)


def _encoded(
    status: int, media_type: str | None, body: Any, headers: list[tuple[bytes, bytes]]
) -> Answer:
    if media_type is None or status in (204, 304) or status < 200:
        return Answer(status, headers, b"")
    payload = json.dumps(body, separators=(",", ":")).encode()
    return Answer(status, [(b"content-type", media_type.encode()), *headers], payload)
