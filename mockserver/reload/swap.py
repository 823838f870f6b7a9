"""The ASGI app uvicorn calls under `serve --watch`: each request goes to the version current when
it arrived, so a swap drops no connection and requests in flight finish on the old version.

The watcher runs in each serving process (a worker, or the only process) for as long as its
server's lifespan: see watcher.py for why not one in the supervisor.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio.to_thread

from mockserver.reload.files import ReloadError, digest
from mockserver.reload.version import Version, build_version, files_of

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from mockserver.app import Kept
    from mockserver.settings import Settings

logger = logging.getLogger("mockserver.reload")


class ReloadableApp:
    def __init__(self, app: ASGIApp, settings: Settings, kept: Kept) -> None:
        self.current = app
        self.settings = settings
        self.kept = kept
        self.files = files_of(settings)
        self.tried = kept.reload.digest = digest(self.files)
        # A refused version is read once more at the next quiet spell (`recheck`): the build may
        # have caught a file mid-write, and the write that ended it may have put back the very
        # bytes the digest was taken of (an edit storm), so no digest would differ. It stands
        # refused once the same bytes were refused twice.
        self.last_refused = ""
        # The seed the first version's sessions stand on, loaded now: a reload compares the
        # default session with it, and the file on disk will no longer hold it by then.
        _ = kept.store.memory.seed_records

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._live(scope, receive, send)
            return
        await self.current(scope, receive, send)

    async def _live(self, scope: Scope, receive: Receive, send: Send) -> None:
        from mockserver.reload.watcher import watch

        watching = asyncio.create_task(watch(self))
        try:
            await self.current(scope, receive, send)
        finally:
            watching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watching

    @property
    def recheck(self) -> bool:
        return not self.tried

    def changed(self) -> bool:
        """Do the files hold something not tried yet (an edit, or a fork of an older version)?"""
        return digest(self.files) != self.tried

    async def reload(self) -> None:
        """Build the files' version in a thread and serve it, or keep the current one."""
        started = time.perf_counter()
        status = self.kept.reload
        self.tried = digest(self.files)
        try:
            version: Version = await anyio.to_thread.run_sync(self._build_and_seed)
        except ReloadError as error:
            if Path(error.file).name and Path(error.file) not in self.files:
                self.files = self.files | {Path(error.file)}  # a new reference, not readable yet
            if self.tried != self.last_refused:
                self.last_refused, self.tried = self.tried, ""
            status.refused(error.file, error.message)
            logger.error("reload refused, still serving version %d: %s", status.version, error)
            return
        self.kept.scenarios.catalog = version.catalog
        self.kept.scenarios.base_path = version.base_path
        self.current = version.app
        self.files, self.tried = version.files, version.digest
        self.last_refused = ""
        status.loaded(version.digest)
        took = (time.perf_counter() - started) * 1000
        logger.info("reloaded: serving version %d (%.0f ms)", status.version, took)

    def _build_and_seed(self) -> Version:
        version = build_version(self.settings, self.kept)
        self.kept.store.replace_seed(version.seed, version.job_counts)
        return version


def watched(app: Any, settings: Settings) -> ReloadableApp:
    """`app` (create_app's) served under --watch, with what its versions share."""
    from mockserver.api.clients import STORE_KEY
    from mockserver.app import Kept
    from mockserver.faults import EXTENSION_KEY as DEGRADED_KEY
    from mockserver.reload.status import RELOAD_KEY
    from mockserver.scenarios.engine import EXTENSION_KEY as SCENARIOS_KEY

    extensions = app.app.extensions
    kept = Kept(
        extensions[STORE_KEY],
        extensions[SCENARIOS_KEY],
        extensions[DEGRADED_KEY],
        extensions[RELOAD_KEY],
    )
    return ReloadableApp(app, settings, kept)
