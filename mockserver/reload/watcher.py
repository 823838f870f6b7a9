"""One watcher in each serving process, not one in the supervisor.

Each process must build its own version anyway (apps cannot cross a fork after it happened), so
a watcher in the supervisor would only signal workers to do what they can see themselves, and
the supervisor would need a thread (watchfiles runs its notifier in one), which it must never
have: it forks workers, and a fork copies no thread but every lock one held. Here each worker
watches with inotify (through watchfiles, no polling) on its own event loop; a worker forked
after an edit (a replacement) starts from the supervisor's first version and catches up at once,
because its files' digest differs from the one it holds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from watchfiles import Change, awatch

if TYPE_CHECKING:
    from mockserver.reload.swap import ReloadableApp

logger = logging.getLogger("mockserver.reload")
# watchfiles groups the changes of one save (an editor writes, renames, touches): it yields once
# nothing changed for STEP ms, or after DEBOUNCE ms of constant changes.
STEP_MS = 50
DEBOUNCE_MS = 400
QUIET_MS = 300  # watchfiles yields an empty set after this long without a change


async def watch(target: ReloadableApp) -> None:
    """Reload `target` on every change of its files, until cancelled."""
    while True:
        if target.changed():
            await target.reload()
            continue
        files = target.files
        # The folders, not the files: an editor saves by renaming a new file over the old one.
        folders = sorted({path.parent for path in files if path.parent.is_dir()})
        logger.debug("watching %s", ", ".join(str(path) for path in sorted(files)))
        # The watcher starts in a thread a moment after awatch is called: an edit in between
        # would go unseen, so the files are compared once more at its first quiet spell.
        caught_up = False
        async for changes in awatch(
            *folders,
            watch_filter=_only(files),
            recursive=False,
            step=STEP_MS,
            debounce=DEBOUNCE_MS,
            rust_timeout=QUIET_MS,
            yield_on_timeout=True,
        ):
            if not changes and caught_up and not target.recheck:
                continue
            caught_up = True
            if target.changed():
                await target.reload()
            if target.files != files:
                break  # the contract references other files now: watch those


def _only(files: frozenset[Path]) -> Callable[[Change, str], bool]:
    return lambda _change, path: Path(path) in files
