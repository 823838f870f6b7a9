"""The contract (openapi.yaml), loaded once, and validators for its named schemas."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator, oas30_format_checker

try:  # The C loader parses the contract several times faster; it is optional in PyYAML.
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as Loader


@cache
def load_spec(path: str) -> dict[str, Any]:
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=Loader)


def schema_errors(spec: dict[str, Any], schema_name: str, value: Any) -> list[ValidationError]:
    """Every way `value` breaks the named component schema, OpenAPI 3.0 semantics (nullable)."""
    schema = {**spec["components"]["schemas"][schema_name], "components": spec["components"]}
    validator = OAS30Validator(schema, format_checker=oas30_format_checker)
    return sorted(validator.iter_errors(value), key=lambda error: list(error.absolute_path))


def json_location(error: ValidationError) -> str:
    """`$.data[3].email` style location of a validation error."""
    location = "$"
    for part in error.absolute_path:
        location += f"[{part}]" if isinstance(part, int) else f".{part}"
    return location
