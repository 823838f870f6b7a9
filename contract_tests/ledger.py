"""What a run did: the records it created (the API has no DELETE), which parts of the contract
it exercised, and which generated cases Schemathesis mislabelled."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

HTTP_METHODS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    pattern: re.Pattern[str]
    statuses: tuple[str, ...]
    query: tuple[str, ...]


def contract_operations(spec: dict[str, Any]) -> list[Operation]:
    operations = []
    for template, item in spec["paths"].items():
        pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "/?")
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            if method not in item:
                continue
            operation = item[method]
            parameters = [resolve(spec, p) for p in shared + operation.get("parameters", [])]
            operations.append(
                Operation(
                    operation["operationId"],
                    method.upper(),
                    pattern,
                    tuple(operation["responses"]),
                    tuple(p["name"] for p in parameters if p["in"] == "query"),
                )
            )
    return operations


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        found: Any = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            found = found[part]
        node = found
    return node


@dataclass
class Ledger:
    operations: list[Operation]
    api_path: str = "/api/v1"
    created: dict[str, str] = field(default_factory=dict)  # id -> name
    seen: dict[str, set[str]] = field(default_factory=dict)  # "op status:201" / "op query:search"
    mislabelled: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(self, method: str, url: str, status: int, body: bytes | None) -> None:
        parts = urlsplit(url)
        path = parts.path
        if not path.startswith(self.api_path):
            return
        path = path[len(self.api_path) :]
        for operation in self.operations:
            if operation.method == method.upper() and operation.pattern.fullmatch(path):
                with self._lock:
                    marks = self.seen.setdefault(operation.operation_id, set())
                    marks.add(f"status:{status}")
                    marks.update(f"query:{name}" for name, _ in parse_qsl(parts.query, True))
                if operation.operation_id == "createClient" and status == 201 and body:
                    self.note_created(body)
                return

    def note_created(self, body: bytes) -> None:
        try:
            document = json.loads(body)
            with self._lock:
                self.created[str(document["id"])] = str(document.get("name"))
        except (ValueError, KeyError, TypeError):
            pass  # the contract checks will say what is wrong with this body

    def coverage(self) -> list[tuple[str, list[str], list[str]]]:
        """Per operation: what was exercised and what never was."""
        rows = []
        for operation in self.operations:
            marks = self.seen.get(operation.operation_id, set())
            wanted = [f"status:{s}" for s in operation.statuses] + [
                f"query:{q}" for q in operation.query
            ]
            done = [mark for mark in wanted if mark in marks]
            rows.append((operation.operation_id, done, [m for m in wanted if m not in marks]))
        return rows

    def coverage_lines(self) -> list[str]:
        lines = []
        for operation_id, done, missing in self.coverage():
            state = "exercised" if operation_id in self.seen else "NEVER exercised"
            lines.append(
                f"  {operation_id}: {state}; covered {' '.join(done) or '-'};"
                f" never {' '.join(missing) or '-'}"
            )
        return lines

    def write_records(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        records = [{"id": key, "name": name} for key, name in sorted(self.created.items())]
        path.write_text(json.dumps({"created": records}, indent=2) + "\n", encoding="utf-8")
