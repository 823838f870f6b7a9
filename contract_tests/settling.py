"""Eventual consistency (--settle N): a write may take N seconds to show everywhere.

One policy under both HTTP stacks the suite uses (httpx for the semantic checks, requests under
Schemathesis, the stateful phase included), so every check sees reads that had their chance to
settle. The suite's own acknowledged writes (201 to POST /clients, 200 to PUT /clients/{id}) are
remembered; a read that touches one of them within its window and disagrees with it is sent
again until it agrees or the window ends, and only then handed to the check that judges it:

- GET /clients/{id}: 404, or a body other than the last acknowledged one, disagrees;
- GET /clients (list, search, filters): a recent write shown at another version disagrees, and
  so does a recent write missing that every reading of the contract says matches the filters
  (missing from the page when the page is the whole list; missing from meta.total otherwise).

A read that still disagrees when the window ends is judged as it is: a real defect is caught,
only later.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

R = TypeVar("R")
ITEM = re.compile(r".*/clients/([^/]+)/?")
LIST = re.compile(r".*/clients/?")
SEARCHED = ("name", "email", "contact_person")
FIRST_PAUSE, LONGEST_PAUSE = 0.05, 0.5


@dataclass(frozen=True)
class Exchange:
    """What the policy needs of one request and its response, whatever the HTTP stack."""

    method: str
    url: str
    status: int
    body: bytes


@dataclass
class Settling:
    settle: float = 0.0
    # id -> (acknowledged at, the acknowledged document)
    writes: dict[str, tuple[float, dict[str, Any]]] = field(default_factory=dict)
    waited: float = 0.0  # seconds spent waiting for reads to settle, over the run
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send(
        self,
        send_once: Callable[[], R],
        view: Callable[[R], Exchange],
        gave_up: Callable[[R, float], None] = lambda response, seconds: None,
    ) -> R:
        """Send; a read that disagrees with a recent write is sent again within its window.
        `gave_up` hears of a read that still disagrees once the window has ended, with the
        seconds since that write was acknowledged."""
        pause = FIRST_PAUSE
        while True:
            response = send_once()
            exchange = view(response)
            self.note_write(exchange)
            acknowledged = self.disagreeing_write(exchange)
            if acknowledged is None:
                return response
            now = time.monotonic()
            left = acknowledged + self.settle - now
            if left <= 0:
                gave_up(response, now - acknowledged)
                return response
            self.waited += min(pause, left)
            time.sleep(min(pause, left))
            pause = min(pause * 2, LONGEST_PAUSE)

    def note_write(self, exchange: Exchange) -> None:
        if self.settle <= 0 or not exchange.body:
            return
        path = urlsplit(exchange.url).path
        acknowledged = (exchange.method == "POST" and exchange.status == 201) or (
            exchange.method == "PUT" and exchange.status == 200 and ITEM.fullmatch(path)
        )
        document = as_json(exchange.body) if acknowledged else None
        if isinstance(document, dict) and isinstance(document.get("id"), str):
            with self._lock:
                self.writes[document["id"]] = (time.monotonic(), document)

    def disagreeing_write(self, exchange: Exchange) -> float | None:
        """When the latest write this read disagrees with was acknowledged (None: it agrees)."""
        if self.settle <= 0 or exchange.method != "GET" or not self.writes:
            return None
        with self._lock:
            writes = dict(self.writes)
        parts = urlsplit(exchange.url)
        item = ITEM.fullmatch(parts.path)
        if item:
            written = writes.get(item.group(1))
            if written is None or not item_disagrees(exchange, written[1]):
                return None
            return written[0]
        if LIST.fullmatch(parts.path) and exchange.status == 200:
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            touched = list_disagreements(as_json(exchange.body), params, writes)
            return max((writes[key][0] for key in touched), default=None)
        return None


def item_disagrees(exchange: Exchange, acknowledged: dict[str, Any]) -> bool:
    if exchange.status == 404:
        return True
    return exchange.status == 200 and as_json(exchange.body) != acknowledged


def list_disagreements(
    page: Any, params: Mapping[str, str], writes: dict[str, tuple[float, dict[str, Any]]]
) -> list[str]:
    """The writes a 200 list answer disagrees with."""
    try:
        data, total = page["data"], int(page["meta"]["total"])
        offset = int(params.get("offset", "0"))
        limit = int(params.get("limit", "50"))
    except (TypeError, KeyError, ValueError):
        return []
    shown = {client.get("id"): client for client in data if isinstance(client, dict)}
    stale = [key for key, (_, doc) in writes.items() if key in shown and shown[key] != doc]
    wanted = [key for key, (_, doc) in writes.items() if must_match(doc, params)]
    whole_page = offset == 0 and total <= limit
    missing = [key for key in wanted if key not in shown] if whole_page else []
    if total < len(wanted):
        missing = [key for key in wanted if key not in shown]
    return stale + missing


def must_match(client: dict[str, Any], params: Mapping[str, str]) -> bool:
    """Whether every reading of the contract puts `client` in a list with these filters:
    search and industry compared by lowercasing and by case folding alike."""
    known = {"search", "status", "industry", "limit", "offset"}
    if set(params) - known:
        return False
    search = params.get("search", "")
    if search and not any(both_contain(client.get(name), search) for name in SEARCHED):
        return False
    if "status" in params and client.get("status") != params["status"]:
        return False
    if "industry" in params:
        industry = client.get("industry")
        wanted = params["industry"]
        return isinstance(industry, str) and all(
            fold(industry) == fold(wanted) for fold in (str.lower, str.casefold)
        )
    return True


def both_contain(value: Any, term: str) -> bool:
    return isinstance(value, str) and all(
        fold(term) in fold(value) for fold in (str.lower, str.casefold)
    )


def as_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None
