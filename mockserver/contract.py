"""The contract (openapi.yaml), loaded once, and validators for its named schemas."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from jsonschema.exceptions import ValidationError

from mockserver import SPEC_PATH

if TYPE_CHECKING:
    from openapi_schema_validator import OAS30Validator

__all__ = ["SPEC_PATH", "ContractPaths", "json_location", "load_spec", "schema_errors"]

try:  # The C loader parses the contract several times faster; it is optional in PyYAML.
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as Loader  # type: ignore[assignment]


@cache
def load_spec(path: str) -> dict[str, Any]:
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=Loader)


def schema_errors(spec: dict[str, Any], schema_name: str, value: Any) -> list[ValidationError]:
    """Every way `value` breaks the named component schema, OpenAPI 3.0 semantics (nullable)."""
    errors = _validator(spec, schema_name).iter_errors(value)
    return sorted(errors, key=lambda error: list(error.absolute_path))


_VALIDATORS: dict[tuple[int, str], tuple[dict[str, Any], OAS30Validator]] = {}


def _validator(spec: dict[str, Any], schema_name: str) -> OAS30Validator:
    # Built once per spec and schema: seeding 10,000 clients spent most of its time building them.
    cached = _VALIDATORS.get((id(spec), schema_name))
    if cached is None or cached[0] is not spec:
        # Imported here: ~0.1 s (it loads pydantic-settings), which a start whose fixtures were
        # checked before never needs.
        from openapi_schema_validator import OAS30Validator, oas30_format_checker

        schema = {**spec["components"]["schemas"][schema_name], "components": spec["components"]}
        cached = (spec, OAS30Validator(schema, format_checker=oas30_format_checker))
        _VALIDATORS[(id(spec), schema_name)] = cached
    return cached[1]


def json_location(error: ValidationError) -> str:
    """`$.data[3].email` style location of a validation error."""
    location = "$"
    for part in error.absolute_path:
        location += f"[{part}]" if isinstance(part, int) else f".{part}"
    return location


HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


class ContractPaths:
    """Which methods the contract offers at a concrete path such as /api/v1/clients/42."""

    def __init__(self, spec: dict[str, Any]) -> None:
        base = spec["servers"][0]["url"].rstrip("/")
        self._table = []
        for template, item in spec["paths"].items():
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(base + template))
            methods = sorted(method.upper() for method in item if method in HTTP_METHODS)
            self._table.append((re.compile(pattern + "/?", re.DOTALL), methods))

    def methods_for(self, path: str) -> list[str]:
        return next((methods for pattern, methods in self._table if pattern.fullmatch(path)), [])
