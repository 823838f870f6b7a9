"""Serve Flask from ASGI on the event loop, with a thread only for what must wait.

a2wsgi's WSGIMiddleware, which Connexion's FlaskApp uses, streams: a request crosses between the
event loop and its thread pool about four times, measured as ~60% of a request's cost here
(docs/benchmarks.md). A body is at most 1 MiB (the guard enforces it before this point) and
an answer is one small JSON document, so reading the body first and buffering the answer costs
nothing and leaves one crossing at most. a2wsgi still builds the WSGI environ.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread
from a2wsgi.wsgi import build_environ
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.http.operations import decorate_once
from mockserver.store.waiting import StoreBusy, WouldWait, no_waiting, seconds_left, waiting_at_most

if TYPE_CHECKING:
    from connexion import FlaskApp

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
# A request runs on the event loop itself, with no hand-off (~20% less per request here, and
# no GIL hand-offs between loop and thread), and never waits there (beyond a brief try for the
# store's file lock, store/waiting.py): where a lock is held elsewhere the store raises
# WouldWait before changing anything, and the request runs again once the lock looks free. A
# thread takes what must wait whatever the locks: a write's fdatasync (durability "disk": its
# writes always go to one) and a compaction's start.
INLINE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A lock held elsewhere is held briefly (one write: well under a millisecond) or long (a
# compaction's snapshot); the loop looks again after each of these pauses, and runs the request
# again once the lock looks free, so a long wait costs a few cheap looks, not many reruns.
RETRY_PAUSES = (0.0002, 0.0005, 0.001, 0.002, 0.004, *(0.008,) * 1000)
# A lock held longer than this is held by a process that does not let it go (frozen, stuck): the
# write is refused with StoreBusy (503, Retry-After) instead of waiting for ever (settings).
LOCK_TIMEOUT_S = 5.0


def serve_on_the_loop(
    app: FlaskApp,
    writes_inline: bool,
    write_threads: int | None = None,
    lock_timeout: float = LOCK_TIMEOUT_S,
) -> None:
    """Put the bridge below in place of Connexion's a2wsgi one (Connexion has no option for it;
    see INTERNALS.md), with Connexion's view functions decorated once."""
    middleware = app._middleware_app
    middleware.asgi_app = OneHopWSGI(
        app.app.wsgi_app,
        other_scopes=middleware.asgi_app,
        writes_inline=writes_inline,
        write_threads=write_threads,
        lock_timeout=lock_timeout,
        # Connexion adds the operations' view functions when its middleware starts.
        on_first_request=partial(decorate_once, app.app),
    )


class OneHopWSGI:
    def __init__(
        self,
        wsgi_app: Any,
        other_scopes: ASGIApp,
        writes_inline: bool = False,
        write_threads: int | None = None,
        on_first_request: Callable[[], None] = lambda: None,
        lock_timeout: float = LOCK_TIMEOUT_S,
    ) -> None:
        self.wsgi_app = wsgi_app
        self.other_scopes = other_scopes  # lifespan and anything else that is not HTTP
        self.writes_inline = writes_inline
        # Writes are serialised by the store's locks anyway: more threads than can make progress
        # only take turns at the GIL with the event loop, and every turn a read waits for. None:
        # anyio's default pool (a flush to disk is shared by the writes waiting on it).
        self.write_threads = write_threads
        self._write_limiter: anyio.CapacityLimiter | None = None
        self._on_first_request: Callable[[], None] | None = on_first_request
        self._slow_work: anyio.Event | None = None
        self.lock_timeout = lock_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.other_scopes(scope, receive, send)
            return
        prepare, self._on_first_request = self._on_first_request, None
        if prepare is not None:
            prepare()
        body = await read_body(receive)
        with waiting_at_most(self.lock_timeout):  # from now, in the loop and in a thread
            status, headers, payload = await self._answer(scope, body)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    async def _answer(self, scope: Scope, body: bytes) -> Answer:
        if not (self.writes_inline or scope["method"] in INLINE_METHODS):
            return await self._in_thread(scope, body, self._write_lane())
        while True:
            # Slow work is due (a compaction) and one write is doing it in a thread. The writes
            # behind it wait here, all woken at once when it is done. Run up to the lock, each
            # cost a whole request taken from the loop, and so from the GIL the thread needed;
            # queued behind a one-token limiter, each waited for a loop turn: in-app p99 of
            # update was ~200 ms at one worker, ~35 ms now. Reads go on meanwhile.
            if self._slow_work is not None and scope["method"] not in INLINE_METHODS:
                await self._slow_work.wait()
                continue
            answer = await self._inline(scope, body)
            if answer is not None:
                return answer
            if self._slow_work is not None:  # another request took it to a thread meanwhile
                await self._slow_work.wait()
                continue
            done = self._slow_work = anyio.Event()
            try:
                return await self._in_thread(scope, body)
            finally:
                self._slow_work = None
                done.set()

    async def _inline(self, scope: Scope, body: bytes) -> Answer | None:
        """The answer, run on the event loop once the locks it needs look free; None when the
        request needs a thread."""
        while True:
            try:
                with no_waiting():
                    return self._call(scope, body)
            except WouldWait as busy:
                if busy.needs_thread:
                    return None
                await self._until_free(busy)

    async def _until_free(self, busy: WouldWait) -> None:
        """Back once the lock looks free; StoreBusy once the request's lock timeout has passed."""
        for pause in RETRY_PAUSES:
            left = seconds_left()
            if left is not None and left <= 0:
                raise StoreBusy(self.lock_timeout)
            await anyio.sleep(pause if left is None else min(pause, left))
            if busy.looks_free():
                return

    async def _in_thread(
        self, scope: Scope, body: bytes, limiter: anyio.CapacityLimiter | None = None
    ) -> Answer:
        return await anyio.to_thread.run_sync(self._call, scope, body, limiter=limiter)

    def _write_lane(self) -> anyio.CapacityLimiter | None:
        """The limiter of write threads, made on first use: it belongs to the loop that uses
        it. None: anyio's default pool."""
        if self.write_threads is not None and self._write_limiter is None:
            self._write_limiter = anyio.CapacityLimiter(self.write_threads)
        return self._write_limiter

    def _call(self, scope: Scope, body: bytes) -> Answer:
        started: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> None:
            started["status"] = int(status.split(" ", 1)[0])
            started["headers"] = [
                (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers
            ]

        chunks = self.wsgi_app(build_environ(scope, io.BytesIO(body)), start_response)  # type: ignore[arg-type]
        try:
            payload = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        return started["status"], started["headers"], payload


async def read_body(receive: Receive) -> bytes:
    """A request's whole body, from every message of an ASGI `receive`."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)
