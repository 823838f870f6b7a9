"""A correct API that behaves like a real staging, on purpose: a lagging search index and read
replica, throttling, a rate limit, a tenant header at the gateway, tokens that expire, slow
writes.

Served by uvicorn (`--factory tests.contract_suite.staging:app_from_env`), configured by
STAGING_* variables; STAGING_DEFECT plants one defect of tests/contract_suite/defects behind it.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.contract_suite import defects
from tests.contract_suite.planting import (
    Defect,
    Forward,
    Planted,
    auth_of,
    is_create,
    is_item,
    is_list,
    problem,
    with_params,
    with_response_json,
)

BURST = 5


@dataclass
class Staging:
    # A write shows this much later on the read replica (GET by id) and in the search index
    # (lists): equal lags, the list ahead of the get, or the get ahead of the list.
    get_lag: float = 0.0
    list_lag: float = 0.0
    throttle_every: int = 0  # every n-th request gets 429 with Retry-After: 1
    rate_limit: int = 0  # requests/s over a burst of BURST get 429 with Retry-After: 120
    tenant: str = ""  # the gateway refuses requests without X-Tenant: <tenant>
    slow_writes: float = 0.0  # seconds every POST/PUT takes
    # Tokens that expire: only `token-<n>` is accepted, n the number in this file (the token
    # command increments it), and each token for at most token_uses requests.
    token_file: str = ""
    token_uses: int = 0
    uses: dict[str, int] = field(default_factory=dict)
    count: int = 0
    tokens: float = 0.0
    last_seen: float = 0.0
    # id -> (when written, the version before the write or None for a new record)
    written: dict[str, tuple[float, dict[str, Any] | None]] = field(default_factory=dict)

    async def __call__(self, request: httpx.Request, forward: Forward) -> httpx.Response:
        refused = self.gateway(request)
        if refused is not None:
            return refused
        if self.slow_writes and request.method in ("POST", "PUT"):
            await asyncio.sleep(self.slow_writes)
        if not (self.get_lag or self.list_lag):
            return await forward(request)
        return await self.lagging(request, forward)

    def gateway(self, request: httpx.Request) -> httpx.Response | None:
        self.count += 1
        if self.tenant and request.headers.get("x-tenant") != self.tenant:
            return problem(403, "Unknown tenant")
        if self.token_file and self.token_expired(request):
            response = problem(401, "Token expired")
            response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return response
        if self.throttle_every and self.count % self.throttle_every == 0:
            return throttled("1")
        if self.rate_limit:
            # A token bucket: bursts of BURST requests, refilled at rate_limit per second.
            now = time.monotonic()
            refill = (now - self.last_seen) * self.rate_limit
            self.tokens = min(BURST, self.tokens + refill)
            self.last_seen = now
            if self.tokens < 1:
                return throttled("120")
            self.tokens -= 1
        return None

    def token_expired(self, request: httpx.Request) -> bool:
        """A bearer token other than the newest, or the newest used up, is refused; requests
        without a bearer token go on (the API refuses them itself)."""
        authorization = request.headers.get("authorization", "")
        if not authorization.startswith("Bearer "):
            return False
        token = authorization[len("Bearer ") :]
        newest = f"token-{Path(self.token_file).read_text().strip()}"
        self.uses[token] = self.uses.get(token, 0) + 1
        return token != newest or self.uses[token] > self.token_uses

    async def lagging(self, request: httpx.Request, forward: Forward) -> httpx.Response:
        now = time.monotonic()
        before = None
        if is_item(request, "PUT"):
            current = await forward(httpx.Request("GET", request.url, headers=auth_of(request)))
            before = current.json() if current.status_code == 200 else None
        response = await forward(request)
        if is_item(request, "GET") and response.status_code == 200:
            stale = self.stale(response.json()["id"], now, self.get_lag)
            if stale is not None:
                return stale if isinstance(stale, httpx.Response) else with_json(200, stale)
        if is_create(request) and response.status_code == 201:
            self.written[response.json()["id"]] = (now, None)
        elif before is not None and response.status_code == 200:
            previous = self.written.get(before["id"], (0.0, None))[1]
            self.written[before["id"]] = (now, previous or before)
        elif is_list(request) and response.status_code == 200 and self.any_recent(now):
            return await self.lagging_list(request, forward, response, now)
        return response

    def any_recent(self, now: float) -> bool:
        return any(now - when < self.list_lag for when, _ in self.written.values())

    def stale(self, client_id: str, now: float, lag: float) -> Any:
        """What the replica or the index serves for a write younger than its lag: nothing for a
        new record, the old version for an update."""
        written = self.written.get(client_id)
        if written is None or now - written[0] >= lag:
            return None
        if written[1] is None:
            return problem(404, "Not Found")
        return written[1]

    async def lagging_list(
        self, request: httpx.Request, forward: Forward, response: httpx.Response, now: float
    ) -> httpx.Response:
        """The whole list as the lagging index has it, then the page asked for."""
        meta = response.json()["meta"]
        matches: list[dict[str, Any]] = []
        while True:
            page = await forward(with_params(request, limit="100", offset=str(len(matches))))
            data = page.json()["data"]
            matches += data
            if not data or len(matches) >= page.json()["meta"]["total"]:
                break
        visible = []
        for client in matches:
            stale = self.stale(client["id"], now, self.list_lag)
            if stale is None:
                visible.append(client)
            elif not isinstance(stale, httpx.Response):
                visible.append(stale)
        start, limit = meta["offset"], meta["limit"]
        document = {"data": visible[start : start + limit], "meta": {**meta, "total": len(visible)}}
        return with_response_json(response, document)


def throttled(retry_after: str) -> httpx.Response:
    response = problem(429, "Too Many Requests")
    response.headers["Retry-After"] = retry_after
    return response


def with_json(status: int, document: dict[str, Any]) -> httpx.Response:
    return httpx.Response(status, json=document)


def app_from_env() -> Any:
    from mockserver.app import create_app

    env = os.environ
    app: Any = create_app(db=":memory:")
    defect: Defect | None = defects.DEFECTS.get(env.get("STAGING_DEFECT", ""))
    if defect is not None:
        app = Planted(app, defect)
    lag = env.get("STAGING_LAG", "0")
    staging = Staging(
        get_lag=float(env.get("STAGING_GET_LAG", lag)),
        list_lag=float(env.get("STAGING_LIST_LAG", lag)),
        throttle_every=int(env.get("STAGING_THROTTLE_EVERY", "0")),
        rate_limit=int(env.get("STAGING_RATE_LIMIT", "0")),
        tenant=env.get("STAGING_TENANT", ""),
        slow_writes=float(env.get("STAGING_SLOW_WRITES", "0")),
        token_file=env.get("STAGING_TOKEN_FILE", ""),
        token_uses=int(env.get("STAGING_TOKEN_USES", "100")),
    )
    return Planted(app, staging)
