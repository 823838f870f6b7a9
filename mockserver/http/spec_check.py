"""Connexion's check of a document against the OpenAPI schema, made once per document.

Connexion checks every document it is given against the OpenAPI 3.0 schema
(`Specification._validate_spec`, jsonschema) on each `add_api`: ~0.1 s of CPU for each of the
mock's two documents, a fifth of a start's CPU and of every app the tests build. The verdict
depends only on the document and on Connexion (its schema and its checks), so a document that
passed is remembered by their digest: in this process, and as an empty file in the temporary
folder, as the fixtures' check is (store/fixtures.py). A document that fails is checked again
each time, and fails the same way. INTERNALS.md lists the seam.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

from connexion.spec import Specification

MARKS = Path(tempfile.gettempdir()) / "mockserver-contract-checked"
CONNEXIONS = Specification.__dict__["_validate_spec"].__func__
_passed: set[str] = set()
_checkers: dict[str, str] = {}


def check_each_document_once() -> None:
    Specification._validate_spec = classmethod(_validate_once)


def _validate_once(cls: type[Specification], spec: dict[str, Any]) -> None:
    digest = _digest(cls, spec)
    if digest in _passed or (MARKS / digest).exists():
        _passed.add(digest)
        return
    CONNEXIONS(cls, spec)  # raises InvalidSpecification: nothing is remembered
    _passed.add(digest)
    with contextlib.suppress(OSError):  # no place to remember it: checked again next start
        MARKS.mkdir(parents=True, exist_ok=True)
        (MARKS / digest).touch()


def _digest(cls: type[Specification], spec: dict[str, Any]) -> str:
    document = json.dumps(spec, sort_keys=True, default=str)
    return hashlib.sha256(f"{_checker(cls)}\n{document}".encode()).hexdigest()


def _checker(cls: type[Specification]) -> str:
    """What else the verdict depends on: Connexion's version and the schema it checks with."""
    if cls.__name__ not in _checkers:
        schema = json.dumps(getattr(cls, "openapi_schema", None), sort_keys=True)
        digest = hashlib.sha256(schema.encode()).hexdigest()
        _checkers[cls.__name__] = f"{cls.__name__} connexion {version('connexion')} {digest}"
    return _checkers[cls.__name__]
