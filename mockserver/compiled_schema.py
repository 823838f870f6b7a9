"""A JSON Schema check compiled once (jsonschema-rs) in front of Connexion's jsonschema validator.

jsonschema (pure Python) spends ~0.3 ms on a one-field partial update; the compiled check
takes a few µs. It decides only the common case, a valid instance: when it says "invalid",
the Python validator runs and decides, so every refusal carries the same message as before
and an instance the compiled check refuses wrongly (it is stricter in places: `$` matches
before a final newline in Python only, it checks formats such as `uuid` that jsonschema
ignores) is still accepted.

It must never accept what the Python validator refuses, so it is only built for schemas it
reads the same way (`tests/test_compiled_schema.py` holds the two side by side): OpenAPI's
`nullable` becomes a `"null"` type as Connexion (or openapi-schema-validator) reads it, every
format is checked by the very function the Python validator uses, and a schema with a keyword
the two read differently (`multipleOf` on floats, the response-only `writeOnly`) keeps the
Python validator alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import jsonschema_rs
from jsonschema import FormatChecker

# Keywords the compiled check reads differently from Connexion's Draft 4 validators.
UNSAFE = frozenset({"multipleOf", "writeOnly", "x-writeOnly"})


class Validator(Protocol):
    def validate(self, instance: Any) -> None: ...


class CompiledFirst:
    """`validate(instance)`: the compiled check, then `fallback.validate` only if it refuses."""

    def __init__(self, schema: dict[str, Any], fallback: Validator, formats: FormatChecker) -> None:
        self.fallback = fallback
        self.compiled = compile_schema(schema, formats)

    def validate(self, instance: Any) -> None:
        if self.compiled is None or not self.compiled.is_valid(instance):
            self.fallback.validate(instance)  # raises the ValidationError Connexion reports


@dataclass(frozen=True)
class Nullable:
    """How a Python validator reads `nullable: true`: which keys say it, whether `enum` too."""

    keys: tuple[str, ...]
    enum: bool


CONNEXION = Nullable(("nullable", "x-nullable"), enum=True)  # connexion.json_schema
OAS30 = Nullable(("nullable",), enum=False)  # openapi-schema-validator's OAS30Validator


def compile_schema(
    schema: dict[str, Any], formats: FormatChecker, nullable: Nullable = CONNEXION
) -> Any | None:
    """The compiled Draft 4 check of `schema`, or None where it could disagree."""
    if _uses(schema, UNSAFE):
        return None
    checks = {name: _format_check(formats, name) for name in formats.checkers}
    return jsonschema_rs.Draft4Validator(
        _nullable_as_type(schema, nullable), formats=checks, validate_formats=True
    )


def _format_check(formats: FormatChecker, name: str) -> Any:
    return lambda value: formats.conforms(value, name)


# Keywords whose value maps names to schemas: the map itself is not a schema.
SCHEMA_MAPS = frozenset({"properties", "patternProperties", "definitions"})


def _nullable_as_type(schema: Any, nullable: Nullable) -> Any:
    """A `nullable` schema's null said in Draft 4 (Connexion's `allow_nullable`)."""
    if isinstance(schema, list):
        return [_nullable_as_type(item, nullable) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {
        key: (
            {name: _nullable_as_type(each, nullable) for name, each in value.items()}
            if key in SCHEMA_MAPS and isinstance(value, dict)
            else _nullable_as_type(value, nullable)
        )
        for key, value in schema.items()
    }
    if any(schema.get(key) is True for key in nullable.keys):
        if "type" in converted:
            kinds = converted["type"]
            converted["type"] = [*(kinds if isinstance(kinds, list) else [kinds]), "null"]
        if nullable.enum and "enum" in converted:
            converted["enum"] = [*converted["enum"], None]
    return converted


def _uses(schema: Any, keywords: frozenset[str]) -> bool:
    if isinstance(schema, list):
        return any(_uses(item, keywords) for item in schema)
    if isinstance(schema, dict):
        return bool(keywords & schema.keys()) or any(_uses(v, keywords) for v in schema.values())
    return False
