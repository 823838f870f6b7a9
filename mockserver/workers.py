"""Worker processes forked from one loaded supervisor, like gunicorn's --preload.

uvicorn's own supervisor spawns every worker afresh: each imports the stack and loads the whole
store again (100,000 clients: seconds, and a private copy each). Forked from a process that
already loaded it, a worker starts at once and shares those pages with its siblings until it
writes to them. Forking is safe because the supervisor never starts a thread or an event loop:
it only forks, waits and forwards signals. The locks a worker takes on the store are its own
(mockserver.store.forks reopens them in every child).

A worker that stops answering (SIGSTOP, a deadlock, a syscall that never returns) is replaced as
gunicorn's worker timeout does: each worker's event loop touches its slot in memory shared with
the supervisor every tick (`Heartbeats`, `beating_server`), and one silent for `worker_timeout`
seconds gets SIGKILL, with any compaction child it forked (which holds the store's lock too):
that frees the lock if it held it. It is then replaced like any worker that died.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import mmap
import os
import signal
import struct
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

PR_SET_PDEATHSIG = 1  # prctl(2) option: the signal a process gets when its parent exits
STARTUP_FAILURE = 3  # uvicorn's exit status when a server cannot start: every worker would fail
RESPAWN_PAUSE = 1.0  # seconds at least between two starts of one worker: no busy crash loop
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

logger = logging.getLogger("mockserver.workers")


def supervise(count: int, serve: Callable[[], None], worker_timeout: float = 0.0) -> int:
    """Run `serve` in `count` forked workers until SIGINT or SIGTERM, replacing one that dies.

    A stop signal goes on to every worker as SIGTERM (uvicorn in it finishes the requests in
    flight); the supervisor returns once they have all ended: 0, or 1 when a worker could not
    start. A worker whose heartbeat (`beating_server`) stops for `worker_timeout` seconds is
    killed and replaced (0: never).
    """
    workers: dict[int, float] = {}  # pid: when it was forked
    heartbeats = Heartbeats(count)
    slots: dict[int, int] = {}  # pid: its heartbeat slot
    stopped: list[int] = []

    def stop(signum: int, _frame: Any = None) -> None:
        stopped.append(signum)
        for pid in workers:
            # SIGTERM whatever came: a Ctrl-C also reaches the workers from the terminal, and a
            # second SIGINT makes uvicorn drop the requests in flight.
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, stop)
    for slot in range(count):
        _fork_in_slot(workers, serve, heartbeats, slots, slot)
    failed = False
    while workers:
        pid, status = _next_exit(workers, heartbeats, slots, worker_timeout)
        slot = slots.pop(pid, 0)
        forked = workers.pop(pid, None)
        if forked is None or stopped:
            continue
        code = os.waitstatus_to_exitcode(status)
        if code == STARTUP_FAILURE:
            logger.error("worker %d could not start; stopping", pid)
            failed = True
            stop(signal.SIGTERM)
            continue
        logger.warning("worker %d ended (status %d); starting another", pid, code)
        time.sleep(max(0.0, forked + RESPAWN_PAUSE - time.monotonic()))
        if not stopped:
            _fork_in_slot(workers, serve, heartbeats, slots, slot)
    return 1 if failed else 0


class Heartbeats:
    """When each worker slot last showed its event loop turning: CLOCK_MONOTONIC (one clock for
    every process), in anonymous shared memory made before the forks."""

    CELL = struct.Struct("d")

    def __init__(self, slots: int) -> None:
        self._memory = mmap.mmap(-1, self.CELL.size * max(slots, 1))

    def touch(self, slot: int) -> None:
        self.CELL.pack_into(self._memory, slot * self.CELL.size, time.monotonic())

    def silent_for(self, slot: int) -> float:
        (last,) = self.CELL.unpack_from(self._memory, slot * self.CELL.size)
        return float(time.monotonic() - last)


_heartbeat: tuple[Heartbeats, int] | None = None  # in a worker: its slot


def _beat() -> None:
    if _heartbeat is not None:
        _heartbeat[0].touch(_heartbeat[1])


def beating_server(config: Any) -> Any:
    """A uvicorn Server whose main loop (a tick every 0.1 s) touches this worker's heartbeat:
    a frozen, deadlocked or stuck event loop stops it."""
    import uvicorn

    class BeatingServer(uvicorn.Server):
        async def on_tick(self, counter: int) -> bool:
            _beat()
            return await super().on_tick(counter)

    return BeatingServer(config)


def _fork_in_slot(
    workers: dict[int, float],
    serve: Callable[[], None],
    heartbeats: Heartbeats,
    slots: dict[int, int],
    slot: int,
) -> None:
    global _heartbeat
    heartbeats.touch(slot)  # from now: its start-up counts against the timeout too
    _heartbeat = (heartbeats, slot)  # the child keeps it; the supervisor has no loop to beat
    before = set(workers)
    try:
        _fork(workers, serve)
    finally:
        _heartbeat = None
    for pid in set(workers) - before:
        slots[pid] = slot


def _kill_with_children(pid: int) -> None:
    """SIGKILL a worker and what it forked: a compaction child holds the store's lock too, and
    may be as stuck as its parent. Killed mid-write it leaves only a temporary file; the store's
    snapshot and journal are as they were."""
    children: list[str] = []
    # Per thread: a compaction is often forked from a write thread.
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            children += (task / "children").read_text().split()
    for target in [pid, *map(int, children)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(target, signal.SIGKILL)


CHECK_EVERY = 0.2  # seconds between two looks at the workers, when a timeout is set


def _next_exit(
    workers: dict[int, float], heartbeats: Heartbeats, slots: dict[int, int], timeout: float
) -> tuple[int, int]:
    """The next worker to end, and its wait status; meanwhile, a worker silent for `timeout`
    seconds is killed (its end is then the next one)."""
    if timeout <= 0:
        return os.wait()  # a signal runs `stop`, then the wait goes on (PEP 475)
    while True:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid:
            return pid, status
        for silent, slot in list(slots.items()):
            quiet = heartbeats.silent_for(slot)
            if silent in workers and quiet >= timeout:
                logger.error(
                    "worker %d has not answered for %.1f s (--worker-timeout); killing it",
                    silent,
                    quiet,
                )
                _kill_with_children(silent)
                heartbeats.touch(slot)  # killed once, not every look until it is reaped
        time.sleep(CHECK_EVERY)


def _fork(workers: dict[int, float], serve: Callable[[], None]) -> None:
    # Blocked until the pid is in `workers`: a stop signal in between would miss the new worker.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    sys.stdout.flush()
    sys.stderr.flush()  # else the child would write the parent's buffered output again
    supervisor = os.getpid()
    try:
        pid = os.fork()
        if pid == 0:
            _work(serve, supervisor, mask)
        workers[pid] = time.monotonic()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _work(serve: Callable[[], None], supervisor: int, mask: set[int | signal.Signals]) -> NoReturn:
    """The child's whole life. It ends with os._exit: the supervisor's atexit handlers (the
    advertised address) and its `finally` blocks belong to the supervisor alone."""
    code = 1
    try:
        # Killed with SIGKILL, a supervisor cannot stop its workers, which would go on serving
        # the port; Linux signals them instead, where the call is available.
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != supervisor:  # it died before the call above
            raise SystemExit(1)
        # Until uvicorn takes the stop signals, one ends the worker at once (nothing in flight
        # yet); uvicorn hands a caught one back to this handler after its graceful shutdown.
        for stop_signal in STOP_SIGNALS:
            signal.signal(stop_signal, _exit_cleanly)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        serve()
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _exit_cleanly(*_: Any) -> NoReturn:
    raise SystemExit(0)
