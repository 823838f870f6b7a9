"""`mockserver serve` and `mockserver reset`: the mock on uvicorn, and its store offline.

Import-light until a command runs: Connexion, Flask and TinyDB load inside the run functions.
"""

from __future__ import annotations

import argparse
import copy
import gc
import logging
import signal
import socket
import sys
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from mockserver.healthcheck import advertise
from mockserver.settings import Settings, SettingsError

if TYPE_CHECKING:
    import uvicorn


def register(commands: Any) -> None:
    """Add `serve` and `reset` to the `mockserver` command line."""
    serve = commands.add_parser("serve", help="serve the mock API")
    _store_options(serve)
    serve.add_argument("--host", help="interface to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (8080)")
    serve.add_argument("--token", help="accept only this bearer token (default: any)")
    serve.add_argument(
        "--reset",
        action="store_true",
        default=None,
        help="reseed the store from the fixtures before serving",
    )
    serve.add_argument("--cors-origins", help="comma-separated allowed origins (*)")
    serve.add_argument("--log-level", choices=["debug", "info", "warning", "error"])
    serve.add_argument(
        "--workers", type=int, help="processes serving one shared store (0: one per core)"
    )
    serve.add_argument(
        "--durability",
        choices=["os", "disk"],
        help="an acknowledged write survives a killed process (os) or also power loss (disk)",
    )
    serve.add_argument(
        "--compact-after",
        type=int,
        help="journal lines between snapshots of the store, or half the records if more (10000)",
    )
    serve.add_argument(
        "--latency", help="delay each API request by this many ms, e.g. 200 or 50-300 (off)"
    )
    serve.add_argument(
        "--max-sessions", type=int, help="sessions held besides the default one (1000)"
    )
    serve.add_argument(
        "--session-ttl", type=int, help="seconds idle after which a session is forgotten (86400)"
    )
    serve.add_argument(
        "--watch",
        action="store_true",
        default=None,
        help="serve each edit of the contract (and what it $refs), fixtures and control.yaml",
    )
    serve.add_argument(
        "--worker-timeout",
        type=float,
        help="with --workers: seconds a silent worker is given before it is replaced (30; 0: off)",
    )
    serve.set_defaults(run=run_serve)
    reset = commands.add_parser("reset", help="reseed a store from the fixtures, offline")
    _store_options(reset)
    reset.set_defaults(run=run_reset)


def _store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="store file, or :memory: (.mockserver/clients.json)")
    parser.add_argument("--fixtures", help="folder with clients.json and jobs.json")


def settings_from(args: argparse.Namespace, **fixed: Any) -> Settings:
    """Settings from the options a subcommand has (an option left out is not given)."""
    given = {field.name: getattr(args, field.name, None) for field in fields(Settings)}
    return Settings.load(**{**given, **fixed})


def startup_errors() -> tuple[type[Exception], ...]:
    """What a start can fail with: one `mockserver: error:` line each, exit status 2."""
    from mockserver.store import StoreError
    from mockserver.store.fixtures import FixtureError

    return StoreError, FixtureError, SettingsError


def reporting_startup_errors(run: Any) -> Any:
    def guarded(args: argparse.Namespace) -> int:
        try:
            return int(run(args))
        except startup_errors() as error:
            print(f"mockserver: error: {error}", file=sys.stderr)
            return 2

    return guarded


@reporting_startup_errors
def run_reset(args: argparse.Namespace) -> int:
    from mockserver.app import open_store

    settings = settings_from(args, reset=True)
    store = open_store(settings)
    print(f"mockserver: {settings.db} reseeded from {settings.fixtures}: {len(store)} clients")
    store.close()
    return 0


@reporting_startup_errors
def run_serve(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if settings.process_count > 1:
        return _serve_workers(settings)
    app = serving_app(settings)
    listener = _listen(settings.host, settings.port)
    _announce(settings, listener)
    # uvicorn handles SIGINT and SIGTERM: it stops accepting, finishes requests in flight, then
    # re-raises the signal to the handler it found. A no-op handler makes that a clean exit 0.
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, lambda *_: None)
    import uvicorn

    uvicorn.Server(_server_config(settings, app)).run(sockets=[listener])
    return 0


def serving_app(settings: Settings | None = None) -> Any:
    """create_app for a process that serves until it stops.

    The store's records and the app's routes live as long as the process. Frozen out of the
    garbage collector, a full collection no longer walks them: at 100,000 clients one took
    ~100-200 ms, a pause every request in flight waited for (issue 15's p99). The collector is
    off while they are built, which alone made a start a second faster.
    """
    from mockserver.app import create_app

    gc.disable()
    try:
        app = create_app(settings)
    finally:
        gc.enable()
    gc.freeze()
    return _watched(app, settings) if settings is not None and settings.watch else app


def _watched(app: Any, settings: Settings) -> Any:
    from mockserver.reload.swap import watched

    return watched(app, settings)


def _serve_workers(settings: Settings) -> int:
    """Several processes on one socket and one store: the write-ahead log keeps them in step.

    The store is loaded (seeded, reset) once, here, and a start-up error stops the command before
    any worker exists; the workers are forks of this process and share what it loaded.
    """
    from mockserver.workers import beating_server, supervise

    if settings.in_memory:
        raise SettingsError("--workers needs a store file: workers cannot share :memory:")
    app = serving_app(settings)
    listener = _listen(settings.host, settings.port)
    _announce(settings, listener)
    config = _server_config(settings, app)
    return supervise(
        settings.process_count,
        lambda: beating_server(config).run([listener]),
        worker_timeout=settings.worker_timeout,
    )


def _server_config(settings: Settings, app: Any, **options: Any) -> uvicorn.Config:
    import uvicorn

    from mockserver.http.protocol import ProblemHttpToolsProtocol

    logging.getLogger("connexion").setLevel(logging.ERROR)
    return uvicorn.Config(
        app,
        log_config=_log_config(settings.log_level),
        http=ProblemHttpToolsProtocol,
        server_header=False,
        log_level=settings.log_level,
        access_log=False,
        timeout_graceful_shutdown=5,
        **options,
    )


def _log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging, plus the mock's own loggers (one line per request at debug)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["mockserver"] = {
        "handlers": ["default"],
        "level": level.upper(),
        "propagate": False,
    }
    return config


def _announce(settings: Settings, listener: socket.socket) -> None:
    host, port = listener.getsockname()[:2]
    advertise(settings, host, port)
    root = f"http://{host}:{port}"
    token = "any bearer token" if settings.token is None else "fixed bearer token"
    count = settings.process_count
    workers = f", {count} workers" if count > 1 else ", 1 process"
    if settings.in_memory and not settings.workers:
        workers += " (a :memory: store cannot be shared between processes)"
    print(
        f"Clients API mock on {root}/api/v1 (store: {settings.db}, {token}{workers})\n"
        f"Swagger UI: {root}/api/v1/ui/",
        flush=True,
    )


def _listen(host: str, port: int) -> socket.socket:
    """Bind before serving, so a busy port is one clear error instead of a traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise SettingsError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    listener.listen(2048)
    listener.set_inheritable(True)
    return listener
