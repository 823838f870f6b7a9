"""The data: client records in TinyDB, in isolated sessions, made durable and shared by the
write-ahead log."""

from __future__ import annotations

from mockserver.store.client_store import ClientStore, InvalidImport
from mockserver.store.model import ClientNotFound, Filters, JobCounts, Page, Record
from mockserver.store.sessions import DEFAULT, Limits, SessionLimit, SessionNotFound
from mockserver.store.wal import StoreError, StoreUnavailable

__all__ = [
    "DEFAULT",
    "ClientNotFound",
    "ClientStore",
    "Filters",
    "InvalidImport",
    "JobCounts",
    "Limits",
    "Page",
    "Record",
    "SessionLimit",
    "SessionNotFound",
    "StoreError",
    "StoreUnavailable",
]
