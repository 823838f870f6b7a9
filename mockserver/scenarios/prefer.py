"""The `Prefer` request header (RFC 7240), read as Prism reads it: `code=`, `example=`, `dynamic=`.

Preferences the mock does not know (`return=minimal`, `respond-async`, ...) are ignored, as the RFC
asks; a header that is not RFC 7240 syntax, or a value of a known one that cannot be used, is
refused rather than guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
QUOTED = r'"(?:[^"\\]|\\.)*"'
WORD = rf"(?:{TOKEN}|{QUOTED})"
PARAMETER = rf"{TOKEN}(?:[ \t]*=[ \t]*{WORD})?"
ELEMENT = re.compile(
    rf"[ \t]*(?:({TOKEN})(?:[ \t]*=[ \t]*({WORD}))?((?:[ \t]*;(?:[ \t]*{PARAMETER})?)*))?[ \t]*"
)


class PreferError(ValueError):
    """The header cannot be used; the message says why."""


@dataclass(frozen=True)
class Preference:
    code: int | None = None
    example: str | None = None
    dynamic: bool = False

    @property
    def wanted(self) -> bool:
        return self.code is not None or self.example is not None or self.dynamic

    def applied(self) -> str:
        """The `Preference-Applied` value naming what was honoured."""
        parts = [f"code={self.code}"] if self.code is not None else []
        if self.example is not None:
            parts.append(f'example="{self.example}"')
        if self.dynamic:
            parts.append("dynamic=true")
        return ", ".join(parts)


def parse_prefer(values: list[str]) -> Preference:
    """Every `Prefer` header of a request, combined; the first instance of a preference counts."""
    found: dict[str, str | None] = {}
    for value in values:
        for name, word in _elements(value):
            found.setdefault(name.lower(), word)
    return Preference(
        code=_code(found["code"]) if "code" in found else None,
        example=_required(found, "example"),
        dynamic=_boolean(found["dynamic"]) if "dynamic" in found else False,
    )


def _elements(value: str) -> list[tuple[str, str | None]]:
    elements, position = [], 0
    while True:
        match = ELEMENT.match(value, position)
        assert match is not None  # the pattern can match the empty string
        if match.group(1):
            word = match.group(2)
            if word is not None and word.startswith('"'):
                word = re.sub(r"\\(.)", r"\1", word[1:-1])
            elements.append((match.group(1), word))
        position = match.end()
        if position == len(value):
            return elements
        if value[position] != ",":
            raise PreferError(
                f"Prefer: cannot parse {value!r} at character {position + 1} "
                "(expected preferences such as 'code=404, example=acme')"
            )
        position += 1


def _code(word: str | None) -> int:
    if word is None or not re.fullmatch(r"[1-5][0-9][0-9]", word):
        raise PreferError(f"Prefer: code must be a status from 100 to 599, not {word!r}")
    return int(word)


def _required(found: dict[str, str | None], name: str) -> str | None:
    if name in found and not found[name]:
        raise PreferError(f"Prefer: {name} needs a value, e.g. {name}=acme")
    return found.get(name)


def _boolean(word: str | None) -> bool:
    if word not in ("true", "false"):
        raise PreferError(f"Prefer: dynamic must be true or false, not {word!r}")
    return word == "true"
