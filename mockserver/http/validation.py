"""Connexion's validators, tightened where its defaults let bad input through, and cached.

- Connexion deep-copies a parameter and builds a new jsonschema validator for it, and for the
  body schema, on every request (~5% of a request, see docs/benchmarks.md). The schemas are the
  same objects for the life of the app, so each validator is built once, with a compiled check
  in front that decides valid instances (compiled_schema.py; same messages).
- A query error names its parameter; a parameter given twice is refused rather than one value
  silently winning; an integer must be ASCII digits (Python's int() also takes other scripts').
- `format: email` is checked as an address (one '@' between non-empty parts), not just for an '@'.
- A body that fits none of an `anyOf`/`oneOf`, or fits a `not`, is told that schema's
  `description` (jsonschema's own message only repeats the body).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any, ClassVar

from connexion.json_schema import Draft4RequestValidator, Draft4ResponseValidator
from connexion.utils import is_null, is_nullable
from connexion.validators import (
    JSONRequestBodyValidator,
    JSONResponseBodyValidator,
    TextResponseBodyValidator,
)
from connexion.validators.parameter import ParameterValidator
from jsonschema import Draft4Validator, FormatChecker, ValidationError, validators
from starlette.datastructures import QueryParams
from starlette.types import Scope

from mockserver.compiled_schema import CompiledFirst
from mockserver.http.media_types import MediaTypes
from mockserver.http.strict_json import parsed_body

INTEGER = re.compile(r"[+-]?[0-9]+")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
FORMATS = FormatChecker(formats=Draft4Validator.FORMAT_CHECKER.checkers)
FORMATS.checks("email")(lambda value: not isinstance(value, str) or bool(EMAIL.fullmatch(value)))

Cache = dict[int, tuple[Any, CompiledFirst]]


def _cached(cache: Cache, schema: dict[str, Any], build: type[Draft4Validator]) -> CompiledFirst:
    # Keyed by identity; holding the schema keeps its id from being reused by another object.
    entry = cache.get(id(schema))
    if entry is None or entry[0] is not schema:
        entry = (schema, CompiledFirst(schema, build(schema, format_checker=FORMATS), FORMATS))
        cache[id(schema)] = entry
    return entry[1]


class CachedParameterValidator(ParameterValidator):
    _validators: ClassVar[Cache] = {}

    def validate_query_parameter(self, param: dict[str, Any], request: Any) -> str | None:
        raw = QueryParams(request.scope["query_string"]).getlist(param["name"])
        if len(raw) > 1:
            return f"query parameter '{param['name']}' is given {len(raw)} times; give it once"
        kind = param.get("schema", param).get("type")
        if raw and kind == "integer" and not INTEGER.fullmatch(raw[0]):
            return f"query parameter '{param['name']}': {raw[0]!r} is not an integer"
        return super().validate_query_parameter(param, request)

    def validate_parameter(
        self, parameter_type: str, value: Any, param: dict[str, Any], param_name: Any = None
    ) -> str | None:
        if value is None or (is_nullable(param) and is_null(value)):
            return ParameterValidator.validate_parameter(parameter_type, value, param, param_name)
        schema = param.get("schema", param)
        try:
            _cached(self._validators, schema, Draft4Validator).validate(value)
        except ValidationError as error:
            return f"{parameter_type} parameter '{param['name']}': {error.message}"
        return None


def _explained(keyword: Any) -> Any:
    def check(validator: Any, value: Any, instance: Any, schema: dict[str, Any]) -> Any:
        for error in keyword(validator, value, instance, schema):
            if "description" in schema:
                error.message = f"{error.message}: {schema['description'].strip()}"
            yield error

    return check


COMBINED = ("anyOf", "oneOf", "not")
ExplainedRequestValidator = validators.extend(
    Draft4RequestValidator,
    {name: _explained(Draft4RequestValidator.VALIDATORS[name]) for name in COMBINED},
)


class CachedJSONBodyValidator(JSONRequestBodyValidator):
    _validators: ClassVar[Cache] = {}

    @property
    def _validator(self) -> CompiledFirst:
        return _cached(self._validators, self._schema, ExplainedRequestValidator)

    async def _parse(self, stream: AsyncIterator[bytes], scope: Scope) -> Any:
        # The guard parsed it: the body's messages, not read here, go on to the handler as sent.
        found, document = parsed_body(scope)
        return document if found else await super()._parse(stream, scope)


class CachedJSONResponseValidator(JSONResponseBodyValidator):
    """Responses are checked (`validate_responses`, on in the tests) as Connexion checks them."""

    _validators: ClassVar[Cache] = {}

    @property
    def validator(self) -> CompiledFirst:
        return _cached(self._validators, self._schema, Draft4ResponseValidator)


VALIDATOR_MAP = {
    "parameter": CachedParameterValidator,
    "body": MediaTypes({"*/*json": CachedJSONBodyValidator}),
    "response": MediaTypes(
        {"*/*json": CachedJSONResponseValidator, "text/plain": TextResponseBodyValidator}
    ),
}
