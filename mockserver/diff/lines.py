"""Where a change sits in the HEAD file, for annotations: the line of the deepest node of its
location (local `$ref`s followed; a removed part or another file stops the walk at its parent)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from mockserver.diff.model import Change

Finder = Callable[[Change], int | None]


def line_finder(file: str | None) -> Finder:
    try:
        root = yaml.compose(Path(file).read_text(encoding="utf-8")) if file else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        root = None
    if root is None:
        return lambda change: None

    def find(change: Change) -> int | None:
        segments = ["paths", change.path, change.method.lower()] if change.method else []
        pointer = change.location.split("/")[1:]
        segments += [s.replace("~1", "/").replace("~0", "~") for s in pointer]
        node: yaml.Node = root
        line = None
        for segment in segments:
            node = _follow(root, node)
            child = _child(node, segment)
            if child is None:
                break
            line, node = child
        return line

    return find


def _follow(root: yaml.Node, node: yaml.Node) -> yaml.Node:
    """Through local `$ref`s (`#/components/...`): the line of the definition is more useful."""
    for _ in range(32):  # a loop of refs ends somewhere
        ref = _child(node, "$ref")
        if ref is None or not str(ref[1].value).startswith("#/"):
            return node
        target: yaml.Node | None = root
        for segment in str(ref[1].value)[2:].split("/"):
            found = (
                _child(target, segment.replace("~1", "/").replace("~0", "~")) if target else None
            )
            target = found[1] if found else None
        if target is None:
            return node
        node = target
    return node


def _child(node: yaml.Node, segment: str) -> tuple[int, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if str(key.value) == segment:
                return key.start_mark.line + 1, value
    if isinstance(node, yaml.SequenceNode) and segment.isdigit() and int(segment) < len(node.value):
        item = node.value[int(segment)]
        return item.start_mark.line + 1, item
    return None
