"""SDKs generated from openapi.yaml (`python -m scripts.build_sdk`) work against the served mock."""

from __future__ import annotations

import datetime
import importlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import httpx
import pytest

from mockserver.testing import ServedMock, served_mock
from scripts import build_sdk as sdk

pytestmark = pytest.mark.slow

TOKEN = "sdk-test-token"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
ENDPOINTS = ("list_clients", "get_client", "create_client", "update_client")


@pytest.fixture(scope="session")
def generated_sdk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One generation per session, into a temporary folder, exactly as `make sdk` does it."""
    outdir = tmp_path_factory.mktemp("sdk")
    sdk.generate_all(sdk.DEFAULT_SPEC, outdir)
    return outdir


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedMock]:
    with served_mock(tmp_path_factory.mktemp("store")) as served:
        yield served


def import_generated(name: str) -> ModuleType:
    return importlib.import_module(f"{sdk.PYTHON_PACKAGE}{name}")


@pytest.fixture(scope="module")
def py(generated_sdk: Path) -> Iterator[SimpleNamespace]:
    """The generated Python package, imported from the generated folder."""
    project = str(generated_sdk / "python")
    sys.path.insert(0, project)
    try:
        yield SimpleNamespace(
            package=import_generated(""),
            models=import_generated(".models"),
            **{name: import_generated(f".api.clients.{name}") for name in ENDPOINTS},
        )
    finally:
        sys.path.remove(project)


@pytest.fixture
def api(py: SimpleNamespace, mock: ServedMock) -> Iterator[Any]:
    client = py.package.AuthenticatedClient(
        base_url=mock.api_url, token=TOKEN, raise_on_unexpected_status=True
    )
    with client as opened:
        yield opened


def assert_typed_client(py: SimpleNamespace, client: Any) -> None:
    models = py.models
    assert isinstance(client, models.ClientModel)
    assert isinstance(client.id, uuid.UUID)
    assert isinstance(client.status, models.ClientStatus)
    assert isinstance(client.metadata, models.ClientMetadata)
    assert isinstance(client.created_at, datetime.datetime)
    assert client.created_at.utcoffset() == datetime.timedelta(0)
    assert client.updated_at >= client.created_at


def same_instants(page: dict[str, Any]) -> dict[str, Any]:
    """The page with timestamps as datetimes: `Z` and `+00:00` spell the same instant."""
    stamps = ("created_at", "updated_at")
    clients = [
        {**client, **{key: datetime.datetime.fromisoformat(client[key]) for key in stamps}}
        for client in page["data"]
    ]
    return {**page, "data": clients}


def test_python_client_lists_a_typed_page_that_matches_the_wire(
    py: SimpleNamespace, api: Any, mock: ServedMock
) -> None:
    page = py.list_clients.sync(client=api, limit=3, offset=1)
    assert isinstance(page, py.models.ClientList)
    assert isinstance(page.meta, py.models.ListMeta)
    assert (page.meta.limit, page.meta.offset) == (3, 1)
    assert 0 < len(page.data) <= 3
    for client in page.data:
        assert_typed_client(py, client)
    raw = httpx.get(
        f"{mock.api_url}/clients",
        params={"limit": 3, "offset": 1},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    # Parsing then serialising loses nothing: every field and value survives the typed models.
    assert same_instants(page.to_dict()) == same_instants(raw.json())


def test_python_client_creates_searches_updates_partially_and_gets(
    py: SimpleNamespace, api: Any
) -> None:
    models = py.models
    name = f"Python SDK {uuid.uuid4().hex[:8]}"
    body = models.ClientCreate(
        name=name,
        email="sdk@example.com",
        phone="+1 555 0100",
        tags=["sdk"],
        metadata=models.ClientMetadata.from_dict({"crm": {"id": 7}}),
    )
    created = py.create_client.sync_detailed(client=api, body=body)
    assert created.status_code == 201
    client = created.parsed
    assert_typed_client(py, client)
    assert created.headers["Location"] == f"/api/v1/clients/{client.id}"
    assert (client.name, client.email, client.phone) == (name, "sdk@example.com", "+1 555 0100")
    assert client.status == models.ClientStatus.ACTIVE
    assert (client.jobs_count, client.active_jobs_count, client.website) == (0, 0, None)

    found = py.list_clients.sync(client=api, search=name.upper())
    assert isinstance(found, models.ClientList)
    assert found.meta.total == 1
    assert [match.id for match in found.data] == [client.id]

    change = models.ClientUpdate(status=models.ClientStatus.INACTIVE, phone=None)
    updated = py.update_client.sync(str(client.id), client=api, body=change)
    assert_typed_client(py, updated)
    assert (updated.status, updated.phone) == (models.ClientStatus.INACTIVE, None)
    kept = ("id", "name", "email", "tags", "created_at", "jobs_count")
    assert {f: getattr(updated, f) for f in kept} == {f: getattr(client, f) for f in kept}
    assert updated.metadata.to_dict() == {"crm": {"id": 7}}
    assert updated.updated_at > client.updated_at

    fetched = py.get_client.sync(str(client.id), client=api)
    assert isinstance(fetched, models.ClientModel)
    assert fetched.to_dict() == updated.to_dict()


def test_python_client_returns_problem_models_for_errors(
    py: SimpleNamespace, api: Any, mock: ServedMock
) -> None:
    missing = py.get_client.sync(UNKNOWN_ID, client=api)
    assert isinstance(missing, py.models.Problem)
    assert missing.status == 404
    with py.package.Client(base_url=mock.api_url) as anonymous:
        refused = py.list_clients.sync_detailed(client=anonymous)
    assert refused.status_code == 401
    assert isinstance(refused.parsed, py.models.Problem)
    assert refused.parsed.status == 401


def test_python_client_annotations_pass_mypy_strict(generated_sdk: Path, tmp_path: Path) -> None:
    """The package ships py.typed, so its users' type checkers trust these annotations."""
    command = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path)]
    completed = run([*command, sdk.PYTHON_PACKAGE], cwd=generated_sdk / "python")
    assert completed.returncode == 0, completed.stdout + completed.stderr


# ---- the TypeScript smoke program (sdk/smoke.mts) on openapi-fetch and the generated types ----


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": sdk.tool_search_path()}
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=180, check=False
    )


@pytest.fixture(scope="session")
def smoke_program(generated_sdk: Path) -> Path:
    """sdk/smoke.mts compiled by tsc --strict (sdk/tsconfig.json) against this session's types."""
    build = generated_sdk / "smoke-build"
    build.mkdir()
    # Node resolves `openapi-fetch` (and tsc the Node types) from a node_modules beside the build.
    (build / "node_modules").symlink_to(sdk.REPO_ROOT / "node_modules", target_is_directory=True)
    tsconfig = {
        "extends": str(sdk.REPO_ROOT / "sdk" / "tsconfig.json"),
        "compilerOptions": {
            "outDir": str(build / "out"),
            "paths": {"clients-api-schema": [str(generated_sdk / sdk.TYPESCRIPT_FILE)]},
        },
        "files": [str(sdk.REPO_ROOT / "sdk" / "smoke.mts")],
    }
    (build / "tsconfig.json").write_text(json.dumps(tsconfig))
    compiled = run([sdk.find_tool("tsc", "run `npm ci`"), "-p", str(build)], cwd=build)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    return build / "out" / "smoke.mjs"


def test_typescript_smoke_program_passes_against_the_mock(
    smoke_program: Path, mock: ServedMock
) -> None:
    completed = run(["node", str(smoke_program), mock.api_url, TOKEN], cwd=smoke_program.parent)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "list, search, create, update, get ok" in completed.stdout


def test_typescript_smoke_program_fails_loudly_on_a_mismatch(
    smoke_program: Path, tmp_path: Path
) -> None:
    with served_mock(tmp_path, token="the-only-token") as guarded:
        completed = run(["node", str(smoke_program), guarded.api_url, "another-token"], tmp_path)
    assert completed.returncode != 0
    assert "list: expected HTTP 200, got 401" in completed.stderr
