"""Shared fixtures for the mock's own tests: an in-process app on a throw-away store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app

AUTH = {"Authorization": "Bearer test-token"}


@pytest.fixture
def api() -> Iterator[TestClient]:
    """The mock in process, seeded from the fixtures, validating its own responses."""
    with create_app(db=":memory:", validate_responses=True).test_client() as client:
        yield client


def all_clients(api: TestClient, **query: Any) -> list[dict[str, Any]]:
    """Every client matching `query`, page by page."""
    found: list[dict[str, Any]] = []
    while True:
        page = api.get(
            "/api/v1/clients", params={**query, "limit": 100, "offset": len(found)}, headers=AUTH
        ).json()
        found += page["data"]
        if not page["data"]:
            return found
