"""Bearer authentication: any non-empty token, or exactly the configured one."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from typing import Any

from connexion.exceptions import ProblemException
from connexion.security import BearerSecurityHandler

CHALLENGE = {"WWW-Authenticate": "Bearer"}


def token_problem(headers: Sequence[str], expected: str | None) -> str | None:
    """Why these Authorization header values are refused, or None when they are accepted."""
    if not headers:
        return "No bearer token: send 'Authorization: Bearer <api key>'"
    if len(headers) > 1:
        return f"Send one Authorization header, not {len(headers)}"
    scheme, _, token = headers[0].strip().partition(" ")
    if scheme.lower() != "bearer":
        return "The Authorization header must use the Bearer scheme"
    token = token.strip()
    if not token:
        return "The bearer token is empty"
    # Constant time, so response timing does not reveal how much of a guess was right.
    if expected is not None and not hmac.compare_digest(token.encode(), expected.encode()):
        return "The bearer token is not accepted"
    return None


def unauthorized(detail: str) -> ProblemException:
    return ProblemException(status=401, title="Unauthorized", detail=detail, headers=CHALLENGE)


def bearer_handler(expected: str | None) -> type[BearerSecurityHandler]:
    """A Connexion security handler class (for `security_map`) bound to one app's token."""

    def verify(request: Any) -> dict[str, str]:
        problem = token_problem(request.headers.getlist("authorization"), expected)
        if problem is not None:
            raise unauthorized(problem)
        return {"sub": "api-key"}

    class FixedTokenBearer(BearerSecurityHandler):
        def get_fn(self, security_scheme: dict, required_scopes: list) -> Callable:
            return verify

    return FixedTokenBearer
