"""Check recorded exchanges against openapi.yaml with openapi-core."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from openapi_core import Config, OpenAPI
from openapi_core.deserializing.media_types.util import json_loads
from openapi_core.security.factories import SecurityProviderFactory
from openapi_core.security.providers import BaseProvider
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.paths.finders import APICallPathFinder

from mockserver.proxy.exchange import (
    Exchange,
    OpenAPIRequest,
    OpenAPIResponse,
    RecordedRequest,
)
from mockserver.proxy.violations import Side, Violation, describe


class AnyCredentials(BaseProvider):
    """Accepts every request: recorded traffic usually has its credentials scrubbed."""

    def __call__(self, parameters: Any) -> Any:
        return None


class IgnoreCredentials(SecurityProviderFactory):
    def create(self, scheme: Any) -> Any:
        return AnyCredentials(scheme)


@dataclass(frozen=True)
class Checked:
    """The verdict on one exchange: the operation it exercised and what it broke."""

    operation: str
    violations: list[Violation]
    response_checked: bool = False


class ContractChecker:
    """Finds every way one exchange breaks the contract."""

    def __init__(self, spec_path: str | Path, *, check_auth: bool = True) -> None:
        config = Config(
            # openapi-core parses only application/json; our errors are problem+json documents.
            extra_media_type_deserializers={"application/problem+json": json_loads},
        )
        if not check_auth:
            config.security_provider_factory = IgnoreCredentials()
        self.api = OpenAPI.from_file_path(str(spec_path), config=config)
        self.finder = APICallPathFinder(self.api.spec)
        server_url = (self.api.spec / "servers" / 0 / "url").read_str()
        self.base_path = urlsplit(server_url).path.rstrip("/")

    def covers(self, request: RecordedRequest) -> bool:
        """Whether the contract speaks about this request (CORS preflights are the browser's)."""
        path = request.path
        under_api = path == self.base_path or path.startswith(self.base_path + "/")
        preflight = request.method.upper() == "OPTIONS" and bool(
            request.header("Access-Control-Request-Method")
        )
        return under_api and not preflight

    def check(self, exchange: Exchange) -> Checked:
        request = OpenAPIRequest(exchange.request)
        method = exchange.request.method.upper()
        try:
            found = self.finder.find(request.method, request.host_url + request.path)
        except PathError as error:
            # Without an operation there is nothing to hold the response against.
            operation = f"{method} {self._relative(request.path)}"
            return Checked(operation, _violations(operation, "request", None, [error], request))
        operation = f"{method} {found.path_result.pattern}"
        # The validators themselves: OpenAPI.iter_*_errors re-check the adapters against
        # runtime Protocols on every call, which costs more than validating a small body.
        errors = list(self.api.request_validator.iter_errors(request))
        violations = _violations(operation, "request", None, errors, request)
        violations += _undeclared_query(operation, found, request)
        if exchange.response is not None:
            response = OpenAPIResponse(exchange.response)
            errors = list(self.api.response_validator.iter_errors(request, response))
            violations += _violations(operation, "response", response.status_code, errors, request)
        return Checked(operation, violations, response_checked=exchange.response is not None)

    def _relative(self, path: str) -> str:
        return path[len(self.base_path) :] or "/"


def _violations(
    operation: str,
    side: Side,
    status: int | None,
    errors: list[Exception],
    request: OpenAPIRequest,
) -> list[Violation]:
    return [
        Violation(operation, side, status, location, message)
        for error in errors
        for location, message in describe(error, request.parameters.header)
    ]


def _undeclared_query(operation: str, found: Any, request: OpenAPIRequest) -> list[Violation]:
    """The contract rejects unknown query parameters (typos such as ?serach=); openapi-core
    ignores them, so they are checked here."""
    declared = [
        (parameter / "name").read_str()
        for owner in (found.path, found.operation)
        for parameter in owner.get("parameters", [])
        if (parameter / "in").read_str() == "query"
    ]
    expected = ", ".join(declared) or "none"
    return [
        Violation(operation, "request", None, f"query.{name}", f"not documented ({expected})")
        for name in dict.fromkeys(request.parameters.query.keys())
        if name not in declared
    ]
