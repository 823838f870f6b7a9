"""Hostile requests around the body: media types, sizes, query strings, ids, auth, methods."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

from hostile.case import CLIENTS, ONE, TOKEN, Case, get, post, put

MiB = 1024 * 1024
BODY_LIMIT = MiB  # openapi.yaml, PayloadTooLarge: "larger than 1 MiB"
SIZE_WORDS = ("1048576|1 MiB|1MiB",)
OK_BODY = b'{"name": "typed right"}'


def _content_types() -> list[Case]:
    wrong = [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "application/jsonx",
        "json",
        "application/vnd.evil+json",
    ]
    cases = [
        post(
            f"Content-Type {kind}",
            OK_BODY,
            content_type=kind,
            statuses=(415,),
            mentions=("application/json",),
        )
        for kind in wrong
    ]
    cases += [
        post("no Content-Type", OK_BODY, content_type=None, statuses=(415,)),
        post(
            "two Content-Type headers",
            OK_BODY,
            statuses=(400, 415),
            extra_headers=(("Content-Type", "text/plain"),),
        ),
        put("update without Content-Type", b'{"notes": "x"}', content_type=None, statuses=(415,)),
        put("update as text/plain", b'{"notes": "x"}', content_type="text/plain", statuses=(415,)),
        post(
            "JSON with charset",
            OK_BODY,
            content_type="application/json; charset=utf-8",
            outcome="accept",
        ),
        # RFC 9110: media types are case-insensitive; accepting it or a 415 are both fine.
        post(
            "upper-case media type",
            OK_BODY,
            content_type="APPLICATION/JSON",
            outcome="either",
            statuses=(415,),
        ),
    ]
    return cases


def _filler_document(size: int) -> bytes:
    head = b'{"name": "big", "notes": "'
    return head + b"x" * (size - len(head) - 2) + b'"}'


def _chunks(size: int) -> Iterator[bytes]:
    chunk = 64 * 1024
    yield b'{"name": "chunked", "notes": "'
    for _ in range(size // chunk):
        yield b"y" * chunk
    yield b'"}'


def _tags_document(count: int, width: int) -> bytes:
    return json.dumps(
        {"name": f"{count} tags", "tags": [f"{i:0{width}x}" for i in range(count)]},
        separators=(",", ":"),
    ).encode()


def _sizes() -> list[Case]:
    big = 10 * MiB
    return [
        post("10 MiB body", lambda: _filler_document(big), statuses=(413,), mentions=SIZE_WORDS),
        put("10 MiB update", lambda: _filler_document(big), statuses=(413,), mentions=SIZE_WORDS),
        post(
            "10 MiB body, chunked (no Content-Length)",
            lambda: _chunks(big),
            statuses=(413,),
            mentions=SIZE_WORDS,
        ),
        post("just over 1 MiB", lambda: _filler_document(BODY_LIMIT + 1), statuses=(413,)),
        post("exactly 1 MiB round-trips", lambda: _filler_document(BODY_LIMIT), outcome="accept"),
        # 100,000 tags of 5 hex digits: ~0.8 MiB, under the limit, so the contract allows it.
        post("100,000 tags round-trip", lambda: _tags_document(100_000, 5), outcome="accept"),
        # The same count at 16 characters is ~1.9 MiB: refused for its size, not its count.
        post(
            "100,000 long tags are too large", lambda: _tags_document(100_000, 16), statuses=(413,)
        ),
    ]


def _queries() -> list[Case]:
    huge = "q" * (64 * 1024)
    too_long = (400, 414, 431)
    cases = [
        get("64 KiB search value", f"{CLIENTS}?search={huge}", statuses=too_long),
        get(
            "64 KiB of unknown parameters",
            f"{CLIENTS}?{'&'.join(['x=1'] * 16384)}",
            statuses=too_long,
        ),
        get("unknown query parameter", f"{CLIENTS}?serach=acme", mentions=("serach",)),
        get("status in capitals", f"{CLIENTS}?status=ACTIVE", mentions=("status",)),
        get(
            "search with invalid percent-encoded UTF-8", f"{CLIENTS}?search=%ff%fe", outcome="safe"
        ),
        get("search with broken percent-encoding", f"{CLIENTS}?search=%zz%", outcome="safe"),
        get("search with an encoded NUL", f"{CLIENTS}?search=a%00b", outcome="safe"),
    ]
    for name, values in {
        # %EF%BC%91 and %D9%A1 are a full-width and an Arabic-Indic digit one: not JSON integers.
        "limit": ["abc", "0", "101", "-1", "1e2", "1.5", "9" * 30, "true", "%EF%BC%91", "%D9%A1"],
        "offset": ["-1", "abc", "0x10", "1.0", "%EF%BC%91"],
    }.items():
        cases += [
            get(f"{name}={value[:12]}", f"{CLIENTS}?{name}={value}", mentions=(name,))
            for value in values
        ]
    # The contract puts no maximum on offset: a huge one is an empty page with the true total.
    cases.append(get("offset=10**30", f"{CLIENTS}?offset={10**30}", outcome="accept"))
    return cases


HOSTILE_IDS = [
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "%252e%252e%252fetc%252fpasswd",
    "%c0%ae%c0%ae%c0%afetc%c0%afpasswd",
    "..%5c..%5cwin.ini",
    "%00",
    "%ff",
    "a%00b",
    "%F0%9F%99%82",
    "'%20OR%20'1'='1",
    "*",
    "%20",
    "..",
    ".",
    "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "7c9e6679-7425-40de-944b-e07fc1f90ae7x",
    "{known}x",
    "{known}%00",
    "{known}%20",
    "a" * 8192,
]


def _ids() -> list[Case]:
    cases = []
    for raw in HOSTILE_IDS:
        statuses = (404, 414, 431) if len(raw) > 1000 else (404,)
        label = raw if len(raw) < 60 else f"{len(raw)}-character id"
        path = f"{CLIENTS}/{raw}"
        cases.append(get(f"get id {label}", path, statuses=statuses))
        cases.append(
            Case(f"update id {label}", "PUT", path, b'{"notes": "pwned"}', statuses=statuses)
        )
    return cases


def _auth() -> list[Case]:
    basic = base64.b64encode(f"user:{TOKEN}".encode()).decode()
    refused = {
        "no Authorization header": (),
        "Bearer without a token": ("Bearer",),
        "Bearer and spaces": ("Bearer     ",),
        "Basic x": ("Basic x",),
        "Basic with the token as password": (f"Basic {basic}",),
        "another scheme": (f"Token {TOKEN}",),
        "the token without a scheme": (TOKEN,),
        "a wrong token": ("Bearer wrong-token",),
        "the token with a suffix": (f"Bearer {TOKEN}x",),
        "the token minus its last character": (f"Bearer {TOKEN[:-1]}",),
        "a non-ASCII byte in the token": (f"Bearer {TOKEN}".encode() + b"\xe9",),
        "two headers, both valid": (f"Bearer {TOKEN}", f"Bearer {TOKEN}"),
        "two headers, valid then wrong": (f"Bearer {TOKEN}", "Bearer wrong-token"),
        "two headers, wrong then valid": ("Bearer wrong-token", f"Bearer {TOKEN}"),
    }
    cases = [
        get(f"auth: {name}", CLIENTS, authorization=values, statuses=(401,))
        for name, values in refused.items()
    ]
    cases += [
        get(
            "auth: 100 KiB token may hit the header limit",
            CLIENTS,
            authorization=("Bearer " + "t" * 100 * 1024,),
            statuses=(401, 431),
        ),
        get(
            "auth: scheme in lower case (RFC 7235: case-insensitive)",
            CLIENTS,
            authorization=(f"bearer {TOKEN}",),
            outcome="accept",
        ),
        post("auth: create without a token", OK_BODY, authorization=(), statuses=(401,)),
        post("auth: broken body without a token", b"{", authorization=(), statuses=(401,)),
        put(
            "auth: update with a wrong token",
            b'{"notes": "x"}',
            authorization=("Bearer wrong-token",),
            statuses=(401,),
        ),
        Case(
            "auth: reset without a token",
            "POST",
            "/__mock/reset",
            authorization=(),
            statuses=(401,),
        ),
    ]
    return cases


def _methods() -> list[Case]:
    return [
        Case(f"{method} {path}", method, path, statuses=(405,))
        for method in ("DELETE", "PATCH")
        for path in (CLIENTS, ONE)
    ]


def request_cases() -> list[Case]:
    return [*_content_types(), *_sizes(), *_queries(), *_ids(), *_auth(), *_methods()]
