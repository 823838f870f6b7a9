"""Strict JSON: what a request body must be before the contract's validation sees it.

Python's json accepts more than JSON (NaN, Infinity, duplicate keys, nesting until the
interpreter's recursion limit, lone surrogates); each of those is refused here with a sentence
that says what is wrong, so a client learns why its body was rejected.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, MutableMapping
from typing import Any

PARSED = "mockserver.parsed_json"  # the scope extension holding a body's document, parsed once
MAX_DEPTH = 33  # the body is level 1, so its `metadata` object may nest 32 levels deep
TOO_DEEP = f"The body is nested too deeply: metadata may nest at most {MAX_DEPTH - 1} levels"


class InvalidJson(ValueError):
    """The body is not one strict JSON document."""


def check_json(body: bytes) -> Any:
    """Parse `body` as strict JSON (UTF-8, unique keys, no NaN, bounded depth) or raise."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidJson(f"The body is not valid UTF-8 (byte {error.start})") from None
    try:
        document = json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_constant=_no_constant,
            parse_float=_finite_float,
        )
    except InvalidJson:
        raise
    except RecursionError:
        raise InvalidJson(TOO_DEEP) from None
    except json.JSONDecodeError as error:
        raise InvalidJson(f"The body is not valid JSON: {error}") from None
    except ValueError as error:  # e.g. an integer past Python's 4,300-digit limit
        raise InvalidJson(f"The body holds a number that cannot be used: {error}") from None
    _check_depth_and_text(document)
    return document


def hand_on(scope: MutableMapping[str, Any], document: Any) -> None:
    """Keep the checked body's document in the request's scope for those after the guard."""
    scope.setdefault("extensions", {})[PARSED] = document


def parsed_body(scope: Mapping[str, Any]) -> tuple[bool, Any]:
    """(True, document) if the guard parsed this request's body; (False, None) otherwise."""
    extensions = scope.get("extensions") or {}
    return (True, extensions[PARSED]) if PARSED in extensions else (False, None)


def _finite_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise InvalidJson(f"The body holds a number too large for JSON: {text[:40]}")
    return number


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise InvalidJson(f"The body repeats the key '{duplicate}' in one object")
    return document


def _no_constant(name: str) -> None:
    raise InvalidJson(f"The body is not valid JSON: {name} is not a JSON value")


def _check_depth_and_text(document: Any) -> None:
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise InvalidJson(TOO_DEEP)
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    _check_text(key)
                pending.append((item, depth + 1))


def _check_text(text: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidJson("The body holds a lone UTF-16 surrogate (\\ud800-\\udfff)") from None
