"""The snapshot file: the whole store as one JSON object, replaced atomically.

`generation` comes first, and for a compaction `follows` next: the journal (inode, length) the
snapshot folds in. A process that had read that journal up to some point then only needs the
rest of it, read through the descriptor it still holds, instead of parsing the whole snapshot
and rebuilding every record and index (at 10,000 clients ~0.2 s, at 100,000 seconds, with its
event loop stalled meanwhile). Anything else (a reseed) has no `follows` and means a reload.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockserver import jsontext
from mockserver.store import disk

_HEADER = re.compile(rb'\{"generation":(\d+),"follows":\[(\d+),(\d+)\],')
_HEADER_BYTES = 96
_ERRNO_EXIT = 100  # a snapshot writer that failed with errno N exits with 100 + N


class Unreadable(ValueError):
    """The snapshot exists but is not a store: the message says why."""


@dataclass(frozen=True)
class Follows:
    generation: int
    inode: int  # of the journal the snapshot folded in
    end: int  # how far into it


def write(
    path: Path, generation: int, state: dict[str, Any], follows: tuple[int, int] | None
) -> None:
    header: dict[str, Any] = {"generation": generation}
    if follows is not None:
        header["follows"] = list(follows)
    # Compact, by orjson (jsontext): a compaction holds every writer, and a first start waits
    # for it (100,000 clients: ~10 s indented by json, ~0.6 s compact, ~0.07 s by orjson).
    # orjson writes NaN and Infinity as null, as the API (orjson too) has shown them to every
    # client. Read back by json (`read`): one long read, where the guard against orjson's
    # reading of long integers would cost more than it saves.
    write_atomically(path, jsontext.encode({**header, **state}))


def read(path: Path) -> dict[str, Any]:
    """The snapshot, `generation` included; `follows` dropped (it only helps a running reader)."""
    try:
        snapshot = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as error:
        raise Unreadable(f"it is not valid JSON ({error})") from None
    except OSError as error:
        raise Unreadable(f"it cannot be read ({error.strerror})") from None
    valid = isinstance(snapshot, dict) and isinstance(snapshot.get("clients"), list)
    valid = valid and isinstance(snapshot.get("sessions", {}), dict)
    if not valid or not isinstance(snapshot.get("generation"), int):
        raise Unreadable("it is JSON, but not a mockserver store")
    snapshot.pop("follows", None)
    return snapshot


def follows(path: Path) -> Follows | None:
    """What a compaction snapshot folds in, from its first bytes; None for any other snapshot."""
    try:
        with open(path, "rb") as file:
            match = _HEADER.match(file.read(_HEADER_BYTES))
    except OSError:
        return None
    if match is None:
        return None
    return Follows(*(int(group) for group in match.groups()))


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data`: whole, or (on any error, raised) not at all, the old file left
    as it was and no temporary file behind."""
    temporary = path.with_name(path.name + ".tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    try:
        descriptor = disk.open_for_writing(temporary, flags)
        try:
            disk.write_all(descriptor, data)
            disk.fsync(descriptor)
        finally:
            os.close(descriptor)
        disk.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    # The rename itself is durable once the folder is flushed; were this flush to fail, the
    # new file is complete either way, and the old one too: either is a consistent store.
    descriptor = os.open(path.parent, os.O_RDONLY)
    try:
        disk.fsync(descriptor)
    finally:
        os.close(descriptor)


@dataclass
class Writer:
    """A forked process writing a snapshot; `wait` says whether it succeeded."""

    pid: int
    generation: int
    error: str = ""

    def wait(self) -> bool:
        _, status = os.waitpid(self.pid, 0)  # the GIL is released while waiting
        code = os.waitstatus_to_exitcode(status)
        if code == 0:
            return True
        if code > _ERRNO_EXIT:
            number = code - _ERRNO_EXIT
            self.error = f"OSError: [Errno {number}] {os.strerror(number)} (writing a snapshot)"
        else:
            self.error = f"the snapshot writer exited with {code}"
        return False


def fork_writer(
    path: Path,
    journal: Path,
    generation: int,
    state: Callable[[], dict[str, Any]],
    follows: tuple[int, int],
    lock_fd: int,
) -> Writer:
    """Write `state()` as seen at the fork as the snapshot, then an empty `journal`, in a child
    process (as Redis' BGSAVE does): the caller's memory is the child's copy-on-write, and the
    caller must keep it from changing until the fork returns, and the files until `wait`.

    The child keeps the store's flock (`lock_fd`, held by the caller): were the caller killed
    meanwhile, no other process may append to the journal this child is about to replace."""
    held = os.dup(lock_fd)  # the same open file description, so the same lock
    try:
        pid = os.fork()
    except OSError:
        os.close(held)
        raise
    if pid != 0:
        os.close(held)
        return Writer(pid, generation)
    code = 1  # the child: only this thread exists here; touch nothing but the files, then leave
    try:
        write(path, generation, state(), follows)
        write_atomically(journal, b"")
        code = 0
    except OSError as error:  # told to the parent in the exit status, for health and the log
        code = _ERRNO_EXIT + error.errno if error.errno else 1
    finally:
        os._exit(code)
