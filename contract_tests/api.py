"""The four operations of the Clients API over HTTP, for the semantic checks."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from typing import Any

import httpx

# Records the suite names itself start with this, so people can find (and clean up) test data.
RECORD_PREFIX = "contract-test-"


def unique_marker() -> str:
    """A fresh lowercase marker no other record contains: it scopes searches on shared data.

    Letters only, so that changing its case really changes it.
    """
    return RECORD_PREFIX + "".join(secrets.choice(string.ascii_lowercase) for _ in range(12))


@dataclass
class ClientsApi:
    """A bearer-authenticated HTTP client for `{api_url}/clients`."""

    http: httpx.Client
    api_url: str
    token: str
    extra_headers: dict[str, str] = field(default_factory=dict)  # --header: gateways, tenants

    @property
    def auth(self) -> dict[str, str]:
        return {**self.extra_headers, "Authorization": f"Bearer {self.token}"}

    def url(self, path: str) -> str:
        return self.api_url + path

    def create(self, body: dict[str, Any]) -> httpx.Response:
        return self.http.post(self.url("/clients"), json=body, headers=self.auth)

    def get(self, client_id: str) -> httpx.Response:
        return self.http.get(self.url(f"/clients/{client_id}"), headers=self.auth)

    def update(self, client_id: str, body: dict[str, Any]) -> httpx.Response:
        return self.http.put(self.url(f"/clients/{client_id}"), json=body, headers=self.auth)

    def list(self, **params: str | int) -> httpx.Response:
        return self.http.get(self.url("/clients"), params=params, headers=self.auth)

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """Any request, with no token unless the caller passes one in `headers`."""
        sent = {**self.extra_headers, **(headers or {})}
        return self.http.request(method, self.url(path), headers=sent, **kwargs)
