"""Where rules live: one JSON file per store, shared by every worker process, or memory.

`rules.json` maps session names to their rules, in the order added. It is replaced atomically
(temp file, rename) under an exclusive flock on `rules.lock`, and fsynced when rules are added
or removed so they survive a restart. `rules.lock` also holds a change counter, mapped into
every process: a request reads it from memory (no system call) and rereads `rules.json` only
when it moved. Only a request that a rule matches takes the lock, so `times`, hit counts and a
seeded sequence stay exact across processes.

A side file never takes the API down: when `rules.json` cannot be written (a full disk, EIO) or
its lock is held by a process that does not answer, a change is not made and the process's
`Degraded` record says so. The control call that asked for it gets `RulesNotSaved` (a 503 with
Retry-After); an API request whose rule cannot be counted is answered as if no rule matched.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import json
import mmap
import os
import struct
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mockserver.faults import Degraded
from mockserver.faults.degraded import describe
from mockserver.scenarios.rules import Rule, fire, may_fire
from mockserver.store.forks import reopen_in_children
from mockserver.store.waiting import flock_within
from mockserver.store.wal import StoreError

Book = dict[str, list[Rule]]
COUNTER = struct.Struct("Q")  # changes so far, at the start of rules.lock
PART = "rules"  # as /__mock/health names it
# Another process holds rules.lock for a file write at most; one that holds it longer does not
# answer (frozen), and a request waiting on it would stall its whole event loop.
LOCK_WAIT_S = 0.5


class RulesNotSaved(Exception):
    """The rules could not be written; nothing was changed. `retry_after`: seconds."""

    retry_after = 5


class Rulebook:
    def __init__(self, folder: Path | None, degraded: Degraded | None = None) -> None:
        self._path = None if folder is None else folder / "rules.json"
        self.degraded = Degraded() if degraded is None else degraded
        self._thread_lock = threading.Lock()
        self._book: Book = {}
        self._seen = -1
        self._lock_fd = -1
        self._counter: mmap.mmap | None = None
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                self._lock_fd = os.open(folder / "rules.lock", os.O_RDWR | os.O_CREAT, 0o644)
                if os.fstat(self._lock_fd).st_size < COUNTER.size:
                    # Written, not a sparse ftruncate: a page first touched through the map on
                    # a full disk would kill the process with SIGBUS instead of failing here.
                    os.pwrite(self._lock_fd, bytes(COUNTER.size), 0)
                self._counter = mmap.mmap(self._lock_fd, COUNTER.size)
                _read(self._path)  # type: ignore[arg-type]
                reopen_in_children(self)
            except (OSError, ValueError) as error:
                raise StoreError(
                    f"cannot use the rules in {folder}: {error}; move the folder away to start "
                    "without rules"
                ) from None

    def reopen_after_fork(self) -> None:
        inherited = self._lock_fd
        self._lock_fd = os.open(self._path.with_name("rules.lock"), os.O_RDWR)  # type: ignore[union-attr]
        os.close(inherited)

    def fire(self, session: str, operation_id: str) -> Rule | None:
        """The rule that applies to this request, counted; None (the fast path) when none."""
        rules = self._current().get(session)
        if not rules or not may_fire(rules, operation_id):
            return None
        try:
            with self._change() as book:
                rule = fire(book.get(session, []), operation_id)
        except RulesNotSaved:
            return None  # counted in `degraded`; the API answers as if no rule matched
        return None if rule is None else copy.deepcopy(rule)

    def sessions(self) -> list[str]:
        return list(self._current())

    def rules(self, session: str) -> list[Rule]:
        return copy.deepcopy(self._current().get(session, []))

    def add(self, session: str, rule: Rule) -> None:
        with self._change(durable=True) as book:
            book.setdefault(session, []).append(rule)

    def remove(self, session: str, rule_id: str) -> bool:
        with self._change(durable=True) as book:
            kept = [rule for rule in book.get(session, []) if rule["id"] != rule_id]
            found = len(kept) < len(book.get(session, []))
            self._set(book, session, kept)
        return found

    def clear(self, session: str) -> None:
        with self._change(durable=True) as book:
            self._set(book, session, [])

    def forget(self, session: str) -> None:
        """`clear` for a session the store forgets: inside the store's write, which a rules
        file that cannot be written must not fail (counted in `degraded`)."""
        with contextlib.suppress(RulesNotSaved):
            self.clear(session)

    @staticmethod
    def _set(book: Book, session: str, rules: list[Rule]) -> None:
        if rules:
            book[session] = rules
        else:
            book.pop(session, None)

    def _current(self) -> Book:
        if self._counter is None:
            return self._book
        (seen,) = COUNTER.unpack_from(self._counter)
        if seen != self._seen:
            with self._thread_lock:
                # The counter moves after the file is replaced: this read is at least as new.
                try:
                    self._book, self._seen = _read(self._path), seen  # type: ignore[arg-type]
                except OSError as error:  # the rules as last read, rather than no answer
                    self.degraded.failed(PART, error, dropped=0)
        return self._book

    @contextlib.contextmanager
    def _change(self, durable: bool = False) -> Iterator[Book]:
        """The whole book, fresh, for the block to change; written back when it ends."""
        with self._thread_lock:
            if self._counter is None or self._path is None:
                yield self._book
                return
            if not flock_within(self._lock_fd, fcntl.LOCK_EX, LOCK_WAIT_S):
                self.degraded.failed(PART, "rules.lock is held by a process that does not answer")
                raise RulesNotSaved("another process holds the rules and does not answer")
            try:
                book = self._read_for_change()
                yield book
                self._save(book, durable)
                (count,) = COUNTER.unpack_from(self._counter)
                COUNTER.pack_into(self._counter, 0, count + 1)
                self._book, self._seen = book, count + 1
            finally:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _read_for_change(self) -> Book:
        try:
            return _read(self._path)  # type: ignore[arg-type]
        except OSError as error:
            self.degraded.failed(PART, error)
            raise RulesNotSaved(describe(error)) from None

    def _save(self, book: Book, durable: bool) -> None:
        try:
            _write(self._path, book, os.fsync if durable else lambda _fd: None)  # type: ignore[arg-type]
        except OSError as error:
            self.degraded.failed(PART, error)
            raise RulesNotSaved(describe(error)) from None
        self.degraded.recovered(PART)


def _read(path: Path) -> Book:
    try:
        book = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    if not isinstance(book, dict):
        raise ValueError(f"{path.name} is not a JSON object")
    return book


def _write(path: Path, book: Book, sync: Callable[[int], Any]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    try:
        with open(temporary, "wb") as file:
            # Buffered: a short write raises instead of leaving half a file to rename.
            file.write(json.dumps(book, separators=(",", ":")).encode())
            file.flush()
            sync(file.fileno())
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)  # what a full disk let through, freed again
        raise
