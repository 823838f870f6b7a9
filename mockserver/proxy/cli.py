"""`mockserver proxy` and `mockserver check-traffic`: the contract held against real traffic.

Import-light: openapi-core, httpx and uvicorn load only when a command runs.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mockserver.proxy.settings import ProxySettings
from mockserver.settings import SettingsError

if TYPE_CHECKING:
    from mockserver.proxy.report import ViolationLog
    from mockserver.proxy.validation import ContractChecker

# Exit statuses of check-traffic, for CI.
CLEAN, VIOLATIONS, UNUSABLE = 0, 1, 2
# uvicorn's own Server and Date headers would duplicate the upstream's.
UVICORN: dict[str, Any] = {"server_header": False, "date_header": False}


def register(subparsers: Any) -> None:
    """Add `proxy` and `check-traffic` to the `mockserver` command line."""
    proxy = subparsers.add_parser(
        "proxy", help="forward to a real backend and check every exchange against the contract"
    )
    proxy.add_argument("--upstream", help="the backend's base URL (MOCKSERVER_PROXY_UPSTREAM)")
    proxy.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    proxy.add_argument("--port", type=int, help="port to listen on (default 8081)")
    proxy.add_argument(
        "--report",
        metavar="PATH",
        help="on shutdown write PATH.json and PATH.xml (JUnit) with the violations",
    )
    proxy.add_argument(
        "--strict",
        action="store_true",
        default=None,
        help="replace a response that breaks the contract with a 502 problem",
    )
    proxy.add_argument("--timeout", type=float, help="seconds to wait for the upstream (10)")
    proxy.add_argument("--spec", help="the contract (default: the repository's openapi.yaml)")
    proxy.add_argument("--log-level", choices=["debug", "info", "warning", "error"])
    proxy.set_defaults(run=run_proxy)

    check = subparsers.add_parser(
        "check-traffic", help="check recorded traffic (HAR files) against the contract"
    )
    check.add_argument("files", nargs="+", metavar="FILE.har")
    check.add_argument("--report", metavar="PATH", help="also write PATH.json and PATH.xml (JUnit)")
    check.add_argument(
        "--check-auth",
        action="store_true",
        help="also require bearer credentials (recorders usually scrub them, so off by default)",
    )
    check.add_argument("--spec", help="the contract (default: the repository's openapi.yaml)")
    check.set_defaults(run=run_check_traffic)


def run_proxy(args: argparse.Namespace) -> int:
    import uvicorn

    from mockserver.proxy.app import create_proxy_app

    options = ("upstream", "host", "port", "report", "strict", "timeout", "spec", "log_level")
    try:
        settings = ProxySettings.load(**{name: getattr(args, name) for name in options})
    except SettingsError as error:
        print(f"mockserver proxy: {error}", file=sys.stderr)
        return UNUSABLE
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per upstream call is noise
    app = create_proxy_app(settings)
    # uvicorn turns SIGINT/SIGTERM into a lifespan shutdown, which writes the report.
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_level=settings.log_level, **UVICORN
    )
    return 0


def run_check_traffic(args: argparse.Namespace) -> int:
    from mockserver.proxy.har import HarError
    from mockserver.proxy.report import ViolationLog, write_report
    from mockserver.proxy.validation import ContractChecker

    checker = ContractChecker(args.spec or ProxySettings.spec, check_auth=args.check_auth)
    log = ViolationLog()
    try:
        checked, skipped = _check_files(checker, log, args.files)
    except HarError as error:
        print(error, file=sys.stderr)
        return UNUSABLE
    if args.report:
        write_report(log, args.report)
    summary = f"{log.total} violation(s) in {checked} exchange(s); {skipped} outside the API"
    print(summary, file=sys.stderr)
    if checked == 0:
        print(f"no exchange under {checker.base_path} to check", file=sys.stderr)
        return UNUSABLE
    return VIOLATIONS if log.total else CLEAN


def _check_files(checker: ContractChecker, log: ViolationLog, files: list[str]) -> tuple[int, int]:
    """Print each violation as it is found; count the exchanges checked and skipped."""
    from mockserver.proxy.har import read_har

    checked = skipped = 0
    for path in files:
        for exchange in read_har(path):
            if not checker.covers(exchange.request):
                skipped += 1
                continue
            verdict = checker.check(exchange)
            log.add(exchange, verdict)
            checked += 1
            for violation in verdict.violations:
                print(violation.line)
    return checked, skipped


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mockserver.proxy")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.run(args))
