"""`mockserver contract-test`: the contract suite (the `contract_tests` package) against a URL.

A thin wrapper over pytest: the suite's own options are named here for `--help`; any other
argument goes to pytest unchanged (`-k search`, `-x`, `--hypothesis-seed=7`). pytest and
Schemathesis are imported only when the command runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

# The extra that carries the suite's dependencies (pyproject.toml); the docs use the same name.
INSTALL_HINT = "pip install 'mockserver[contract]'"
# option -> (takes a value, the suite's pytest option)
SUITE_OPTIONS: dict[str, tuple[bool, str]] = {
    "--base-url": (True, "--base-url"),
    "--token": (True, "--token"),
    "--token-command": (True, "--token-command"),
    "--read-only": (False, "--read-only"),
    "--profile": (True, "--contract-profile"),
    "--settle": (True, "--settle"),
    "--max-time": (True, "--max-time"),
    "--max-rps": (True, "--max-rps"),
    "--max-retries": (True, "--max-retries"),
    # pytest-timeout owns pytest's --timeout; here it is the suite's per-request timeout.
    "--timeout": (True, "--request-timeout"),
    "--ca-bundle": (True, "--ca-bundle"),
    "--insecure": (False, "--insecure"),
    "--records-file": (True, "--records-file"),
    "--junitxml": (True, "--junitxml"),
    "--report-markdown": (True, "--report-markdown"),
}
HELP = {
    "--base-url": "API root ending in /api/v1 (env CONTRACT_BASE_URL)",
    "--token": "API key (env CONTRACT_TOKEN)",
    "--token-command": "command that prints the API key; run again on a 401",
    "--read-only": "only the tests that never write",
    "--profile": "default or thorough",
    "--settle": "seconds a read after a write may lag (eventual consistency)",
    "--max-time": "seconds after which no new cases are generated (env CONTRACT_MAX_TIME)",
    "--max-rps": "cap on requests per second",
    "--max-retries": "429/503 with Retry-After waited out per request (default 5)",
    "--timeout": "seconds per request (default 30)",
    "--ca-bundle": "CA file for a private TLS certificate",
    "--insecure": "do not verify TLS certificates",
    "--records-file": "where to list the records the run created (JSON)",
    "--junitxml": "JUnit XML report",
    "--report-markdown": "append a Markdown summary here, e.g. $GITHUB_STEP_SUMMARY",
}


class _PassThroughParser(argparse.ArgumentParser):
    """Keeps arguments it does not know for pytest instead of refusing them."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extra = super().parse_known_args(args, namespace)
        parsed.pytest_args = [*getattr(parsed, "pytest_args", []), *extra]
        return parsed, []


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "contract-test",
        help="run the contract test suite against a deployment",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.__class__ = _PassThroughParser  # subparsers build plain parsers; this one passes on
    for option, (takes_value, _) in SUITE_OPTIONS.items():
        if takes_value:
            parser.add_argument(option, help=HELP[option])
        else:
            parser.add_argument(option, action="store_true", help=HELP[option])
    parser.add_argument("--header", action="append", default=[], help="'Name: value', repeatable")
    parser.set_defaults(run=run, pytest_args=[])


def pytest_arguments(args: argparse.Namespace, suite_dir: str) -> list[str]:
    arguments = [suite_dir, "-p", "no:cacheprovider"]
    for option, (takes_value, pytest_option) in SUITE_OPTIONS.items():
        value = getattr(args, option.lstrip("-").replace("-", "_"))
        if takes_value and value is not None:
            arguments.append(f"{pytest_option}={value}")
        elif value is True:
            arguments.append(pytest_option)
    arguments += [f"--header={header}" for header in args.header]
    return arguments + list(args.pytest_args)


def run(args: argparse.Namespace) -> int:
    try:
        import pytest

        import contract_tests
    except ImportError as error:
        print(f"mockserver contract-test: {error}; install with: {INSTALL_HINT}")
        return 2
    from pathlib import Path

    suite_dir = str(Path(contract_tests.__file__).resolve().parent)
    return int(pytest.main(pytest_arguments(args, suite_dir)))
