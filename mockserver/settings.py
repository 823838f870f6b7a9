"""Configuration: defaults, then MOCKSERVER_* environment variables, then explicit arguments."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from mockserver import FIXTURES_DIR, SPEC_PATH

MEMORY = ":memory:"
# What an acknowledged write survives: "os", the process being killed (the journal line reached
# the kernel with write()); "disk", also an OS crash or power loss (fdatasync before the answer).
DURABILITY = ("os", "disk")
ENV_PREFIX = "MOCKSERVER_"
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}
T = TypeVar("T")


class SettingsError(ValueError):
    """A configuration value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    db: str = ".mockserver/clients.json"
    fixtures: str = str(FIXTURES_DIR)
    token: str | None = None
    cors_origins: str = "*"
    log_level: str = "info"  # debug, info, warning or error; debug: a line per request
    validate_responses: bool = False  # also check the mock's answers against the contract
    reset: bool = False
    workers: int = 0  # 0: one process per core (one in all with :memory:)
    durability: str = "os"  # "os": written to the OS before the answer; "disk": also flushed
    # Journal lines between two snapshots of the store (or half the records, if more); None:
    # the store's default, 10,000. Fewer: a shorter replay at start, more pauses for writes.
    compact_after: int | None = None
    max_body_bytes: int = 1_048_576  # a larger request body gets a 413 problem
    max_sessions: int = 1000  # sessions besides the default one (X-Mock-Session)
    session_ttl: int = 86_400  # seconds idle after which a session is forgotten; 0: never
    latency: str | None = None  # "50-300": each API request waits that many ms (uniform)
    spec: str = str(SPEC_PATH)  # the contract served and enforced
    address_file: str | None = None  # serve writes where it listens here (mockserver health)
    watch: bool = False  # serve a new version on each edit of the contract, fixtures, control.yaml
    # Seconds a write waits for the store's lock before a 503 (a frozen worker holds it).
    lock_timeout: float = 5.0
    # Seconds a worker may stay silent (no heartbeat) before its supervisor replaces it; 0: never.
    worker_timeout: float = 30.0

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, **explicit: Any) -> Settings:
        """Defaults < environment < explicit arguments (None means 'not given')."""
        settings = load_layered(cls, ENV_PREFIX, environ, explicit)
        if settings.durability not in DURABILITY:
            choices = ", ".join(DURABILITY)
            raise SettingsError(f"durability {settings.durability!r} is not one of: {choices}")
        from mockserver.scenarios.latency import parse_latency

        parse_latency(settings.latency)  # refused at start, not in each worker
        if settings.lock_timeout <= 0 or settings.worker_timeout < 0:
            raise SettingsError("lock_timeout must be above 0, worker_timeout 0 (off) or above")
        if settings.compact_after is not None and settings.compact_after < 1:
            raise SettingsError(f"compact_after must be 1 or more, not {settings.compact_after}")
        if settings.workers < 0:
            raise SettingsError(f"workers must be 0 (one per core) or more, not {settings.workers}")
        return settings

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def as_environment(self, **changes: Any) -> dict[str, str]:
        """MOCKSERVER_* variables that make `Settings.load()` in a child process equal this."""
        environment = {}
        for field in fields(self):
            value = changes.get(field.name, getattr(self, field.name))
            if value is not None:
                environment[ENV_PREFIX + field.name.upper()] = (
                    str(value).lower() if isinstance(value, bool) else str(value)
                )
        return environment

    @property
    def process_count(self) -> int:
        """Processes to serve: --workers, or one per core; a :memory: store cannot be shared."""
        if self.workers:
            return self.workers
        return 1 if self.in_memory else len(os.sched_getaffinity(0))

    @property
    def in_memory(self) -> bool:
        return self.db == MEMORY

    @property
    def origins(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]


def load_layered(
    cls: type[T], prefix: str, environ: Mapping[str, str] | None, explicit: dict[str, Any]
) -> T:
    """A settings dataclass from its defaults, then `prefix`* variables, then `explicit`."""
    environ = os.environ if environ is None else environ
    names = {field.name for field in fields(cls)}  # type: ignore[arg-type]
    unknown = set(explicit) - names
    if unknown:
        raise SettingsError(f"unknown settings: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for field in fields(cls):  # type: ignore[arg-type]
        raw = environ.get(prefix + field.name.upper())
        if raw is not None:
            values[field.name] = _convert(prefix + field.name.upper(), str(field.type), raw)
    values.update({name: value for name, value in explicit.items() if value is not None})
    return cls(**values)


def _convert(variable: str, kind: str, raw: str) -> Any:
    """The environment's text as the field's type; `kind` is the annotation as written."""
    if "bool" in kind:
        if raw.lower() not in TRUE | FALSE:
            raise SettingsError(f"{variable}={raw!r} is not a boolean")
        return raw.lower() in TRUE
    for name, convert in (("int", int), ("float", float)):
        if name in kind:
            try:
                return convert(raw)
            except ValueError:
                raise SettingsError(f"{variable}={raw!r} is not a valid {name}") from None
    return raw or None if "None" in kind else raw
