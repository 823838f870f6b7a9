"""JSON text written and read by orjson, and by json wherever orjson refuses what json takes.

orjson is several times faster than json's encoder and decoder. It refuses what json accepts
in two places: integers past 64 bits and strings holding a lone surrogate (`"\\ud800"` is
valid JSON). Those go through json, so nothing json could store or read is lost. Its text
differs only in spelling: non-ASCII characters as UTF-8 rather than `\\u` escapes.

orjson also *reads* an integer past 64 bits as a float, silently (past 2**64 - 1, or below
-2**63): any text with a run of 20 digits, or of 19 after a minus sign, is read by json instead
(such an integer, or only a long string of digits). A 19-digit positive integer, the journal's
generation (nanoseconds since the epoch), stays with orjson, which reads it exactly. The runs are
found by mapping every digit to `0` (`bytes.translate`) and looking for twenty zeros, or a minus
and nineteen: a tenth of what a regular expression took (12 µs on a 560-byte journal line, which
every worker reads for every write another one makes).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson

_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_TWENTY_DIGITS = b"0" * 20
_MINUS_NINETEEN_DIGITS = b"-" + b"0" * 19


def encode(document: Any, default: Callable[[Any], Any] | None = None, option: int = 0) -> bytes:
    try:
        return orjson.dumps(document, default=default, option=option)
    except orjson.JSONEncodeError:
        return json.dumps(document, default=default, separators=(",", ":")).encode()


def decode(text: str | bytes) -> Any:
    if _has_long_digits(text):
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # json reads more (NaN, huge integers): as before, or its error
        return json.loads(text)


def _has_long_digits(text: str | bytes) -> bool:
    # Digits and the minus are ASCII: in UTF-8 (surrogates passed through) they are the same
    # bytes in the same runs, and no other character's bytes are.
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    zeros = raw.translate(_DIGITS_AS_ZERO)
    return _TWENTY_DIGITS in zeros or _MINUS_NINETEEN_DIGITS in zeros
