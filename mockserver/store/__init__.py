"""The data: client records in TinyDB, made durable and shared by the write-ahead log."""

from __future__ import annotations

from mockserver.store.client_store import ClientStore
from mockserver.store.model import ClientNotFound, Filters, JobCounts, Page, Record
from mockserver.store.wal import StoreError

__all__ = ["ClientNotFound", "ClientStore", "Filters", "JobCounts", "Page", "Record", "StoreError"]
