"""Worker processes forked from one loaded supervisor, like gunicorn's --preload.

uvicorn's own supervisor spawns every worker afresh: each imports the stack and loads the whole
store again (100,000 clients: seconds, and a private copy each). Forked from a process that
already loaded it, a worker starts at once and shares those pages with its siblings until it
writes to them. Forking is safe because the supervisor never starts a thread or an event loop:
it only forks, waits and forwards signals. The locks a worker takes on the store are its own
(mockserver.store.forks reopens them in every child).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any, NoReturn

PR_SET_PDEATHSIG = 1  # prctl(2) option: the signal a process gets when its parent exits
STARTUP_FAILURE = 3  # uvicorn's exit status when a server cannot start: every worker would fail
RESPAWN_PAUSE = 1.0  # seconds at least between two starts of one worker: no busy crash loop
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

logger = logging.getLogger("mockserver.workers")


def supervise(count: int, serve: Callable[[], None]) -> int:
    """Run `serve` in `count` forked workers until SIGINT or SIGTERM, replacing one that dies.

    A stop signal goes on to every worker as SIGTERM (uvicorn in it finishes the requests in
    flight); the supervisor returns once they have all ended: 0, or 1 when a worker could not
    start.
    """
    workers: dict[int, float] = {}  # pid: when it was forked
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
    for _ in range(count):
        _fork(workers, serve)
    failed = False
    while workers:
        pid, status = os.wait()  # a signal runs `stop`, then the wait goes on (PEP 475)
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
            _fork(workers, serve)
    return 1 if failed else 0


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
