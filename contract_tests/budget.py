"""A time budget for the run (--max-time SECONDS): once it is spent, Schemathesis generates no
new case (each operation's examples, the stateful scenarios); the semantic checks still all run.

Hypothesis has no budget for a whole run (its `deadline` is per example) and Schemathesis'
engine `max-time` serves its own CLI runner, not the pytest integration the suite is built on;
so the suite counts the cases itself and stops a test's generation loop by skipping the rest of
it (Hypothesis lets pytest's skip through): the cases already run stay judged, and the summary
says what was cut and what was never reached.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest


@dataclass
class Budget:
    seconds: float | None = None
    started: float = field(default_factory=time.monotonic)
    cases: dict[str, int] = field(default_factory=dict)  # what generated cases, how many ran
    cut: dict[str, int] = field(default_factory=dict)  # stopped by the budget after n cases
    # Where a case failed: Hypothesis goes on to shrink it, and a skip then would hide it.
    failed: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def spent(self) -> bool:
        return self.seconds is not None and time.monotonic() - self.started >= self.seconds

    def next_case(self, where: str) -> None:
        """Count a generated case of `where`, or stop its generation when the budget is spent."""
        with self._lock:
            if self.spent() and where not in self.failed:
                ran = self.cases.get(where, 0)
                self.cut[where] = ran
                reason = f"stopped after {ran} case(s)" if ran else "not reached"
                pytest.skip(f"--max-time {self.seconds:g} s spent: {where} {reason}")
            self.cases[where] = self.cases.get(where, 0) + 1

    @contextmanager
    def failing(self, where: str) -> Iterator[None]:
        """Remember that a case of `where` failed, so its shrinking is never cut."""
        try:
            yield
        except Exception:
            self.failed.add(where)
            raise

    def summary(self) -> list[str]:
        """What the budget cut, for the terminal, the JUnit report and the Markdown summary."""
        if not self.cut:
            return []
        elapsed = time.monotonic() - self.started
        reached = {where: ran for where, ran in self.cut.items() if ran}
        never = sorted(where for where, ran in self.cut.items() if not ran)
        lines = [
            f"run cut by --max-time {self.seconds:g} s (spent after {elapsed:.0f} s): no new"
            " cases generated after that; every semantic check still ran"
        ]
        if reached:
            shown = ", ".join(f"{where} ({ran} cases)" for where, ran in sorted(reached.items()))
            lines.append(f"cut short: {shown}")
        if never:
            lines.append(f"not reached: {', '.join(never)}")
        return lines
