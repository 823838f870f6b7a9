"""Connexion's media-type lookups, made once per operation and media type instead of per request.

Connexion 3.3 answers "which body definition, which validator, is this Content-Type accepted"
on every request by building a `MediaTypeDict`, sorting its keys and `fnmatch`ing the type
against each (a body's definition is looked up four times a request, each time writing the
document's components into it again). The answers depend only on the operation and the media
type, so each is remembered: ~50 µs of CPU off a partial update in process, the floor's as much
(docs/performance.md). See INTERNALS.md.

The media type comes from the client's header, so what is remembered per operation is bounded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.middleware.request_validation import RequestValidationOperation
from connexion.operations.openapi import OpenAPIOperation

KEPT_PER_OPERATION = 64  # media types remembered; past that, looked up as Connexion does

_BODY_DEFINITION = OpenAPIOperation.body_definition
_VALIDATE_MIME_TYPE = RequestValidationOperation.validate_mime_type


class MediaTypes(MediaTypeDict):
    """Connexion's `MediaTypeDict` (a validator by media type or range), remembering each
    answer it found."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._found: dict[str, Any] = {}

    def __getitem__(self, item: str) -> Any:
        return _remembered(self._found, item, lambda: MediaTypeDict.__getitem__(self, item))


def remember_media_types() -> None:
    """Put the remembering versions where Connexion's operations look them up (idempotent)."""
    OpenAPIOperation.body_definition = _body_definition
    RequestValidationOperation.validate_mime_type = _validate_mime_type


def _body_definition(self: OpenAPIOperation, content_type: str | None = None) -> dict[str, Any]:
    # The same dict Connexion returns each time (its own, from the document), made once.
    kept = _kept(self, "_mock_body_definitions")
    return _remembered(kept, content_type, lambda: _BODY_DEFINITION(self, content_type))


def _validate_mime_type(self: RequestValidationOperation, mime_type: str) -> None:
    # Connexion's raises for a type the operation does not take: only accepted ones are kept.
    kept = _kept(self, "_mock_accepted_mime_types")
    _remembered(kept, mime_type, lambda: _VALIDATE_MIME_TYPE(self, mime_type) or True)


def _remembered(kept: dict[Any, Any], key: Any, look_up: Callable[[], Any]) -> Any:
    """`kept[key]`, looked up the first time; at most KEPT_PER_OPERATION keys are kept."""
    try:
        return kept[key]
    except KeyError:
        found = look_up()
        if len(kept) < KEPT_PER_OPERATION:
            kept[key] = found
        return found


def _kept(operation: object, name: str) -> dict[Any, Any]:
    kept = operation.__dict__.get(name)
    if kept is None:
        kept = operation.__dict__[name] = {}
    return kept
