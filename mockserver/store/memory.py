"""StoreMemory: every session's records as this process holds them, and what each journal entry
does to them (the WAL's `Memory`).

The WAL restores it from a snapshot, applies the entries other processes appended and takes its
state for the next snapshot. ClientStore changes it only by appending an entry and applying it
here, so a process's own writes and its catch-up with the others go through the same code.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from mockserver.store.dataset import LazyDataset
from mockserver.store.model import Record
from mockserver.store.sessions import DEFAULT, Session
from mockserver.store.wal import Entry, State, Transaction


class StoreMemory:
    def __init__(self, seed: Callable[[], list[Record]], clock: Callable[[], float] = time.time):
        self._load_seed = seed
        self._seed_list: list[Record] | None = None
        # Shared by every session over it; never written. Built on first use: a store whose
        # sessions all hold their own records (the default one always does) never needs it,
        # and at 100,000 clients it cost every start a second and a copy of every record.
        self.seed = LazyDataset(lambda: self.seed_records)
        self._clock = clock
        now = clock()
        self.sessions: dict[str, Session] = {DEFAULT: Session(now, now, over_seed=False)}
        # Requests counted here and not yet journaled: name -> [requests, last used].
        self.pending: dict[str, list[float]] = {}

    @property
    def seed_records(self) -> list[Record]:
        if self._seed_list is None:
            self._seed_list = self._load_seed()
        return self._seed_list

    def fresh(self) -> State:
        """A new store's state: the fixtures in the default session."""
        return {"clients": [dict(record) for record in self.seed_records], "sessions": {}}

    # The WAL's view (wal.Memory).

    def count(self) -> int:
        return sum(len(session.data) for session in self.sessions.values())

    def state(self) -> State:
        default = self.sessions[DEFAULT].state()
        sessions = {name: session.state() for name, session in self.sessions.items()}
        return {"clients": default["clients"], "sessions": sessions}

    def snapshot_taken(self) -> None:
        # A snapshot holds every request counted so far: none is left to journal.
        self.pending.clear()

    def restore(self, state: State, entries: list[Entry]) -> None:
        now = self._clock()
        saved = state.get("sessions", {})
        saved.setdefault(DEFAULT, {"created": now, "last_used": now, "requests": 0})
        saved[DEFAULT] = {**saved[DEFAULT], "over_seed": False, "clients": state["clients"]}
        self.sessions = {name: self._revived(kept) for name, kept in saved.items()}
        self.apply(entries)
        for name, (requests, last_used) in self.pending.items():  # not journaled yet
            if name in self.sessions:
                _count(self.sessions[name], requests, last_used)

    def apply(self, entries: list[Entry]) -> None:
        # Consecutive puts in one session go in as one batch (TinyDB inserts faster in bulk).
        batch: list[Record] = []
        for number, entry in enumerate(entries):
            if "put" in entry:
                batch.append(entry["put"])
                following = entries[number + 1] if number + 1 < len(entries) else {}
                if "put" in following and following.get("s") == entry.get("s"):
                    continue
                self._session_for(entry.get("s", DEFAULT)).put(self.seed, batch)
                batch = []
            else:
                self._apply_change(entry)

    def log(self, transaction: Transaction, entry: Entry, durable: bool = True) -> None:
        """Append `entry`, then apply it: an entry the disk refused (StoreUnavailable) never
        reaches the memory. The only way this process changes what it holds."""
        transaction.append(entry, durable)
        self.apply([entry])

    # Request counts.

    def note_use(self, name: str, session: Session, now: float) -> None:
        """One request served: counted here at once, journaled with the next `use` line."""
        session.requests += 1
        if now > session.last_used:
            session.last_used = now
        pending = self.pending.get(name)
        if pending is None:
            self.pending[name] = [1, now]
        else:
            pending[0] += 1
            pending[1] = now

    def _apply_change(self, entry: Entry) -> None:
        if "use" in entry:
            for name, (requests, last_used) in entry["use"].items():
                if name in self.sessions:
                    _count(self.sessions[name], requests, last_used)
            return
        name = entry["s"]
        if "open" in entry:
            self.sessions[name] = Session(entry["open"], entry["open"])
        elif "drop" in entry:
            self.sessions.pop(name, None)
        elif "reset" in entry:
            if name == DEFAULT:
                self._session_for(name).replace([dict(r) for r in self.seed_records], False)
            else:
                self._session_for(name).replace([], True)
        elif "import" in entry:
            self._session_for(name).replace(entry["import"], over_seed=False)

    def _session_for(self, name: str) -> Session:
        # A change to a session this process never saw opened (its open line was lost to a
        # crash): it started from the fixtures, like any new session.
        if name not in self.sessions:
            now = self._clock()
            self.sessions[name] = Session(now, now)
        return self.sessions[name]

    def _revived(self, kept: dict[str, Any]) -> Session:
        session = Session(kept["created"], kept["last_used"], kept["requests"], kept["over_seed"])
        session.put(self.seed, kept["clients"])
        return session


def _count(session: Session, requests: float, last_used: float) -> None:
    session.requests += int(requests)
    session.last_used = max(session.last_used, last_used)
