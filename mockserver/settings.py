"""Configuration: defaults, then MOCKSERVER_* environment variables, then explicit arguments."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
SPEC_PATH = PACKAGE_DIR.parent / "openapi.yaml"
DEFAULT_FIXTURES = PACKAGE_DIR.parent / "fixtures"
MEMORY = ":memory:"
ENV_PREFIX = "MOCKSERVER_"


class SettingsError(ValueError):
    """A configuration value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    db: str = ".mockserver/clients.json"
    fixtures: str = str(DEFAULT_FIXTURES)
    token: str | None = None
    cors_origins: str = "*"
    log_level: str = "info"
    validate_responses: bool = False
    reset: bool = False
    workers: int = 1
    max_body_bytes: int = 1_048_576
    spec: str = str(SPEC_PATH)

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, **explicit: Any) -> Settings:
        """Defaults < environment < explicit arguments (None means 'not given')."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = environ.get(ENV_PREFIX + field.name.upper())
            if raw is not None:
                values[field.name] = _convert(field.name, field.type, raw)
        unknown = set(explicit) - {field.name for field in fields(cls)}
        if unknown:
            raise SettingsError(f"unknown settings: {', '.join(sorted(unknown))}")
        values.update({name: value for name, value in explicit.items() if value is not None})
        return cls(**values)

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
    def in_memory(self) -> bool:
        return self.db == MEMORY

    @property
    def origins(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]


def _convert(name: str, annotation: Any, raw: str) -> Any:
    kind = str(annotation)
    if "bool" in kind:
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off", ""}:
            return False
        raise SettingsError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a boolean")
    if "int" in kind:
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not an integer") from None
    return raw or None if "None" in kind else raw
