"""Fixtures for the mock's own tests: an in-process app on a throw-away store, and a reader of
every client it holds."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app


@pytest.fixture
def api() -> Iterator[TestClient]:
    """The mock in process, seeded from the fixtures, validating its own responses.
    It accepts any bearer token."""
    with create_app(db=":memory:", validate_responses=True).test_client() as client:
        yield client


@pytest.fixture
def all_clients(api: TestClient) -> Callable[..., list[dict[str, Any]]]:
    """`all_clients(**query)`: every client of `api` matching `query`, page by page."""

    def read(**query: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            page = api.get(
                "/api/v1/clients",
                params={**query, "limit": 100, "offset": len(found)},
                headers={"Authorization": "Bearer any-token"},
            ).json()
            found += page["data"]
            if not page["data"]:
                return found

    return read


SuiteRun = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_contract_suite() -> SuiteRun:
    """`run_contract_suite(*pytest args, env={...})`: the contract suite in a fresh pytest, as
    CI runs it; its settings come from the arguments, never from the caller's CONTRACT_*."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("CONTRACT_")}
        return subprocess.run(
            [sys.executable, "-m", "pytest", "contract_tests", "-p", "no:cacheprovider", *args],
            cwd=Path(__file__).resolve().parents[1],
            env={**inherited, **(env or {})},
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )

    return run
