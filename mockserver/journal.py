"""Durable storage for the store: an atomically replaced snapshot plus an fsynced journal.

A write is one appended journal line, fsynced before it is acknowledged, so its cost does not grow
with the store (TinyDB's JSONStorage rewrites everything on every write). The snapshot is replaced
with write-to-temp, fsync, rename: a kill at any moment leaves the old or the new file, never half
of one. Journal lines carry the snapshot's generation, so lines already folded into a newer
snapshot are recognised and skipped after a crash between the rename and the truncation.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from pathlib import Path
from typing import Any, BinaryIO

Record = dict[str, Any]
COMPACT_AFTER_LINES = 1000


class StoreError(RuntimeError):
    """The store cannot be opened or written; the message says what to do."""


class Journal:
    def __init__(self, path: Path, lock: BinaryIO, log: BinaryIO) -> None:
        self.path = path
        self._lock = lock
        self._log = log
        self._generation = 0
        self._lines = 0

    @classmethod
    def open(cls, path: Path) -> Journal:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            lock = open(path.with_name(path.name + ".lock"), "ab")  # noqa: SIM115
            log = open(path.with_name(path.name + ".journal"), "ab")  # noqa: SIM115
        except OSError as error:
            message = f"cannot write the store directory {path.parent}: {error.strerror}"
            raise StoreError(message) from None
        try:
            # Two processes appending to one journal would interleave and fork its history.
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            log.close()
            raise StoreError(f"the store {path} is in use by another mockserver process") from None
        return cls(path, lock, log)

    @property
    def log_path(self) -> Path:
        return Path(self._log.name)

    def load(self) -> list[Record] | None:
        """The stored records, or None when no store exists yet."""
        if not self.path.exists():
            return None
        snapshot = self._read_snapshot()
        self._generation = snapshot["generation"]
        records = {record["id"]: record for record in snapshot["clients"]}
        for record in self._read_log():
            records[record["id"]] = record
        return list(records.values())

    def put(self, record: Record) -> None:
        line = json.dumps({"g": self._generation, "put": record}, separators=(",", ":"))
        try:
            self._log.write(line.encode() + b"\n")
            self._log.flush()
            os.fsync(self._log.fileno())
        except OSError as error:
            raise StoreError(
                f"cannot write the journal {self.log_path}: {error.strerror}"
            ) from None
        self._lines += 1

    def wants_compaction(self, record_count: int) -> bool:
        # A snapshot costs O(records): taking one every records/2 lines keeps writes amortised
        # O(1) and bounds what a start-up has to replay.
        return self._lines >= max(COMPACT_AFTER_LINES, record_count // 2)

    def replace_all(self, records: list[Record]) -> None:
        """Make `records` the whole store: a new snapshot generation and an empty journal."""
        # Time-based, so a reseed of a store it could not read still outranks every old line.
        generation = max(self._generation + 1, time.time_ns())
        payload = json.dumps({"generation": generation, "clients": records}, indent=1)
        temporary = self.path.with_name(self.path.name + ".tmp")
        try:
            with open(temporary, "wb") as file:
                file.write(payload.encode())
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
            _fsync_directory(self.path.parent)
            self._generation = generation
            os.ftruncate(self._log.fileno(), 0)
            os.fsync(self._log.fileno())
        except OSError as error:
            raise StoreError(f"cannot write the store {self.path}: {error.strerror}") from None
        self._lines = 0

    def close(self) -> None:
        self._log.close()
        self._lock.close()

    def _read_snapshot(self) -> dict[str, Any]:
        try:
            snapshot = json.loads(self.path.read_bytes())
            valid = isinstance(snapshot, dict) and isinstance(snapshot.get("clients"), list)
            if valid and isinstance(snapshot.get("generation"), int):
                return snapshot
            problem = "it is JSON, but not a mockserver store"
        except (ValueError, UnicodeDecodeError) as error:
            problem = f"it is not valid JSON ({error})"
        except OSError as error:
            problem = f"it cannot be read ({error.strerror})"
        raise StoreError(_refusal(self.path, problem))

    def _read_log(self) -> list[Record]:
        data = self.log_path.read_bytes()
        complete = data[: data.rfind(b"\n") + 1]
        if len(complete) != len(data):
            # A torn last line is a write killed before its fsync returned: never acknowledged.
            os.truncate(self.log_path, len(complete))
        records = []
        for number, line in enumerate(complete.splitlines(), start=1):
            entry = _parse_line(line)
            if entry is None:
                raise StoreError(_refusal(self.log_path, f"line {number} is damaged"))
            if entry["g"] == self._generation:
                records.append(entry["put"])
        self._lines = len(records)
        return records


def _parse_line(line: bytes) -> dict[str, Any] | None:
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        entry = json.loads(line)
        if isinstance(entry, dict) and isinstance(entry.get("put"), dict) and "g" in entry:
            return entry
    return None


def _refusal(path: Path, problem: str) -> str:
    return (
        f"refusing to open the store {path}: {problem}. It was left untouched; move it away, "
        f"or run `mockserver reset --db {path}` to start again from the fixtures"
    )


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
