"""Verification: how many of a session's journalled requests match some criteria, whether that
count is what a test expected, and, when it is not, the requests that came nearest and what
differed in each (as WireMock's near misses: a test failure should say why, not just "0 != 1").

Criteria are what the journal keeps: `operation`, `method`, `path` (as sent, with or without the
API's base path, or as the contract writes it, `{id}` standing for one segment), `status`,
`headers` (a subset, names case-insensitive, values exact) and `body` (a JSON subset: objects may
hold more keys, arrays match element by element).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

Entry = dict[str, Any]
CRITERIA = ("operation", "method", "path", "status", "headers", "body")
NEAR_MISSES = 3
MISSING = object()


@dataclass(frozen=True)
class Times:
    exactly: int | None = None
    at_least: int | None = None
    at_most: int | None = None

    @classmethod
    def from_body(cls, times: dict[str, int] | None) -> Times:
        """`{"exactly": n}`, `{"atLeast": n}`, `{"atMost": n}` or both bounds; none: at least 1."""
        if not times:
            return cls(at_least=1)
        return cls(times.get("exactly"), times.get("atLeast"), times.get("atMost"))

    def holds(self, count: int) -> bool:
        if self.exactly is not None:
            return count == self.exactly
        low = self.at_least if self.at_least is not None else 0
        return low <= count and (self.at_most is None or count <= self.at_most)

    def too_many(self, count: int) -> bool:
        ceiling = self.exactly if self.exactly is not None else self.at_most
        return ceiling is not None and count > ceiling

    def __str__(self) -> str:
        if self.exactly is not None:
            return f"exactly {self.exactly}"
        if self.at_least is not None and self.at_most is not None:
            return f"between {self.at_least} and {self.at_most}"
        if self.at_most is not None:
            return f"at most {self.at_most}"
        return f"at least {self.at_least or 0}"


def verify(entries: list[Entry], criteria: dict[str, Any], times: Times, base: str) -> Entry:
    """The answer of a verification over `entries` (the journal as the control API lists it)."""
    wanted = {name: criteria[name] for name in CRITERIA if criteria.get(name) is not None}
    misses: list[tuple[int, int, Entry, list[Entry]]] = []
    count = 0
    for order, entry in enumerate(entries):
        differences = differences_of(entry, wanted, base)
        if not differences:
            count += 1
        else:
            misses.append((len(wanted) - len(differences), order, entry, differences))
    held = times.holds(count)
    answer: Entry = {
        "held": held,
        "count": count,
        "expected": str(times),
        "criteria": wanted,
        "message": _message(held, count, times, wanted, len(entries)),
        "near_misses": [],
    }
    if not held and not times.too_many(count):
        # Most criteria met first, then the newest: the request the test most likely meant.
        misses.sort(key=lambda miss: (-miss[0], -miss[1]))
        answer["near_misses"] = [
            {"request": summary(entry), "met": met, "differences": differences}
            for met, _, entry, differences in misses[:NEAR_MISSES]
        ]
    return answer


def differences_of(entry: Entry, wanted: dict[str, Any], base: str) -> list[Entry]:
    """What differs between a request and the criteria, one item per criterion not met."""
    found = []
    for name, expected in wanted.items():
        actual = entry.get(name)
        if name == "path":
            differs = not path_matches(expected, actual or "", base)
            detail = None
        elif name == "headers":
            detail = _header_difference(expected, entry.get("headers") or {})
            differs = detail is not None
        elif name == "body":
            detail = body_difference(expected, actual)
            differs = detail is not None
        elif name == "method":
            differs, detail = str(expected).upper() != actual, None
        else:
            differs, detail = not same_value(expected, actual), None
        if differs:
            if name == "headers":
                actual = {key: entry["headers"].get(key.lower()) for key in expected}
            item = {"criterion": name, "expected": expected, "actual": actual}
            if detail:
                item["detail"] = detail
            found.append(item)
    return found


def path_matches(pattern: str, path: str, base: str) -> bool:
    """`/api/v1/clients/42`, `/clients/42` or `/clients/{id}` all match the request path
    `/api/v1/clients/42`."""
    regex = "".join(
        "[^/]+" if part.startswith("{") else re.escape(part)
        for part in re.split(r"(\{[^/{}]*\})", pattern)
    )
    return bool(re.fullmatch(regex, path)) or (
        path.startswith(base + "/") and bool(re.fullmatch(regex, path[len(base) :]))
    )


def _header_difference(expected: dict[str, str], headers: dict[str, str]) -> str | None:
    for name, value in expected.items():
        actual = headers.get(name.lower())
        if actual is None:
            return f"no {name} header"
        if actual != value:
            return f"{name} is {actual!r}, not {value!r}"
    return None


def body_difference(expected: Any, actual: Any, where: str = "$") -> str | None:
    """Where `actual` first fails to hold `expected` as a subset; None when it does."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{where} is {_kind(actual)}, not an object"
        for key, value in expected.items():
            if key not in actual:
                return f"{where}.{key} is missing"
            difference = body_difference(value, actual[key], f"{where}.{key}")
            if difference:
                return difference
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{where} is {_kind(actual)}, not an array of {len(expected)}"
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            difference = body_difference(want, got, f"{where}[{index}]")
            if difference:
                return difference
        return None
    if not same_value(expected, actual):
        return f"{where} is {_shown(actual)}, not {_shown(expected)}"
    return None


def same_value(expected: Any, actual: Any) -> bool:
    """Equal, and of the same JSON kind (Python's True == 1 is not JSON's)."""
    return isinstance(expected, bool) == isinstance(actual, bool) and expected == actual


def summary(entry: Entry) -> Entry:
    return {
        key: entry.get(key)
        for key in ("id", "time", "method", "path", "query", "operation", "status")
    }


def _kind(value: Any) -> str:
    if value is None:
        return "absent"
    if isinstance(value, list):
        return f"an array of {len(value)}"
    return {dict: "an object", str: "a string", bool: "a boolean"}.get(type(value), "a number")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _message(held: bool, count: int, times: Times, wanted: dict[str, Any], seen: int) -> str:
    asked = ", ".join(f"{name}={value!r}" for name, value in wanted.items()) or "any request"
    outcome = "as expected" if held else "expected " + str(times)
    return f"{count} of {seen} requests matched {asked}: {outcome}"
