"""The independent judge of a request as it was really sent: openapi-core, not Schemathesis.

Schemathesis labels a generated case valid or invalid before it is serialised; auth, added
headers and serialisation can turn an "invalid" case into a valid request (schemathesis#3730,
#4087, #4332). Whether a server had to reject a request is decided here, on the wire bytes.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
from openapi_core.deserializing.media_types.util import json_loads
from openapi_core.deserializing.styles.exceptions import EmptyQueryParameterValue
from openapi_core.templating.paths.finders import APICallPathFinder
from werkzeug.test import EnvironBuilder

# RFC 9110 5.1 / 5.5: a field name is a token; a value is visible characters, spaces and tabs,
# without leading or trailing whitespace. Anything else is not HTTP a server must accept.
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
VISIBLE = r"[\x21-\x7e\x80-\xff]"
FIELD_VALUE = re.compile(rf"(?:{VISIBLE}(?:[\x20\x09\x21-\x7e\x80-\xff]*{VISIBLE})?)?")
# Headers that frame or route the message: the HTTP client sets them, a generated value breaks
# the message itself (a malformed Content-Length gets the server's HTTP layer's own 400).
FRAMING = {
    "content-length",
    "transfer-encoding",
    "host",
    "connection",
    "keep-alive",
    "te",
    "trailer",
    "upgrade",
    "expect",
    "proxy-connection",
    "content-encoding",
}


def is_valid_http_header(name: str, value: object) -> bool:
    if not isinstance(value, str) or name.lower() in FRAMING or not TOKEN.fullmatch(name):
        return False
    try:
        raw = value.encode("latin-1").decode("latin-1")
    except UnicodeEncodeError:
        return False
    return bool(FIELD_VALUE.fullmatch(raw))


class WireJudge:
    """Validates concrete requests against the contract, including its rule that an unknown
    query parameter is invalid (which OpenAPI itself cannot state)."""

    def __init__(self, spec_path: str) -> None:
        config = Config(extra_media_type_deserializers={"application/problem+json": json_loads})
        self.api = OpenAPI.from_file_path(spec_path, config=config)

    @cached_property
    def finder(self) -> APICallPathFinder:
        return APICallPathFinder(self.api.spec)

    def request_errors(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> list[str]:
        """Why this request breaks the contract; empty when it is valid."""
        for name, value in headers.items():
            if not is_valid_http_header(name, value) and name.lower() not in FRAMING:
                return [f"header {name!r} is not valid HTTP"]
        parts = urlsplit(url)
        builder = EnvironBuilder(
            method=method,
            base_url=f"{parts.scheme}://{parts.netloc}",
            path=parts.path,
            query_string=parts.query,
            headers=[(k, v) for k, v in headers.items() if k.lower() not in FRAMING],
            data=body or b"",
        )
        request = WerkzeugOpenAPIRequest(builder.get_request())
        try:
            found = self.finder.find(request.method, request.host_url.rstrip("/") + request.path)
        except Exception as error:  # no such path or method: the contract's 404/405
            return [f"{method} {parts.path}: {error}"]
        declared = declared_query(found)
        errors = [
            str(error)
            for error in self.api.request_validator.iter_errors(request)
            if not empty_string_parameter(error, declared)
        ]
        errors += [
            f"query parameter {name!r} is not in the contract"
            for name in request.parameters.query
            if name not in declared
        ]
        return errors


def declared_query(found: Any) -> dict[str, bool]:
    """Query parameter name -> whether the empty string is a valid value of it."""
    return {
        (parameter / "name").read_str(): accepts_empty_string(parameter / "schema")
        for owner in (found.path, found.operation)
        for parameter in owner.get("parameters", [])
        if (parameter / "in").read_str() == "query"
    }


def empty_string_parameter(error: Exception, declared: dict[str, bool]) -> bool:
    """`?industry=` is a string, the empty one: openapi-core reads OpenAPI 3.0's deprecated
    allowEmptyValue strictly, the contract does not (an empty search filters nothing)."""
    cause = error.__cause__
    return isinstance(cause, EmptyQueryParameterValue) and declared.get(cause.name, False)


def accepts_empty_string(schema: Any) -> bool:
    with schema.open() as contents:
        return bool(
            contents.get("type") == "string"
            and "enum" not in contents
            and not contents.get("minLength")
            and not contents.get("pattern")
        )
