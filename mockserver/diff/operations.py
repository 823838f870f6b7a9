"""Two documents compared path by path, operation by operation."""

from __future__ import annotations

from mockserver.diff.load import Document, Node
from mockserver.diff.model import Change
from mockserver.diff.objects import escape
from mockserver.diff.parts import TEMPLATE, Operation, compare_operation_parts

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def diff_documents(base: Document, head: Document) -> list[Change]:
    changes: list[Change] = []
    _document(base.root, head.root, changes)
    base_paths, head_paths = _paths(base.root), _paths(head.root)
    for shape, (path, item) in base_paths.items():
        if shape not in head_paths:
            for op in _operations(path, item, base.root):
                at = f"/paths/{escape(path)}/{op.method}"
                changes.append(op.change("path-removed", at, path, None))
            continue
        head_path, head_item = head_paths[shape]
        _path_item(
            _operations(path, item, base.root),
            _operations(head_path, head_item, head.root),
            changes,
        )
    for shape, (path, _item) in head_paths.items():
        if shape not in base_paths:
            changes.append(Change("path-added", path, f"/paths/{escape(path)}", None, path))
    return changes


def _document(base: Node, head: Node, changes: list[Change]) -> None:
    info_b, info_h = base.get("info"), head.get("info")
    for key in ("title", "description"):
        before = info_b.raw(key) if info_b else None
        after = info_h.raw(key) if info_h else None
        if before != after:
            changes.append(
                Change("description-changed", "(document)", f"/info/{key}", before, after)
            )
    urls_b = [s.get("url") for s in base.raw("servers") or [{"url": "/"}]]
    urls_h = [s.get("url") for s in head.raw("servers") or [{"url": "/"}]]
    if urls_b != urls_h:
        changes.append(Change("servers-changed", "(document)", "/servers", urls_b, urls_h))
    schemes_b, schemes_h = _schemes(base), _schemes(head)
    wanted = ("type", "scheme", "in", "name", "bearerFormat")
    for name, scheme in schemes_b.items() if schemes_b else []:
        other = schemes_h.get(name) if schemes_h else None
        if other is None:
            continue  # judged where an operation stops using it
        before = {k: scheme.raw(k) for k in wanted if scheme.raw(k) is not None}
        after = {k: other.raw(k) for k in wanted if other.raw(k) is not None}
        if before != after:
            at = f"/components/securitySchemes/{escape(name)}"
            changes.append(Change("security-scheme-changed", "(document)", at, before, after))


def _schemes(root: Node) -> Node | None:
    components = root.get("components")
    return components.get("securitySchemes") if components else None


def _paths(root: Node) -> dict[str, tuple[str, Node]]:
    """Paths by shape: `/clients/{id}` and `/clients/{client_id}` are one path."""
    paths = root.get("paths")
    return {
        TEMPLATE.sub("{}", path): (path, item) for path, item in (paths.items() if paths else [])
    }


def _operations(path: str, item: Node, root: Node) -> list[Operation]:
    found = []
    for method in METHODS:
        node = item.get(method)
        if node is not None:
            found.append(Operation(method, path, node, item, root))
    return found


def _path_item(base_ops: list[Operation], head_ops: list[Operation], changes: list[Change]) -> None:
    remaining = {op.method: op for op in head_ops}
    for op in base_ops:
        other = remaining.pop(op.method, None)
        if other is None:
            at = f"/paths/{escape(op.path)}/{op.method}"
            changes.append(op.change("operation-removed", at, op.label, None))
            continue
        names = TEMPLATE.findall(op.path), TEMPLATE.findall(other.path)
        if names[0] != names[1]:
            changes.append(op.change("path-parameter-renamed", "/parameters/path", *names))
        changes.extend(compare_operation_parts(op, other))
    for op in remaining.values():
        at = f"/paths/{escape(op.path)}/{op.method}"
        changes.append(Change("operation-added", op.label, at, None, op.label))
