"""The session recipes of docs/mock/sessions.md, run as written: a default `X-Mock-Session` header
on the generated Python client and on an openapi-fetch client keeps their data apart; the Vite
config the page includes (tests/recipes/vite.config.mjs) puts each developer in a session."""

from __future__ import annotations

import contextlib
import getpass
import importlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from mockserver.testing import ServedMock, free_port, served_mock, stop
from scripts import build_sdk as sdk
from scripts.docs_examples import MOCK_URL, snippet

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
TOKEN = "recipes"
PAGE = "docs/mock/sessions.md"


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedMock]:
    with served_mock(tmp_path_factory.mktemp("store")) as served:
        yield served


@pytest.fixture(scope="module")
def python_sdk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    outdir = tmp_path_factory.mktemp("sdk")
    sdk.generate_python(sdk.DEFAULT_SPEC, outdir)
    sys.path.insert(0, str(outdir / "python"))
    try:
        yield importlib.import_module(sdk.PYTHON_PACKAGE)
    finally:
        sys.path.remove(str(outdir / "python"))


def test_python_sdk_with_a_default_session_header(mock: ServedMock, python_sdk: ModuleType) -> None:
    create_client = importlib.import_module(f"{sdk.PYTHON_PACKAGE}.api.clients.create_client")
    list_clients = importlib.import_module(f"{sdk.PYTHON_PACKAGE}.api.clients.list_clients")
    models = importlib.import_module(f"{sdk.PYTHON_PACKAGE}.models")

    # The recipe, as the page writes it (its session is "anna"), pointed at this mock.
    recipe: dict[str, object] = {}
    exec(snippet(PAGE, "python").replace(MOCK_URL, mock.base_url), recipe)
    recipe_client = recipe["api"]
    assert isinstance(recipe_client, python_sdk.AuthenticatedClient)

    # Another session's client, made before either opens its connection pool (with_headers on
    # an open client changes the pool both share).
    other_client = recipe_client.with_headers({"X-Mock-Session": "ben"})
    with recipe_client as anna, other_client as ben:
        created = create_client.sync(
            client=anna, body=models.ClientCreate(name="Python recipe client")
        )
        assert created is not None and created.name == "Python recipe client"
        seen_by_anna = list_clients.sync(client=anna, search="python recipe")
        seen_by_ben = list_clients.sync(client=ben, search="python recipe")
    assert [c.id for c in seen_by_anna.data] == [created.id]
    assert seen_by_ben.data == [] and seen_by_ben.meta.total == 0


def test_the_page_shows_the_vite_config_the_test_runs() -> None:
    included = snippet(PAGE, "ts", 2)
    assert included.strip() == '--8<-- "tests/recipes/vite.config.mjs:2:"', included


def test_typescript_openapi_fetch_with_a_default_session_header(mock: ServedMock) -> None:
    finished = subprocess.run(
        [
            "node",
            str(REPO / "tests" / "recipes" / "typescript-session.mjs"),
            mock.api_url,
            TOKEN,
            "ts-anna",
            "ts-ben",
            "TypeScript recipe client",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert finished.returncode == 0, finished.stderr
    seen = json.loads(finished.stdout)
    assert seen == {"created": 201, "ts-anna": ["TypeScript recipe client"], "ts-ben": []}


@pytest.fixture
def vite_dev_server(mock: ServedMock, tmp_path: Path) -> Iterator[str]:
    """The page's vite.config, served by Vite's dev server in front of the mock."""
    port = free_port()
    command = [
        str(REPO / "node_modules" / ".bin" / "vite"),
        "--config",
        str(REPO / "tests" / "recipes" / "vite.config.mjs"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--strictPort",
    ]
    env = {**os.environ, "MOCK_URL": mock.base_url}
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                httpx.get(url + "/", timeout=1)
                break
            time.sleep(0.2)
        yield url
    finally:
        stop(process)


def test_vite_proxy_adds_the_developers_session(mock: ServedMock, vite_dev_server: str) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    name = f"vite recipe {uuid.uuid4().hex[:8]}"
    created = httpx.post(f"{vite_dev_server}/api/v1/clients", json={"name": name}, headers=auth)
    assert created.status_code == 201, created.text

    def found_in(session: str | None) -> list[str]:
        headers = {**auth, "X-Mock-Session": session} if session else auth
        page = httpx.get(f"{mock.api_url}/clients", params={"search": name}, headers=headers)
        return [client["id"] for client in page.json()["data"]]

    developer = f"dev-{getpass.getuser()}"
    assert found_in(developer) == [created.json()["id"]]
    assert found_in(None) == []  # not in the default session
    through_vite = httpx.get(
        f"{vite_dev_server}/api/v1/clients", params={"search": name}, headers=auth
    )
    assert [client["id"] for client in through_vite.json()["data"]] == [created.json()["id"]]
