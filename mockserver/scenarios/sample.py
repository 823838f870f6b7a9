"""A value built from an OpenAPI 3.0 schema, for a response that declares no example.

Deterministic and minimal: the schema's own `example`, else its `default`, else the first enum
value, else the simplest value of its type that meets its bounds and format. Every response in
openapi.yaml has an example today; this is what keeps a `Prefer` answer inside the contract when a
new response comes without one. (hypothesis-jsonschema generates random values, not one stable
answer, and knows neither `nullable` nor `example`.)
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

FORMATS = {
    "uuid": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "date-time": "2026-01-01T00:00:00.000Z",
    "date": "2026-01-01",
    "email": "user@example.com",
    "uri": "https://example.com",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
}


def resolve(spec: dict[str, Any], node: Any) -> Any:
    """`node` with a top-level `$ref` followed (local references only)."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def sample(spec: dict[str, Any], schema: Schema, depth: int = 0) -> Any:
    schema = resolve(spec, schema)
    for keyword in ("example", "default"):
        if keyword in schema:
            return schema[keyword]
    if schema.get("enum"):
        return schema["enum"][0]
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = sample(spec, part, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    for keyword in ("oneOf", "anyOf"):
        if schema.get(keyword):
            return sample(spec, schema[keyword][0], depth + 1)
    return _by_type(spec, schema, depth)


def _by_type(spec: dict[str, Any], schema: Schema, depth: int) -> Any:
    kind = schema.get("type", "object" if "properties" in schema else None)
    if kind == "object":
        # Deep down (a recursive schema), only the properties it requires.
        names = schema.get("required", []) if depth > 8 else list(schema.get("properties", {}))
        properties = schema.get("properties", {})
        return {name: sample(spec, properties.get(name, {}), depth + 1) for name in names}
    if kind == "array":
        count = schema.get("minItems", 0)
        return [sample(spec, schema.get("items", {}), depth + 1) for _ in range(count)]
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        low = schema.get("minimum", 0)
        if schema.get("exclusiveMinimum"):
            low += 1
        return int(low) if kind == "integer" else float(low)
    if kind == "boolean":
        return False
    return None


def _string(schema: Schema) -> str:
    value = FORMATS.get(schema.get("format", ""), "string")
    minimum, maximum = schema.get("minLength", 0), schema.get("maxLength")
    value = value.ljust(minimum, "x")
    return value[:maximum] if maximum is not None else value
