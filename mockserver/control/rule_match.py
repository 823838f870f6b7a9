"""What a rule may match, written into the rule schema from the contract when the mock starts.

A rule names `operation` (with, optionally, that operation's own `method` and `path`), or
`method` and/or `path` without an operation; the operations it then matches must all declare its
`status` unless that is a 5xx. control.yaml marks `RuleInput` with `x-rule-match`; `with_rule_match`
writes the contract's operationIds, methods and paths into its properties, and one alternative per
way of matching into an `allOf` entry, so what the document allows is what the mock accepts
(mockserver/scenarios/rules.py works out the matches and would refuse the same rules).
"""

from __future__ import annotations

import copy
from typing import Any

from mockserver.scenarios.answers import Catalog, Operation

Schema = dict[str, Any]
FORBIDDEN: Schema = {"not": {}}
MATCH = (
    "A rule matches an operation of the contract, given as `operation` (its own `method` and "
    "`path` may be given too) or as a `method` and/or `path` of the contract without one; a "
    "status below 500 must be declared by every operation it matches"
)


def with_rule_match(schema: Schema, contract: dict[str, Any]) -> Schema:
    operations = list(Catalog(contract).operations.values())
    schema = copy.deepcopy(schema)
    schema.pop("x-rule-match")
    fields = schema["properties"]
    fields["operation"]["enum"] = [operation.operation_id for operation in operations]
    fields["method"]["enum"] = sorted({operation.method for operation in operations})
    fields["path"]["enum"] = sorted({operation.template for operation in operations})
    schema.setdefault("allOf", []).append({"description": MATCH, "anyOf": _ways(operations)})
    return schema


def _ways(operations: list[Operation]) -> list[Schema]:
    ways = [_by_operation(operation) for operation in operations]
    shapes: dict[tuple[str | None, str | None], list[Operation]] = {}
    for operation in operations:
        for method in (operation.method, None):
            for path in (operation.template, None):
                if method is not None or path is not None:
                    shapes.setdefault((method, path), []).append(operation)
    return ways + [_by_request(method, path, found) for (method, path), found in shapes.items()]


def _by_operation(operation: Operation) -> Schema:
    return {
        "title": operation.operation_id,
        "required": ["operation"],
        "properties": {
            "operation": {"enum": [operation.operation_id]},
            "method": {"enum": [operation.method]},
            "path": {"enum": [operation.template]},
            "status": _statuses([operation]),
        },
    }


def _by_request(method: str | None, path: str | None, operations: list[Operation]) -> Schema:
    given = {"method": method, "path": path}
    properties: Schema = {"operation": FORBIDDEN, "status": _statuses(operations)}
    for name, value in given.items():
        properties[name] = FORBIDDEN if value is None else {"enum": [value]}
    return {
        "title": " ".join(value for value in given.values() if value is not None),
        "required": [name for name, value in given.items() if value is not None],
        "properties": properties,
    }


def _statuses(operations: list[Operation]) -> Schema:
    """Any 5xx, or a status below 500 that every matched operation declares."""
    declared = set.intersection(*(set(operation.responses) for operation in operations))
    below = sorted(status for status in declared if status < 500)
    server_error: Schema = {"type": "integer", "minimum": 500, "maximum": 599}
    if not below:
        return server_error
    return {"anyOf": [{"type": "integer", "enum": below}, server_error]}
