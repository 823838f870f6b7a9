"""Putting the store right after a write to disk failed, so that the next write succeeds once
the disk does, in any process, without a restart; and whom to tell.

Two things can be left behind (a torn line is not one: every append cuts it first, journal.py):
lines whose flush failed, which are taken out of the journal (and so out of every process's
memory); and a compaction whose snapshot got in but whose new journal did not, which the next
writer finishes. Until that is done no line is appended: it is done first, or the write is
refused.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from mockserver.store import snapshot
from mockserver.store.journal import StoreUnavailable

if TYPE_CHECKING:
    from mockserver.store.transaction import Memory
    from mockserver.store.wal import Wal


class Reporter(Protocol):
    """Who hears of parts that cannot write (faults.Degraded, for /__mock/health)."""

    def failed(self, part: str, error: BaseException | str, dropped: int = 1) -> None: ...

    def recovered(self, part: str) -> None: ...


class _Silent:
    def failed(self, part: str, error: BaseException | str, dropped: int = 1) -> None:
        pass

    def recovered(self, part: str) -> None:
        pass


NO_REPORTER: Reporter = _Silent()


def ready_to_append(wal: Wal, memory: Memory) -> None:
    """Under the WAL's locks, before the first append of a write: StoreUnavailable when what an
    earlier failure left cannot be put right yet."""
    if wal.journal.failed:
        remove_failed_lines(wal, memory)
    if inode(wal.path) != wal.snapshot_inode:
        finish_compaction(wal, memory)


def remove_failed_lines(wal: Wal, memory: Memory) -> None:
    """Rewrite the journal without this process's lines whose flush failed, and reload: other
    processes see a new journal their snapshot does not name, and reload too. Lines a
    compaction elsewhere folded in meanwhile stay (they are in a snapshot, in every memory)."""
    wal.refresh(memory)
    failed = list(wal.journal.failed)
    if not failed:
        return
    kept = wal.journal.whole_lines_without(failed)
    try:
        snapshot.write_atomically(wal.log_path, kept)
    except OSError as error:
        raise StoreUnavailable("taking back a line whose flush failed", error) from None
    reload(wal, memory)


def finish_compaction(wal: Wal, memory: Memory) -> None:
    """The snapshot is not the one this process follows. If it folds in the journal still in
    place (its writer failed before replacing it), that journal holds only folded lines (no
    append comes before this): replace it by an empty one. Then reload."""
    folded = snapshot.follows(wal.path)
    if folded is not None and folded.inode == inode(wal.log_path):
        try:
            snapshot.write_atomically(wal.log_path, b"")
        except OSError as error:
            raise StoreUnavailable("finishing a compaction", error) from None
    reload(wal, memory)


def reload(wal: Wal, memory: Memory) -> None:
    loaded = wal.load_locked()
    memory.restore(*(loaded or ({"clients": []}, [])))


def inode(path: Path) -> int:
    """The file's inode number; -1 when there is no such file."""
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return -1
