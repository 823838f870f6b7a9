"""The README's session recipes for the SDKs, run as written: a default `X-Mock-Session` header on
the generated Python client and on an openapi-fetch client keeps their data apart."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from mockserver.testing import ServedMock, served_mock
from scripts import build_sdk as sdk

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
TOKEN = "recipes"


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

    def sdk_client(session: str):  # type: ignore[no-untyped-def]
        # The recipe, as the README writes it.
        return python_sdk.AuthenticatedClient(
            base_url=mock.api_url, token=TOKEN, headers={"X-Mock-Session": session}
        )

    with sdk_client("py-anna") as anna, sdk_client("py-ben") as ben:
        created = create_client.sync(
            client=anna, body=models.ClientCreate(name="Python recipe client")
        )
        assert created is not None and created.name == "Python recipe client"
        seen_by_anna = list_clients.sync(client=anna, search="python recipe")
        seen_by_ben = list_clients.sync(client=ben, search="python recipe")
    assert [c.id for c in seen_by_anna.data] == [created.id]
    assert seen_by_ben.data == [] and seen_by_ben.meta.total == 0


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
