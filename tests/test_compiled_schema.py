"""The compiled schema check (mockserver/compiled_schema.py) never accepts what Connexion's
jsonschema validator refuses, on every schema of both documents, and accepts the common valid
cases itself (or it would buy nothing)."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from connexion.json_schema import Draft4RequestValidator, Draft4ResponseValidator, resolve_refs
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator, ValidationError
from openapi_schema_validator import oas30_format_checker

from mockserver import SPEC_PATH
from mockserver.compiled_schema import STAND_INS, CompiledFirst, compile_schema
from mockserver.contract import load_spec
from mockserver.control import control_spec
from mockserver.http.validation import FORMATS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PALETTE: list[Any] = [
    None, True, False, 0, 1, 1.0, -0.0, 1.5, -1, 10**30, "", "x", "x" * 300, " ", "\n",
    "a@b", "a@b@c", "no email", "https://acme.com", "acme.com", "/relative",
    "2020-01-01T00:00:00Z", "2020-01-01 00:00:00", "2020-13-01T00:00:00Z", "active", "ACTIVE",
    "5be04d43-b85f-49c4-bab7-ed5f2d182f2b", "not-a-uuid", "abc\n", "Zoë 🚀",
    "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2020-04-31T00:00:00Z",
    "2020-01-01T00:00:00Z\n", "https://acme.com\n", "http://a:b", "https://acme.com/%zz",
    "5be04d43-b85f-49c4-bab7-ed5f2d182f2b\n",
    [], [""], ["x", "x"], [1], {}, {"k": "v"}, {"k": {"k": [1, None]}},
]  # fmt: skip


def contract_schemas() -> Iterator[tuple[str, dict[str, Any], type[Draft4Validator]]]:
    """Every body, parameter and response schema as Connexion validates it."""
    contract = load_spec(str(SPEC_PATH))
    for document in (contract, control_spec(contract)):
        spec = resolve_refs(copy.deepcopy(document))
        for path, operations in spec["paths"].items():
            for method, operation in operations.items():
                if not isinstance(operation, dict):
                    continue
                where = f"{method.upper()} {path}"
                for parameter in operation.get("parameters", []):
                    yield f"{where} {parameter['name']}", parameter["schema"], Draft4Validator
                body = operation.get("requestBody", {}).get("content", {})
                for media in body.values():
                    yield f"{where} body", media["schema"], Draft4RequestValidator
                for status, answer in operation.get("responses", {}).items():
                    for media in answer.get("content", {}).values():
                        yield f"{where} {status}", media["schema"], Draft4ResponseValidator


SCHEMAS = list(contract_schemas())


def instances(schema: dict[str, Any]) -> Iterator[Any]:
    """The palette whole, and each property of the schema given each palette value, alone and
    beside a valid-looking neighbour."""
    yield from PALETTE
    names = list(schema.get("properties", {}))
    for name, value in itertools.product(names, PALETTE):
        yield {name: value}
        for other in names[:3]:
            if other != name:
                yield {other: "x", name: value}


@pytest.mark.parametrize(("schema", "kind"), [s[1:] for s in SCHEMAS], ids=[s[0] for s in SCHEMAS])
def test_the_compiled_check_never_accepts_what_jsonschema_refuses(
    schema: dict[str, Any], kind: type[Draft4Validator]
) -> None:
    compiled = compile_schema(schema, FORMATS)
    slow = kind(schema, format_checker=FORMATS)
    assert compiled is not None, "no compiled check: a keyword of UNSAFE is used"
    wrongly = [x for x in instances(schema) if compiled.is_valid(x) and not slow.is_valid(x)]
    assert not wrongly, f"accepted by the compiled check only: {wrongly[:5]}"


def test_the_compiled_check_accepts_the_fixtures_nulls_included() -> None:
    """Valid clients pass without the Python validator: `nullable` is understood."""
    client = next(s for name, s, _ in SCHEMAS if name == "GET /clients/{id} 200")
    compiled = compile_schema(client, FORMATS)
    assert compiled is not None
    records = json.loads((FIXTURES / "clients.json").read_text())
    assert any(None in record.values() for record in records)
    for record in records:
        shown = {**record, "jobs_count": 0, "active_jobs_count": 0}
        assert compiled.is_valid(shown), record["id"]


def test_a_refusal_carries_the_python_validators_message() -> None:
    body = next(s for name, s, _ in SCHEMAS if name == "PUT /clients/{id} body")
    checked = CompiledFirst(body, Draft4RequestValidator(body, format_checker=FORMATS), FORMATS)
    for invalid in ({"name": ""}, {"email": "no email"}, {"id": "x"}, {"tags": "x"}):
        with pytest.raises(ValidationError) as compiled_error:
            checked.validate(invalid)
        with pytest.raises(ValidationError) as python_error:
            Draft4RequestValidator(body, format_checker=FORMATS).validate(invalid)
        assert compiled_error.value.message == python_error.value.message


def test_a_keyword_read_differently_keeps_the_python_validator_alone() -> None:
    schema = {"type": "number", "multipleOf": 0.01}  # 0.07 % 0.01 != 0 in Python floats
    assert compile_schema(schema, FORMATS) is None
    checked = CompiledFirst(schema, Draft4Validator(schema), FORMATS)
    with pytest.raises(ValidationError):
        checked.validate(0.07)


@pytest.mark.parametrize("name", sorted(STAND_INS))
def test_a_format_checked_natively_accepts_only_what_its_python_check_accepts(name: str) -> None:
    """Strings drawn from the stand-in pattern: the compiled check accepts them without Python,
    and jsonschema's format function accepts each of them too."""
    check, pattern = STAND_INS[name]
    assert oas30_format_checker.checkers[name][0] is check, "the stand-in would not be used"
    compiled = compile_schema({"type": "string", "format": name}, oas30_format_checker)
    assert compiled is not None

    @settings(max_examples=300, deadline=None)
    @given(st.from_regex(pattern, fullmatch=pattern.startswith("^")))
    def agree(value: str) -> None:
        assert compiled.is_valid(value)
        assert oas30_format_checker.conforms(value, name), value

    agree()


def test_a_valid_value_outside_a_stand_in_pattern_is_accepted_by_the_python_check() -> None:
    """Stricter than jsonschema costs a Python check, never a refusal: a lowercase RFC 3339 time
    and a percent-encoded URI fall outside the patterns, and pass."""
    schema = {"type": "array", "items": [{"format": "date-time"}, {"format": "uri"}]}
    value = ["2024-01-01t00:00:00z", "https://acme.com/a%20b"]
    compiled = compile_schema(schema, oas30_format_checker)
    assert compiled is not None
    assert not compiled.is_valid(value)  # the pattern stands in: the format is not called
    CompiledFirst(
        schema, Draft4Validator(schema, format_checker=oas30_format_checker), oas30_format_checker
    ).validate(value)
