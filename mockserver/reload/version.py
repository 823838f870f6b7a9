"""One version of the mock, built from its files and checked completely before it is served.

Each step names the file at fault: the contract (or a file it references) must parse and be
OpenAPI 3.0 as Connexion validates it, every operation must have a handler, the control document
likewise, the fixtures must match the contract; then the app is built over what is kept (the
store, rules, journal) and answers one health request, which also builds Connexion's middleware
before the first real request arrives.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockserver.reload.files import ReloadError, digest, load_contract, watched_files

if TYPE_CHECKING:
    from connexion import FlaskApp

    from mockserver.app import Kept
    from mockserver.scenarios.answers import Catalog
    from mockserver.settings import Settings
    from mockserver.store.model import JobCounts, Record

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass
class Version:
    app: FlaskApp
    files: frozenset[Path]
    digest: str
    seed: list[Record]
    job_counts: JobCounts
    catalog: Catalog
    base_path: str


def files_of(settings: Settings) -> frozenset[Path]:
    """The files the settings' version is made of, as far as they can be read now."""
    from mockserver.control import CONTROL_SPEC

    contract = load_contract(Path(settings.spec))
    return watched_files(contract, Path(settings.fixtures), CONTROL_SPEC)


def build_version(settings: Settings, kept: Kept) -> Version:
    """A new version from the files as they are now; ReloadError says what stops it."""
    from mockserver.app import handler_for
    from mockserver.control import CONTROL_SPEC, control_handler
    from mockserver.scenarios.answers import Catalog

    contract_path = Path(settings.spec).resolve()
    contract = load_contract(contract_path)
    files = watched_files(contract, Path(settings.fixtures), CONTROL_SPEC)
    stamp = digest(files)
    spec = contract.spec
    _check_version(spec, contract_path)
    control = _at(CONTROL_SPEC, lambda: _control(spec))
    _check_version(control, CONTROL_SPEC)
    _check_handlers(spec, contract_path, handler_for)
    _check_handlers(control, CONTROL_SPEC, control_handler)
    seed, counts = _fixtures(Path(settings.fixtures), spec)
    catalog = _at(contract_path, lambda: Catalog(spec))
    app = _at(
        contract_path, lambda: _built(settings, {contract_path: spec, CONTROL_SPEC: control}, kept)
    )
    _at(contract_path, lambda: _warm(app))
    base_path = spec["servers"][0]["url"].rstrip("/")
    return Version(app, files, stamp, seed, counts, catalog, base_path)


def _at(file: Path, step: Callable[[], Any]) -> Any:
    """A step's result; any failure becomes a ReloadError naming `file`."""
    try:
        return step()
    except ReloadError:
        raise
    except Exception as error:
        raise ReloadError(file, f"{type(error).__name__}: {error}") from None


def _control(contract: dict[str, Any]) -> dict[str, Any]:
    from mockserver.contract import load_spec
    from mockserver.control import control_spec

    load_spec.cache_clear()  # control.yaml as it is now; only start-ups and reloads read it
    return control_spec(contract)


def _check_version(spec: dict[str, Any], file: Path) -> None:
    version = str(spec.get("openapi", ""))
    if not version.startswith("3.0."):
        raise ReloadError(file, f"openapi: {version!r}: the mock serves OpenAPI 3.0.x documents")


def _built(settings: Settings, documents: dict[Path, dict[str, Any]], kept: Kept) -> FlaskApp:
    """The app; Connexion validates both documents as it adds them (the most of a reload's
    time, so not done twice): when one is refused, the one at fault is found afterwards."""
    from connexion.exceptions import InvalidSpecification
    from connexion.spec import Specification

    from mockserver.app import build_app

    spec, control = documents.values()
    try:
        return build_app(settings, spec, control, kept)
    except InvalidSpecification:
        for file, document in documents.items():
            try:
                Specification.from_dict(copy.deepcopy(document))
            except InvalidSpecification as error:
                where = "/".join(str(part) for part in error.absolute_path) or "(document)"
                raise ReloadError(
                    file, f"not valid OpenAPI 3.0 at {where}: {error.message}"
                ) from None
        raise


def _check_handlers(
    spec: dict[str, Any], file: Path, resolve: Callable[[str], Callable[..., Any]]
) -> None:
    for template, item in spec.get("paths", {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method) if isinstance(item, dict) else None
            if not isinstance(operation, dict):
                continue
            name = operation.get("operationId")
            controller = operation.get("x-openapi-router-controller")
            qualified = f"{controller}.{name}" if controller else str(name)
            where = f"{method.upper()} {template}"
            if not name:
                raise ReloadError(file, f"{where} has no operationId, so no handler")
            try:
                resolve(qualified)
            except (AttributeError, ImportError):
                raise ReloadError(
                    file, f"{where}: operationId {name!r} has no handler in the mock"
                ) from None


def _fixtures(folder: Path, spec: dict[str, Any]) -> tuple[list[Record], JobCounts]:
    from mockserver.store.fixtures import FixtureError, load_clients, load_job_counts

    try:
        seed = load_clients(folder, spec)
    except FixtureError as error:
        raise ReloadError(folder.resolve() / "clients.json", str(error)) from None
    try:
        counts = load_job_counts(folder)
    except FixtureError as error:
        raise ReloadError(folder.resolve() / "jobs.json", str(error)) from None
    return seed, counts


def _warm(app: FlaskApp) -> None:
    """One health request: builds the middleware, and proves the version answers."""
    answers: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        answers.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/__mock/health",
        "raw_path": b"/__mock/health",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"reload.invalid")],
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 0),
    }
    asyncio.run(app(scope, receive, send))
    status = answers[0].get("status") if answers else None
    if status != 200:
        raise RuntimeError(f"the new version answered its health check with {status}")
