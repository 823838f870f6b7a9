"""The mock's control plane under /__mock: what the contract does not describe.

Its own OpenAPI document, control.yaml, is routed and validated by Connexion like the API. Each
path item names the module that handles it (`x-openapi-router-controller`); operationIds are
camelCase, handlers the same names in snake_case.
"""

from __future__ import annotations

import copy
import importlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mockserver.contract import load_spec
from mockserver.control.rule_match import with_rule_match

CONTROL_SPEC = Path(__file__).resolve().parent / "control.yaml"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
CONTROLLER = "x-openapi-router-controller"
EXTENSION_KEY = "mockserver.control"  # the document as served, for the handlers that need it


def control_spec(contract: dict[str, Any], path: Path = CONTROL_SPEC) -> dict[str, Any]:
    """control.yaml, ready for Connexion: the contract's schemas copied in where it says
    `x-from-contract`, what a rule can match written where it says `x-rule-match`, and
    each path item's controller handed down to its operations (Connexion 3 reads the
    extension on operations only)."""
    spec = copy.deepcopy(load_spec(str(path)))
    schemas = spec["components"]["schemas"]
    for name, schema in schemas.items():
        if schema.get("x-from-contract"):
            schemas[name] = copy.deepcopy(contract["components"]["schemas"][name])
        elif schema.get("x-rule-match"):
            schemas[name] = with_rule_match(schema, contract)
    for item in spec["paths"].values():
        for method, operation in item.items():
            if method in HTTP_METHODS and CONTROLLER in item:
                operation.setdefault(CONTROLLER, item[CONTROLLER])
        item.pop(CONTROLLER, None)
    return spec


def control_handler(operation_id: str) -> Callable[..., Any]:
    """`mockserver.control.sessions.listSessions` -> mockserver.control.sessions.list_sessions."""
    module, _, name = operation_id.rpartition(".")
    return getattr(importlib.import_module(module), re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower())


def bodiless_operations(spec: dict[str, Any]) -> frozenset[str]:
    """POST and PUT operations that take no request body, by their ids as Connexion resolves
    them (`controller.operationId`)."""
    return frozenset(
        f"{operation[CONTROLLER]}.{operation['operationId']}"
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method in ("post", "put", "patch") and "requestBody" not in operation
    )
