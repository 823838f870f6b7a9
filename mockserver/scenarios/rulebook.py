"""Where rules live: one JSON file per store, shared by every worker process, or memory.

`rules.json` maps session names to their rules, in the order added. It is replaced atomically
(temp file, rename) under an exclusive flock, and fsynced when rules are added or removed so
they survive a restart. A request costs one `stat` when nothing changed: the parsed file is kept
until its inode, size or mtime moves. Only a request that a rule matches takes the lock, so
`times`, hit counts and a seeded sequence stay exact across processes.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mockserver.scenarios.rules import Rule, fire, may_fire
from mockserver.store.wal import StoreError

Book = dict[str, list[Rule]]


class Rulebook:
    def __init__(self, folder: Path | None) -> None:
        self._path = None if folder is None else folder / "rules.json"
        self._lock_path = None if folder is None else folder / "rules.lock"
        self._thread_lock = threading.Lock()
        self._book: Book = {}
        self._seen: tuple[int, int, int] | None = None
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                _read(self._path)  # type: ignore[arg-type]
            except (OSError, ValueError) as error:
                raise StoreError(
                    f"cannot use the rules in {folder}: {error}; move the folder away to start "
                    "without rules"
                ) from None

    def fire(self, session: str, operation_id: str) -> Rule | None:
        """The rule that applies to this request, counted; None (the fast path) when none."""
        rules = self._current().get(session)
        if not rules or not may_fire(rules, operation_id):
            return None
        with self._change() as book:
            rule = fire(book.get(session, []), operation_id)
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

    @staticmethod
    def _set(book: Book, session: str, rules: list[Rule]) -> None:
        if rules:
            book[session] = rules
        else:
            book.pop(session, None)

    def _current(self) -> Book:
        if self._path is None:
            return self._book
        try:
            status = os.stat(self._path)
        except FileNotFoundError:
            return {}
        seen = (status.st_ino, status.st_size, status.st_mtime_ns)
        if seen != self._seen:
            with self._thread_lock:
                self._book, self._seen = _read(self._path), seen
        return self._book

    @contextlib.contextmanager
    def _change(self, durable: bool = False) -> Iterator[Book]:
        """The whole book, fresh, for the block to change; written back when it ends."""
        with self._thread_lock:
            if self._path is None:
                yield self._book
                return
            with _flock(self._lock_path):  # type: ignore[arg-type]
                book = _read(self._path)
                yield book
                _write(self._path, book, os.fsync if durable else lambda _fd: None)
                status = os.stat(self._path)
                self._book = book
                self._seen = (status.st_ino, status.st_size, status.st_mtime_ns)


@contextlib.contextmanager
def _flock(path: Path) -> Iterator[None]:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


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
    with open(temporary, "w", encoding="utf-8") as file:
        json.dump(book, file, separators=(",", ":"))
        file.flush()
        sync(file.fileno())
    os.replace(temporary, path)
