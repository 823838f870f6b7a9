"""Broken variants of the mock, one behavioural defect each, to show the suite catches them.

`tests/test_contract_suite_catches_bugs.py` runs the checks against each. To run the whole suite
against one: `CONTRACT_DEFECT=search_ignores_email pytest contract_tests
--app tests.contract_suite.defects:mock_variant`.
"""

from __future__ import annotations

import os

import httpx

from tests.contract_suite.defects import edges, errors, listing, paging, resource, search, writes
from tests.contract_suite.planting import Defect, Forward, Planted


async def no_defect(request: httpx.Request, forward: Forward) -> httpx.Response:
    """The control: everything passes through untouched."""
    return await forward(request)


DEFECTS: dict[str, Defect] = {
    defect.__name__: defect
    for module in (resource, writes, listing, paging, search, errors, edges)
    for defect in module.DEFECTS
}


async def writes_forbidden(request: httpx.Request, forward: Forward) -> httpx.Response:
    """Not a defect: a deployment where writing is not allowed, for --read-only runs."""
    if request.method in ("POST", "PUT") and "/api/v1/" in request.url.path:
        problem = {"type": "about:blank", "title": "Forbidden", "status": 403}
        return httpx.Response(
            403, json=problem, headers={"Content-Type": "application/problem+json"}
        )
    return await forward(request)


VARIANTS: dict[str, Defect] = {
    **DEFECTS,
    "no_defect": no_defect,
    "writes_forbidden": writes_forbidden,
}


def mock_variant() -> Planted:
    """The in-process mock with the variant named by $CONTRACT_DEFECT planted in front."""
    from mockserver.app import create_app

    return Planted(create_app(db=":memory:"), VARIANTS[os.environ["CONTRACT_DEFECT"]])
