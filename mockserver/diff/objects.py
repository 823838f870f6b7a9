"""Object schemas: fields added, removed, made required or optional; additionalProperties."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mockserver.diff.load import Node

if TYPE_CHECKING:
    from mockserver.diff.schemas import Scope

Recurse = Callable[[Node | None, Node | None, str, "Scope"], None]


def compare_object(
    b: dict[str, Any], h: dict[str, Any], pointer: str, scope: Scope, recurse: Recurse
) -> None:
    before: dict[str, Node] = b.get("properties") or {}
    after: dict[str, Node] = h.get("properties") or {}
    required_before, required_after = set(b.get("required") or []), set(h.get("required") or [])
    names = [*before, *(n for n in after if n not in before)]
    names += sorted((required_before | required_after) - set(names))
    for name in names:
        at = f"{pointer}/properties/{escape(name)}"
        old, new = before.get(name), after.get(name)
        if _hidden(new, scope):
            if old is not None and not _hidden(old, scope):
                hidden = "read-only" if scope.direction == "request" else "write-only"
                scope.emit(f"{scope.direction}-property-became-{hidden}", at, False, True)
            continue
        if _hidden(old, scope):
            old = None  # newly writable (or readable): as good as a new field
        is_required = name in required_after
        if new is None and name not in after and old is not None:
            _removed(h, at, scope)
        elif old is None and new is not None:
            _added(is_required, at, scope)
        elif (name not in before and name not in after) or old is not None:
            if (name in required_before) != is_required:
                _required_flip(is_required, at, scope)
            recurse(old, new, at, scope)
    _additional(b, h, pointer, scope, recurse)


def _hidden(node: Node | None, scope: Scope) -> bool:
    keyword = "readOnly" if scope.direction == "request" else "writeOnly"
    return node is not None and node.raw(keyword) is True


def _removed(h: dict[str, Any], at: str, scope: Scope) -> None:
    if scope.direction == "response":
        scope.emit("response-property-removed", at, "present", None)
    elif _openness(h.get("additionalProperties")) is False:
        scope.emit("request-property-removed", at, "accepted", "rejected")
    else:
        scope.emit("request-open-property-removed", at, "accepted", "ignored")


def _added(required: bool, at: str, scope: Scope) -> None:
    if scope.direction == "response":
        scope.emit("response-property-added", at, None, "required" if required else "optional")
    elif required:
        scope.emit("request-required-property-added", at, None, "required")
    else:
        scope.emit("request-optional-property-added", at, None, "optional")


def _required_flip(required: bool, at: str, scope: Scope) -> None:
    state = "required" if required else "optional"
    before = "optional" if required else "required"
    scope.emit(f"{scope.direction}-property-became-{state}", at, before, state)


def _openness(value: Any) -> bool | Node:
    """True (anything goes), False (closed), or the schema extra fields must match."""
    if value is None or value is True or (isinstance(value, Node) and value.value == {}):
        return True
    return value if isinstance(value, Node) else bool(value)


def _additional(
    b: dict[str, Any], h: dict[str, Any], pointer: str, scope: Scope, recurse: Recurse
) -> None:
    if not ({"properties", "additionalProperties"} & (b.keys() | h.keys())):
        return
    before, after = (
        _openness(b.get("additionalProperties")),
        _openness(h.get("additionalProperties")),
    )
    at = f"{pointer}/additionalProperties"
    if isinstance(before, Node) and isinstance(after, Node):
        recurse(before, after, at, scope)
    elif _rank(before) != _rank(after):
        stricter = _rank(after) < _rank(before)
        scope.judge(stricter, "additional", at, _shown(before), _shown(after))


def _rank(openness: bool | Node) -> int:
    return 2 if openness is True else 0 if openness is False else 1


def _shown(openness: bool | Node) -> str:
    return "schema" if isinstance(openness, Node) else "open" if openness else "closed"


def escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")
