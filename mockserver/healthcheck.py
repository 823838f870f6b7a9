"""`mockserver health`: exit 0 when the mock answers `/__mock/health`; a container's health check.

A health check runs beside the server with the image's environment, not with the server's
command line: a port given by `--port` is invisible to it. So `mockserver serve` writes the
address it really listens on into `MOCKSERVER_ADDRESS_FILE` when that is set (the image sets
it), and `mockserver health` reads it from there; without the file setting it checks
`MOCKSERVER_HOST`/`MOCKSERVER_PORT`. Standard library only: the check starts in milliseconds.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import sys
import urllib.request
from pathlib import Path
from typing import Any

from mockserver.settings import Settings, SettingsError

HEALTH_PATH = "/__mock/health"
UNHEALTHY = 1  # Docker: 0 healthy, 1 unhealthy (2 is reserved)
# A server bound to every interface is reached on loopback from inside its own container.
LOOPBACK = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


class NotServing(Exception):
    """Nothing says where the mock listens, or it does not answer there."""


def register(commands: Any) -> None:
    """Add `health` to the `mockserver` command line."""
    health = commands.add_parser(
        "health", help="exit 0 if the mock on this machine answers its health check"
    )
    health.add_argument("--timeout", type=float, default=2.0, help="seconds to wait (2)")
    health.set_defaults(run=run_health)


def run_health(args: argparse.Namespace) -> int:
    try:
        url = base_url(Settings.load()) + HEALTH_PATH
        with urllib.request.urlopen(url, timeout=args.timeout) as answer:
            status, health = answer.status, json.load(answer)
    except (NotServing, SettingsError, OSError, ValueError) as error:
        print(f"mockserver: unhealthy: {error}", file=sys.stderr)
        return UNHEALTHY
    # Degraded still exits 0: a restart does not cure a full disk, so an orchestrator must not
    # kill a mock that answers reads; the line says what is degraded.
    print(f"mockserver: {url} answered {status}: {describe(health)}")
    return 0


def describe(health: dict[str, Any]) -> str:
    """`ok`, or `degraded: store (OSError: [Errno 28] ...) since ...`, as health reports it."""
    faults = health.get("degraded") or []
    if not faults:
        return str(health.get("status", "ok"))
    parts = (f"{f['part']} ({f['error']}) since {f['since']}" for f in faults)
    return "degraded: " + "; ".join(parts)


def base_url(settings: Settings) -> str:
    """Where the mock configured by `settings` listens, as a URL a local client can reach."""
    if settings.address_file is None:
        return _url(settings.host, settings.port)
    try:
        host, _, port = Path(settings.address_file).read_text().strip().rpartition(":")
    except OSError:
        raise NotServing(f"{settings.address_file} is missing: the mock is not serving") from None
    if not port.isdigit():
        raise NotServing(f"{settings.address_file} holds no address")
    return _url(host.strip("[]"), int(port))


def advertise(settings: Settings, host: str, port: int) -> None:
    """Write where `mockserver serve` listens for the health check; removed on a clean exit."""
    if settings.address_file is None:
        return
    path = Path(settings.address_file)
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(address + "\n")
    partial.replace(path)  # atomic: a check never reads half an address
    atexit.register(_withdraw, path, address)


def _withdraw(path: Path, address: str) -> None:
    with contextlib.suppress(OSError):
        if path.read_text().strip() == address:  # not a newer server's address
            path.unlink()


def _url(host: str, port: int) -> str:
    host = LOOPBACK.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
