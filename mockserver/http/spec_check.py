"""Connexion's check of a document against the OpenAPI schema, made once per document.

Connexion checks every document it is given against the OpenAPI 3.0 schema
(`Specification._validate_spec`, jsonschema) on each `add_api`: ~0.1 s of CPU for each of the
mock's two documents, a fifth of a start's CPU and of every app the tests build. The verdict
depends only on the document and on Connexion (its schema and its checks), so a document that
passed is remembered by their digest: in this process, and across starts as the fixtures'
check is (passed_checks.py). A document that fails is checked again each time, and fails the
same way. INTERNALS.md lists the seam.
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from typing import Any

from connexion.spec import Specification

from mockserver import passed_checks

CONNEXIONS = Specification.__dict__["_validate_spec"].__func__
_passed: set[str] = set()
_checkers: dict[str, bytes] = {}


def check_each_document_once() -> None:
    Specification._validate_spec = classmethod(_validate_once)


def _validate_once(cls: type[Specification], spec: dict[str, Any]) -> None:
    mark = passed_checks.mark("document", _checker(cls), passed_checks.canonical(spec))
    if mark.name in _passed or passed_checks.passed(mark):
        _passed.add(mark.name)
        return
    CONNEXIONS(cls, spec)  # raises InvalidSpecification: nothing is remembered
    _passed.add(mark.name)
    passed_checks.remember(mark)


def _checker(cls: type[Specification]) -> bytes:
    """What else the verdict depends on: Connexion's version and the schema it checks with."""
    if cls.__name__ not in _checkers:
        schema = json.dumps(getattr(cls, "openapi_schema", None), sort_keys=True)
        digest = hashlib.sha256(schema.encode()).hexdigest()
        _checkers[cls.__name__] = (
            f"{cls.__name__} connexion {version('connexion')} {digest}\n".encode()
        )
    return _checkers[cls.__name__]
