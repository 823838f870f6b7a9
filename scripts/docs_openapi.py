"""The reference pages of the OpenAPI documents: the contract (`openapi.yaml`) and the control
API (`mockserver/control/control.yaml`), operation by operation and schema by schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from scripts.docs_reference import GENERATED, ROOT, table

CONTRACT = ROOT / "openapi.yaml"
CONTROL = ROOT / "mockserver" / "control" / "control.yaml"
METHODS = ("get", "post", "put", "patch", "delete")
# What a schema bounds, as the reference writes it.
CONSTRAINTS = {
    "minLength": "min length",
    "maxLength": "max length",
    "minimum": "min",
    "maximum": "max",
    "maxItems": "max items",
    "pattern": "pattern",
    "default": "default",
}


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def schema_text(schema: dict[str, Any]) -> str:
    """A short type description: `Client`, `array of string`, `string (date-time)`."""
    if "$ref" in schema:
        name = ref_name(schema["$ref"])
        return f"[`{name}`](#{name.lower()})"
    for combiner in ("allOf", "oneOf", "anyOf"):
        if combiner in schema:
            return f" {combiner} ".join(schema_text(part) for part in schema[combiner])
    kind = str(schema.get("type", "any"))
    if kind == "array":
        return "array of " + schema_text(schema.get("items", {}))
    extras = [f"`{schema['format']}`"] if "format" in schema else []
    if "enum" in schema:
        extras.append("one of " + ", ".join(f"`{value}`" for value in schema["enum"]))
    extras += [
        f"{label} {schema[key]}"
        for key, label in CONSTRAINTS.items()
        if key in schema and not isinstance(schema[key], dict | list)
    ]
    if schema.get("nullable"):
        extras.append("nullable")
    return kind + (f" ({'; '.join(extras)})" if extras else "")


def resolve(document: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """A parameter or response given by `$ref`, looked up in the document."""
    while "$ref" in item:
        node: Any = document
        for part in item["$ref"].lstrip("#/").split("/"):
            node = node[part]
        item = node
    return item


def operation_section(document: dict[str, Any], method: str, path: str, op: dict) -> str:
    base = document.get("servers", [{}])[0].get("url", "")
    title = op.get("operationId", f"{method} {path}")
    parts = [f"\n### {title}\n\n`{method.upper()} {base}{path}`", f": {op.get('summary', '')}\n\n"]
    if op.get("description"):
        parts.append(op["description"].strip() + "\n\n")
    parameters = [resolve(document, p) for p in op.get("parameters", [])]
    if parameters:
        rows = [
            (
                f"`{p['name']}`",
                p["in"],
                schema_text(p.get("schema", {})),
                "yes" if p.get("required") else "",
                p.get("description", ""),
            )
            for p in parameters
        ]
        parts.append(table(("parameter", "in", "type", "required", "description"), rows) + "\n")
    body = op.get("requestBody", {}).get("content", {})
    for media, content in body.items():
        parts.append(f"Request body (`{media}`): {schema_text(content.get('schema', {}))}\n\n")
    rows = []
    for status, response in op.get("responses", {}).items():
        response = resolve(document, response)
        content = response.get("content", {})
        bodies = ", ".join(
            f"`{media}` {schema_text(c.get('schema', {}))}" for media, c in content.items()
        )
        rows.append((f"`{status}`", response.get("description", ""), bodies))
    parts.append(table(("status", "meaning", "body"), rows))
    return "".join(parts)


def schema_section(name: str, schema: dict[str, Any]) -> str:
    parts = [f"\n### {name}\n\n"]
    if schema.get("description"):
        parts.append(schema["description"].strip() + "\n\n")
    properties = schema.get("properties")
    if not properties:
        return "".join([*parts, f"Type: {schema_text(schema)}\n"])
    required = set(schema.get("required", []))
    rows = []
    for prop, spec in properties.items():
        flags = [flag for flag in ("readOnly", "writeOnly") if spec.get(flag)]
        rows.append(
            (
                f"`{prop}`",
                schema_text(spec),
                "yes" if prop in required else "",
                " ".join([*(f"({flag})" for flag in flags), spec.get("description", "")]),
            )
        )
    parts.append(table(("field", "type", "required", "description"), rows))
    return "".join(parts)


def openapi_page(title: str, source: Path, intro: str) -> str:
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    relative = source.relative_to(ROOT)
    info = document["info"]
    parts = [
        f"# {title}\n\n",
        GENERATED.format(source=relative),
        f"{intro} Generated from `{relative}` ({info['title']}, version {info['version']}).\n\n",
        "## Operations\n",
    ]
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                parts.append(operation_section(document, method, path, item[method]))
    parts.append("\n## Schemas\n")
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        parts.append(schema_section(name, schema))
    return "".join(parts)


def contract_page() -> str:
    return openapi_page(
        "The contract: Clients API",
        CONTRACT,
        "The product's API, as every part of this toolkit reads it.",
    )


def control_api_page() -> str:
    return openapi_page(
        "Control API reference",
        CONTROL,
        "The mock's own endpoints under `/__mock` (the guide is [The control API]"
        "(../control-api.md)).",
    )
