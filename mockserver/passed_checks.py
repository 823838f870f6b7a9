"""Checks made once: a check whose verdict depends only on its inputs is remembered, once
passed, as an empty file under the temporary folder named by the digest of those inputs (the
fixtures against the contract: store/fixtures.py; a document against the OpenAPI schema:
http/spec_check.py). A mark that cannot be read or written only means checking again; a check
that failed is never remembered."""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(tempfile.gettempdir())


def mark(kind: str, *inputs: bytes) -> Path:
    """Where a passed check of `kind` on these inputs is remembered."""
    digest = hashlib.sha256()
    for part in inputs:
        digest.update(part)
    return ROOT / f"mockserver-{kind}-checked" / digest.hexdigest()


def canonical(document: Any) -> bytes:
    """A JSON-like document as bytes that are the same whenever the document is."""
    return json.dumps(document, sort_keys=True, default=str).encode()


def passed(mark: Path) -> bool:
    try:
        return mark.exists()
    except OSError:  # an unreadable temporary folder (EIO, EACCES): check again
        return False


def remember(mark: Path) -> None:
    with contextlib.suppress(OSError):  # no room, or no place: checked again next time
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.touch()
