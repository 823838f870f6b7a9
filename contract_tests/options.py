"""The suite's command-line options; each also reads a CONTRACT_* environment variable
(explicit option > variable > default)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from contract_tests import run

SESSION_HEADER = "X-Mock-Session"

DEFAULT_RECORDS_FILE = "contract-test-records.json"


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"CONTRACT_{name}", default)


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "Clients API contract tests")
    add = group.addoption
    add(
        "--base-url",
        default=env("BASE_URL"),
        help="API root ending in /api/v1 (env CONTRACT_BASE_URL); default: the in-process mock",
    )
    add("--token", default=env("TOKEN"), help="API key (env CONTRACT_TOKEN)")
    add(
        "--token-command",
        default=env("TOKEN_COMMAND"),
        help="shell command that prints the API key; run again once when the target answers"
        " 401 to it (env CONTRACT_TOKEN_COMMAND); overrides --token",
    )
    add(
        "--read-only",
        action="store_true",
        default=env("READ_ONLY") == "1",
        help="run only the tests that never write (env CONTRACT_READ_ONLY=1)",
    )
    add(
        "--contract-profile",
        choices=sorted(run.PROFILES),
        default=env("PROFILE", "default"),
        help="how many examples to try (env CONTRACT_PROFILE); 'thorough' tries ~10x more",
    )
    add("--app", default=None, help="module:factory of an ASGI app to test in process")
    add(
        "--settle",
        default=env("SETTLE", "0"),
        help="seconds a read after a write may take to show it: get, list and search are retried"
        " until they hold or the time is up (env CONTRACT_SETTLE; default 0)",
    )
    add(
        "--max-time",
        default=env("MAX_TIME"),
        help="seconds after which no new cases are generated; the semantic checks still run and"
        " the summary says what was cut (env CONTRACT_MAX_TIME; default no budget)",
    )
    add(
        "--report-markdown",
        default=env("REPORT_MARKDOWN"),
        help="write a Markdown summary here, e.g. $GITHUB_STEP_SUMMARY (env"
        " CONTRACT_REPORT_MARKDOWN)",
    )
    add(
        "--max-rps",
        default=env("MAX_RPS"),
        help="at most this many requests per second (env CONTRACT_MAX_RPS; default no cap)",
    )
    add(
        "--max-retries",
        default=env("MAX_RETRIES", "5"),
        help="429/503 answers with Retry-After waited out per request (env CONTRACT_MAX_RETRIES;"
        " default 5; 0 turns it off)",
    )
    # `--timeout` belongs to pytest-timeout (seconds per test); `mockserver contract-test
    # --timeout` maps to this one.
    add(
        "--request-timeout",
        default=env("TIMEOUT", "30"),
        help="seconds per request (env CONTRACT_TIMEOUT; default 30)",
    )
    add(
        "--header",
        action="append",
        default=None,
        help="'Name: value' sent with every request, repeatable (env CONTRACT_HEADERS, one per"
        " line)",
    )
    add("--ca-bundle", default=env("CA_BUNDLE"), help="CA file for a private TLS certificate")
    add(
        "--insecure",
        action="store_true",
        default=env("INSECURE") == "1",
        help="do not verify TLS certificates (env CONTRACT_INSECURE=1)",
    )
    add(
        "--records-file",
        default=env("RECORDS_FILE"),
        help="JSON list of the records the run created (env CONTRACT_RECORDS_FILE; default"
        f" {DEFAULT_RECORDS_FILE} against a --base-url, none in process)",
    )


def options_from(option: Any) -> run.Options:
    """Checked settings; ValueError names the option that is wrong."""
    raw_headers = (
        option.header if option.header is not None else (env("HEADERS") or "").splitlines()
    )
    return run.Options(
        settle=number("--settle", option.settle, minimum=0),
        max_rps=number("--max-rps", option.max_rps, minimum=0.01) if option.max_rps else None,
        max_retries=int(number("--max-retries", option.max_retries, minimum=0)),
        timeout=number("--request-timeout", option.request_timeout, minimum=0.1),
        headers=with_worker_session(tuple(header(line) for line in raw_headers if line.strip())),
        ca_bundle=option.ca_bundle,
        insecure=option.insecure,
        max_time=number("--max-time", option.max_time, minimum=0) if option.max_time else None,
    )


def number(name: str, value: str, minimum: float) -> float:
    try:
        parsed = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if parsed < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return parsed


def header(line: str) -> tuple[str, str]:
    name, colon, value = line.partition(":")
    if not colon or not name.strip():
        raise ValueError(f"--header wants 'Name: value', got {line!r}")
    if name.strip().lower() == "authorization":
        raise ValueError("--header cannot set Authorization: use --token")
    return name.strip(), value.strip()


def with_worker_session(
    headers: tuple[tuple[str, str], ...], environ: Mapping[str, str] = os.environ
) -> tuple[tuple[str, str], ...]:
    """Under pytest-xdist each worker works in a mock session of its own (`X-Mock-Session`),
    so `-n 4` against one served mock passes; a real deployment ignores the header. A session
    given with --header wins."""
    worker = environ.get("PYTEST_XDIST_WORKER")
    if not worker or any(name.lower() == SESSION_HEADER.lower() for name, _ in headers):
        return headers
    run_id = environ.get("PYTEST_XDIST_TESTRUNUID", "")[:12]
    return (*headers, (SESSION_HEADER, f"contract-{run_id}-{worker}"))


def records_path(option: Any, environ: Mapping[str, str] = os.environ) -> str | None:
    """Where the created records go; one file per pytest-xdist worker, so none overwrites
    another's."""
    where = option.records_file or (DEFAULT_RECORDS_FILE if option.base_url else None)
    worker = environ.get("PYTEST_XDIST_WORKER")
    if where is None or not worker:
        return None if where is None else str(where)
    path = Path(where)
    return str(path.with_name(f"{path.stem}.{worker}{path.suffix}"))
