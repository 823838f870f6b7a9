"""Proxy configuration: defaults, then MOCKSERVER_* environment variables, then arguments."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from mockserver.settings import ENV_PREFIX, SPEC_PATH, SettingsError

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class ProxySettings:
    upstream: str = ""
    host: str = "127.0.0.1"
    port: int = 8081  # next to the mock's 8080, so both can run side by side
    report: str | None = None
    strict: bool = False
    timeout: float = 10.0
    spec: str = str(SPEC_PATH)
    log_level: str = "info"

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, **explicit: Any) -> ProxySettings:
        """Defaults < environment < explicit arguments (None means 'not given')."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = environ.get(ENV_PREFIX + field.name.upper())
            if raw is not None:
                values[field.name] = _convert(field.name, str(field.type), raw)
        values.update({name: value for name, value in explicit.items() if value is not None})
        settings = cls(**values)
        if not settings.upstream:
            raise SettingsError("--upstream (or MOCKSERVER_UPSTREAM) is required")
        if not settings.upstream.startswith(("http://", "https://")):
            raise SettingsError(f"--upstream must be an http(s) URL, not {settings.upstream!r}")
        if settings.timeout <= 0:
            raise SettingsError("--timeout must be positive")
        return settings


def _convert(name: str, kind: str, raw: str) -> Any:
    variable = ENV_PREFIX + name.upper()
    try:
        if "bool" in kind:
            if raw.lower() not in TRUE | FALSE:
                raise ValueError(raw)
            return raw.lower() in TRUE
        if "int" in kind:
            return int(raw)
        if "float" in kind:
            return float(raw)
    except ValueError:
        raise SettingsError(f"{variable}={raw!r} is not a valid {kind}") from None
    return raw or None if "None" in kind else raw
