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
format is checked by the very function the Python validator uses (or, for the common formats,
by a pattern natively: see STAND_INS), and a schema with a keyword the two read differently
(`multipleOf` on floats, the response-only `writeOnly`) keeps the Python validator alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import jsonschema_rs
from jsonschema import FormatChecker, _format

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
    native = {
        name: pattern
        for name, (check, pattern) in STAND_INS.items()
        if check is not None and formats.checkers.get(name, (None,))[0] is check
    }
    checks = {name: _format_check(formats, name) for name in formats.checkers if name not in native}
    compiled_form = _formats_as_patterns(_nullable_as_type(schema, nullable), native)
    return jsonschema_rs.Draft4Validator(compiled_form, formats=checks, validate_formats=True)


def _format_check(formats: FormatChecker, name: str) -> Any:
    return lambda value: formats.conforms(value, name)


# A format checked through Python costs a call back from Rust per value (~3.5 µs: 100,000 fixtures
# hold 500,000 such values, 1.7 s of CPU). Where the checker is jsonschema's own function, the
# compiled check tests instead a pattern every string of which that function accepts (the tests
# draw strings from each pattern and ask the function). A value outside the pattern is refused
# by the compiled check, so the Python validator decides it: stricter costs time, never a verdict.
_DAY = (
    "(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"  # any month, days 1-28
    "|(?:0[13-9]|1[0-2])-(?:29|30)"
    "|(?:0[13578]|1[02])-31)"
)
# Years with a February 29: divisible by 4, and by 400 if by 100.
_LEAP = "(?:[1-9][0-9](?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[13579][26])00)"
_TIME = "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:[.][0-9]+)?"
_URI_PART = "[A-Za-z0-9._~!$&'()*+,;=:@/-]"  # pchar and "/", without percent-encoding
_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
STAND_INS: dict[str, tuple[Any, str]] = {
    "uuid": (_format.is_uuid, "^[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$"),
    "email": (_format.is_email, "@"),  # jsonschema's check: the string holds an @
    "date-time": (
        getattr(_format, "is_datetime", None),  # absent without rfc3339-validator
        f"^(?:[1-9][0-9]{{3}}-{_DAY}|{_LEAP}-02-29)T{_TIME}(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$",
    ),
    "uri": (
        getattr(_format, "is_uri", None),  # rfc3986-validator's or rfc3987's
        f"^https?://{_LABEL}(?:[.]{_LABEL})*(?::[0-9]{{1,5}})?(?:/{_URI_PART}*)?"
        f"(?:[?](?:{_URI_PART}|[?])*)?(?:#(?:{_URI_PART}|[?])*)?$",
    ),
}
# Keywords whose value is data, not a schema: a "format" key in it is not a format.
LITERALS = frozenset({"enum", "default", "example", "examples", "const"})


def _formats_as_patterns(schema: Any, native: dict[str, str]) -> Any:
    """`schema` with each format of `native` replaced by its pattern (beside any other)."""

    def replace_format(original: dict[str, Any], converted: dict[str, Any]) -> None:
        name = original.get("format")
        if isinstance(name, str) and name in native:
            del converted["format"]
            converted["allOf"] = [*converted.get("allOf", []), {"pattern": native[name]}]

    return _rewritten(schema, replace_format)


# Keywords whose value maps names to schemas: the map itself is not a schema.
SCHEMA_MAPS = frozenset({"properties", "patternProperties", "definitions"})


def _nullable_as_type(schema: Any, nullable: Nullable) -> Any:
    """A `nullable` schema's null said in Draft 4 (Connexion's `allow_nullable`)."""

    def allow_null(original: dict[str, Any], converted: dict[str, Any]) -> None:
        if any(original.get(key) is True for key in nullable.keys):
            if "type" in converted:
                kinds = converted["type"]
                converted["type"] = [*(kinds if isinstance(kinds, list) else [kinds]), "null"]
            if nullable.enum and "enum" in converted:
                converted["enum"] = [*converted["enum"], None]

    return _rewritten(schema, allow_null)


def _rewritten(schema: Any, rewrite: Callable[[dict[str, Any], dict[str, Any]], None]) -> Any:
    """A copy of `schema` in which `rewrite(original, copy)` has changed each schema object's
    copy, its subschemas first; the maps of names to schemas and literal data are not schemas."""
    if isinstance(schema, list):
        return [_rewritten(item, rewrite) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {
        key: (
            value
            if key in LITERALS
            else {name: _rewritten(each, rewrite) for name, each in value.items()}
            if key in SCHEMA_MAPS and isinstance(value, dict)
            else _rewritten(value, rewrite)
        )
        for key, value in schema.items()
    }
    rewrite(schema, converted)
    return converted


def _uses(schema: Any, keywords: frozenset[str]) -> bool:
    if isinstance(schema, list):
        return any(_uses(item, keywords) for item in schema)
    if isinstance(schema, dict):
        return bool(keywords & schema.keys()) or any(_uses(v, keywords) for v in schema.values())
    return False
