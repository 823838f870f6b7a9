"""`--latency 50-300`: every API request waits a uniformly drawn time first (off by default)."""

from __future__ import annotations

import re

from mockserver.settings import SettingsError

Range = tuple[int, int]


def parse_latency(text: str | None) -> Range | None:
    """`"50-300"` -> (50, 300); `"100"` -> (100, 100); None or `"0"` -> None (off)."""
    if text is None or text.strip() in ("", "0", "off"):
        return None
    match = re.fullmatch(r"\s*(\d{1,6})\s*(?:-\s*(\d{1,6})\s*)?", text)
    if match is None:
        raise SettingsError(f"--latency {text!r}: give milliseconds, e.g. 200 or 50-300")
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if low > high:
        raise SettingsError(f"--latency {text!r}: the minimum is above the maximum")
    return low, high
