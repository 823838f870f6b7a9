"""The request journal's file format: one JSON object a line, that a torn write cannot spoil.

A full disk can cut a line short (a short write); readers then skip what does not parse, or,
when the next entry was appended right after the fragment, read that entry from where it
starts: every stored entry begins with `START` (`encoded` keeps the order the middleware
builds, `t` first), which cannot occur unescaped inside a JSON string.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from mockserver import jsontext

Entry = dict[str, Any]
START = b'{"t":'


def encoded(entry: Entry) -> bytes:
    """One entry as stored, keys in order (jsontext: orjson, json where orjson refuses)."""
    return jsontext.encode(entry)


def valid(data: bytes, newest: int) -> list[tuple[bytes, Entry]]:
    """The `newest` entries in `data`, oldest first, each once, with its line: a torn line is
    skipped, or, when the next entry was appended right after it, that entry is salvaged; a
    line written twice (see `requests.Journal._rotate`) counts once. Only the lines needed are
    parsed: the file holds several times `newest` before it is rotated."""
    found: list[tuple[bytes, Entry]] = []
    seen: set[bytes] = set()
    for line in reversed(data.splitlines()):
        parsed = entry_of(line)
        if parsed is not None and parsed[0] not in seen:
            seen.add(parsed[0])
            found.append(parsed)
            if len(found) == newest:
                break
    found.reverse()
    return found


def entry_of(line: bytes) -> tuple[bytes, Entry] | None:
    start = 0
    while start >= 0:
        candidate = line[start:]
        try:
            # orjson directly, not jsontext.decode: an entry's numbers are its own (`t`, ns since
            # the epoch, and counts), all within 64 bits; what the client sent is text (`b`).
            entry = orjson.loads(candidate)
        except ValueError:
            pass
        else:
            if isinstance(entry, dict) and "t" in entry:
                return candidate, entry
        start = line.find(START, start + 1)
    return None


def complete(data: bytes) -> bytes:
    """Up to the last newline: a line still being written is not read."""
    return data[: data.rfind(b"\n") + 1]


def read_all(descriptor: int) -> bytes:
    return os.pread(descriptor, os.fstat(descriptor).st_size, 0)


def write_new(path: Path, data: bytes) -> None:
    with open(path, "wb") as file:
        file.write(data)  # a buffered file checks the count and raises on a short write


TAIL_STEP = 64 * 1024  # what the live feed reads from the end of the file first


def after_line(descriptor: int, last: str) -> bytes | None:
    """The complete lines after the entry with id `last`, read from the end of the file in
    growing steps (a follower asks for a few new lines, often); None when it is not there."""
    # The id is each line's last key (the middleware adds it last), so this cannot match a
    # header or a body that happens to hold the same text.
    needle = b'"i":"' + last.encode() + b'"}\n'
    size = os.fstat(descriptor).st_size
    span = TAIL_STEP
    while True:
        start = max(0, size - span)
        data = os.pread(descriptor, size - start, start)
        at = data.rfind(needle)
        if at >= 0:
            newer = data[at + len(needle) :]
            return newer[: newer.rfind(b"\n") + 1]
        if start == 0:
            return None
        span *= 8
