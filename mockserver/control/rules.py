"""Rules of a session (control.yaml, /__mock/sessions/{name}/rules); see mockserver/scenarios."""

from __future__ import annotations

from typing import Any

import flask

from mockserver.control.basics import JSON, no_content
from mockserver.scenarios.engine import EXTENSION_KEY, Scenarios
from mockserver.scenarios.rules import RuleNotFound, public

Answer = tuple[Any, ...] | flask.Response


def list_rules(name: str) -> Answer:
    rules = current_scenarios().list_rules(name)
    return {"data": rules, "meta": {"total": len(rules)}}, 200, JSON


def add_rule(name: str, body: dict[str, Any]) -> Answer:
    rule = current_scenarios().add_rule(name, body)
    location = f"{flask.request.path.rstrip('/')}/{rule['id']}"
    return rule, 201, {**JSON, "Location": location}


def get_rule(name: str, id: str) -> Answer:
    for rule in current_scenarios().rules.rules(name):
        if rule["id"] == id:
            return public(rule), 200, JSON
    raise RuleNotFound(name, id)


def delete_rule(name: str, id: str) -> Answer:
    if not current_scenarios().rules.remove(name, id):
        raise RuleNotFound(name, id)
    return no_content()


def delete_rules(name: str) -> Answer:
    current_scenarios().rules.clear(name)
    return no_content()


def current_scenarios() -> Scenarios:
    scenarios: Scenarios = flask.current_app.extensions[EXTENSION_KEY]
    return scenarios
