"""JSON text written and read by orjson, and by json wherever orjson refuses what json takes.

orjson is several times faster than json's encoder and decoder. It refuses what json accepts
in two places: integers past 64 bits and strings holding a lone surrogate (`"\\ud800"` is
valid JSON). Those go through json, so nothing json could store or read is lost. Its text
differs only in spelling: non-ASCII characters as UTF-8 rather than `\\u` escapes.

orjson also *reads* an integer past 64 bits as a float, silently (past 2**64 - 1, or below
-2**63): any text with a run of 20 digits, or of 19 after a minus sign, is read by json instead
(such an integer, or only a long string of digits). A 19-digit positive integer, the journal's
generation (nanoseconds since the epoch), stays with orjson, which reads it exactly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import orjson

_LONG_DIGITS = re.compile(r"-[0-9]{19}|[0-9]{20}")
_LONG_DIGITS_BYTES = re.compile(rb"-[0-9]{19}|[0-9]{20}")


def encode(document: Any, default: Callable[[Any], Any] | None = None, option: int = 0) -> bytes:
    try:
        return orjson.dumps(document, default=default, option=option)
    except orjson.JSONEncodeError:
        return json.dumps(document, default=default, separators=(",", ":")).encode()


def decode(text: str | bytes) -> Any:
    long = _LONG_DIGITS.search(text) if isinstance(text, str) else _LONG_DIGITS_BYTES.search(text)
    if long:
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # json reads more (NaN, huge integers): as before, or its error
        return json.loads(text)
