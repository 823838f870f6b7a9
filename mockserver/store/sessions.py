"""Sessions: isolated datasets over one shared, read-only seed (copy-on-write).

A session `over_seed` sees the seed's records except those it holds itself: it keeps only what it
changed or added, so a session that only reads costs no copy. After an import (or, for the
default session, always) it holds every record itself and the seed is out of the picture.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mockserver.store.dataset import Dataset, OrderKey, SeedData
from mockserver.store.model import Filters, Record, order_key

DEFAULT = "default"


class SessionNotFound(LookupError):
    """No session has this name (never used, forgotten or expired)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"No session named {name!r}")


class SessionLimit(RuntimeError):
    """A new session would pass --max-sessions and none is idle enough to evict."""


@dataclass(frozen=True)
class Limits:
    max_sessions: int = 1000  # besides `default`
    ttl: float = 86_400.0  # seconds idle before a session is forgotten; 0: never
    evictable_after: float = 60.0  # idle seconds before the limit may evict a session


@dataclass
class Session:
    created: float
    last_used: float
    requests: int = 0
    over_seed: bool = True
    data: Dataset = field(default_factory=Dataset)
    shadowed: int = 0  # seed records this session holds its own version of

    def expired(self, limits: Limits, now: float) -> bool:
        return limits.ttl > 0 and now - self.last_used > limits.ttl

    def get(self, seed: SeedData, client_id: str) -> Record | None:
        """The stored record itself, not a copy: read it, never change it."""
        record = self.data.get(client_id)
        if record is None and self.over_seed:
            return seed.get(client_id)
        return record

    def count(self, seed: SeedData) -> int:
        if self.over_seed:
            return len(seed) + len(self.data) - self.shadowed
        return len(self.data)

    def put(self, seed: SeedData, records: list[Record]) -> None:
        if self.over_seed:
            # Distinct ids: a catch-up can hold several versions of one record.
            ids = {record["id"] for record in records}
            self.shadowed += sum(1 for i in ids if i not in self.data and i in seed)
        self.data.put(records)

    def replace(self, records: list[Record], over_seed: bool) -> None:
        self.data.clear()
        self.over_seed, self.shadowed = over_seed, 0
        self.data.put(records)

    def page(
        self, seed: SeedData, filters: Filters, limit: int, offset: int
    ) -> tuple[list[Record], int]:
        """One page of the matching records, newest first (ties by id), and the match count."""
        if filters.empty:
            keys = self._keys(seed, offset, limit)
            return [self._record(seed, key) for key in keys], self.count(seed)
        if not self.over_seed:
            return self.data.page(filters, limit, offset)
        matches = self.data.search(filters)
        if self.over_seed:
            matches += [r for r in seed.search(filters) if r["id"] not in self.data]
        matches.sort(key=order_key)
        return matches[offset : offset + limit], len(matches)

    def _keys(self, seed: SeedData, offset: int, limit: int) -> list[OrderKey]:
        if not self.over_seed:
            return self.data.order[offset : offset + limit]
        if not self.data:
            return seed.order[offset : offset + limit]
        return list(itertools.islice(self._merged_order(seed), offset, offset + limit))

    def _merged_order(self, seed: SeedData) -> Iterator[OrderKey]:
        own = self.data
        return heapq.merge((key for key in seed.order if key[1] not in own), own.order)

    def _record(self, seed: SeedData, key: OrderKey) -> Record:
        record = self.get(seed, key[1])
        assert record is not None  # the order index holds only stored ids
        return record

    def summary(self, name: str, seed: SeedData) -> dict[str, Any]:
        return {
            "name": name,
            "clients": self.count(seed),
            "requests": self.requests,
            "created": self.created,
            "last_used": self.last_used,
        }

    def state(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "last_used": self.last_used,
            "requests": self.requests,
            "over_seed": self.over_seed,
            "clients": self.data.records(),
        }
