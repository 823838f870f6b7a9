"""The files a version of the mock is made of: the contract and every file it `$ref`s, the
fixtures and the control document; and the contract with those references inlined.

Connexion is given the contract as one document (a dict), so a reference into another file is
inlined here, and that file is watched like the contract itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mockserver.contract import Loader

FIXTURE_FILES = ("clients.json", "jobs.json")


class ReloadError(ValueError):
    """A version that cannot be served: which file, and what is wrong with it."""

    def __init__(self, file: Path | str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = str(file)
        self.message = message


@dataclass(frozen=True)
class Contract:
    spec: dict[str, Any]
    files: frozenset[Path]  # the contract and every file it references, resolved


def load_contract(path: Path) -> Contract:
    """The contract with its references to other files inlined (internal ones are left)."""
    path = path.resolve()
    files = {path}
    spec = _inline(_parse(path), path, path, files, ())
    if not isinstance(spec, dict):
        raise ReloadError(path, "the contract is not a YAML mapping")
    return Contract(spec, frozenset(files))


def watched_files(contract: Contract, fixtures: Path, control: Path) -> frozenset[Path]:
    folder = fixtures.resolve()
    return contract.files | {folder / name for name in FIXTURE_FILES} | {control.resolve()}


def digest(files: frozenset[Path]) -> str:
    """What these files hold now, in one hash (a missing file counts as empty)."""
    total = hashlib.sha256()
    for path in sorted(files):
        total.update(str(path).encode() + b"\0")
        try:
            total.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            total.update(b"missing")
    return total.hexdigest()[:16]


def _parse(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as stream:  # named in YAML's messages
            return yaml.load(stream, Loader=Loader)
    except OSError as error:
        raise ReloadError(path, f"cannot be read: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise ReloadError(path, f"is not valid YAML: {error}") from None


def _inline(node: Any, document: Path, root: Path, files: set[Path], chain: tuple[str, ...]) -> Any:
    """`node` (from `document`) with every reference outside the root document replaced by
    what it points to; `chain` holds the references being inlined, to refuse a cycle."""
    if isinstance(node, list):
        return [_inline(item, document, root, files, chain) for item in node]
    if not isinstance(node, dict):
        return node
    reference = node.get("$ref")
    if isinstance(reference, str):
        target_file, _, pointer = reference.partition("#")
        target = (document.parent / target_file).resolve() if target_file else document
        if target != root:
            key = f"{target}#{pointer}"
            if key in chain:
                raise ReloadError(document, f"$ref {reference!r} refers back to itself")
            files.add(target)
            found = _pointed(_parse(target), pointer, target, reference)
            return _inline(found, target, root, files, (*chain, key))
        if document != root:  # back into the contract: a reference within the bundle
            return {**node, "$ref": "#" + pointer}
    return {key: _inline(value, document, root, files, chain) for key, value in node.items()}


def _pointed(document: Any, pointer: str, file: Path, reference: str) -> Any:
    node = document
    for part in [p for p in pointer.split("/") if p]:
        part = part.replace("~1", "/").replace("~0", "~")
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            raise ReloadError(file, f"$ref {reference!r}: nothing at #{pointer}") from None
    return node
