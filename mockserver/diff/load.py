"""Read one side of a diff: a file, or `git:REF[:PATH]`; follow `$ref`s with `referencing`."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import yaml
from referencing import Registry, Resource, Specification
from referencing.exceptions import Unresolvable, Unretrievable

if TYPE_CHECKING:
    from referencing._core import Resolver

DEFAULT_GIT_PATH = "openapi.yaml"
# libyaml's loader where PyYAML was built with it: the same safe subset, ~10x faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LoadError(ValueError):
    """The side cannot be read as an OpenAPI document (exit status 2)."""


@dataclass(frozen=True)
class Node:
    """A value in a document with the resolver its `$ref`s are relative to."""

    value: Any
    resolver: Resolver[Any]

    def deref(self) -> Node:
        node, seen = self, set()
        while isinstance(node.value, dict) and isinstance(node.value.get("$ref"), str):
            ref = node.value["$ref"]
            if (id(node.value), ref) in seen:
                raise LoadError(f"$ref loop at {ref}")
            seen.add((id(node.value), ref))
            try:
                resolved = node.resolver.lookup(ref)
            except Unresolvable as error:
                raise LoadError(f"$ref {ref!r}: {_why(error)}") from None
            node = Node(resolved.contents, resolved.resolver)
        return node

    def get(self, key: str) -> Node | None:
        if not isinstance(self.value, dict) or key not in self.value:
            return None
        return Node(self.value[key], self.resolver).deref()

    def raw(self, key: str, default: Any = None) -> Any:
        return self.value.get(key, default) if isinstance(self.value, dict) else default

    def items(self) -> Iterator[tuple[str, Node]]:
        if isinstance(self.value, dict):
            for key in self.value:
                yield str(key), Node(self.value[key], self.resolver).deref()

    def elements(self) -> list[Node]:
        values = self.value if isinstance(self.value, list) else []
        return [Node(v, self.resolver).deref() for v in values]


@dataclass(frozen=True)
class Document:
    name: str  # as given on the command line
    root: Node

    @property
    def version(self) -> str | None:
        info = self.root.get("info")
        version = info.raw("version") if info else None
        return None if version is None else str(version)

    @property
    def file(self) -> str | None:
        """The file a line of an annotation can point at (files only, not git revisions)."""
        return None if self.name.startswith("git:") else self.name


def load(spec: str, cwd: Path | None = None) -> Document:
    """A path, or `git:REF[:PATH]` (PATH from the repository root, default openapi.yaml)."""
    cwd = cwd or Path.cwd()
    if spec.startswith("git:"):
        ref, _, path = spec[4:].partition(":")
        if not ref:
            raise LoadError(f"{spec}: no revision after git:")
        path = path or DEFAULT_GIT_PATH
        read = _git_reader(ref, cwd)
        uri = "file:///" + str(PurePosixPath(path))
    else:
        file = (cwd / spec).resolve()
        read = _file_reader
        uri = file.as_uri()
    text = _read(read, uri, spec)
    contents = _parse(text, spec)
    if not isinstance(contents, dict) or not isinstance(contents.get("paths", {}), dict):
        raise LoadError(f"{spec}: not an OpenAPI document (no mapping with paths)")
    if not str(contents.get("openapi", contents.get("swagger", ""))).startswith("3."):
        raise LoadError(f"{spec}: not an OpenAPI 3 document (openapi: 3.x expected)")

    def retrieve(other: str) -> Resource[Any]:
        return Specification.OPAQUE.create_resource(_parse(_read(read, other, other), other))

    # referencing builds its classes with attrs behind its own decorator, which mypy cannot see.
    registry: Registry[Any] = Registry(retrieve=retrieve)  # type: ignore[call-arg]
    registry = registry.with_resource(uri, Specification.OPAQUE.create_resource(contents))
    return Document(spec, Node(contents, registry.resolver(uri)))


def _why(error: BaseException) -> str:
    """referencing wraps a file that cannot be read twice; say what the reader said."""
    cause = error.__cause__
    while isinstance(cause, Unretrievable) and cause.__cause__ is not None:
        cause = cause.__cause__
    if isinstance(cause, LoadError):  # raised by our reader: the file, and why
        return str(cause)
    return "unresolvable: nothing at that pointer"


def _read(read: Callable[[str], str], uri: str, shown: str) -> str:
    try:
        return read(uri)
    except (OSError, UnicodeDecodeError, subprocess.SubprocessError) as error:
        raise LoadError(f"{shown}: cannot read ({error})") from None


def _file_reader(uri: str) -> str:
    return Path(unquote(urlsplit(uri).path)).read_text(encoding="utf-8")


def _git_reader(ref: str, cwd: Path) -> Callable[[str], str]:
    def read(uri: str) -> str:
        path = unquote(urlsplit(uri).path).lstrip("/")
        done = subprocess.run(
            ["git", "show", f"{ref}:{path}"], cwd=cwd, capture_output=True, check=False
        )
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()
            raise OSError(f"git show {ref}:{path}: {message}")
        return done.stdout.decode("utf-8")

    return read


def _parse(text: str, shown: str) -> Any:
    try:
        return _string_keys(yaml.load(text, Loader=SAFE_LOADER))
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else "?"
        raise LoadError(f"{shown}: not YAML or JSON (line {line}: {error.problem})") from None
    except yaml.YAMLError as error:
        raise LoadError(f"{shown}: not YAML or JSON ({error})") from None


def _string_keys(value: Any) -> Any:
    """Unquoted status codes (`200:`) load as integers; the document means strings."""
    if isinstance(value, dict):
        return {str(k): _string_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_string_keys(v) for v in value]
    return value
