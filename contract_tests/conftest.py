"""Where the contract tests point, how hard they try, and which of them may write."""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from contract_tests import run
from contract_tests.api import ClientsApi
from contract_tests.budget import Budget
from contract_tests.markdown import Outcomes, render
from contract_tests.markdown import write as write_summary
from contract_tests.options import add_options, options_from, records_path
from contract_tests.target import Target, in_process_target, remote_target
from contract_tests.tokens import TokenCommandFailed

WRITES_MARKER = "writes"


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{WRITES_MARKER}: the test creates or changes clients")
    # One seed for the run, shared with Hypothesis' own option so a failure replays exactly.
    if config.option.hypothesis_seed is None:
        config.option.hypothesis_seed = str(random.randrange(2**32))
    seed = as_integer_seed(config.option.hypothesis_seed)
    try:
        options = options_from(config.option)
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None
    run.RUN = run.Run(
        run.PROFILES[config.option.contract_profile], seed, options, budget=Budget(options.max_time)
    )


def as_integer_seed(value: str) -> int:
    """Hypothesis takes any seed string; Schemathesis wants an integer."""
    return int(value) if value.isdigit() else zlib.crc32(value.encode())


def pytest_report_header(config: pytest.Config) -> list[str]:
    target = config.option.base_url or config.option.app or "the in-process mock"
    mode = ", read-only" if config.option.read_only else ""
    return [
        f"contract tests: {target}{mode}, profile {run.RUN.profile.name}, seed {run.RUN.seed}"
        f" (replay with --hypothesis-seed={run.RUN.seed}), settle {run.RUN.options.settle} s"
    ]


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    ledger = run.RUN.ledger
    write = terminalreporter.write_line
    if ledger.seen:
        write("contract coverage (operations, declared status codes, query parameters):")
        for line in ledger.coverage_lines():
            write(line)
    if ledger.mislabelled:
        write(
            f"contract tests: {len(ledger.mislabelled)} generated case(s) mislabelled by"
            " Schemathesis, judged on the request really sent (not failures):"
        )
        for line in ledger.mislabelled:
            write(f"  {line}")
    if ledger.created:
        where = records_path(config.option)
        shown = f", listed in {where}" if where else ""
        write(f"contract tests: created {len(ledger.created)} record(s){shown}")
    for line in run.RUN.budget.summary():
        write(f"contract tests: {line}")
    layers = run.RUN.layers
    if layers is not None and layers.tokens is not None:
        for line in layers.tokens.notices:
            write(line)
    if layers is not None and layers.settling.waited >= 0.05:
        write(
            f"contract tests: {layers.settling.waited:.1f} s spent waiting for reads after writes"
            f" to settle (--settle {layers.settling.settle})"
        )
    failed = terminalreporter.stats.get("failed", [])
    if any("contract_tests/" in report.nodeid for report in failed):
        write(f"contract tests: replay this run with --hypothesis-seed={run.RUN.seed}")
    if config.option.report_markdown and not hasattr(config, "workerinput"):
        write_markdown(config, Outcomes.from_stats(terminalreporter.stats))
        write(f"contract tests: Markdown summary appended to {config.option.report_markdown}")


def write_markdown(config: pytest.Config, outcomes: Outcomes) -> None:
    target = config.option.base_url or config.option.app or "the in-process mock"
    facts = [
        f"target: {target}",
        f"profile {run.RUN.profile.name}, seed {run.RUN.seed} (replay with"
        f" `--hypothesis-seed={run.RUN.seed}`)",
        f"settle {run.RUN.options.settle:g} s",
    ]
    layers = run.RUN.layers
    if layers is not None and layers.tokens is not None:
        facts += [line.removeprefix("contract tests: ") for line in layers.tokens.notices]
    text = render(
        outcomes,
        "Contract tests",
        facts,
        run.RUN.budget.summary(),
        run.RUN.ledger.coverage_lines() if run.RUN.ledger.seen else [],
    )
    write_summary(config.option.report_markdown, text)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.option.read_only:
        return
    writing = [item for item in items if item.get_closest_marker(WRITES_MARKER)]
    if writing:
        config.hook.pytest_deselected(items=writing)
        items[:] = [item for item in items if item not in writing]


@pytest.fixture(scope="session", autouse=True)
def run_report(
    record_testsuite_property: Callable[[str, object], None], pytestconfig: pytest.Config
) -> Iterator[None]:
    """The seed, the coverage, the mislabelled cases and the created records go into the
    JUnit XML report; the created records also into a JSON file."""
    record_testsuite_property("contract_seed", run.RUN.seed)
    yield
    ledger = run.RUN.ledger
    for operation_id, done, missing in ledger.coverage():
        record_testsuite_property(f"coverage_{operation_id}_exercised", " ".join(done))
        record_testsuite_property(f"coverage_{operation_id}_never", " ".join(missing))
    record_testsuite_property("mislabelled_cases", len(ledger.mislabelled))
    record_testsuite_property("max_time_cut", " | ".join(run.RUN.budget.summary()) or "no")
    record_testsuite_property("created_records", len(ledger.created))
    for client_id, name in sorted(ledger.created.items()):
        record_testsuite_property(f"created_record_{client_id}", name)
    where = records_path(pytestconfig.option)
    if where:
        ledger.write_records(Path(where))


@pytest.fixture(scope="session")
def contract_target(pytestconfig: pytest.Config) -> Iterator[Target]:
    options = pytestconfig.option
    if options.base_url and options.app:
        pytest.exit("choose one target: --base-url or --app", returncode=4)
    if options.base_url:
        try:
            target = remote_target(
                options.base_url,
                options.token,
                run.RUN.options,
                run.RUN.ledger,
                options.token_command,
            )
        except (ValueError, TokenCommandFailed) as error:
            pytest.exit(str(error), returncode=4)
    else:
        target = in_process_target(options.app, options.token, run.RUN.ledger)
    run.RUN.layers = target.layers
    yield target
    target.close()


@pytest.fixture
def target(contract_target: Target) -> Target:
    """The target, with the in-process store back at the fixtures for each test."""
    contract_target.reset()
    return contract_target


@pytest.fixture
def clients_api(target: Target) -> ClientsApi:
    return ClientsApi(
        target.http,
        target.api_url,
        target.token,
        extra_headers=dict(target.extra_headers),
    )
