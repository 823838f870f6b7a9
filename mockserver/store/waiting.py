"""Whether the calling code may wait for a lock that another thread or process holds.

The event loop may not: while it waits, every request in flight waits with it. It calls the
store inside `no_waiting()`; a lock that is taken then raises `WouldWait` instead, before
anything has changed, and the request runs again once the lock looks free; only what is slow
whatever the locks (`needs_thread`) goes to a thread (http/bridge.py). The one exception is
brief: the store's file lock is tried for up to `BRIEF_WAIT_S` first (`take_flock`).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# Another worker's write holds the store's file lock for a tenth of a millisecond or so; only a
# compaction holds it for long. Running a refused request again costs more than half a
# millisecond of the loop, so it first tries this long: at two workers, ~17% of updates used
# to run twice, and an update cost ~8% more CPU.
BRIEF_WAIT_S = 0.0005

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


def take_flock(descriptor: int, wait: bool = True) -> bool:
    """Take the exclusive flock on `descriptor`: waiting for it where that is allowed; on the
    event loop, trying for up to BRIEF_WAIT_S (yielding the CPU in between, which the holder may
    need); with `wait` False, trying once. False when it is still held elsewhere."""
    if wait and may_wait():
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        return True
    deadline = time.perf_counter() + (BRIEF_WAIT_S if wait else 0.0)
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.perf_counter() >= deadline:
                return False
            os.sched_yield()
