"""Where the contract tests point, how hard they try, and which of them may write."""

from __future__ import annotations

import os
import random
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from contract_tests import run
from contract_tests.api import ClientsApi
from contract_tests.target import Target, in_process_target, remote_target

WRITES_MARKER = "writes"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "Clients API contract tests")
    group.addoption(
        "--base-url",
        default=os.environ.get("CONTRACT_BASE_URL"),
        help="API root ending in /api/v1 (env CONTRACT_BASE_URL); default: the in-process mock",
    )
    group.addoption(
        "--token", default=os.environ.get("CONTRACT_TOKEN"), help="API key (env CONTRACT_TOKEN)"
    )
    group.addoption(
        "--read-only",
        action="store_true",
        default=os.environ.get("CONTRACT_READ_ONLY") == "1",
        help="run only the tests that never write (env CONTRACT_READ_ONLY=1)",
    )
    group.addoption(
        "--contract-profile",
        choices=sorted(run.PROFILES),
        default=os.environ.get("CONTRACT_PROFILE", "default"),
        help="how many examples to try (env CONTRACT_PROFILE); 'thorough' tries ~10x more",
    )
    group.addoption(
        "--app",
        default=None,
        help="module:factory of an ASGI app to test in process instead of the mock",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{WRITES_MARKER}: the test creates or changes clients")
    # One seed for the run, shared with Hypothesis' own option so a failure replays exactly.
    if config.option.hypothesis_seed is None:
        config.option.hypothesis_seed = str(random.randrange(2**32))
    seed = as_integer_seed(config.option.hypothesis_seed)
    run.RUN = run.Run(run.PROFILES[config.option.contract_profile], seed)


def as_integer_seed(value: str) -> int:
    """Hypothesis takes any seed string; Schemathesis wants an integer."""
    return int(value) if value.isdigit() else zlib.crc32(value.encode())


def pytest_report_header(config: pytest.Config) -> list[str]:
    target = config.option.base_url or config.option.app or "the in-process mock"
    mode = ", read-only" if config.option.read_only else ""
    return [
        f"contract tests: {target}{mode}, profile {run.RUN.profile.name}, seed {run.RUN.seed}"
        f" (replay with --hypothesis-seed={run.RUN.seed})"
    ]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    failed = terminalreporter.stats.get("failed", [])
    if any(report.nodeid.startswith("contract_tests/") for report in failed):
        seed = run.RUN.seed
        terminalreporter.write_line(
            f"contract tests: replay this run with --hypothesis-seed={seed}"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.option.read_only:
        return
    writing = [item for item in items if item.get_closest_marker(WRITES_MARKER)]
    if writing:
        config.hook.pytest_deselected(items=writing)
        items[:] = [item for item in items if item not in writing]


@pytest.fixture(scope="session", autouse=True)
def record_seed(record_testsuite_property: Callable[[str, object], None]) -> None:
    """The seed goes into the JUnit XML report too."""
    record_testsuite_property("contract_seed", run.RUN.seed)


@pytest.fixture(scope="session")
def contract_target(pytestconfig: pytest.Config) -> Iterator[Target]:
    options = pytestconfig.option
    if options.base_url and options.app:
        pytest.exit("choose one target: --base-url or --app", returncode=4)
    if options.base_url:
        if not options.token:
            pytest.exit("--base-url needs --token (or CONTRACT_TOKEN)", returncode=4)
        try:
            target = remote_target(options.base_url, options.token)
        except ValueError as error:
            pytest.exit(str(error), returncode=4)
    else:
        target = in_process_target(options.app, options.token)
    yield target
    target.close()


@pytest.fixture
def target(contract_target: Target) -> Target:
    """The target, with the in-process store back at the fixtures for each test."""
    contract_target.reset()
    return contract_target


@pytest.fixture
def clients_api(target: Target) -> ClientsApi:
    return ClientsApi(target.http, target.api_url, target.token)
