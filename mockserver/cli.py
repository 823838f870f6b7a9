"""`mockserver <command>`: one subcommand per job; each imports only what its job needs.

Each module below adds its commands with `register(commands)` and keeps its heavy imports inside
the function that runs them, so `mockserver proxy` never loads Flask and `mockserver serve`
never loads openapi-core.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

COMMAND_MODULES = (
    "mockserver.server",  # serve, reset
    "mockserver.proxy.cli",  # proxy, check-traffic
    "mockserver.healthcheck",  # health
    "mockserver.contract_test",  # contract-test
    "mockserver.diff.cli",  # diff
)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mockserver",
        description="Spec-first mock, contract tests and tools for the Clients API",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
    return parser
