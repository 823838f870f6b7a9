"""Throttling, as a real staging does it: 429/503 with Retry-After are waited out, the request
rate is capped. One policy for both HTTP stacks the suite uses (httpx for its own checks,
requests under Schemathesis)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
from requests.adapters import HTTPAdapter

THROTTLED = (429, 503)
LONGEST_WAIT = 60.0  # one Retry-After longer than this is not waited out
R = TypeVar("R")


class Throttled(Exception):
    """The target kept throttling after every retry: not a contract failure, a busy target."""


@dataclass
class Pacing:
    max_rps: float | None = None
    max_retries: int = 5
    _next_slot: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for_slot(self) -> None:
        if not self.max_rps:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_slot)
            self._next_slot = start + 1 / self.max_rps
        time.sleep(max(0.0, start - now))

    def send(
        self,
        send_once: Callable[[], R],
        status: Callable[[R], int],
        header: Callable[[R], str | None],
        discard: Callable[[R], None],
    ) -> R:
        """Send, waiting out throttling answers up to `max_retries` times."""
        for attempt in range(self.max_retries + 1):
            self.wait_for_slot()
            response = send_once()
            if status(response) not in THROTTLED or self.max_retries == 0:
                return response
            delay = retry_after(header(response))
            if delay is None:  # a 503 without Retry-After is an answer, not throttling
                return response
            if attempt == self.max_retries or delay > LONGEST_WAIT:
                raise Throttled(
                    f"the target answered {status(response)} (Retry-After: {header(response)})"
                    f" {attempt + 1} times in a row; raise --max-retries or lower --max-rps"
                )
            discard(response)
            time.sleep(delay)
        raise AssertionError("unreachable")


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class PacedTransport(httpx.BaseTransport):
    """httpx transport with the pacing policy in front of another transport."""

    def __init__(self, inner: httpx.BaseTransport, pacing: Pacing) -> None:
        self.inner = inner
        self.pacing = pacing

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        def once() -> httpx.Response:
            return self.inner.handle_request(request)

        def discard(response: httpx.Response) -> None:
            response.read()
            response.close()

        return self.pacing.send(
            once, lambda r: r.status_code, lambda r: r.headers.get("retry-after"), discard
        )

    def close(self) -> None:
        self.inner.close()


class PacedAdapter(HTTPAdapter):
    """requests adapter (Schemathesis' transport) with the same pacing policy."""

    def __init__(self, pacing: Pacing) -> None:
        super().__init__()
        self.pacing = pacing

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return self.pacing.send(
            lambda: super(PacedAdapter, self).send(request, *args, **kwargs),
            lambda r: r.status_code,
            lambda r: r.headers.get("retry-after"),
            lambda r: r.close(),
        )
