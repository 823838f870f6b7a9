"""Connexion's check of a document against the OpenAPI schema runs once per document
(mockserver/http/spec_check.py): remembered in the process and across starts; a document it
refuses is refused every time."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from connexion.exceptions import InvalidSpecification
from connexion.spec import Specification

from mockserver import SPEC_PATH, passed_checks
from mockserver.app import create_app
from mockserver.contract import load_spec
from mockserver.http import spec_check


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The titles of the documents Connexion's own check ran on, with no verdict remembered."""
    ran: list[str] = []
    connexions = spec_check.CONNEXIONS

    def counted(cls: type[Specification], spec: dict[str, Any]) -> None:
        ran.append(spec["info"]["title"])
        connexions(cls, spec)

    monkeypatch.setattr(spec_check, "CONNEXIONS", counted)
    monkeypatch.setattr(passed_checks, "ROOT", tmp_path)
    monkeypatch.setattr(spec_check, "_passed", set())
    return ran


def test_a_document_that_passed_is_not_checked_again_in_the_process(checks: list[str]) -> None:
    create_app(db=":memory:")
    assert len(checks) == 2  # the contract and the control API's document
    create_app(db=":memory:")
    assert len(checks) == 2


def test_a_document_that_passed_is_not_checked_again_by_the_next_start(
    checks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    create_app(db=":memory:")
    monkeypatch.setattr(spec_check, "_passed", set())  # a new process: only the marks are left
    create_app(db=":memory:")
    assert len(checks) == 2
    assert len(list((passed_checks.ROOT / "mockserver-document-checked").iterdir())) == 2


def test_a_changed_document_is_checked_and_a_refused_one_every_time(checks: list[str]) -> None:
    spec = copy.deepcopy(load_spec(str(SPEC_PATH)))
    spec["info"]["title"] = "changed"
    Specification.from_dict(copy.deepcopy(spec))
    assert checks == ["changed"]
    spec["info"]["version"] = ["not", "a", "string"]
    for _ in range(2):
        with pytest.raises(InvalidSpecification):
            Specification.from_dict(copy.deepcopy(spec))
    assert checks == ["changed", "changed", "changed"]


def test_a_folder_that_cannot_hold_marks_only_means_checking_again(
    checks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(passed_checks, "ROOT", Path("/") / ("x" * 300))  # ENAMETOOLONG
    create_app(db=":memory:")
    monkeypatch.setattr(spec_check, "_passed", set())
    create_app(db=":memory:")
    assert len(checks) == 4
