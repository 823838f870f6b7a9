"""JSON through the framework's own extension points: written by orjson, a body parsed once.

- Connexion's `jsonifier` (every API answer) and Flask's JSON provider write with orjson, several
  times faster than json's encoder. The text differs only in spelling: non-ASCII characters are
  sent as UTF-8 rather than `\\u` escapes, `1e16` rather than `1e+16`. Where orjson cannot
  write a value as json does (an integer past 64 bits), json writes it.
- The strict JSON guard (http/guards.py) has parsed the body already; Connexion's body validator
  (http/validation.py) and the Flask request the handler reads take that document instead of
  parsing the bytes twice more (http/strict_json.parsed_body).
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from connexion.frameworks.flask import FlaskJSONProvider
from connexion.jsonifier import JSONEncoder, Jsonifier
from flask import Request

from mockserver import jsontext
from mockserver.http.strict_json import parsed_body

# Dates and times, decimals, and anything else orjson does not know go through Connexion's
# encoder, as before (`default`); dataclasses too, which json refuses.
OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
)
_CONNEXION_DEFAULT = JSONEncoder().default


def dumps(data: Any) -> str:
    return jsontext.encode(data, default=_CONNEXION_DEFAULT, option=OPTIONS).decode()


loads = jsontext.decode


class OrjsonJsonifier(Jsonifier):
    """Connexion's jsonifier, compact, written by orjson."""

    def __init__(self) -> None:
        super().__init__(json)

    def dumps(self, data: Any, **kwargs: Any) -> str:
        if kwargs:
            return super().dumps(data, **kwargs)
        return dumps(data) + "\n"  # as Connexion's: one line, newline-terminated


class OrjsonProvider(FlaskJSONProvider):
    """Flask's JSON provider (Connexion's, with its defaults), on orjson unless given options."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return super().dumps(obj, **kwargs) if kwargs else dumps(obj)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return super().loads(s, **kwargs) if kwargs else loads(s)


class ParsedBodyRequest(Request):
    """Flask's request, handing on the document the guard parsed instead of parsing again."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        found, document = parsed_body(self.environ.get("asgi.scope") or {})
        if found and (force or self.is_json):
            return document
        return super().get_json(force=force, silent=silent, cache=cache)
