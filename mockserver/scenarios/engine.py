"""Scenarios: the catalog of declared answers, the rules and the journal of one mock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mockserver.scenarios.answers import Catalog
from mockserver.scenarios.latency import Range, parse_latency
from mockserver.scenarios.requests import Journal
from mockserver.scenarios.rulebook import Rulebook
from mockserver.scenarios.rules import Rule, new_rule, public

EXTENSION_KEY = "mockserver.scenarios"


class Scenarios:
    def __init__(self, spec: dict[str, Any], folder: Path | None, latency: Range | None) -> None:
        self.catalog = Catalog(spec)
        self.base_path = spec["servers"][0]["url"].rstrip("/")
        self.rules = Rulebook(folder)
        self.journal = Journal(folder)
        self.latency = latency

    @classmethod
    def for_store(
        cls, spec: dict[str, Any], db: str | None, latency: str | None = None
    ) -> Scenarios:
        """Rules and journal next to the store file (`<db>.scenarios/`), or in memory."""
        folder = None if db is None else Path(db).with_name(Path(db).name + ".scenarios")
        return cls(spec, folder, parse_latency(latency))

    def add_rule(self, session: str, body: dict[str, Any]) -> Rule:
        rule = new_rule(body, self.catalog)
        self.rules.add(session, rule)
        return public(rule)

    def list_rules(self, session: str) -> list[Rule]:
        return [public(rule) for rule in self.rules.rules(session)]

    def forget(self, session: str) -> None:
        """A forgotten session leaves neither rules nor journal behind."""
        self.rules.forget(session)
        self.journal.clear(session)

    def forget_all_but(self, kept: str) -> None:
        for session in set(self.rules.sessions()) | set(self.journal.sessions()):
            if session != kept:
                self.forget(session)
