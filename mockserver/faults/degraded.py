"""One process's record of the parts that cannot write right now, and since when.

A part calls `failed(part, error)` each time a write of its own is given up (a line dropped, a
write refused) and `recovered(part)` after its next write succeeds. The log gets one warning when
a part starts failing, at most one more every `warn_every` seconds while it goes on (with how
many writes were dropped meanwhile), and one line when it recovers: a full disk must not flood
the log it may be sharing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

EXTENSION_KEY = "mockserver.degraded"
LOG = logging.getLogger("mockserver.faults")


@dataclass
class Fault:
    part: str
    error: str
    since: float
    dropped: int = 0
    warned_at: float = 0.0
    dropped_at_warning: int = 0

    def as_dict(self) -> dict[str, Any]:
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.since))
        return {"part": self.part, "error": self.error, "since": when, "dropped": self.dropped}


class Degraded:
    def __init__(self, warn_every: float = 5.0, clock: Callable[[], float] = time.time) -> None:
        self._warn_every = warn_every
        self._clock = clock
        # A plain lock: calls come from the event loop and from write threads alike.
        self._lock = threading.Lock()
        self._faults: dict[str, Fault] = {}

    def failed(self, part: str, error: BaseException | str, dropped: int = 1) -> None:
        """`part` gave up `dropped` writes because of `error`."""
        text = error if isinstance(error, str) else describe(error)
        now = self._clock()
        with self._lock:
            fault = self._faults.get(part)
            if fault is None:
                fault = self._faults[part] = Fault(part, text, since=now)
            fault.error = text
            fault.dropped += dropped
            if now - fault.warned_at < self._warn_every:
                return
            newly = fault.dropped - fault.dropped_at_warning
            fault.warned_at, fault.dropped_at_warning = now, fault.dropped
        LOG.warning("%s cannot write (%s); %d write(s) given up", part, text, newly)

    def recovered(self, part: str) -> None:
        """`part` wrote again; a no-op (one dict look-up) when it was not degraded."""
        if part not in self._faults:
            return
        with self._lock:
            fault = self._faults.pop(part, None)
        if fault is not None:
            seconds = self._clock() - fault.since
            LOG.warning(
                "%s writes again after %.1f s; %d write(s) were given up meanwhile",
                part,
                seconds,
                fault.dropped,
            )

    def is_degraded(self, part: str) -> bool:
        return part in self._faults

    def faults(self) -> list[dict[str, Any]]:
        """What `/__mock/health` shows: one entry a failing part, oldest first."""
        with self._lock:
            return [f.as_dict() for f in sorted(self._faults.values(), key=lambda f: f.since)]


def describe(error: BaseException) -> str:
    """`OSError: [Errno 28] No space left on device`: the class and the message, no path."""
    if isinstance(error, OSError) and error.errno is not None:
        return f"{type(error).__name__}: [Errno {error.errno}] {error.strerror}"
    return f"{type(error).__name__}: {error}"
