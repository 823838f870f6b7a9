"""Whether the calling code may wait for a lock that another thread or process holds.

The event loop may not: while it waits, every request in flight waits with it. It calls the
store inside `no_waiting()`; a lock that is taken then raises `WouldWait` instead, before
anything has changed, and the request runs again once the lock looks free; only what is slow
whatever the locks (`needs_thread`) goes to a thread (http/bridge.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_may_wait: ContextVar[bool] = ContextVar("mockserver_may_wait", default=True)


class WouldWait(BlockingIOError):
    """A lock is held elsewhere and this caller may not wait for it; or, `needs_thread`, what
    is to be done is slow whatever the locks (writing a snapshot). `looks_free` tells, cheaply,
    whether asking again may succeed (running a whole request again is not cheap)."""

    def __init__(
        self,
        reason: str,
        needs_thread: bool = False,
        looks_free: Callable[[], bool] = lambda: True,
    ) -> None:
        super().__init__(reason)
        self.needs_thread = needs_thread
        self.looks_free = looks_free


def may_wait() -> bool:
    return _may_wait.get()


@contextmanager
def no_waiting() -> Iterator[None]:
    token = _may_wait.set(False)
    try:
        yield
    finally:
        _may_wait.reset(token)


@contextmanager
def holding(lock: threading.RLock) -> Iterator[None]:
    if not lock.acquire(blocking=may_wait()):
        raise WouldWait("the store is in use by another thread")
    try:
        yield
    finally:
        lock.release()
