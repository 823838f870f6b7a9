"""Assertions that say which promise of the contract broke and how to replay the request."""

from __future__ import annotations

import json
import shlex
from typing import Any

import httpx

REDACTED = "Bearer <token>"
BODY_PREVIEW_CHARS = 600


class ContractViolation(AssertionError):
    """The API broke a promise of the contract; the message names the promise."""


def expect(condition: object, broken_promise: str, *responses: httpx.Response) -> None:
    """Fail with `broken_promise` plus a replayable request for each response given."""
    __tracebackhide__ = True
    if not condition:
        raise ContractViolation(explain(broken_promise, *responses))


def expect_status(response: httpx.Response, status: int, doing: str) -> Any:
    """Expect `status`; return the decoded JSON body when there is one."""
    __tracebackhide__ = True
    expect(
        response.status_code == status,
        f"{doing}: expected HTTP {status}, got {response.status_code}",
        response,
    )
    if not response.content:
        return None
    try:
        return response.json()
    except json.JSONDecodeError:
        raise ContractViolation(explain(f"{doing}: the body is not JSON", response)) from None


def explain(broken_promise: str, *responses: httpx.Response) -> str:
    parts = [broken_promise]
    for response in responses:
        parts.append("Reproduce with:\n    " + as_curl(response.request))
        parts.append(f"Got {response.status_code}: {preview(response.text)}")
        waited = response.extensions.get("unsettled_after")
        if waited is not None:
            parts.append(
                f"(still so {waited:.1f} s after the write was acknowledged: beyond --settle)"
            )
    return "\n\n".join(parts)


def as_curl(request: httpx.Request) -> str:
    """The request as a curl command line, with the bearer token masked."""
    words = ["curl", "-X", request.method]
    for name, value in request.headers.items():
        if name.lower() in {
            "host",
            "content-length",
            "accept-encoding",
            "connection",
            "user-agent",
        }:
            continue
        shown = (
            REDACTED if name.lower() == "authorization" and value.startswith("Bearer ") else value
        )
        words += ["-H", f"{name}: {shown}"]
    if request.content:
        words += ["-d", preview(request.content.decode("utf-8", errors="replace"))]
    words.append(str(request.url))
    return shlex.join(words)


def preview(text: str) -> str:
    if len(text) <= BODY_PREVIEW_CHARS:
        return text
    return text[:BODY_PREVIEW_CHARS] + f"... ({len(text)} characters)"
