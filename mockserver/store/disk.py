"""Every file operation by which the store changes its files, through one door: so a test can
make the Nth call of a kind fail as a full or failing disk would (SQLite's I/O error tests do the
same through its VFS), and nothing else in the package needs a test-only path.

The kinds: `open` (a file opened to be written), `write`, `flush` (fsync, fdatasync), `rename`,
`truncate`, `lock` (the store's flock). Without a plan installed each function is the os call.
Reading is not routed: a fault here is one the store must survive while it goes on reading.
"""

from __future__ import annotations

import errno
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from mockserver.store.waiting import take_flock

KINDS = ("open", "write", "flush", "rename", "truncate", "lock")
ERRORS = {"ENOSPC": errno.ENOSPC, "EDQUOT": errno.EDQUOT, "EIO": errno.EIO}


@dataclass(frozen=True)
class Fault:
    """Calls `first`..`first + times - 1` of `kind` fail with `error`: an errno name, or
    "short" (a write that stores half its bytes, then ENOSPC, as on a disk that fills up)."""

    kind: str
    error: str
    first: int = 1
    times: int = 1

    def strikes(self, kind: str, call: int) -> bool:
        return kind == self.kind and self.first <= call < self.first + self.times


@dataclass
class Plan:
    faults: list[Fault]
    calls: Counter[str] = field(default_factory=Counter)
    struck: Counter[str] = field(default_factory=Counter)  # calls failed, by kind
    _full: bool = False  # a short write happened: the next write finds the disk full

    def strike(self, kind: str) -> str | None:
        self.calls[kind] += 1
        if kind == "write" and self._full:
            self._full = False
            self.struck[kind] += 1
            return "ENOSPC"
        for fault in self.faults:
            if fault.strikes(kind, self.calls[kind]):
                self.struck[kind] += 1
                self._full = fault.error == "short"
                return fault.error
        return None


_plan: Plan | None = None


def install(plan: Plan | None) -> None:
    """Make the calls `plan` names fail from now on (None: none). For tests only."""
    global _plan
    _plan = plan


def _check(kind: str) -> str | None:
    error = None if _plan is None else _plan.strike(kind)
    if error is not None and error != "short":
        code = ERRORS[error]
        raise OSError(code, os.strerror(code))
    return error


def open_for_writing(path: Path | str, flags: int, mode: int = 0o644) -> int:
    _check("open")
    return os.open(path, flags, mode)


def write_all(descriptor: int, data: bytes) -> None:
    """Write all of `data`, or raise: a short write is followed by the rest, as write(2)
    asks; a disk that is full by then answers the rest with ENOSPC."""
    view = memoryview(data)
    while view:
        if _check("write") == "short":
            written = os.write(descriptor, view[: max(1, len(view) // 2)])
        else:
            written = os.write(descriptor, view)
        if written <= 0:
            raise OSError(errno.EIO, "write(2) wrote nothing")
        view = view[written:]


def fsync(descriptor: int) -> None:
    _check("flush")
    os.fsync(descriptor)


def fdatasync(descriptor: int) -> None:
    _check("flush")
    os.fdatasync(descriptor)


def replace(source: Path, target: Path) -> None:
    _check("rename")
    os.replace(source, target)


def ftruncate(descriptor: int, length: int) -> None:
    _check("truncate")
    os.ftruncate(descriptor, length)


def take_lock(descriptor: int, wait: bool = True) -> bool:
    """The store's exclusive flock (waiting.take_flock says how long it waits)."""
    _check("lock")
    return take_flock(descriptor, wait)
