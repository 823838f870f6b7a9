"""Schemathesis over control.yaml: every operation of the control API answers as its own document
says (statuses, content types, bodies, headers, auth), with valid and invalid data, never a 5xx.

The judges that Schemathesis 4.32 gets wrong for hand-picked reasons (its negative/positive data
labels, see the guide) are left out; every other default check runs.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case, GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from mockserver.app import create_app
from tests.fuzz_waits import shorten_waits

AUTH = {"Authorization": "Bearer control-api"}
config = schemathesis.Config.from_dict(
    {"seed": 13, "generation": {"max-examples": 25, "mode": "all"}}
)
# Loaded from the mock itself: the document it serves, with the contract's schemas copied in.
app = create_app(db=":memory:", validate_responses=True, max_sessions=50, token="control-api")
schema = schemathesis.openapi.from_asgi("/__mock/openapi.json", app, config=config)
shared_app = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


@schema.parametrize()
@shared_app
def test_control_operation(case: Case) -> None:
    shorten_waits(case)
    response = case.call(headers=AUTH)
    case.validate_response(
        response,
        excluded_checks=[negative_data_rejection, positive_data_acceptance],
        headers=AUTH,
        transport_kwargs={"headers": AUTH},
    )


def test_both_generation_modes_are_used() -> None:
    assert {GenerationMode.POSITIVE, GenerationMode.NEGATIVE} <= set(
        config.projects.default.generation.modes
    )
