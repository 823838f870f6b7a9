"""The strict JSON parser: one RFC 8259 document in UTF-8, or a sentence saying what is wrong."""

from __future__ import annotations

import json

import pytest

from mockserver.http.strict_json import MAX_DEPTH, TOO_DEEP, InvalidJson, check_json


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "Zo\xc3\xab \xf0\x9f\x9a\x80", "tags": [], "metadata": {"n": null}}',
        b'{"a": "\\ud83d\\ude80", "b": "\\u00e9"}',  # an escaped surrogate pair is one character
        b'{"a": 1.5e308, "b": -0.0, "c": 12345678901234567890}',
        b' \n\t{"a": [true, false, null]}\r\n',
        b"[]",
        b'"text"',
    ],
)
def test_strict_json_is_parsed_as_json_is(body: bytes) -> None:
    assert check_json(body) == json.loads(body)


def nested(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b'{"name": "caf\xe9"}', "not valid UTF-8 (byte 13)"),
        (b'\xef\xbb\xbf{"name": "x"}', "BOM"),
        (b'{"name": "a", "name": "b"}', "repeats the key 'name'"),
        (b'{"m": {"k": 1, "x": 2, "k": 3}}', "repeats the key 'k'"),
        (b'{"n": NaN}', "NaN is not a JSON value"),
        (b'{"n": Infinity}', "Infinity is not a JSON value"),
        (b'{"n": -Infinity}', "-Infinity is not a JSON value"),
        (b'{"n": 1e400}', "too large for JSON: 1e400"),
        (b'{"n": -1e400}', "too large for JSON: -1e400"),
        (b'{"n": 1' + b"0" * 5000 + b"}", "a number that cannot be used"),
        (b'{"name": "\\ud800"}', "lone UTF-16 surrogate"),
        (b'{"\\udfff": 1}', "lone UTF-16 surrogate"),
        (b'{"name": "x"', "not valid JSON"),
        (b'{"name": "x"} {}', "not valid JSON: Extra data"),
        (b"[1,]", "not valid JSON"),
        (b"", "not valid JSON"),
        (nested(MAX_DEPTH + 1), TOO_DEEP),
        (nested(100_000), TOO_DEEP),  # past the interpreter's recursion limit: still a sentence
    ],
)
def test_what_json_forbids_or_python_adds_is_refused_with_a_reason(body: bytes, named: str) -> None:
    with pytest.raises(InvalidJson) as refused:
        check_json(body)
    assert named in str(refused.value)


def test_depth_counts_the_body_as_the_first_level() -> None:
    assert check_json(nested(MAX_DEPTH)) is not None
    deep_object = b'{"k": ' * MAX_DEPTH + b"{}" + b"}" * MAX_DEPTH
    with pytest.raises(InvalidJson, match="nested too deeply"):
        check_json(deep_object)
