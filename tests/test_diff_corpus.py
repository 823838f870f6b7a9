"""The labelled corpus: each pair of documents makes one change; the diff must name exactly it.

`tests/diff_corpus/*.yaml` each hold `base` and `head` documents, the change in words, and the
expected kinds with their severities (labelled by hand, independently of the tool's table).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mockserver.diff import cli
from mockserver.diff.model import KINDS
from tests.yaml_text import parse_yaml, yaml_text

CORPUS = Path(__file__).parent / "diff_corpus"
CASES = sorted(CORPUS.glob("*.yaml"))

RunDiff = Callable[..., tuple[int, dict[str, Any]]]


@pytest.fixture
def run_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> RunDiff:
    """`mockserver diff base head --format json` on two documents; returns (status, report)."""

    def run(
        base: dict[str, Any], head: dict[str, Any], *options: str
    ) -> tuple[int, dict[str, Any]]:
        (tmp_path / "base.yaml").write_text(yaml_text(base), encoding="utf-8")
        (tmp_path / "head.yaml").write_text(yaml_text(head), encoding="utf-8")
        parser = argparse.ArgumentParser(prog="mockserver")
        cli.register(parser.add_subparsers(dest="command", required=True))
        argv = ["diff", str(tmp_path / "base.yaml"), str(tmp_path / "head.yaml")]
        args = parser.parse_args([*argv, "--format", "json", *options])
        status = args.run(args)
        return status, json.loads(capsys.readouterr().out)

    return run


def labelled(case: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["kind"], e["severity"]) for e in case["expect"]}


def found(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(c["kind"], c["severity"]) for c in report["changes"]}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_each_pair_is_classified_exactly(path: Path, run_diff: RunDiff) -> None:
    case = parse_yaml(path.read_text(encoding="utf-8"))
    status, report = run_diff(case["base"], case["head"], "--fail-on", "breaking")
    assert found(report) == labelled(case), case["change"]
    breaking = any(severity == "breaking" for _, severity in labelled(case))
    assert status == (1 if breaking else 0)
    for change in report["changes"]:  # each line names the operation, the place, before/after
        assert change["operation"] and change["location"].startswith("/")
        assert change["before"] != change["after"]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_each_change_is_seen_backwards_too(path: Path, run_diff: RunDiff) -> None:
    """Undoing a change is a change: no kind of edit is visible in one direction only."""
    case = parse_yaml(path.read_text(encoding="utf-8"))
    _, report = run_diff(case["head"], case["base"])
    assert bool(report["changes"]) == bool(case["expect"])


def test_the_corpus_is_large_and_covers_every_kind_the_tool_knows() -> None:
    cases = [parse_yaml(p.read_text(encoding="utf-8")) for p in CASES]
    one_change = [c for c in cases if len(c["expect"]) == 1]
    assert len(one_change) >= 40
    assert {kind for c in cases for kind, _ in labelled(c)} == set(KINDS)
    for case in cases:  # the label is the table's severity: the table cannot drift alone
        assert all(KINDS[kind][0].name.lower() == severity for kind, severity in labelled(case))


# Real-shaped edits of our own contract, made on the current openapi.yaml.
SCHEMAS = ("Client", "ClientCreate", "ClientUpdate")


def add_optional_linkedin(doc: dict[str, Any]) -> None:
    for name in SCHEMAS:
        field = {"type": "string", "format": "uri", "nullable": True}
        doc["components"]["schemas"][name]["properties"]["linkedin"] = field


def rename_inactive_to_archived(doc: dict[str, Any]) -> None:
    status = doc["components"]["schemas"]["ClientStatus"]
    status["enum"] = ["archived" if v == "inactive" else v for v in status["enum"]]


def require_email_on_create(doc: dict[str, Any]) -> None:
    doc["components"]["schemas"]["ClientCreate"]["required"].append("email")


def drop_industry_filter(doc: dict[str, Any]) -> None:
    parameters = doc["paths"]["/clients"]["get"]["parameters"]
    parameters.remove({"$ref": "#/components/parameters/IndustryFilter"})


def widen_phone(doc: dict[str, Any]) -> None:
    for name in SCHEMAS:
        phone = doc["components"]["schemas"][name]["properties"]["phone"]
        assert phone["maxLength"] == 50
        phone["maxLength"] = 100


def inline_the_status_schema(doc: dict[str, Any]) -> None:
    """Moving a schema out of components changes nothing a client sees."""
    status = doc["components"]["schemas"]["ClientStatus"]
    doc["components"]["schemas"]["Client"]["properties"]["status"] = dict(status)


BREAKING, WARNING, INFO = "breaking", "warning", "info"
OWN_EDITS = [
    (
        add_optional_linkedin,
        {("request-optional-property-added", INFO), ("response-property-added", INFO)},
    ),
    (
        rename_inactive_to_archived,
        {
            ("request-enum-value-removed", BREAKING),
            ("request-enum-value-added", INFO),
            ("response-enum-value-added", WARNING),
            ("response-enum-value-removed", INFO),
        },
    ),
    (require_email_on_create, {("request-property-became-required", BREAKING)}),
    (drop_industry_filter, {("parameter-removed", BREAKING)}),
    (widen_phone, {("request-max-increased", INFO), ("response-max-increased", WARNING)}),
    (inline_the_status_schema, set()),
]


@pytest.mark.parametrize(("edit", "expected"), OWN_EDITS, ids=[e.__name__ for e, _ in OWN_EDITS])
def test_real_shaped_edits_of_our_contract(
    edit: Callable[[dict[str, Any]], None], expected: set[tuple[str, str]], run_diff: RunDiff
) -> None:
    base = parse_yaml((CORPUS.parent.parent / "openapi.yaml").read_text(encoding="utf-8"))
    head = parse_yaml(yaml_text(base))
    edit(head)
    _, report = run_diff(base, head)
    assert found(report) == expected


def test_where_the_email_change_lands(run_diff: RunDiff) -> None:
    base = parse_yaml((CORPUS.parent.parent / "openapi.yaml").read_text(encoding="utf-8"))
    head = parse_yaml(yaml_text(base))
    require_email_on_create(head)
    _, report = run_diff(base, head)
    [change] = report["changes"]
    assert change["operation"] == "createClient POST /clients"
    pointer = "/requestBody/content/application~1json/schema/properties/email"
    assert (change["location"], change["before"], change["after"]) == (
        pointer,
        "optional",
        "required",
    )
