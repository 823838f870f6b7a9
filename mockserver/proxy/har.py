"""Read recorded traffic from a HAR file (browser developer tools, or Schemathesis --report har)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mockserver.proxy.exchange import Exchange, RecordedRequest, RecordedResponse


class HarError(ValueError):
    """The file is not a HAR document this tool can read."""


def read_har(path: str | Path) -> list[Exchange]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        return list(_exchanges(document["log"]["entries"]))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise HarError(f"{path}: not a readable HAR file ({error!r})") from None


def _exchanges(entries: list[dict[str, Any]]) -> Iterator[Exchange]:
    for entry in entries:
        request = entry["request"]
        post_data = request.get("postData") or {}
        yield Exchange(
            RecordedRequest(
                method=request["method"],
                url=request["url"],
                headers=_headers(request.get("headers", [])),
                body=(post_data.get("text") or "").encode("utf-8"),
            ),
            _response(entry.get("response") or {}),
        )


def _response(response: dict[str, Any]) -> RecordedResponse | None:
    """None when the traffic holds no answer to judge: a failed request, or a body that the
    recorder left out or cut short (judging what is left would report false violations)."""
    content = response.get("content") or {}
    text = content.get("text")
    unrecorded = text is None and content.get("size", 0) > 0
    truncated = str(content.get("comment", "")).startswith("Body truncated")
    if not response.get("status") or unrecorded or truncated:
        return None
    text = text or ""
    base64_text = content.get("encoding") == "base64"
    return RecordedResponse(
        status=int(response["status"]),
        headers=_headers(response.get("headers", [])),
        body=base64.b64decode(text) if base64_text else text.encode("utf-8"),
    )


def _headers(records: list[dict[str, str]]) -> list[tuple[str, str]]:
    # HTTP/2 pseudo-headers (:authority, :path...) are transport details, not headers.
    return [(r["name"], r["value"]) for r in records if not r["name"].startswith(":")]
