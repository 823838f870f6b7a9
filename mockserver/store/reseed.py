"""New fixtures under a running store (`serve --watch`), every session's writes kept.

A session over the seed holds only what it changed or added: it sees the new fixtures under its
own records at once (one that only read sees nothing but the new fixtures), exactly as it would
after a restart. The default session holds every record itself: if it still holds the old
fixtures as they were, it takes the new ones, as an `import` entry with the records themselves,
so every worker ends with the same records whichever seed it held when it read the line; once
written to, it keeps all its records (`POST /__mock/reset` takes the new fixtures).
"""

from __future__ import annotations

from mockserver.store.dataset import LazyDataset
from mockserver.store.memory import StoreMemory
from mockserver.store.model import Record
from mockserver.store.sessions import DEFAULT
from mockserver.store.wal import Entry


def reseed(memory: StoreMemory, records: list[Record]) -> Entry | None:
    """Put `records` under every session over the seed; the entry that carries the default
    session over to them, if it only read."""
    untouched = _holds_only(memory, memory.seed_records)
    memory._load_seed = lambda: records
    memory._seed_list = records
    memory.seed = seed = LazyDataset(lambda: records)
    for session in memory.sessions.values():
        if session.over_seed:
            session.shadowed = sum(1 for record in session.data.records() if record["id"] in seed)
    if not untouched:
        return None
    return {"s": DEFAULT, "import": [dict(record) for record in records]}


def _holds_only(memory: StoreMemory, seed: list[Record]) -> bool:
    """Does the default session hold exactly these records, unchanged?"""
    default = memory.sessions[DEFAULT].data
    if len(default) != len(seed):
        return False
    return all(default.get(record["id"]) == record for record in seed)
