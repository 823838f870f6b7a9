"""The mock in a team's own tests, in a line: pytest fixtures shipped with the package.

    def test_a_failed_create_is_retried(mock_session):
        mock_session.add_rule(operation="createClient", status=503, times=1)
        app = MyApp(api_url=mock_session.api_url, headers=mock_session.headers)
        app.create_client("Acme")
        mock_session.verify(operation="createClient", times=2)

`mock_server` (one a run, or per pytest-xdist worker: each worker process serves its own) is the
mock served in a subprocess, or the one `--mock-url` names; `mock_session` gives each test a
session of its own, deleted afterwards; `mock_client` is its `httpx.Client`. Registered through
the `pytest11` entry point, so it loads in every pytest run where mockserver is installed: it
imports nothing heavy until a test asks for a fixture, and defines nothing else.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import httpx

    from mockserver.control_client import MockControl

SESSION_HEADER = "X-Mock-Session"
ANY_TOKEN = "pytest"  # a mock started without --token accepts any bearer token


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockserver", "the Clients API mock (mockserver's fixtures)")
    group.addoption(
        "--mock-url",
        default=os.environ.get("MOCKSERVER_URL"),
        help="a mock already running, e.g. http://127.0.0.1:8080 (env MOCKSERVER_URL); "
        "default: serve one for the run",
    )
    group.addoption(
        "--mock-token",
        default=os.environ.get("MOCKSERVER_TOKEN"),
        help="its bearer token, if it was started with --token (env MOCKSERVER_TOKEN)",
    )


@dataclass(frozen=True)
class MockServer:
    base_url: str  # http://host:port, without /api/v1
    token: str

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/v1"


@dataclass
class MockSession:
    """One test's session: its name, a client that sends it, and the control API for it."""

    server: MockServer
    name: str
    client: httpx.Client
    control: MockControl = field(repr=False)

    @property
    def api_url(self) -> str:
        return self.server.api_url

    @property
    def headers(self) -> dict[str, str]:
        """What the app under test must send for its requests to land in this session."""
        return {"Authorization": f"Bearer {self.server.token}", SESSION_HEADER: self.name}

    def add_rule(self, **rule: Any) -> dict[str, Any]:
        """A rule for this session only (operation/method/path, status/delay_ms/fault...)."""
        return self.control.add_rule(**rule)

    def verify(self, **criteria: Any) -> dict[str, Any]:
        """Assert this session received matching requests (see MockControl.verify)."""
        return self.control.verify(**criteria)

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        """This session's journal, oldest first."""
        return self.control.requests(**filters)


@pytest.fixture(scope="session")
def mock_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MockServer]:
    """The mock for the whole run: `--mock-url`'s, or one served in a subprocess (under
    pytest-xdist, one per worker process; sessions keep the tests apart either way)."""
    url = request.config.getoption("--mock-url")
    token = request.config.getoption("--mock-token") or ANY_TOKEN
    if url:
        yield MockServer(_root(url), token)
        return
    from mockserver.testing import served_mock

    folder = tmp_path_factory.mktemp("mockserver")
    with served_mock(folder, workers=1, token=request.config.getoption("--mock-token")) as served:
        yield MockServer(served.base_url, token)


@pytest.fixture
def mock_session(mock_server: MockServer) -> Iterator[MockSession]:
    """A session of its own for this test (a unique name), deleted when the test ends."""
    import httpx

    from mockserver.control_client import MockControl

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"pytest-{worker}-{uuid.uuid4().hex[:20]}"
    headers = {"Authorization": f"Bearer {mock_server.token}", SESSION_HEADER: name}
    client = httpx.Client(base_url=mock_server.api_url, headers=headers, timeout=30)
    control = MockControl(mock_server.base_url, session=name, token=mock_server.token)
    try:
        yield MockSession(mock_server, name, client, control)
    finally:
        client.close()
        try:
            control.forget()
        finally:
            control.close()


@pytest.fixture
def mock_client(mock_session: MockSession) -> httpx.Client:
    """An httpx.Client on the API root (/api/v1) that sends this test's session."""
    return mock_session.client


def _root(url: str) -> str:
    root = url.rstrip("/")
    for suffix in ("/api/v1", "/__mock"):
        root = root.removesuffix(suffix)
    return root
