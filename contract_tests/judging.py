"""How a Schemathesis response is judged: every built-in check, except that "invalid data
accepted" and "valid data rejected" are decided on the request as it was really sent."""

from __future__ import annotations

from functools import cache
from typing import Any

from schemathesis import Case
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.core.transport import Response
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from contract_tests import run
from contract_tests.wire import WireJudge, is_valid_http_header


@cache
def wire_judge() -> WireJudge:
    return WireJudge(str(run.spec_path()))


# The mock's own control headers (sessions, RFC 7240 `Prefer: code=`): outside the contract, and
# ignored by a real deployment; Schemathesis may learn their names from an in-process app.
MOCK_CONTROL_HEADERS = {"x-mock-session", "prefer"}


def drop_non_http_headers(case: Case) -> None:
    """Generated header values that are not valid HTTP (control characters, a malformed
    Content-Length) test the server's HTTP parser, not the contract: they are not sent. Nor are
    the mock's control headers."""
    if case.headers:
        for name in [
            n
            for n, v in case.headers.items()
            if not is_valid_http_header(n, v) or n.lower() in MOCK_CONTROL_HEADERS
        ]:
            del case.headers[name]


def wire_errors(response: Response) -> list[str]:
    request = response.request
    body = request.body
    sent = body.encode("utf-8") if isinstance(body, str) else body
    headers = {str(name): str(value) for name, value in request.headers.items()}
    return wire_judge().request_errors(
        request.method or "GET",
        request.url or "",
        headers,
        sent if isinstance(sent, bytes) else None,
    )


def mislabelled(case: Case, response: Response, label: str) -> None:
    request = response.request
    sent = "valid" if label == "invalid" else "invalid"
    run.RUN.ledger.mislabelled.append(
        f"{case.operation.label}: generated as {label} data, sent as a {sent} request"
        f" {request.method} {request.url} -> {response.status_code}"
    )


def negative_data_rejected_on_the_wire(ctx: Any, response: Response, case: Case) -> bool | None:
    """Invalid data must be rejected, if the request really sent was invalid."""
    __tracebackhide__ = True
    try:
        return negative_data_rejection(ctx, response, case)
    except AcceptedNegativeData:
        if wire_errors(response):
            raise
        mislabelled(case, response, "invalid")
        return None


def positive_data_accepted_on_the_wire(ctx: Any, response: Response, case: Case) -> bool | None:
    """Valid data must be accepted, if the request really sent was valid."""
    __tracebackhide__ = True
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if not wire_errors(response):
            raise
        mislabelled(case, response, "valid")
        return None


def excluded_checks() -> list[Any]:
    # "Available at once" stays on under --settle: the linked read it judges was retried in the
    # transport until the write showed (contract_tests/settling.py).
    return [negative_data_rejection, positive_data_acceptance]


ADDED_CHECKS: list[Any] = [negative_data_rejected_on_the_wire, positive_data_accepted_on_the_wire]


def observe(response: Response) -> None:
    request = response.request
    run.RUN.ledger.observe(
        request.method or "", request.url or "", response.status_code, response.content
    )


def call_and_judge(case: Case, call_kwargs: dict[str, Any]) -> Response:
    __tracebackhide__ = True
    drop_non_http_headers(case)
    response = case.call(**call_kwargs)
    observe(response)
    case.validate_response(
        response,
        excluded_checks=excluded_checks(),
        additional_checks=ADDED_CHECKS,
        headers=call_kwargs.get("headers"),
        transport_kwargs=call_kwargs,
    )
    return response
