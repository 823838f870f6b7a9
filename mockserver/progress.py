"""Start-up steps that say what they do.

A step that takes longer than about two seconds (checking 100,000 new fixtures, say) shows a
progress bar on a terminal (tqdm, drawn only once the step has run that long) and plain lines
where nobody watches a terminal (a log file, a container's output): one every few seconds while
it runs and one when it ends. A short step prints nothing, so a normal start stays quiet.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import TextIO

from tqdm import tqdm

SHOW_AFTER = 2.0  # seconds a step runs before it shows anything
LINE_EVERY = 5.0  # seconds between two plain lines

Advance = Callable[[int], None]  # advance(n): n more items done


@contextlib.contextmanager
def step(
    label: str,
    total: int | None = None,
    stream: TextIO | None = None,
    show_after: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[Advance]:
    """`with step("checking the fixtures", 100_000) as advance: ... advance(1000)`."""
    stream = sys.stderr if stream is None else stream
    show_after = SHOW_AFTER if show_after is None else show_after
    if _is_terminal(stream):
        with tqdm(
            total=total, desc=f"mockserver: {label}", file=stream, delay=show_after, unit=""
        ) as bar:
            yield bar.update
        return
    lines = PlainLines(label, total, stream, show_after, clock)
    yield lines.advance
    lines.finish()


class PlainLines:
    """Progress as whole lines, for a stream that is not a terminal."""

    def __init__(
        self,
        label: str,
        total: int | None,
        stream: TextIO,
        show_after: float,
        clock: Callable[[], float],
    ) -> None:
        self.label, self.total, self.stream = label, total, stream
        self.show_after, self.clock = show_after, clock
        self.started = clock()
        self.next_line = self.started + show_after
        self.done = 0

    def advance(self, count: int) -> None:
        self.done += count
        now = self.clock()
        if now >= self.next_line:
            of = f" of {self.total:,}" if self.total is not None else ""
            self._write(f"{self.done:,}{of} ({now - self.started:.0f} s)")
            self.next_line = now + LINE_EVERY

    def finish(self) -> None:
        elapsed = self.clock() - self.started
        if elapsed >= self.show_after:
            count = self.total if self.total is not None else self.done
            self._write(f"done, {count:,} in {elapsed:.1f} s")

    def _write(self, text: str) -> None:
        self.stream.write(f"mockserver: {self.label}: {text}\n")
        self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed, or not a real file
        return False
