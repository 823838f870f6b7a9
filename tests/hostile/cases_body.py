"""Hostile request bodies: broken JSON, bad bytes, ambiguous keys, wrong types, deep nesting."""

from __future__ import annotations

import json

from hostile.case import Case, deep_text, doc, nested, post, put

NESTING_LIMIT = 32  # openapi.yaml, ClientMetadata: "nested at most 32 levels deep"
EMOJI = "👩\u200d💻🚀🇮🇳"  # a ZWJ sequence and a flag: several code points, one glyph
RTL = "שלום עולם مرحبا \u202etxt.exe"  # Hebrew, Arabic, a right-to-left override
COMBINING = "e\u0301 n\u0303 Z\u0351\u0363\u036b"  # decomposed (NFD): must not come back NFC
ODD = "\u2028\u2029\ufeff\u200b\U0010fffd\uffff"  # JS line breaks, BOM, zero width, planes


def _malformed() -> list[Case]:
    texts = {
        "trailing comma": b'{"name": "x",}',
        "unquoted key": b'{name: "x"}',
        "single quotes": b"{'name': 'x'}",
        "comment": b'{"name": "x" /* c */}',
        "truncated string": b'{"name": "Trunc',
        "truncated array": b'{"name": "x", "tags": [',
        "trailing garbage": b'{"name": "x"} garbage',
        "two documents": b'{"name": "x"}{"name": "y"}',
        "empty body": b"",
        "only whitespace": b" \n\t ",
        "python literal": b'{"name": "x", "metadata": {"a": True}}',
    }
    cases = [post(f"malformed JSON: {name}", body) for name, body in texts.items()]
    cases.append(put("malformed JSON in an update: trailing garbage", b'{"name": "x"}}'))
    cases.append(put("malformed JSON in an update: truncated", b'{"status": "inac'))
    return cases


def _bad_bytes() -> list[Case]:
    texts = {
        "invalid UTF-8: stray 0xff": b'{"name": "a\xffb"}',
        "invalid UTF-8: overlong slash": b'{"name": "a\xc0\xafb"}',
        "invalid UTF-8: encoded surrogate": b'{"name": "a\xed\xa0\x80b"}',
        "invalid UTF-8: cut multibyte": b'{"name": "a\xe2\x82"}',
        "invalid UTF-8: Latin-1 text": '{"name": "Café"}'.encode("latin-1"),
        "UTF-16 body": '{"name": "x"}'.encode("utf-16-le"),
        "UTF-32 body": '{"name": "x"}'.encode("utf-32"),
        "raw NUL inside a string": b'{"name": "a\x00b"}',
        "raw NUL after the document": b'{"name": "x"}\x00',
        "raw NUL before the document": b'\x00{"name": "x"}',
        "raw control character in a string": b'{"name": "a\x07b"}',
    }
    cases = [post(name, body) for name, body in texts.items()]
    cases.append(put("invalid UTF-8 in an update", b'{"notes": "\xff"}'))
    return cases


def _escapes() -> list[Case]:
    return [
        post(
            "escaped NUL round-trips",
            b'{"name": "a\\u0000b", "notes": "\\u0000"}',
            outcome="accept",
        ),
        post(
            "escaped NUL in a metadata key round-trips",
            b'{"name": "nul key", "metadata": {"\\u0000": "\\u0000"}}',
            outcome="accept",
        ),
        post("escaped surrogate pair round-trips", b'{"name": "\\ud83d\\ude00"}', outcome="accept"),
        post("escaped lone surrogate", b'{"name": "a\\ud800b"}', outcome="either"),
        post("UTF-8 byte order mark", b'\xef\xbb\xbf{"name": "bom"}', outcome="either"),
        post("whitespace around the document", b' \r\n {"name": "spaced"} \n ', outcome="accept"),
    ]


def _duplicates() -> list[Case]:
    return [
        post("duplicate key", b'{"name": "a", "name": "b"}', mentions=("name",)),
        post(
            "duplicate key spelt with an escape",
            b'{"name": "a", "n\\u0061me": "b"}',
            mentions=("name",),
        ),
        post(
            "duplicate key inside metadata",
            b'{"name": "a", "metadata": {"external_id": 1, "external_id": 2}}',
            mentions=("external_id",),
        ),
        put(
            "duplicate key in an update",
            b'{"status": "active", "status": "inactive"}',
            mentions=("status",),
        ),
    ]


def _wrong_roots() -> list[Case]:
    roots = [b"[]", b'[{"name": "x"}]', b'"name"', b"42", b"true", b"null", b"{}"]
    cases = [post(f"create body {root.decode()}", root) for root in roots[:-1]]
    cases.append(post("create body without name", b"{}", mentions=("name",)))
    cases += [put(f"update body {root.decode()}", root) for root in (b"[]", b"null", b'"x"')]
    return cases


WRONG_TYPES = {
    "name": [123, True, 1.5, None, {}, ["x"], "", "n" * 256],
    "email": [0, False, ["a@b.example"], "@", "user@", "@example.com", "a@b@c.example"],
    "phone": [False, 12345, "9" * 51],
    "address": [[], 1],
    "contact_person": [{}, 2],
    "website": [1, True],
    "industry": [True, 3.0],
    "notes": [12, ["x"]],
    "status": [1, None, "ACTIVE", "deleted", True],
    "tags": ["x", [1], [True], None, [None], {"a": "b"}, [["nested"]]],
    "metadata": [[], "x", None, 1, True],
}
READ_ONLY = {
    "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "jobs_count": 3,
    "active_jobs_count": 1,
    "created_at": "2026-01-01T00:00:00.000Z",
    "updated_at": "2026-01-01T00:00:00.000Z",
    "nmae": "typo",
}


def _wrong_types() -> list[Case]:
    cases = []
    for field, values in WRONG_TYPES.items():
        for value in values:
            body = {"name": "typed"} | {field: value}
            label = f"{field}={json.dumps(value)[:20]}"
            cases.append(post(f"create {label}", doc(body), mentions=(field,)))
            cases.append(put(f"update {label}", doc({field: value}), mentions=(field,)))
    for field, value in READ_ONLY.items():
        cases.append(
            post(f"create with {field}", doc({"name": "ro", field: value}), mentions=(field,))
        )
        cases.append(put(f"update with {field}", doc({field: value}), mentions=(field,)))
    return cases


def _numbers() -> list[Case]:
    return [
        post("NaN in metadata", b'{"name": "n", "metadata": {"v": NaN}}'),
        post("Infinity in metadata", b'{"name": "n", "metadata": {"v": Infinity}}'),
        post("-Infinity in metadata", b'{"name": "n", "metadata": {"v": -Infinity}}'),
        post("1e400 overflows to infinity", b'{"name": "n", "metadata": {"v": 1e400}}'),
        # Python refuses to parse integers over 4,300 digits (CVE-2020-10735 limit) with an error.
        post("integer of 5,000 digits", b'{"name": "n", "metadata": {"v": ' + b"9" * 5000 + b"}}"),
        post(
            "big integer round-trips",
            b'{"name": "n", "metadata": {"v": 123456789012345678901234567890}}',
            outcome="accept",
        ),
        post(
            "negative zero and exponent round-trip",
            b'{"name": "n", "metadata": {"z": -0.0, "e": 1.5e-300}}',
            outcome="accept",
        ),
    ]


def _metadata(levels: int) -> bytes:
    return doc({"name": f"depth {levels}", "metadata": nested(levels - 1, _wrap, {})})


def _wrap(value: object) -> dict[str, object]:
    return {"level": value}


def _nesting() -> list[Case]:
    deep = 10_000
    limit = (str(NESTING_LIMIT),)
    return [
        post("metadata at the nesting limit", _metadata(NESTING_LIMIT), outcome="accept"),
        post("metadata one level past the limit", _metadata(NESTING_LIMIT + 1), mentions=limit),
        post(
            "metadata objects 10,000 deep",
            ('{"name": "deep", "metadata": ' + deep_text(deep, '{"a": ', "}", "{}") + "}").encode(),
            mentions=limit,
        ),
        post(
            "metadata arrays 10,000 deep",
            ('{"name": "deep", "metadata": {"a": ' + deep_text(deep, "[", "]") + "}}").encode(),
            mentions=limit,
        ),
        post(
            "tags 10,000 deep",
            ('{"name": "d", "tags": ' + deep_text(deep, "[", "]") + "}").encode(),
        ),
        post("whole body 10,000 deep", deep_text(deep, "[", "]").encode()),
        put(
            "update metadata 10,000 deep",
            ('{"metadata": ' + deep_text(deep, '{"a": ', "}", "{}") + "}").encode(),
            mentions=limit,
        ),
    ]


def _unicode() -> list[Case]:
    text = {
        "name": f"{EMOJI} {RTL} {COMBINING}",
        "phone": "+91 ٩٨٧٦٥ 👍 e\u0301",
        "address": f"{RTL}\n{COMBINING}\n{ODD}",
        "contact_person": f"{COMBINING} {EMOJI}",
        "industry": RTL,
        "notes": f"{EMOJI}{RTL}{COMBINING}{ODD}",
        "tags": [EMOJI, RTL, COMBINING, ODD],
        "metadata": {EMOJI: RTL, RTL: [COMBINING], "\u202e": {"x": ODD}},
    }
    return [
        post("every free-text field in emoji, RTL, combining marks", doc(text), outcome="accept"),
        put(
            "update every free-text field in emoji, RTL, combining marks",
            doc({**text, "name": COMBINING}),
            outcome="accept",
        ),
        post("255 emoji name", doc({"name": "👍" * 255}), outcome="accept"),
        post(
            "255 code points of combining marks",
            doc({"name": "e\u0301" * 127 + "e"}),
            outcome="accept",
        ),
        post("256 emoji name", doc({"name": "👍" * 256}), mentions=("name",)),
        post("50 emoji phone", doc({"name": "p", "phone": "👍" * 50}), outcome="accept"),
        post("51 emoji phone", doc({"name": "p", "phone": "👍" * 51}), mentions=("phone",)),
        post(
            "non-ASCII email", doc({"name": "e", "email": "שלום@דוגמה.example"}), outcome="either"
        ),
        post(
            "IRI website",
            doc({"name": "w", "website": "https://例え.テスト/パス"}),
            outcome="either",
        ),
        post(
            "prototype-ish metadata keys round-trip",
            doc(
                {
                    "name": "proto",
                    "metadata": {
                        "__proto__": {"admin": True},
                        "$where": "1",
                        "constructor": None,
                        "": "",
                    },
                }
            ),
            outcome="accept",
        ),
    ]


def body_cases() -> list[Case]:
    return [
        *_malformed(),
        *_bad_bytes(),
        *_escapes(),
        *_duplicates(),
        *_wrong_roots(),
        *_wrong_types(),
        *_numbers(),
        *_nesting(),
        *_unicode(),
    ]
