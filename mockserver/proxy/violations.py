"""Turn openapi-core's validation errors into one-line violations that say what broke and where."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any, Literal

from openapi_core.casting.schemas.exceptions import CastError
from openapi_core.deserializing.media_types.exceptions import MediaTypeDeserializeError
from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.templating.paths.exceptions import OperationNotFound, PathError
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.validation.request.exceptions import (
    MissingRequestBodyError,
    MissingRequiredParameter,
    ParameterValidationError,
    SecurityValidationError,
)
from openapi_core.validation.response.exceptions import (
    HeaderValidationError,
    MissingData,
    MissingRequiredHeader,
)

Side = Literal["request", "response"]
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Violation:
    operation: str  # "PUT /clients/{id}", or the method and raw path when the contract lacks it
    side: Side
    status: int | None  # the response status; None on the request side
    location: str  # "$.data[3].email", "query.limit", "header Location", "status", ...
    message: str  # what was expected versus what was found

    @property
    def where(self) -> str:
        return "request" if self.side == "request" else f"response {self.status}"

    @property
    def line(self) -> str:
        return f"{self.operation} {self.where}: {self.location}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, **asdict(self)}


def json_location(path: Iterable[Any]) -> str:
    """jsonschema's error path as a JSONPath such as $.data[3].email."""
    location = "$"
    for part in path:
        if isinstance(part, int):
            location += f"[{part}]"
        elif IDENTIFIER.match(part):
            location += f".{part}"
        else:
            location += f"[{part!r}]"
    return location


def describe(error: Exception, headers: Any = None) -> Iterator[tuple[str, str]]:
    """(location, message) pairs for one openapi-core error; several for a schema error."""
    cause = error.__cause__
    schema_errors = list(getattr(cause, "schema_errors", None) or [])
    if isinstance(error, ParameterValidationError):
        yield from _parameter(error, cause, schema_errors)
    elif isinstance(error, HeaderValidationError):
        yield from _header(error, schema_errors)
    elif schema_errors:
        for schema_error in schema_errors:
            yield json_location(schema_error.absolute_path), schema_error.message
    elif isinstance(cause, MediaTypeNotFound):
        yield _media_type(cause)
    elif isinstance(cause, MediaTypeDeserializeError):
        yield "$", f"the body is not valid {cause.mimetype}"
    elif isinstance(error, MissingData | MissingRequestBodyError):
        yield "$", "the body is missing"
    elif isinstance(error, ResponseNotFound):
        documented = ", ".join(error.availableresponses)
        yield "status", f"{error.http_status} is not documented (documented: {documented})"
    elif isinstance(error, SecurityValidationError):
        yield "header Authorization", _credentials(headers)
    elif isinstance(error, OperationNotFound):
        yield "method", f"{error.method.upper()} is not documented for this path"
    elif isinstance(error, PathError):
        yield "path", "not in the contract"
    else:
        yield "$", str(error)


def _parameter(
    error: ParameterValidationError, cause: BaseException | None, schema_errors: list[Any]
) -> Iterator[tuple[str, str]]:
    location = f"{error.location}.{error.name}"
    if isinstance(error, MissingRequiredParameter):
        yield location, "required, but missing"
    elif isinstance(cause, CastError):
        yield location, f"{cause.value!r} is not of type {cause.type!r}"
    elif schema_errors:
        for schema_error in schema_errors:
            yield location, schema_error.message
    else:
        yield location, str(cause or error)


def _header(error: HeaderValidationError, schema_errors: list[Any]) -> Iterator[tuple[str, str]]:
    location = f"header {error.name}"
    if isinstance(error, MissingRequiredHeader):
        yield location, "required, but missing"
    for schema_error in schema_errors:
        yield location, schema_error.message


def _media_type(cause: MediaTypeNotFound) -> tuple[str, str]:
    expected = " or ".join(cause.availableMimetypes)
    if not cause.mimetype:
        return "Content-Type", f"missing (expected {expected})"
    return "Content-Type", f"{cause.mimetype!r} is not documented (expected {expected})"


def _credentials(headers: Any) -> str:
    value = headers.get("Authorization") if headers is not None else None
    if not value:
        return "missing (expected 'Bearer <token>')"
    # Name the scheme only: the credentials must never reach a log line.
    return f"{value.split(' ', 1)[0]!r} credentials where 'Bearer <token>' is expected"
