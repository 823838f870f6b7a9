"""A client record as the store keeps it: its fields, the list filters and the list order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

Record = dict[str, Any]
# The contract's order, so every answer lists the fields the way the documentation does.
FIELDS = (
    "id",
    "name",
    "email",
    "phone",
    "address",
    "contact_person",
    "website",
    "industry",
    "status",
    "tags",
    "notes",
    "metadata",
    "jobs_count",
    "active_jobs_count",
    "created_at",
    "updated_at",
)
SEARCHED_FIELDS = ("name", "email", "contact_person")
JobCounts = dict[str, tuple[int, int]]


class ClientNotFound(LookupError):
    """No client has this id."""

    def __init__(self, client_id: str) -> None:
        super().__init__(f"No client with id {client_id}")
        self.client_id = client_id


@dataclass(frozen=True)
class Page:
    items: list[Record]
    total: int


@dataclass(frozen=True)
class Filters:
    """The list filters (frozen, so equal filters can share a cached answer)."""

    search: str = ""
    status: str | None = None
    industry: str | None = None

    def match(self, record: Mapping[str, Any]) -> bool:
        needle = self.search.lower()
        if needle and not any(needle in (record[field] or "").lower() for field in SEARCHED_FIELDS):
            return False
        if self.status is not None and record["status"] != self.status:
            return False
        industry = record["industry"]
        return self.industry is None or (
            industry is not None and industry.lower() == self.industry.lower()
        )

    @property
    def empty(self) -> bool:
        return not self.search and self.status is None and self.industry is None


_NEWEST_FIRST = str.maketrans("0123456789", "9876543210")


def order_key(record: Mapping[str, Any]) -> tuple[str, str]:
    """Ascending keys give newest first, then by id: timestamps share one format (fixtures.py
    normalises them), so complementing their digits reverses their order."""
    return str(record["created_at"]).translate(_NEWEST_FIRST), str(record["id"])


def timestamp(moment: datetime) -> str:
    """The one timestamp format the mock answers with: RFC 3339, UTC, milliseconds, `Z`.
    The year always has 4 digits (strftime's %Y gives `229` for the year 229 on Linux)."""
    # isoformat pads the year and cuts the microseconds as wanted, at a fifth of strftime's
    # cost (a write takes two); in UTC it always ends in "+00:00".
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def parse_timestamp(value: str) -> datetime:
    """A timestamp as a moment in UTC; ValueError if it is not one, or if in UTC it falls
    outside the years 1 to 9999 (`0001-01-01T00:04:00+04:00` is in the year 0 in UTC)."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value} is outside the years 1 to 9999 in UTC") from None


TICK = timedelta(milliseconds=1)
LAST_MOMENT = datetime.max.replace(microsecond=999000, tzinfo=UTC)


def tick_after(value: str) -> datetime:
    """The first millisecond after a timestamp; the last one the mock can store if it is that
    one (an imported `9999-12-31T23:59:59.999Z` has no later millisecond)."""
    return min(parse_timestamp(value), LAST_MOMENT - TICK) + TICK
