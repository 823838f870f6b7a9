"""A rule: which requests it matches, what it does, and when it fires.

A rule is a flat JSON object, as the control API takes it: `operation` and/or `method` + `path` to
match; `status`, `delay_ms` and/or `fault` to act; `times`, `probability`, `seed` to limit. The
control API's schema states every refusal (its `RuleMatch` is written from the contract, see
mockserver/control/rule_match.py); `new_rule` works out what the rule matches, and refuses the
same rules with reasons a person can act on when it is called without that schema. Whether a
rule fires on its n-th match depends only on its seed and n, so a seeded sequence is the same on
every run and in every worker process.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

from mockserver.scenarios.answers import Catalog

Rule = dict[str, Any]
FIELDS = ("operation", "method", "path", "status", "delay_ms", "fault", "times", "probability")
INTERNAL = ("tries",)


class RuleError(ValueError):
    """The rule cannot be used; nothing was stored. The message names what is wrong."""


class RuleNotFound(LookupError):
    def __init__(self, session: str, rule_id: str) -> None:
        super().__init__(f"The session {session!r} has no rule {rule_id!r}")


def new_rule(body: dict[str, Any], catalog: Catalog) -> Rule:
    """A stored rule from a request body, or RuleError."""
    matches = _matches(body, catalog)
    _check_action(body)
    outside = _check_status(body, matches, catalog)
    rule: Rule = {"id": uuid.uuid4().hex[:12]}
    rule.update({name: body[name] for name in FIELDS if body.get(name) is not None})
    if "probability" in rule or isinstance(rule.get("delay_ms"), list):
        # Always a seed, so even an unseeded rule's sequence can be replayed from its listing.
        rule["seed"] = body["seed"] if body.get("seed") is not None else random.randrange(2**31)
    rule.update(matches=matches, outside_contract=outside, hits=0, tries=0)
    return rule


def public(rule: Rule) -> Rule:
    shown = {name: value for name, value in rule.items() if name not in INTERNAL}
    shown["remaining"] = None if "times" not in rule else rule["times"] - rule["hits"]
    return shown


def fire(rules: list[Rule], operation_id: str) -> Rule | None:
    """The first rule that matches and fires, its counters moved; None: the request goes on."""
    for rule in rules:
        if operation_id not in rule["matches"] or _retired(rule):
            continue
        rule["tries"] += 1
        if "probability" in rule and _draw(rule, "fire", rule["tries"]) >= rule["probability"]:
            continue
        rule["hits"] += 1
        return rule
    return None


def may_fire(rules: list[Rule], operation_id: str) -> bool:
    return any(operation_id in rule["matches"] and not _retired(rule) for rule in rules)


def delay_seconds(rule: Rule) -> float:
    delay = rule.get("delay_ms", 0)
    if isinstance(delay, list):
        # Either bound may come first (a schema cannot order two items): the draw lies between.
        delay = delay[0] + _draw(rule, "delay", rule["hits"]) * (delay[1] - delay[0])
    return float(delay) / 1000


def _retired(rule: Rule) -> bool:
    return "times" in rule and rule["hits"] >= rule["times"]


def _draw(rule: Rule, purpose: str, n: int) -> float:
    # A fresh generator per draw, seeded by text: the same on every run, process and platform.
    return random.Random(f"{rule['seed']}/{purpose}/{n}").random()


def _matches(body: dict[str, Any], catalog: Catalog) -> list[str]:
    operation, method, path = body.get("operation"), body.get("method"), body.get("path")
    if operation is None and method is None and path is None:
        raise RuleError("A rule needs something to match: operation, or method and/or path")
    operations = catalog.operations.values()
    if operation is not None and operation not in catalog.operations:
        known = ", ".join(catalog.operations)
        raise RuleError(f"Unknown operation {operation!r}; the contract has {known}")
    templates = sorted({op.template for op in operations})
    if path is not None and path not in templates:
        raise RuleError(
            f"Unknown path {path!r}; write it as the contract does: {', '.join(templates)}"
        )
    matches = [
        op.operation_id
        for op in operations
        if operation in (None, op.operation_id)
        and method in (None, op.method)
        and path in (None, op.template)
    ]
    if not matches:
        asked = " ".join(str(part) for part in (operation, method, path) if part is not None)
        raise RuleError(f"No operation of the contract is {asked}")
    return matches


def _check_action(body: dict[str, Any]) -> None:
    if body.get("fault") is not None and body.get("status") is not None:
        raise RuleError("A rule answers with a status or a fault, not both")
    if all(body.get(name) is None for name in ("status", "delay_ms", "fault")):
        raise RuleError("A rule needs something to do: status, delay_ms or fault")


def _check_status(body: dict[str, Any], matches: list[str], catalog: Catalog) -> bool:
    """Whether the status lies outside the contract (allowed for 5xx only)."""
    status = body.get("status")
    if status is None:
        return False
    lacking = [op for op in matches if status not in catalog.operations[op].responses]
    if lacking and status < 500:
        declared = "; ".join(f"{op}: {catalog.operations[op].describe()}" for op in lacking)
        raise RuleError(
            f"status {status} is not declared ({declared}); only a 5xx may be injected "
            "outside the contract"
        )
    return bool(lacking)
