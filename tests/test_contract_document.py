"""openapi.yaml passes every validator, linter and generator we ship: no error, no warning."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import connexion
import pytest
from connexion.resolver import Resolver
from connexion.security import BearerSecurityHandler
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from openapi_spec_validator import OpenAPIV30SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from scripts import build_sdk as sdk
from tests.yaml_text import parse_yaml

SPEC = sdk.DEFAULT_SPEC
REPO_ROOT = sdk.REPO_ROOT
DOCUMENT_URI = "urn:clients-api:openapi.yaml"
# The decided contract (API-DECISIONS.md): a generator must give each its own model.
NAMED_SCHEMAS = {"Client", "ClientCreate", "ClientUpdate", "ClientList", "ListMeta"}
NAMED_SCHEMAS |= {"ClientMetadata", "ClientStatus", "Problem"}
OPERATIONS = {"listClients", "getClient", "createClient", "updateClient"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return parse_yaml(SPEC.read_text(encoding="utf-8"))


def run(command: list[str], cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": sdk.tool_search_path()}
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=180, check=False
    )


def node_tool(name: str) -> str:
    return sdk.find_tool(name, "run `npm ci` in the repository")


def snake_case(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def test_the_document_names_the_decided_schemas_and_operations(document: dict[str, Any]) -> None:
    operation_ids = {
        operation["operationId"]
        for path_item in document["paths"].values()
        for method, operation in path_item.items()
        if method != "parameters"
    }
    assert set(document["components"]["schemas"]) == NAMED_SCHEMAS
    assert operation_ids == OPERATIONS


def test_openapi_spec_validator_finds_no_error(document: dict[str, Any]) -> None:
    validator = OpenAPIV30SpecValidator(document, base_uri=SPEC.as_uri())
    errors = [f"{list(error.path)}: {error.message}" for error in validator.iter_errors()]
    assert errors == []


def test_spectral_oas_ruleset_finds_no_error_or_warning(tmp_path: Path) -> None:
    report = tmp_path / "spectral.json"
    command = [node_tool("spectral"), "lint", str(SPEC), "--ruleset", ".spectral.yaml"]
    command += ["--fail-severity=warn", "--format", "json", "--output", str(report)]
    completed = run(command)
    assert report.exists(), completed.stdout + completed.stderr
    # Spectral severities: 0 error, 1 warn, 2 info, 3 hint.
    findings = [r for r in json.loads(report.read_text()) if r["severity"] <= 1]
    assert findings == []
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_redocly_recommended_rules_find_no_error_or_warning() -> None:
    command = [node_tool("redocly"), "lint", str(SPEC), "--config", "redocly.yaml"]
    completed = run([*command, "--format", "json"])
    assert completed.stdout.strip(), completed.stderr
    report = json.loads(completed.stdout)
    assert report["problems"] == []
    assert report["totals"]["errors"] == report["totals"]["warnings"] == 0
    assert completed.returncode == 0, completed.stderr


def stub_for(operation_id: str) -> Any:
    """A handler that echoes which operation Connexion routed to, with the arguments it parsed."""

    def handler(**arguments: Any) -> tuple[dict[str, Any], int, dict[str, str]]:
        # Each operation declares application/json and application/problem+json: say which.
        body = {"operation": operation_id, "arguments": arguments}
        return body, 200, {"Content-Type": "application/json"}

    return handler


class AnyBearerToken(BearerSecurityHandler):
    """Accepts any bearer token: these tests are about the document, not the mock's auth policy."""

    def _resolve_func(self, security_scheme: dict[str, Any]) -> Any:
        return lambda token: {"sub": token}


@pytest.fixture(scope="module")
def connexion_client() -> Iterator[Any]:
    app = connexion.FlaskApp(__name__, specification_dir=str(SPEC.parent))
    resolver = Resolver(function_resolver=stub_for)
    security_map = {"bearer": AnyBearerToken}
    app.add_api(SPEC.name, resolver=resolver, strict_validation=True, security_map=security_map)
    with app.test_client() as client:
        yield client


AUTH = {"Authorization": "Bearer any-token"}


def send(client: Any, method: str, url: str, body: Any = None, headers: Any = AUTH) -> Any:
    return client.request(method, f"/api/v1{url}", json=body, headers=headers)


@pytest.mark.parametrize(
    ("call", "operation", "arguments"),
    [
        (("get", "/clients?search=acme"), "listClients", {"search": "acme", "limit": 50}),
        (("get", "/clients/abc"), "getClient", {"id": "abc"}),
        (("post", "/clients", {"name": "Acme"}), "createClient", {"body": {"name": "Acme"}}),
        (("put", "/clients/abc", {}), "updateClient", {"id": "abc", "body": {}}),
    ],
)
def test_connexion_routes_each_operation(
    connexion_client: Any, call: tuple[Any, ...], operation: str, arguments: dict[str, Any]
) -> None:
    response = send(connexion_client, *call)
    assert response.status_code == 200, response.text
    assert response.json()["operation"] == operation
    assert arguments.items() <= response.json()["arguments"].items()


@pytest.mark.parametrize(
    "call",
    [
        ("get", "/clients?serach=acme"),
        ("get", "/clients?limit=101"),
        ("get", "/clients?status=archived"),
        ("post", "/clients", {}),
        ("post", "/clients", {"name": "Acme", "email": None, "id": "x"}),
        ("put", "/clients/abc", {"jobs_count": 1}),
        ("put", "/clients/abc", {"name": None}),
    ],
)
def test_connexion_rejects_what_the_contract_forbids(
    connexion_client: Any, call: tuple[Any, ...]
) -> None:
    response = send(connexion_client, *call)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_connexion_requires_a_bearer_token(connexion_client: Any) -> None:
    response = send(connexion_client, "get", "/clients", headers={})
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"


INTROSPECT_PYTHON_SDK = """
import importlib, json, pkgutil
import clients_api_client.api.clients as endpoints
import clients_api_client.models as models
modules = [m.name for m in pkgutil.iter_modules(endpoints.__path__)]
loaded = [importlib.import_module(f"{endpoints.__name__}.{m}") for m in modules]
callable_ = [m.__name__.rsplit(".", 1)[1] for m in loaded if callable(m.sync)]
print(json.dumps({"models": models.__all__, "endpoints": modules, "callable": callable_}))
"""


def test_openapi_python_client_makes_one_model_per_schema_and_every_endpoint(
    tmp_path: Path, document: dict[str, Any]
) -> None:
    output = sdk.generate_python(SPEC, tmp_path)
    # --fail-on-warning already fails generation; this also catches messages it only prints.
    assert "warning" not in output.lower(), output
    # A subprocess keeps this generated copy out of this interpreter's module cache.
    completed = run([sys.executable, "-c", INTROSPECT_PYTHON_SDK], cwd=tmp_path / "python")
    assert completed.returncode == 0, completed.stderr
    generated = json.loads(completed.stdout)
    renamed = parse_yaml(sdk.PYTHON_CONFIG.read_text(encoding="utf-8"))["class_overrides"]
    expected_models = [
        renamed.get(name, {}).get("class_name", name) for name in document["components"]["schemas"]
    ]
    assert sorted(generated["models"]) == sorted(expected_models)
    expected_endpoints = sorted(snake_case(operation_id) for operation_id in OPERATIONS)
    assert sorted(generated["endpoints"]) == expected_endpoints
    assert sorted(generated["callable"]) == expected_endpoints


def test_openapi_typescript_types_compile_under_strict_tsc(
    tmp_path: Path, document: dict[str, Any]
) -> None:
    output = sdk.generate_typescript(SPEC, tmp_path)
    assert "warn" not in output.lower(), output
    schema_file = tmp_path / sdk.TYPESCRIPT_FILE
    # Naming every schema and operation makes tsc fail if the generator dropped or renamed one.
    schemas = ", ".join(
        f'components["schemas"]["{name}"]' for name in document["components"]["schemas"]
    )
    operations = ", ".join(f'operations["{operation_id}"]' for operation_id in sorted(OPERATIONS))
    probe = schema_file.parent / "probe.ts"
    probe.write_text(
        'import type { components, operations, paths } from "./schema";\n'
        f"export type Schemas = [{schemas}];\n"
        f"export type Operations = [{operations}];\n"
        'export type Paths = [paths["/clients"], paths["/clients/{id}"]];\n'
    )
    # Run beside the files: from the repo root tsc would also check every @types package there.
    command = [node_tool("tsc"), "--strict", "--noEmit", schema_file.name, probe.name]
    completed = run(command, cwd=schema_file.parent)
    assert completed.returncode == 0, completed.stdout + completed.stderr


# ---- every example in the document is valid against its schema (OpenAPI 3.0 semantics) ----


def pointer(parts: list[str]) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def example_sites(node: Any, parts: list[str]) -> Iterator[tuple[list[str], dict[str, Any]]]:
    """Every object that carries `example` or `examples`, never descending into an example value."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from example_sites(item, [*parts, str(index)])
        return
    if not isinstance(node, dict):
        return
    # Property names and `components` (whose `examples` are Example Objects) are not sites.
    in_name_map = bool(parts) and parts[-1] == "properties"
    is_site = not in_name_map and parts != ["components"]
    if is_site and ("example" in node or "examples" in node):
        yield parts, node
    for key, value in node.items():
        if in_name_map or key not in {"example", "examples"}:
            yield from example_sites(value, [*parts, key])


def example_values(node: dict[str, Any], document: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    if "example" in node:
        yield "example", node["example"]
    for name, example in node.get("examples", {}).items():
        if "$ref" in example:
            ref_parts = example["$ref"].removeprefix("#/").split("/")
            example = document
            for part in ref_parts:
                example = example[part]
        yield f"examples/{name}", example["value"]


def schema_validator(document: dict[str, Any], schema_pointer: str) -> Any:
    """OpenAPI 3.0 semantics (nullable, OAS formats), with format checking, refs in the document."""
    resource = Resource.from_contents(document, default_specification=DRAFT4)
    registry = Registry().with_resource(DOCUMENT_URI, resource)
    schema = {"$ref": f"{DOCUMENT_URI}#{schema_pointer}"}
    return OAS30Validator(schema, registry=registry, format_checker=oas30_format_checker)


def test_every_example_is_valid_against_its_schema(document: dict[str, Any]) -> None:
    problems: list[str] = []
    checked: set[str] = set()
    for parts, node in example_sites(document, []):
        # Parameters, headers and media types hold their schema under `schema`; a schema is its own.
        schema_parts = [*parts, "schema"] if "schema" in node else parts
        validator = schema_validator(document, pointer(schema_parts))
        for label, value in example_values(node, document):
            checked.add(f"{pointer(parts)}/{label}")
            problems += [
                f"{pointer(parts)} {label}: {error.message}"
                for error in validator.iter_errors(value)
            ]
    assert problems == []
    # The walk must reach every kind of site, or a broken walk would pass vacuously.
    assert "/components/schemas/Client/properties/created_at/example" in checked
    assert "/components/parameters/ClientId/example" in checked
    assert "/components/responses/Unauthorized/headers/WWW-Authenticate/example" in checked
    assert "/paths/~1clients/get/responses/200/content/application~1json/example" in checked
    assert "/components/responses/NotFound/content/application~1problem+json/example" in checked
    assert (
        "/paths/~1clients~1{id}/get/responses/200/content/application~1json/examples/acme"
        in checked
    )


def test_every_component_example_is_used_where_a_schema_checks_it(document: dict[str, Any]) -> None:
    """components/examples have no schema of their own: only their uses validate them."""
    used = set(re.findall(r'"\$ref": "([^"]+)"', json.dumps(document)))
    component_examples = document["components"].get("examples", {})
    unused = [name for name in component_examples if f"#/components/examples/{name}" not in used]
    assert unused == []


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ("Client/properties/id", "not-a-uuid"),
        ("Client/properties/email", "not-an-email"),
        ("Client/properties/website", "not a uri"),
        ("Client/properties/created_at", "2026-11-29 16:10"),
        ("Client/properties/status", None),
        ("ClientUpdate", {"phone": None, "jobs_count": 1}),
    ],
)
def test_the_example_validator_rejects_bad_values(
    document: dict[str, Any], schema: str, value: Any
) -> None:
    """Format checks need optional packages; without them the example test would pass blindly."""
    assert not schema_validator(document, f"/components/schemas/{schema}").is_valid(value)
