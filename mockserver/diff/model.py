"""What a change is: a kind from the table below, where it happened, and before -> after."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Severity(IntEnum):
    INFO = 0
    WARNING = 1  # may break strict clients (validating responses, exhaustive switches)
    BREAKING = 2  # an existing client or generated SDK can fail

    def __str__(self) -> str:
        return self.name.lower()


B, W, I_ = Severity.BREAKING, Severity.WARNING, Severity.INFO

# Every kind the tool reports, with its severity. "request" kinds are judged from the client's
# side as a writer (stricter breaks it), "response" kinds as a reader (looser breaks it).
KINDS: dict[str, tuple[Severity, str]] = {
    "path-removed": (B, "path removed"),
    "path-added": (I_, "path added"),
    "operation-removed": (B, "operation removed"),
    "operation-added": (I_, "operation added"),
    "operation-id-changed": (B, "operationId changed (SDK method name)"),
    "deprecated": (I_, "operation, parameter or field (un)deprecated"),
    "servers-changed": (W, "servers changed (clients built on the old base URL)"),
    "description-changed": (I_, "description, summary or title edited"),
    "security-added": (B, "security required where none was, or a stricter requirement"),
    "security-removed": (I_, "security requirement relaxed"),
    "security-scheme-changed": (B, "security scheme changed"),
    "parameter-removed": (B, "parameter removed"),
    "required-parameter-added": (B, "required parameter added"),
    "optional-parameter-added": (I_, "optional parameter added"),
    "parameter-became-required": (B, "parameter became required"),
    "parameter-became-optional": (I_, "parameter became optional"),
    "parameter-serialization-changed": (B, "parameter style or explode changed"),
    "path-parameter-renamed": (B, "path parameter renamed (SDK argument name)"),
    "request-body-added": (B, "required request body added"),
    "request-body-became-required": (B, "request body became required"),
    "request-body-became-optional": (I_, "request body became optional"),
    "request-body-removed": (B, "request body removed"),
    "request-media-type-removed": (B, "request media type removed"),
    "request-media-type-added": (I_, "request media type added"),
    "response-status-removed": (B, "response status removed"),
    "response-status-added": (W, "new response status (undocumented for existing clients)"),
    "response-media-type-removed": (B, "response media type removed"),
    "response-media-type-added": (W, "response media type added"),
    "response-header-removed": (B, "response header removed or no longer required"),
    "response-header-added": (I_, "response header added"),
    # Schemas, request side (the client writes).
    "request-type-narrowed": (B, "type narrowed or changed"),
    "request-type-widened": (I_, "type widened"),
    "request-format-changed": (B, "format added or changed"),
    "request-format-removed": (I_, "format removed"),
    "request-max-decreased": (B, "maxLength/maximum/maxItems/maxProperties lowered or added"),
    "request-max-increased": (I_, "maxLength/maximum/maxItems/maxProperties raised or removed"),
    "request-min-increased": (B, "minLength/minimum/minItems/minProperties raised or added"),
    "request-min-decreased": (I_, "minLength/minimum/minItems/minProperties lowered or removed"),
    "request-pattern-changed": (B, "pattern added or changed"),
    "request-pattern-removed": (I_, "pattern removed"),
    "request-enum-value-removed": (B, "enum value no longer accepted"),
    "request-enum-value-added": (I_, "enum value accepted"),
    "request-nullable-removed": (B, "null no longer accepted"),
    "request-nullable-added": (I_, "null accepted"),
    "request-property-became-required": (B, "field became required"),
    "request-required-property-added": (B, "new required field"),
    "request-property-became-optional": (I_, "field became optional"),
    "request-optional-property-added": (I_, "new optional field"),
    "request-property-removed": (B, "field removed (the body is closed: sending it fails)"),
    "request-open-property-removed": (W, "field removed (open body: it will be ignored)"),
    "request-property-became-read-only": (B, "field became read-only"),
    "request-additional-properties-closed": (B, "additionalProperties closed"),
    "request-additional-properties-opened": (I_, "additionalProperties opened"),
    "request-alternative-removed": (B, "oneOf/anyOf alternative removed"),
    "request-alternative-added": (I_, "oneOf/anyOf alternative added"),
    "request-unique-items-added": (B, "uniqueItems added"),
    "request-unique-items-removed": (I_, "uniqueItems removed"),
    "request-default-changed": (W, "default changed (clients relying on it get new behaviour)"),
    # Schemas, response side (the client reads).
    "response-type-widened": (B, "type widened or changed"),
    "response-type-narrowed": (I_, "type narrowed"),
    "response-format-changed": (B, "format changed or removed"),
    "response-format-added": (I_, "format added"),
    "response-max-increased": (W, "maxLength/maximum/maxItems/maxProperties raised or removed"),
    "response-max-decreased": (I_, "maxLength/maximum/maxItems/maxProperties lowered or added"),
    "response-min-decreased": (W, "minLength/minimum/minItems/minProperties lowered or removed"),
    "response-min-increased": (I_, "minLength/minimum/minItems/minProperties raised or added"),
    "response-pattern-changed": (W, "pattern changed or removed"),
    "response-pattern-added": (I_, "pattern added"),
    "response-enum-value-added": (W, "new enum value returned"),
    "response-enum-value-removed": (I_, "enum value no longer returned"),
    "response-nullable-added": (B, "field may now be null"),
    "response-nullable-removed": (I_, "field no longer null"),
    "response-property-became-optional": (B, "field may now be absent"),
    "response-property-became-required": (I_, "field now always present"),
    "response-property-removed": (B, "field removed"),
    "response-property-added": (I_, "new field"),
    "response-property-became-write-only": (B, "field became write-only (no longer returned)"),
    "response-additional-properties-opened": (W, "additionalProperties opened"),
    "response-additional-properties-closed": (I_, "additionalProperties closed"),
    "response-alternative-added": (B, "oneOf/anyOf alternative added"),
    "response-alternative-removed": (I_, "oneOf/anyOf alternative removed"),
    "response-unique-items-removed": (W, "uniqueItems removed (duplicates may come)"),
    "response-unique-items-added": (I_, "uniqueItems added"),
    "schema-keyword-changed": (W, "another schema keyword changed (not classified: check it)"),
}


@dataclass(frozen=True)
class Change:
    kind: str
    operation: str  # "createClient POST /clients", or the path for path-level changes
    location: str  # a JSON pointer into the operation (the document for others), refs inlined
    before: Any = None
    after: Any = None
    method: str = field(default="", compare=False)  # with path: where traffic can hit it
    path: str = field(default="", compare=False)  # as in BASE
    touched: int | None = field(default=None, compare=False)  # requests in traffic that hit it

    @property
    def severity(self) -> Severity:
        return KINDS[self.kind][0]

    @property
    def title(self) -> str:
        return KINDS[self.kind][1]

    def describe(self) -> str:
        return f"{show(self.before)} → {show(self.after)}"

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"severity": str(self.severity), "kind": self.kind}
        record["title"] = self.title
        record |= {"operation": self.operation, "location": self.location}
        record |= {"before": self.before, "after": self.after}
        if self.touched is not None:
            record["traffic_requests"] = self.touched
        return record


def show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | tuple | set | frozenset):
        return "[" + ", ".join(show(v) for v in value) + "]"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."
