"""The stateful phase: create a client, then get, update and list, following links.

Schemathesis chains operations through the links declared in openapi.yaml (createClient ->
getClient / updateClient) and checks every response on the way, plus that a created resource is
available at once. In process it also follows the links it infers (listClients -> getClient /
updateClient ...), starting each scenario from the fixtures. On a deployment it follows only the
declared links, so it never changes a record it did not create.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from schemathesis import Case

from contract_tests.judging import ADDED_CHECKS, drop_non_http_headers, excluded_checks, observe
from contract_tests.run import RUN, load_schema
from contract_tests.target import Target

STATEFUL = "stateful phase (scenarios)"  # as --max-time names it


@pytest.mark.writes
def test_create_get_update_list(target: Target) -> None:
    schema = load_schema()
    if target.in_process:
        inference = schema.apply_stateful_inference(None)
        assert inference.inferred > 0, "Schemathesis inferred no links from the contract"

    class Workflows(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            RUN.budget.next_case(STATEFUL)
            target.reset()

        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return target.call_kwargs()

        def call(self, case: Case, **kwargs: Any) -> Any:
            drop_non_http_headers(case)
            response = case.call(**kwargs)
            observe(response)
            return response

        def validate_response(
            self, response: Any, case: Case, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            __tracebackhide__ = True
            with RUN.budget.failing(STATEFUL):
                case.validate_response(
                    response,
                    excluded_checks=excluded_checks(),
                    additional_checks=[*ADDED_CHECKS, *(additional_checks or [])],
                    transport_kwargs=kwargs or None,
                    recorder=self.recorder,
                )

    # No wall-clock health check: on a busy CI runner drawing a step's data can take seconds
    # (the flake benchmark met "Input generation is slow" on a correct server at load 15).
    Workflows.run(
        settings=settings(
            max_examples=RUN.profile.scenarios,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
    )
