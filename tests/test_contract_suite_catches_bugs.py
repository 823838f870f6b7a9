"""The contract suite catches behavioural bugs, not just schema drift.

Each defect in tests/contract_suite/defects/ is planted in front of the real mock (a rewrite of
requests or responses, so it does not depend on how the mock is written). The check meant for it
must fail there and pass on the same mock without the defect. Last, the whole suite runs as CI
runs it: green over HTTP against a separately started mock, red against a broken one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from contract_tests.api import ClientsApi
from contract_tests.checks import errors, listing, readonly, resource
from contract_tests.expect import ContractViolation
from mockserver.app import create_app
from mockserver.testing import served_mock
from tests.contract_suite import defects
from tests.contract_suite.planting import Defect, Planted

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "contract-suite-token"
FULL = {
    "name": "contract-test-full",
    "email": "full@example.com",
    "phone": "+1 555 0100",
    "industry": "Technology",
    "tags": ["a", "b"],
    "notes": "kept",
    "metadata": {"x": 1},
}
Check = Callable[[ClientsApi], Any]


def update(changes: dict[str, Any]) -> Check:
    return partial(resource.update_changes_exactly_the_fields_sent, original=FULL, changes=changes)


# Each defect with the check(s) that must catch it.
CATCHES: dict[str, list[Check]] = {
    "update_wipes_absent_fields": [update({"notes": "new"})],
    "update_merges_tags": [update({"tags": ["c"]})],
    "update_keeps_updated_at": [update({"notes": "new"}), update({})],
    "search_ignores_email": [listing.search_matches_name_email_and_contact_person],
    "search_is_case_sensitive": [listing.search_matches_name_email_and_contact_person],
    "total_counts_the_page": [listing.pages_are_disjoint_and_cover_every_match],
    "status_filter_ignored": [listing.filters_select_exactly_the_matches_and_combine],
    "industry_filter_case_sensitive": [listing.filters_select_exactly_the_matches_and_combine],
    "offset_ignored": [
        listing.pages_are_disjoint_and_cover_every_match,
        readonly.small_pages_agree_with_one_big_page,
    ],
    "limit_ignored": [
        listing.pages_are_disjoint_and_cover_every_match,
        partial(readonly.meta_echoes_limit_and_offset, limit=2, offset=0),
    ],
    "oldest_first": [listing.newest_client_comes_first, readonly.newest_first_on_existing_data],
    "ordered_by_updated_at": [listing.newest_client_comes_first],
    "ordered_by_name": [listing.newest_client_comes_first],
    "empty_search_matches_nothing": [readonly.empty_search_filters_nothing],
    "search_folds_ascii_only": [listing.search_matches_name_email_and_contact_person],
    "default_status_inactive": [resource.new_client_gets_the_defaults],
    "unknown_id_gives_500": [
        errors.unknown_ids_get_404_on_read,
        errors.unknown_ids_get_404_on_update,
    ],
    "accepts_missing_token": [
        errors.reads_without_a_token_get_401,
        errors.writes_without_a_token_get_401_and_change_nothing,
    ],
    "location_without_api_prefix": [resource.location_points_at_the_created_client],
    "unicode_mangled": [partial(resource.unicode_round_trips, text="Zoë 北京 🚀")],
    "active_jobs_exceed_jobs": [readonly.job_counts_are_consistent],
    "unknown_parameter_accepted": [errors.unknown_query_parameter_gets_400],
    "oversized_body_accepted": [errors.body_over_one_mib_gets_413],
    "any_body_type_accepted": [errors.body_not_sent_as_json_gets_415],
    "no_www_authenticate": [errors.reads_without_a_token_get_401],
    "errors_as_plain_json": [errors.unknown_ids_get_404_on_read],
}
PAIRS = [(name, check) for name, checks in CATCHES.items() for check in checks]
ALL_CHECKS = list({id(check): check for _, check in PAIRS}.values())


def check_name(check: Check) -> str:
    if isinstance(check, partial):
        shown = ", ".join(f"{k}={v!r}" for k, v in check.keywords.items() if k != "original")
        return f"{check.func.__name__}({shown})"
    return check.__name__


@pytest.fixture(scope="module")
def mock() -> Any:
    return create_app(db=":memory:", validate_responses=True)


@pytest.fixture
def api_with(mock: Any) -> Iterator[Callable[[Defect], ClientsApi]]:
    """A client for the freshly reset mock with one defect planted in front of it."""
    clients: list[TestClient] = []

    def make(defect: Defect) -> ClientsApi:
        client = TestClient(Planted(mock, defect), base_url="http://testserver")
        clients.append(client)
        reset = client.post("/__mock/reset", headers={"Authorization": f"Bearer {TOKEN}"})
        assert reset.status_code == 204, f"reset failed: {reset.status_code} {reset.text}"
        return ClientsApi(client, "http://testserver/api/v1", TOKEN)

    yield make
    for client in clients:
        client.close()


def test_every_defect_has_a_check() -> None:
    assert set(CATCHES) == set(defects.DEFECTS)


@pytest.mark.parametrize("check", ALL_CHECKS, ids=check_name)
def test_check_passes_on_the_mock_without_defects(api_with: Any, check: Check) -> None:
    check(api_with(defects.no_defect))


@pytest.mark.parametrize(
    ("defect", "check"), PAIRS, ids=[f"{name}-{check_name(check)}" for name, check in PAIRS]
)
def test_check_fails_on_the_mock_with_the_defect(api_with: Any, defect: str, check: Check) -> None:
    with pytest.raises(ContractViolation):
        check(api_with(defects.DEFECTS[defect]))


def run_suite(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "contract_tests", "-p", "no:cacheprovider", *args]
    # The suite's own settings come from the arguments here, never from the caller's environment.
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("CONTRACT_")}
    return subprocess.run(
        command,
        cwd=ROOT,
        env={**inherited, **(env or {})},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.mark.slow
def test_whole_suite_passes_over_http_against_a_separately_started_mock(tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    with served_mock(tmp_path, token=TOKEN) as server:
        result = run_suite(
            "--base-url",
            server.api_url,
            f"--junitxml={report}",
            "-q",
            env={"CONTRACT_TOKEN": TOKEN},
        )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert 'failures="0"' in report.read_text()


@pytest.mark.slow
def test_whole_suite_fails_on_a_broken_mock_and_shows_how_to_replay() -> None:
    result = run_suite(
        "--app",
        "tests.contract_suite.defects:mock_variant",
        "-k",
        "search or read_operation",
        "--hypothesis-seed=7",
        env={"CONTRACT_DEFECT": "errors_as_plain_json"},
    )
    assert result.returncode == 1, result.stdout[-3000:]
    assert "seed 7 (replay with --hypothesis-seed=7)" in result.stdout
    assert "Reproduce with" in result.stdout
    assert "FAILED contract_tests/test_operations.py::test_read_operation" in result.stdout


@pytest.mark.slow
def test_read_only_mode_passes_where_writing_is_forbidden() -> None:
    result = run_suite(
        "--app",
        "tests.contract_suite.defects:mock_variant",
        "--read-only",
        "-q",
        env={"CONTRACT_DEFECT": "writes_forbidden"},
    )
    assert result.returncode == 0, result.stdout[-5000:]
    assert " passed" in result.stdout and " deselected" in result.stdout
