"""What `/__mock/health` says about the version being served (its `reload` field)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

RELOAD_KEY = "mockserver.reload"


@dataclass
class ReloadStatus:
    """One a process, kept across versions: the number of the version it serves, when that was
    loaded, what its files held (a digest), and what is wrong with the last edit, if anything."""

    watching: bool = False
    version: int = 1
    loaded_at: float = field(default_factory=time.time)
    digest: str | None = None
    error: dict[str, str] | None = None

    def loaded(self, digest: str) -> None:
        self.version += 1
        self.loaded_at = time.time()
        self.digest = digest
        self.error = None

    def refused(self, file: str, message: str) -> None:
        self.error = {"file": file, "message": message}

    def as_json(self) -> dict[str, Any]:
        return {
            "watching": self.watching,
            "version": self.version,
            "loaded_at": datetime.fromtimestamp(self.loaded_at, UTC).isoformat(),
            "digest": self.digest,
            "error": self.error,
        }
