"""Proxy configuration: defaults, then MOCKSERVER_PROXY_* environment variables, then arguments.

The proxy has its own prefix, so a mock's MOCKSERVER_PORT (8080 in the image) never moves it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockserver import SPEC_PATH
from mockserver.settings import SettingsError, load_layered

ENV_PREFIX = "MOCKSERVER_PROXY_"


@dataclass(frozen=True)
class ProxySettings:
    upstream: str = ""
    host: str = "127.0.0.1"
    port: int = 8081  # next to the mock's 8080, so both can run side by side
    report: str | None = None
    strict: bool = False
    timeout: float = 10.0
    spec: str = str(SPEC_PATH)
    log_level: str = "info"  # debug, info, warning or error

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, **explicit: Any) -> ProxySettings:
        """Defaults < environment < explicit arguments (None means 'not given')."""
        settings = load_layered(cls, ENV_PREFIX, environ, explicit)
        if not settings.upstream:
            raise SettingsError(f"--upstream (or {ENV_PREFIX}UPSTREAM) is required")
        if not settings.upstream.startswith(("http://", "https://")):
            raise SettingsError(f"--upstream must be an http(s) URL, not {settings.upstream!r}")
        if settings.timeout <= 0:
            raise SettingsError("--timeout must be positive")
        return settings
