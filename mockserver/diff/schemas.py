"""Two versions of one schema compared from the client's side.

In a request the client writes: a stricter schema breaks it. In a response it reads: a looser
one does. Each keyword is judged "stricter" or "looser" once, and the direction picks the kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mockserver.diff.load import Node
from mockserver.diff.objects import compare_object

Emit = Callable[[str, str, Any, Any], None]  # kind, pointer, before, after

MAXIMA = ("maxLength", "maximum", "maxItems", "maxProperties")
MINIMA = ("minLength", "minimum", "minItems", "minProperties")
DOCS = ("description", "title")
# Keywords judged below, or that no client can notice.
HANDLED = {"type", "nullable", "format", "pattern", "enum", "properties", "required", "items"}
HANDLED |= {"additionalProperties", "oneOf", "anyOf", "allOf", "default", "readOnly", "writeOnly"}
HANDLED |= {"deprecated", "example", "examples", "externalDocs", "xml", "$ref", *MAXIMA, *MINIMA}
HANDLED |= {"exclusiveMaximum", "exclusiveMinimum", "uniqueItems", *DOCS}


@dataclass
class Scope:
    direction: str  # "request" or "response"
    emit: Emit
    visiting: set[tuple[int, int]] = field(default_factory=set)

    def judge(self, stricter: bool, noun: str, pointer: str, before: Any, after: Any) -> None:
        """`noun` names the kinds: request-max-decreased / request-max-increased and so on."""
        strict, loose = NOUNS[noun]
        self.emit(f"{self.direction}-{strict if stricter else loose}", pointer, before, after)


NOUNS = {
    "max": ("max-decreased", "max-increased"),
    "min": ("min-increased", "min-decreased"),
    "enum": ("enum-value-removed", "enum-value-added"),
    "nullable": ("nullable-removed", "nullable-added"),
    "additional": ("additional-properties-closed", "additional-properties-opened"),
    "alternative": ("alternative-removed", "alternative-added"),
    "type": ("type-narrowed", "type-widened"),
    "unique": ("unique-items-added", "unique-items-removed"),
}


def compare_schema(base: Node | None, head: Node | None, pointer: str, scope: Scope) -> None:
    if base is None or head is None:
        return
    key = (id(base.value), id(head.value))
    if key in scope.visiting:  # a recursive schema: this pair is being compared further up
        return
    scope.visiting.add(key)
    try:
        b, h = flatten(base), flatten(head)
        for check in (_type, _nullable, _format, _bounds, _pattern, _enum, _docs, _default):
            check(b, h, pointer, scope)
        _object(b, h, pointer, scope)
        _alternatives(b, h, pointer, scope)
        compare_schema(b.get("items"), h.get("items"), f"{pointer}/items", scope)
        _unclassified(b, h, pointer, scope)
    finally:
        scope.visiting.discard(key)


def flatten(node: Node) -> dict[str, Any]:
    """The schema's keywords with `allOf` merged in; subschemas stay Nodes."""
    view: dict[str, Any] = {}
    for keyword, child in node.items():
        if keyword in ("properties",):
            view[keyword] = dict(child.items())
        elif keyword in ("items", "additionalProperties") and isinstance(child.value, dict):
            view[keyword] = child
        elif keyword in ("oneOf", "anyOf"):
            view[keyword] = child.elements()
        elif keyword != "allOf":
            view[keyword] = child.value
    parts = node.get("allOf")
    for part in parts.elements() if parts else []:
        merged = flatten(part)
        view.setdefault("properties", {}).update(
            {k: v for k, v in merged.pop("properties", {}).items() if k not in view["properties"]}
        )
        view["required"] = sorted({*view.get("required", []), *merged.pop("required", [])})
        for keyword, value in merged.items():
            view.setdefault(keyword, value)
    return view


def _types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type")
    types = set(declared) if isinstance(declared, list) else {declared} if declared else set()
    return types - {"null"}


def _covers(wide: set[str], narrow: set[str]) -> bool:
    if not wide:
        return True  # no type: anything
    return bool(narrow) and all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def _type(b: dict[str, Any], h: dict[str, Any], pointer: str, scope: Scope) -> None:
    before, after = _types(b), _types(h)
    if before == after:
        return
    shown = (sorted(before) or "any", sorted(after) or "any")
    if _covers(after, before):
        scope.judge(False, "type", f"{pointer}/type", *shown)
    else:  # narrowed, or changed to something else: both hurt either side
        kind = "request-type-narrowed" if scope.direction == "request" else "response-type-widened"
        if _covers(before, after) and scope.direction == "response":
            kind = "response-type-narrowed"
        scope.emit(kind, f"{pointer}/type", *shown)


def _nullable(b: dict[str, Any], h: dict[str, Any], pointer: str, scope: Scope) -> None:
    def nullable(s: dict[str, Any]) -> bool:
        return s.get("nullable") is True or "null" in (s.get("type") or [])

    if nullable(b) != nullable(h):
        scope.judge(nullable(b), "nullable", f"{pointer}/nullable", nullable(b), nullable(h))


def _format(b: dict[str, Any], h: dict[str, Any], pointer: str, scope: Scope) -> None:
    _constraint("format", b, h, pointer, scope)


def _bounds(b: dict[str, Any], h: dict[str, Any], pointer: str, scope: Scope) -> None:
    for keyword in (*MAXIMA, *MINIMA, "exclusiveMaximum", "exclusiveMinimum"):
        before, after = b.get(keyword), h.get(keyword)
        if before == after:
            continue
        upper = keyword in MAXIMA or keyword == "exclusiveMaximum"
        if isinstance(before, bool) or isinstance(after, bool):  # 3.0: a flag on the bound
            stricter = bool(after)
        elif after is None or before is None:
            stricter = before is None
        else:
            stricter = after < before if upper else after > before
        scope.judge(stricter, "max" if upper else "min", f"{pointer}/{keyword}", before, after)


def _pattern(b: dict[str, Any], h: dict[str, Any], pointer: str, scope: Scope) -> None:
    _constraint("pattern", b, h, pointer, scope)


def _constraint(
    keyword: str, b: dict[str, Any], h: dict[str, Any], pointer: str, scope: Scope
) -> None:
    """A keyword that narrows a string: a request may not gain or change it, a response may not
    lose or change it."""
    before, after = b.get(keyword), h.get(keyword)
    if before == after:
        return
    if scope.direction == "request":
        change = "removed" if after is None else "changed"
    else:
        change = "added" if before is None else "changed"
    scope.emit(f"{scope.direction}-{keyword}-{change}", f"{pointer}/{keyword}", before, after)


def _enum(b: dict[str, Any], h: dict[str, Any], pointer: str, scope: Scope) -> None:
    before, after = b.get("enum"), h.get("enum")
    if before == after:
        return
    if before is None or after is None:  # an enum appears (stricter) or goes (looser)
        scope.judge(before is None, "enum", f"{pointer}/enum", before, after)
        return
    removed = [v for v in before if v not in after]
    added = [v for v in after if v not in before]
    for value in removed:
        scope.judge(True, "enum", f"{pointer}/enum", value, None)
    for value in added:
        scope.judge(False, "enum", f"{pointer}/enum", None, value)


def _docs(b: dict[str, Any], h: dict[str, Any], pointer: str, scope: Scope) -> None:
    for keyword in DOCS:
        if b.get(keyword) != h.get(keyword):
            scope.emit(
                "description-changed", f"{pointer}/{keyword}", b.get(keyword), h.get(keyword)
            )
    if bool(b.get("deprecated")) != bool(h.get("deprecated")):
        was = bool(b.get("deprecated"))
        scope.emit("deprecated", f"{pointer}/deprecated", was, not was)


def _default(b: dict[str, Any], h: dict[str, Any], pointer: str, scope: Scope) -> None:
    if scope.direction == "request" and b.get("default") != h.get("default"):
        scope.emit(
            "request-default-changed", f"{pointer}/default", b.get("default"), h.get("default")
        )


def _unclassified(b: dict[str, Any], h: dict[str, Any], pointer: str, scope: Scope) -> None:
    for keyword in sorted((b.keys() | h.keys()) - HANDLED):
        if not keyword.startswith("x-") and b.get(keyword) != h.get(keyword):
            before, after = b.get(keyword), h.get(keyword)
            scope.emit("schema-keyword-changed", f"{pointer}/{keyword}", before, after)
    if bool(b.get("uniqueItems")) != bool(h.get("uniqueItems")):
        unique = bool(h.get("uniqueItems"))
        scope.judge(unique, "unique", f"{pointer}/uniqueItems", not unique, unique)


def _alternatives(b: dict[str, Any], h: dict[str, Any], pointer: str, scope: Scope) -> None:
    for keyword in ("oneOf", "anyOf"):
        before, after = b.get(keyword) or [], h.get(keyword) or []
        for index, (old, new) in enumerate(zip(before, after, strict=False)):
            compare_schema(old, new, f"{pointer}/{keyword}/{index}", scope)
        if len(before) != len(after) and before and after:
            stricter = len(after) < len(before)
            scope.judge(stricter, "alternative", f"{pointer}/{keyword}", len(before), len(after))


def _object(b: dict[str, Any], h: dict[str, Any], pointer: str, scope: Scope) -> None:
    compare_object(b, h, pointer, scope, compare_schema)
