"""Fixtures for the mock's own tests: an in-process app on a throw-away store, and a reader of
every client it holds; and how the suite is shared among pytest-xdist workers (`make test`)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from _pytest.nodeid import NodeId
from starlette.testclient import TestClient

from mockserver.app import create_app

# A fixture shared by several tests (module, class or package scope) is built once per worker
# that runs one of them: tests using one are kept on one worker, in their order, so the fixture
# is built once and a test that checks what the ones before it left (a served mock surviving a
# corpus) still sees them. Every other test goes to whichever worker is free.
SHARED_SCOPES = frozenset({"module", "class", "package"})

# A whole contract suite in a subprocess keeps a core busy: two at once on a two-core machine,
# not four (starved, Hypothesis fails its health check and suites time out). Such a test uses
# the run_contract_suite fixture or lives in one of these modules.
SUITE_RUNS = frozenset(
    f"tests/test_contract_suite_{name}.py" for name in ("flake", "install", "parallel", "staging")
)
SUITE_LANES = max(1, min(2, os.cpu_count() or 1))
# Suites run against the deliberately slow staging target (tests/contract_suite/staging.py:
# lag, throttling, slow writes, a 30 s job limit) mostly wait: a quarter of a core for minutes.
# They get lanes of their own beside the busy ones instead of holding those up.
STAGING_MARKER = "staging_target"
STAGING_LANES = 2
# A single test known to run for about a minute (`@pytest.mark.long(seconds)`) starts with the
# lanes, longest first: queued among the other single tests, the soak started last, behind a
# lane's two remaining suites (xdist hands a worker its next unit when two tests are left).
LONG_MARKER = "long"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{STAGING_MARKER}: runs contract suites against the slow staging target"
    )
    config.addinivalue_line(
        "markers",
        f"{LONG_MARKER}(seconds): a single test that runs about that long; it starts early",
    )
    # The lanes go first (below): xdist must not reorder the work by group size.
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    dealt: Counter[str] = (
        Counter()
    )  # lanes dealt in turn, in collection order (the same everywhere)
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        module = item.nodeid.split("::")[0]
        if item.get_closest_marker(STAGING_MARKER):
            lane = f"contract-suite-staging-{dealt['staging'] % STAGING_LANES}"
            dealt["staging"] += 1
        elif module in SUITE_RUNS or "run_contract_suite" in getattr(item, "fixturenames", ()):
            lane = f"contract-suite-runs-{dealt['runs'] % SUITE_LANES}"
            dealt["runs"] += 1
        elif SHARED_SCOPES & fixture_scopes(item):
            lane = module
        else:
            continue
        item.add_marker(pytest.mark.xdist_group(lane))
    if getattr(config.option, "loadgroup", False):
        longest_first(items)


def longest_first(items: list[pytest.Item]) -> None:
    """The lanes of contract suites are the longest work: they start at once, then the single
    tests marked long (the longest first), then the other groups, the largest first (what
    xdist's own reordering does), then the other single tests in order."""
    groups = {id(item): group_of(item) for item in items}
    sizes = Counter(groups.values())

    def rank(item: pytest.Item) -> tuple[int, float, str]:
        group = groups[id(item)]
        if group.startswith("contract-suite-"):
            return (0, 0, group)
        long = item.get_closest_marker(LONG_MARKER)
        if long and not group:
            return (1, -float(long.args[0]), "")
        return (2, -sizes[group], group) if group else (3, 0, "")

    items.sort(key=rank)


def group_of(item: pytest.Item) -> str:
    mark = item.get_closest_marker("xdist_group")
    return group_name(mark) if mark else ""


def fixture_scopes(item: pytest.Item) -> set[str]:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return set()
    return {each.scope for chain in info.name2fixturedefs.values() for each in chain}


@pytest.hookimpl(tryfirst=True)  # before xdist sends the ids to the scheduler
def pytest_collection_finish(session: pytest.Session) -> None:
    """`--dist loadgroup` finds a test's group in a suffix of its id, which pytest-xdist 3.8 still
    writes into the field pytest 9.2 no longer reads (pytest-dev/pytest-xdist#1386): without
    this every group is silently spread over the workers. Does nothing once xdist writes it."""
    unique_ids(session.items)
    if not getattr(session.config.option, "loadgroup", False):
        return
    for item in session.items:
        groups = sorted({group_name(mark) for mark in item.iter_markers("xdist_group")})
        if groups and "@" not in item.nodeid.rpartition("]")[2]:
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(groups)}")  # type: ignore[attr-defined]


def unique_ids(items: list[pytest.Item]) -> None:
    """Schemathesis 4.32 on pytest 9.2 gives every operation of one test the same id; xdist
    schedules by id, so all but one would silently not run. Each gets its own (`[GET /health]`)."""
    seen = Counter(item.nodeid for item in items)
    for item in items:
        if seen[item.nodeid] > 1 and item.parent is not None:
            item._id = NodeId.parse(f"{item.parent.nodeid}::{item.name}")  # type: ignore[attr-defined]


def group_name(mark: pytest.Mark) -> str:
    return str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))


@pytest.fixture(scope="session", autouse=True)
def subprocesses_are_not_xdist_workers() -> Iterator[None]:
    """A test's subprocess (a contract suite in a fresh pytest, say) must not inherit this
    worker's PYTEST_XDIST_* variables and behave as a worker of this run.

    Nor PYTHONDONTWRITEBYTECODE: each of the suite's ~100 Python subprocesses would compile the
    project from source again, and each pytest among them rewrite the asserts of every module
    it collects. The first writes the caches (__pycache__, ignored by git),
    the others read them."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("PYTEST_XDIST_")]:
            patch.delenv(name)
        patch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
        yield


@pytest.fixture
def api() -> Iterator[TestClient]:
    """The mock in process, seeded from the fixtures, validating its own responses.
    It accepts any bearer token."""
    with create_app(db=":memory:", validate_responses=True).test_client() as client:
        yield client


@pytest.fixture
def all_clients(api: TestClient) -> Callable[..., list[dict[str, Any]]]:
    """`all_clients(**query)`: every client of `api` matching `query`, page by page."""

    def read(**query: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            page = api.get(
                "/api/v1/clients",
                params={**query, "limit": 100, "offset": len(found)},
                headers={"Authorization": "Bearer any-token"},
            ).json()
            found += page["data"]
            if not page["data"]:
                return found

    return read


SuiteRun = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_contract_suite() -> SuiteRun:
    """`run_contract_suite(*pytest args, env={...})`: the contract suite in a fresh pytest, as
    CI runs it; its settings come from the arguments, never from the caller's CONTRACT_*.
    `paths=(SEMANTICS,)` (tests/contract_suite/serving.py) collects only that file, for a `-k`
    selecting nothing else: collecting test_operations.py builds Schemathesis' coverage cases
    (~1 s of CPU)."""

    def run(
        *args: str, env: dict[str, str] | None = None, paths: Sequence[str] = ("contract_tests",)
    ) -> subprocess.CompletedProcess[str]:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("CONTRACT_")}
        return subprocess.run(
            [sys.executable, "-m", "pytest", *paths, "-p", "no:cacheprovider", *args],
            cwd=Path(__file__).resolve().parents[1],
            env={**inherited, **(env or {})},
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )

    return run
