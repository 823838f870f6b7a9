"""Property tests of every operation in the contract, with positive and negative data.

Schemathesis generates requests from openapi.yaml and runs all its checks on each response:
status codes, content types, headers and bodies as documented, no 5xx, invalid data rejected,
valid data accepted, auth enforced, undeclared methods refused. Whether data was invalid is
judged on the request really sent (contract_tests/judging.py).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from schemathesis import Case

from contract_tests import run
from contract_tests.judging import call_and_judge
from contract_tests.run import load_schema
from contract_tests.target import Target

schema = load_schema()
# `target` is reset once per operation, not per example: examples share the store on purpose.
# No wall-clock health check: generation is slow on a busy CI runner, not wrong.
shared_target = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@schema.include(method="GET").parametrize()
@shared_target
def test_read_operation(case: Case, target: Target) -> None:
    within_budget(case, target)


@pytest.mark.writes
@schema.exclude(method="GET").parametrize()
@shared_target
def test_write_operation(case: Case, target: Target) -> None:
    within_budget(case, target)


def within_budget(case: Case, target: Target) -> None:
    """Judge the case, unless --max-time is spent (then the rest of the operation is skipped)."""
    __tracebackhide__ = True
    where = case_group(case)
    run.RUN.budget.next_case(where)
    with run.RUN.budget.failing(where):
        call_and_judge(case, target.call_kwargs())


def case_group(case: Case) -> str:
    """The operation and the Schemathesis phase a case belongs to, for the --max-time summary."""
    phase = case.meta.phase.name.value if case.meta is not None else "explicit"
    return f"{case.operation.label} ({phase} phase)"
