"""Connexion's media-type lookups, remembered (mockserver/http/media_types.py), answer what
Connexion's own answer, the second time as the first, and remember a bounded number."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import UnsupportedMediaTypeProblem
from connexion.middleware.request_validation import RequestValidationOperation
from connexion.operations.openapi import OpenAPIOperation

from mockserver.app import flask_app
from mockserver.http import media_types

VALIDATORS = {"*/*json": "json", "text/plain": "text", "application/*": "any application"}
ASKED = ["application/json", "application/problem+json", "text/plain", "application/xml"]


def connexions(item: str) -> Any:
    try:
        return MediaTypeDict(VALIDATORS)[item]
    except KeyError:
        return KeyError


def remembered(lookup: media_types.MediaTypes, item: str) -> Any:
    try:
        return lookup[item]
    except KeyError:
        return KeyError


def test_a_validator_lookup_answers_as_connexions_every_time() -> None:
    lookup = media_types.MediaTypes(VALIDATORS)
    for _ in range(2):
        assert [remembered(lookup, item) for item in [*ASKED, "image/png"]] == [
            connexions(item) for item in [*ASKED, "image/png"]
        ]


def test_what_is_remembered_is_bounded() -> None:
    lookup = media_types.MediaTypes(VALIDATORS)
    for number in range(media_types.KEPT_PER_OPERATION * 2):
        assert lookup[f"vnd/x-{number}+json"] == "json"
    assert len(lookup._found) == media_types.KEPT_PER_OPERATION


def test_a_refused_media_type_is_refused_again_after_an_accepted_one() -> None:
    flask_app(token=None)
    operation = RequestValidationOperation.__new__(RequestValidationOperation)
    operation._operation = SimpleNamespace(consumes=["application/json"])  # type: ignore[assignment]
    for _ in range(2):
        operation.validate_mime_type("application/json")
        with pytest.raises(UnsupportedMediaTypeProblem):
            operation.validate_mime_type("text/plain")


def test_a_body_definition_is_connexions_own_and_made_once(monkeypatch: Any) -> None:
    flask_app(token=None)
    made: list[str | None] = []

    def counted(self: OpenAPIOperation, content_type: str | None = None) -> dict[str, Any]:
        made.append(content_type)
        return {"schema": {"type": "object"}, "for": content_type}

    monkeypatch.setattr(media_types, "_BODY_DEFINITION", counted)
    operation = OpenAPIOperation.__new__(OpenAPIOperation)
    first = operation.body_definition("application/json")
    assert operation.body_definition("application/json") is first
    assert operation.body_definition() == {"schema": {"type": "object"}, "for": None}
    assert made == ["application/json", None]
