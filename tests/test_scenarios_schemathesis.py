"""Schemathesis against the scenarios part of the control API (control.yaml, tag Scenarios):
valid and invalid rules, journal queries and deletions; every answer must match the document,
and nothing a client sends may give a 5xx."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from mockserver.app import create_app
from tests.fuzz_waits import shorten_waits

AUTH = {"Authorization": "Bearer schemathesis-token"}


# Built at collection: Schemathesis parametrizes from a loaded schema (its from_fixture
# loader does not work with this pytest).
schema = schemathesis.openapi.from_asgi("/__mock/openapi.json", create_app(db=":memory:"))


@schema.include(tag="Scenarios").parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_scenarios_control_api_conforms_to_its_document(case: Any) -> None:
    # The mock accepts any non-empty token, so Schemathesis's made-up one is not refused.
    excluded = [ignored_auth]
    if case.operation.definition.raw.get("operationId") == "addRule":
        # A rule that fits the schema can still be refused: it must name an operation of the
        # contract and a status that operation declares, which no schema here can state
        # (test_scenarios.py checks each refusal). Every other check still applies.
        excluded.append(positive_data_acceptance)
    shorten_waits(case)
    case.call_and_validate(headers=AUTH, excluded_checks=excluded)
