"""Sessions' lifecycle: a session opened on first use, forgotten when idle past its TTL, evicted
for a new one at the session limit, and the request counts each worker shares with the others.

Its journal lines (`open`, an expiry's `drop`, `use`) acknowledge nothing by themselves, so a
disk that cannot take them does not fail the request that caused them: a session opened by a
read lives in this process's memory until its first write reaches the journal (another process
opens it from the same seed on its own first use), and request counts that cannot be shared
are dropped, counted in `/__mock/health` as "usage counts".
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from mockserver.store.memory import StoreMemory
from mockserver.store.recovery import NO_REPORTER, Reporter
from mockserver.store.sessions import DEFAULT, Limits, Session, SessionLimit
from mockserver.store.wal import Entry, StoreUnavailable, Transaction

USAGE_EVERY = 1.0  # seconds between journal lines that share request counts with other workers


class Lifecycle:
    def __init__(self, memory: StoreMemory, limits: Limits, clock: Callable[[], float]) -> None:
        self.memory = memory
        self.limits = limits
        self._clock = clock
        self._shared_at = clock()
        # Told the name of each session the limits forget (expired or evicted), so what other
        # parts keep per session (rules, request journal) goes with it.
        self.on_forgotten: Callable[[str], None] = lambda name: None
        self.report: Reporter = NO_REPORTER

    def alive(self, name: str, session: Session | None, now: float) -> bool:
        return session is not None and not self.expired(name, session, now)

    def expired(self, name: str, session: Session, now: float) -> bool:
        return name != DEFAULT and session.expired(self.limits, now)

    def live(self, transaction: Transaction, name: str, counted: bool = False) -> Session:
        """Inside a write: the session `name`, opened if it is new or expired."""
        now = self._clock()
        session = self.memory.sessions.get(name)
        if session is None or self.expired(name, session, now):
            if session is not None:
                self.on_forgotten(name)  # expired: what it kept elsewhere goes too
            self._make_room(transaction, name, now)
            # Not acknowledged by itself: a lost open line means a session seeded again.
            self._log_lightly(transaction, {"s": name, "open": now})
            session = self.memory.sessions[name]
        if counted:
            self.memory.note_use(name, session, now)
        if now - self._shared_at >= USAGE_EVERY:
            self.share_use(transaction, now)
        return session

    def open_unwritten(self, name: str) -> Session:
        """Open a session in memory only (the store could not take its open line)."""
        self.memory.apply([{"s": name, "open": self._clock()}])
        return self.memory.sessions[name]

    def note_read(self, name: str, session: Session, now: float) -> bool:
        """Count one read; True when the counts are due to be shared."""
        self.memory.note_use(name, session, now)
        return now - self._shared_at >= USAGE_EVERY

    def share_use(self, transaction: Transaction, now: float) -> None:
        """Journal the requests counted here, for the other workers' summaries and TTLs."""
        pending, self.memory.pending, self._shared_at = self.memory.pending, {}, now
        if not pending:
            return
        try:
            transaction.append({"use": pending}, durable=False)
        except StoreUnavailable as error:
            self.report.failed(
                "usage counts", error.cause, dropped=int(sum(p[0] for p in pending.values()))
            )
            return
        self.report.recovered("usage counts")

    def share_use_if_free(
        self, writing: Callable[[], contextlib.AbstractContextManager[Transaction]]
    ) -> None:
        """From a read: share the counts if the store is free; never wait, never fail."""
        try:
            with writing() as transaction:
                self.share_use(transaction, self._clock())
        except BlockingIOError:
            pass  # shared by the next read or write instead
        except StoreUnavailable as error:
            self.report.failed("usage counts", error.cause)

    def _make_room(self, transaction: Transaction, name: str, now: float) -> None:
        others = {n: s for n, s in self.memory.sessions.items() if n not in (DEFAULT, name)}
        for other, session in others.items():
            if session.expired(self.limits, now):
                self._log_lightly(transaction, {"s": other, "drop": True})
                self.on_forgotten(other)
        others = {n: s for n, s in self.memory.sessions.items() if n not in (DEFAULT, name)}
        if len(others) < self.limits.max_sessions:
            return
        oldest = min(others, key=lambda other: others[other].last_used, default=None)
        if oldest is None or now - others[oldest].last_used < self.limits.evictable_after:
            busy = f", each used in the last {self.limits.evictable_after:g} s" if others else ""
            raise SessionLimit(
                f"Cannot start session {name!r}: the mock holds its limit of "
                f"{self.limits.max_sessions} sessions (--max-sessions){busy}. Delete one "
                "(DELETE /__mock/sessions/<name>) or start the mock with a higher --max-sessions"
            )
        self.memory.log(transaction, {"s": oldest, "drop": True})
        self.on_forgotten(oldest)

    def _log_lightly(self, transaction: Transaction, entry: Entry) -> None:
        """A line that acknowledges nothing: applied here even when the disk refuses it."""
        try:
            transaction.append(entry, durable=False)
        except StoreUnavailable as error:
            self.report.failed("store", error.cause)
        self.memory.apply([entry])
