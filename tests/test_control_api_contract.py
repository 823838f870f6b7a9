"""Schemathesis over control.yaml with every check (what `st run --checks all` runs): each
operation of the control API answers as its own document says (statuses, content types, bodies,
headers, auth), accepts what the document allows and refuses what it does not, never a 5xx;
then the stateful phase chains the operations through the document's links (and the ones
Schemathesis infers): import then export, export then import, add a rule then read or delete it.

One exception, `use_after_free`, is narrowed rather than dropped (`deleted_stays_deleted`).
"""

from __future__ import annotations

import re
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import CHECKS
from schemathesis.core.transport import Response
from schemathesis.openapi.checks import UseAfterFree
from schemathesis.specs.openapi.checks import use_after_free

from mockserver.app import create_app
from tests.fuzz_waits import shorten_waits

AUTH = {"Authorization": "Bearer control-api"}
EXAMPLES = 25  # per operation and phase: the file takes ~45 s (loaded 2-core machine, 2026-12)
# A fuzzing dictionary of the edges of time as the mock stores it (UTC, years 1 to 9999, in
# milliseconds), for the only timestamps a request carries (an import's): Hypothesis's dates
# seldom reach the first and last days, where an offset moves a moment out of range, or the
# years below 1000. Drawn now and then; Schemathesis uses an entry in positive cases where the
# schema allows it, in negative ones where it does not.
EDGES_OF_TIME = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+23:59",
    "0001-01-01T23:59:59.999-23:59",
    "0999-12-31T23:59:59.999Z",
    "9999-12-31T00:00:00+23:59",
    "9999-12-31T23:59:59.999-23:59",
    "9999-12-31T23:59:59.999Z",
]
config = schemathesis.Config.from_dict(
    {
        "seed": 13,
        "headers": AUTH,
        "dictionaries": {"edges-of-time": {"values": EDGES_OF_TIME}},
        "parameters": {
            f"body.clients[*].{field}": {"dictionary": "edges-of-time", "probability": 0.2}
            for field in ("created_at", "updated_at")
        },
        "generation": {"max-examples": EXAMPLES, "mode": "all", "database": "none"},
        "checks": {"use_after_free": {"enabled": False}},
    }
)
# Loaded from the mock itself: the document it serves, with the contract's schemas copied in.
# A fixed token, so `ignored_auth` can tell a refused credential from an accepted one.
app = create_app(db=":memory:", validate_responses=True, max_sessions=50, token="control-api")
schema = schemathesis.openapi.from_asgi("/__mock/openapi.json", app, config=config)
control_client = app.test_client()
START_AGAIN = [
    ("DELETE", "/__mock/sessions"),
    ("POST", "/__mock/reset"),
    ("DELETE", "/__mock/sessions/default/rules"),
    ("DELETE", "/__mock/sessions/default/requests"),
]
shared_app = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)

# The DELETEs after which the document promises a 404: a deleted rule, and the summary of a
# forgotten session other than `default` (whose DELETE is a reset).
GONE = (
    re.compile(r"DELETE /sessions/[^/]+/rules/[^/]+"),
    re.compile(r"DELETE /sessions/(?!default$)[^/]+"),
)


def deleted_stays_deleted(ctx: Any, response: Response, case: Case) -> bool | None:
    """Schemathesis's use_after_free, where the document says the thing is gone. The other
    DELETEs of the control API empty a list (rules, journal: still there, empty) or forget a
    session that its next use seeds again (its rules, journal and clients answer); the
    document describes each, and an answer after them is no use after free."""
    try:
        return use_after_free(ctx, response, case)
    except UseAfterFree as failure:
        deleted = failure.free
        if any(gone.fullmatch(deleted) for gone in GONE) and failure.usage == deleted.replace(
            "DELETE", "GET", 1
        ):
            raise
        return None


@schema.parametrize()
@shared_app
def test_control_operation(case: Case) -> None:
    shorten_waits(case)
    response = case.call()
    case.validate_response(response, headers=AUTH, transport_kwargs={"headers": AUTH})


class ControlSequences(schema.as_state_machine()):  # type: ignore[misc]
    def setup(self) -> None:
        # Every sequence starts from the same mock, so Hypothesis can replay and shrink one
        # (what a step may do next depends on the answers before it).
        for method, path in START_AGAIN:
            answer = control_client.request(method, path, headers=AUTH)
            assert answer.status_code == 204, answer.text

    def before_call(self, case: Case) -> None:
        shorten_waits(case)

    def validate_response(
        self, response: Response, case: Case, additional_checks: Any = None, **kwargs: Any
    ) -> None:
        super().validate_response(response, case, [deleted_stays_deleted], **kwargs)


TestControlSequences = ControlSequences.TestCase
TestControlSequences.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=10, deadline=None, derandomize=True
)


def test_every_check_runs_but_use_after_free_which_is_narrowed() -> None:
    checks = config.projects.default.checks
    disabled = {
        c.__name__ for c in CHECKS.get_all() if not checks.get_by_name(name=c.__name__).enabled
    }
    assert disabled == {"use_after_free"}
    assert {GenerationMode.POSITIVE, GenerationMode.NEGATIVE} <= set(
        config.projects.default.generation.modes
    )
    assert ControlSequences.validate_response is not schema.as_state_machine().validate_response
