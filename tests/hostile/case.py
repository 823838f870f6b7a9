"""One hostile request and what the mock must do with it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

TOKEN = "hostile-corpus-token-5f0c2a"
JSON = "application/json"
KNOWN = "{known}"  # replaced by the id of a stored client when the case is sent
CLIENTS = "/api/v1/clients"
ONE = f"{CLIENTS}/{KNOWN}"

Body = bytes | Callable[[], bytes | Iterable[bytes]] | None
# reject: a 4xx problem with one of `statuses`, store unchanged. accept: 201/200, stored and
# returned exactly as sent. either: one of those two (the contract leaves the input open).
# safe: a read that may answer 200 or a 4xx problem, never anything else.
Outcome = Literal["reject", "accept", "either", "safe"]


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    body: Body = None
    content_type: str | None = JSON
    authorization: tuple[str | bytes, ...] | None = None  # None: the valid bearer token
    outcome: Outcome = "reject"
    statuses: tuple[int, ...] = (400,)
    mentions: tuple[str, ...] = ()  # each "a|b" entry: the detail contains a or b
    extra_headers: tuple[tuple[str, str], ...] = ()

    def payload(self) -> bytes | Iterable[bytes] | None:
        return self.body() if callable(self.body) else self.body

    def headers(self) -> list[tuple[str, str | bytes]]:
        values = (f"Bearer {TOKEN}",) if self.authorization is None else self.authorization
        headers: list[tuple[str, str | bytes]] = [("Authorization", v) for v in values]
        if self.content_type is not None and self.body is not None:
            headers.append(("Content-Type", self.content_type))
        return headers + list(self.extra_headers)

    def sent_document(self) -> Any:
        payload = self.payload()
        assert isinstance(payload, bytes), "only a bytes body can be compared after a write"
        return json.loads(payload)


def post(name: str, body: Body, **options: Any) -> Case:
    return Case(name, "POST", CLIENTS, body, **options)


def put(name: str, body: Body, **options: Any) -> Case:
    return Case(name, "PUT", ONE, body, **options)


def get(name: str, path: str, **options: Any) -> Case:
    return Case(name, "GET", path, None, **options)


def doc(value: Any) -> bytes:
    """A JSON body, non-ASCII characters sent as UTF-8 rather than escaped."""
    return json.dumps(value, ensure_ascii=False).encode()


def nested(levels: int, make: Callable[[Any], Any], innermost: Any) -> Any:
    """`levels` containers, each wrapping the next (iteratively: no recursion limit)."""
    value = innermost
    for _ in range(levels):
        value = make(value)
    return value


def deep_text(levels: int, opener: str, closer: str, inner: str = "") -> str:
    """Nested JSON text built as a string: json.dumps itself cannot nest 10,000 levels."""
    return opener * levels + inner + closer * levels
