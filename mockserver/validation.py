"""Connexion's parameter validator, building each parameter's jsonschema validator once.

Connexion deep-copies a parameter and builds a new Draft4Validator for it on every request
(~5% of a request here, ../shared/PERF-NOTES.md). The parameters are the same objects for the
life of the app, so one validator each is kept and reused: same checks, same messages.
"""

from __future__ import annotations

from typing import Any, ClassVar

from connexion.utils import is_null, is_nullable
from connexion.validators.parameter import ParameterValidator, draft4_format_checker
from jsonschema import Draft4Validator, ValidationError


class CachedParameterValidator(ParameterValidator):
    # id(parameter) -> (parameter, validator); holding the parameter keeps its id from reuse.
    _validators: ClassVar[dict[int, tuple[dict[str, Any], Draft4Validator]]] = {}

    def validate_parameter(
        self, parameter_type: str, value: Any, param: dict[str, Any], param_name: Any = None
    ) -> str | None:
        if value is None or (is_nullable(param) and is_null(value)):
            return ParameterValidator.validate_parameter(parameter_type, value, param, param_name)
        try:
            _validator_for(param).validate(value)
        except ValidationError as error:
            return str(error)
        return None


def _validator_for(param: dict[str, Any]) -> Draft4Validator:
    cached = CachedParameterValidator._validators.get(id(param))
    if cached is None or cached[0] is not param:
        schema = param.get("schema", param)
        cached = (param, Draft4Validator(schema, format_checker=draft4_format_checker))
        CachedParameterValidator._validators[id(param)] = cached
    return cached[1]
