"""Whether the calling code may wait for a lock that another thread or process holds.

The event loop may not: while it waits, every request in flight waits with it. It calls the
store inside `no_waiting()`; a lock that is taken then raises `WouldWait` instead, before
anything has changed, and the request runs again once the lock looks free; only what is slow
whatever the locks (`needs_thread`) goes to a thread (http/bridge.py). The one exception is
brief: the store's file lock is tried for up to `BRIEF_WAIT_S` first (`take_flock`).

No wait is for ever: a worker that froze (SIGSTOP, a deadlock, a syscall that never returns)
while holding the store's lock would otherwise hang every other writer. Inside
`waiting_at_most(seconds)` (the bridge sets it from `lock_timeout`) a write that has not had the
lock by then raises `StoreBusy`, a 503 with Retry-After, and changes nothing.
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
# (the timeout, when it ends): a deadline, so a write queued behind others waits no longer.
_lock_timeout: ContextVar[tuple[float, float] | None] = ContextVar(
    "mockserver_lock_timeout", default=None
)
LONGEST_PAUSE_S = 0.002  # between two tries of a lock a thread waits for with a deadline


class StoreBusy(Exception):
    """A write waited its whole `lock_timeout` for the store's lock, held by a process that
    does not let it go (frozen or stuck); nothing was changed."""

    retry_after = 1  # seconds: the supervisor replaces a silent worker (--worker-timeout)

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"The store is held by another worker that has not answered for {seconds:g} s; "
            "nothing was changed. Try again shortly"
        )


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
def waiting_at_most(seconds: float) -> Iterator[None]:
    """Writes in this block give up (StoreBusy) once they have waited `seconds` from now for the
    store's lock."""
    token = _lock_timeout.set((seconds, time.monotonic() + seconds))
    try:
        yield
    finally:
        _lock_timeout.reset(token)


def seconds_left() -> float | None:
    """How long a lock may still be waited for here (None: for ever); for `acquire(timeout=)`."""
    bound = _lock_timeout.get()
    return None if bound is None else max(0.0, bound[1] - time.monotonic())


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
        bound = _lock_timeout.get()
        if bound is None:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            return True
        if flock_within(descriptor, fcntl.LOCK_EX, bound[1] - time.monotonic()):
            return True
        raise StoreBusy(bound[0])
    deadline = time.perf_counter() + (BRIEF_WAIT_S if wait else 0.0)
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.perf_counter() >= deadline:
                return False
            os.sched_yield()


def flock_within(descriptor: int, mode: int, seconds: float) -> bool:
    """Take the flock `mode` on `descriptor` if it comes free within `seconds` (0: one try):
    for the side files, whose lock a frozen neighbour may hold for ever. False when not."""
    deadline = time.monotonic() + seconds
    pause = 0.0001
    while True:
        try:
            fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE_S)
