"""One operation's parts compared: id, security, parameters, request body, responses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mockserver.diff.load import Node
from mockserver.diff.model import Change
from mockserver.diff.objects import escape
from mockserver.diff.schemas import Scope, compare_schema

TEMPLATE = re.compile(r"\{([^}]*)\}")
DEFAULT_STYLE = {"query": "form", "path": "simple", "header": "simple", "cookie": "form"}
Requirements = list[frozenset[tuple[str, tuple[str, ...]]]] | None


@dataclass
class Operation:
    method: str
    path: str
    node: Node
    item: Node  # the path item: its parameters apply too
    root: Node  # the document: its security applies unless the operation says otherwise
    changes: list[Change] = field(default_factory=list)

    @property
    def label(self) -> str:
        operation_id = self.node.raw("operationId")
        endpoint = f"{self.method.upper()} {self.path}"
        return f"{operation_id} {endpoint}" if operation_id else endpoint

    def change(self, kind: str, location: str, before: Any, after: Any) -> Change:
        return Change(kind, self.label, location, before, after, self.method.upper(), self.path)

    def emit(self, kind: str, location: str, before: Any, after: Any) -> None:
        self.changes.append(self.change(kind, location, before, after))

    def scope(self, direction: str) -> Scope:
        return Scope(direction, self.emit)


def compare_operation_parts(base: Operation, head: Operation) -> list[Change]:
    if base.node.raw("operationId") != head.node.raw("operationId"):
        ids = base.node.raw("operationId"), head.node.raw("operationId")
        base.emit("operation-id-changed", "/operationId", *ids)
    for key in ("summary", "description"):
        if base.node.raw(key) != head.node.raw(key):
            base.emit("description-changed", f"/{key}", base.node.raw(key), head.node.raw(key))
    _deprecated(base, base.node, head.node, "")
    _security(base, _requirements(base), _requirements(head))
    _parameters(base, head)
    _request_body(base, base.node.get("requestBody"), head.node.get("requestBody"))
    _responses(base, base.node.get("responses"), head.node.get("responses"))
    return base.changes


def _deprecated(op: Operation, before: Node, after: Node, at: str) -> None:
    was, now = bool(before.raw("deprecated")), bool(after.raw("deprecated"))
    if was != now:
        op.emit("deprecated", f"{at}/deprecated", was, now)


def _requirements(op: Operation) -> Requirements:
    declared: Any = op.node.raw("security")
    if declared is None:
        declared = op.root.raw("security")
    if declared is None:
        return None
    return [
        frozenset((name, tuple(sorted(scopes or []))) for name, scopes in requirement.items())
        for requirement in declared
    ]


def _security(op: Operation, before: Requirements, after: Requirements) -> None:
    def shown(requirements: Requirements) -> list[str]:
        return ["+".join(sorted(n for n, _ in r)) or "(none)" for r in requirements or []]

    open_before = not before or frozenset() in before
    open_after = not after or frozenset() in after
    if open_before and open_after:
        return
    lost = [r for r in before or [] if r not in (after or [])]
    gained = [r for r in after or [] if r not in (before or [])]
    if open_before or (lost and not open_after):
        op.emit("security-added", "/security", shown(before), shown(after))
    elif gained or open_after:
        op.emit("security-removed", "/security", shown(before), shown(after))


def _parameters(base: Operation, head: Operation) -> None:
    # Path parameters are matched by position: a rename is reported once, for the path.
    renamed = dict(zip(TEMPLATE.findall(head.path), TEMPLATE.findall(base.path), strict=False))
    before, after = _parameter_map(base, {}), _parameter_map(head, renamed)
    for key, old in before.items():
        where, name = key
        at = f"/parameters/{where}/{escape(name)}"
        new = after.get(key)
        if new is None:
            base.emit("parameter-removed", at, name, None)
            continue
        was, now = bool(old.raw("required")), bool(new.raw("required"))
        if was != now:
            kind = "parameter-became-required" if now else "parameter-became-optional"
            base.emit(
                kind, at, "required" if was else "optional", "required" if now else "optional"
            )
        if _serialization(old, where) != _serialization(new, where):
            kind = "parameter-serialization-changed"
            base.emit(kind, at, _serialization(old, where), _serialization(new, where))
        if old.raw("description") != new.raw("description"):
            desc = old.raw("description"), new.raw("description")
            base.emit("description-changed", f"{at}/description", *desc)
        _deprecated(base, old, new, at)
        compare_schema(old.get("schema"), new.get("schema"), f"{at}/schema", base.scope("request"))
    for key, new in after.items():
        if key not in before:
            where, name = key
            required = bool(new.raw("required"))
            kind = "required-parameter-added" if required else "optional-parameter-added"
            base.emit(kind, f"/parameters/{where}/{escape(name)}", None, name)


def _parameter_map(op: Operation, renamed: dict[str, str]) -> dict[tuple[str, str], Node]:
    """Path-item parameters overridden by the operation's, keyed by location and name."""
    found: dict[tuple[str, str], Node] = {}
    for source in (op.item.get("parameters"), op.node.get("parameters")):
        for parameter in source.elements() if source else []:
            where, name = str(parameter.raw("in")), str(parameter.raw("name"))
            name = renamed.get(name, name) if where == "path" else name
            found[(where, name.lower() if where == "header" else name)] = parameter
    return found


def _serialization(parameter: Node, where: str) -> tuple[str, bool]:
    style = parameter.raw("style") or DEFAULT_STYLE.get(where, "form")
    explode = parameter.raw("explode")
    return style, bool(style == "form" if explode is None else explode)


def _request_body(op: Operation, before: Node | None, after: Node | None) -> None:
    if before is None and after is None:
        return
    if after is None:
        op.emit("request-body-removed", "/requestBody", "body", None)
        return
    required = bool(after.raw("required"))
    if before is None:
        if required:
            op.emit("request-body-added", "/requestBody", None, "required")
        else:
            _content(op, None, after.get("content"), "/requestBody", "request")
        return
    if bool(before.raw("required")) != required:
        kind = "request-body-became-required" if required else "request-body-became-optional"
        op.emit(kind, "/requestBody/required", not required, required)
    _content(op, before.get("content"), after.get("content"), "/requestBody", "request")


def _content(op: Operation, before: Node | None, after: Node | None, at: str, side: str) -> None:
    old = dict(before.items()) if before else {}
    new = dict(after.items()) if after else {}
    for media_type, media in old.items():
        pointer = f"{at}/content/{escape(media_type)}"
        if media_type not in new:
            op.emit(f"{side}-media-type-removed", pointer, media_type, None)
        else:
            schema_b, schema_h = _schema(media), _schema(new[media_type])
            compare_schema(schema_b, schema_h, f"{pointer}/schema", op.scope(side))
    for media_type in new.keys() - old.keys():
        op.emit(f"{side}-media-type-added", f"{at}/content/{escape(media_type)}", None, media_type)


def _schema(media: Node) -> Node:
    """A media type without a schema takes anything: adding one is a (stricter) change."""
    return media.get("schema") or Node({}, media.resolver)


def _responses(op: Operation, before: Node | None, after: Node | None) -> None:
    old = dict(before.items()) if before else {}
    new = dict(after.items()) if after else {}
    for status, response in old.items():
        at = f"/responses/{status}"
        if status not in new:
            op.emit("response-status-removed", at, status, None)
            continue
        other = new[status]
        if response.raw("description") != other.raw("description"):
            docs = response.raw("description"), other.raw("description")
            op.emit("description-changed", f"{at}/description", *docs)
        _headers(op, response.get("headers"), other.get("headers"), at)
        _content(op, response.get("content"), other.get("content"), at, "response")
    for status in sorted(new.keys() - old.keys()):
        op.emit("response-status-added", f"/responses/{status}", None, status)


def _headers(op: Operation, before: Node | None, after: Node | None, at: str) -> None:
    old = {k.lower(): v for k, v in before.items()} if before else {}
    new = {k.lower(): v for k, v in after.items()} if after else {}
    for name, header in old.items():
        pointer = f"{at}/headers/{escape(name)}"
        other = new.get(name)
        if other is None or (header.raw("required") and not other.raw("required")):
            after_state = None if other is None else "optional"
            op.emit("response-header-removed", pointer, name, after_state)
        elif other is not None:
            scope = op.scope("response")
            compare_schema(header.get("schema"), other.get("schema"), f"{pointer}/schema", scope)
    for name in sorted(new.keys() - old.keys()):
        op.emit("response-header-added", f"{at}/headers/{escape(name)}", None, name)
