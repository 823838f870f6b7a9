"""Connexion's `extract_content_type`, without rebuilding a typing generic on every call.

Connexion 3.3's version subscripts `typing.Collection[...]` inside the function body, so each of
its three calls per request (request validation, response validation, response decorator) pays
typing's cache lookup: ~2% of a get by id here. This one answers the same for the same headers
(tests/test_content_type.py compares them); `use_fast_content_type` puts it where Connexion's
modules look it up (`connexion.utils.extract_content_type`, read at call time). See INTERNALS.md.
"""

from __future__ import annotations

from collections.abc import Iterable

from connexion import utils

Headers = Iterable[tuple[bytes | str, bytes | str]] | dict[str, str]


def extract_content_type(headers: Headers) -> str | None:
    pairs = headers.items() if isinstance(headers, dict) else headers
    for key, value in pairs:
        name = key.decode("latin-1") if isinstance(key, bytes) else key
        if name.lower() == "content-type":
            return value.decode("latin-1") if isinstance(value, bytes) else value
    return None


CONNEXIONS = utils.extract_content_type


def use_fast_content_type() -> None:
    utils.extract_content_type = extract_content_type
