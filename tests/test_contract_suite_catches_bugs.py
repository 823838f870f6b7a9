"""The contract suite catches behavioural bugs, not just schema drift.

Each defect in tests/contract_suite/defects/ is planted in front of the real mock (a rewrite of
requests or responses, so it does not depend on how the mock is written). The check meant for it
must fail there, and pass on the mock without the defect and on the second implementation
(tests/second_impl/). Last, the whole suite runs as CI runs it and goes red against a broken
mock (green over HTTP from an installed wheel: tests/test_contract_suite_install.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from contract_tests.api import ClientsApi
from contract_tests.checks import edges, errors, listing, readonly, resource, search
from contract_tests.expect import ContractViolation
from mockserver.app import create_app
from tests.contract_suite import defects
from tests.contract_suite.planting import Defect, Planted
from tests.second_impl import app as second_impl

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "contract-suite-token"
FULL = {
    "name": "contract-test-full",
    "email": "Full.Name+jobs@example.com",
    "phone": "+1 555 0100",
    "industry": "Technology",
    "status": "inactive",
    "tags": ["a", "b"],
    "notes": "kept",
    "metadata": {"x": 1, "nested": {"y": [1, 2]}},
}
Check = Callable[[ClientsApi], Any]


def update(changes: dict[str, Any]) -> Check:
    return partial(resource.update_changes_exactly_the_fields_sent, original=FULL, changes=changes)


def created(body: dict[str, Any]) -> Check:
    return partial(resource.created_client_matches_what_was_sent, body=body)


def meta(limit: int, offset: int = 0) -> Check:
    return partial(readonly.meta_echoes_limit_and_offset, limit=limit, offset=offset)


SEARCH = search.search_matches_name_email_and_contact_person
FILTERS = listing.filters_select_exactly_the_matches_and_combine
PAGES = listing.pages_are_disjoint_and_cover_every_match
BAD_CREATES = edges.invalid_creates_get_400_and_create_nothing
BAD_UPDATES = edges.invalid_updates_get_400_and_change_nothing
NO_TOKEN = errors.reads_without_a_token_get_401
# Each defect with the check(s) that must catch it.
CATCHES: dict[str, list[Check]] = {
    # create and update
    "update_wipes_absent_fields": [update({"notes": "new"})],
    "update_merges_tags": [update({"tags": ["c"]})],
    "update_keeps_updated_at": [update({"notes": "new"}), update({})],
    "update_ignores_null": [update({"phone": None, "email": None})],
    "update_merges_metadata": [update({"metadata": {"w": 0}})],
    "empty_update_refused": [update({})],
    "update_resets_status": [update({"notes": "new"})],
    "update_moves_created_at": [update({"notes": "new"})],
    "stale_read_after_update": [update({"notes": "new"})],
    "noop_update_keeps_updated_at": [update({})],
    "default_status_inactive": [resource.new_client_gets_the_defaults],
    "new_client_has_a_job": [resource.new_client_gets_the_defaults],
    "create_answers_200": [resource.new_client_gets_the_defaults],
    "creation_times_differ": [resource.new_client_gets_the_defaults],
    "timestamps_with_offset": [resource.new_client_gets_the_defaults],
    "create_drops_metadata": [created(FULL)],
    "tags_sorted": [created(FULL)],
    "email_lowercased": [created(FULL)],
    "plus_address_refused": [created(FULL), edges.values_at_the_edges_are_accepted],
    "name_trimmed": [created({"name": "  contract-test-spaced  "})],
    "html_escaped": [created({"name": "contract-test-<b>&amp;"})],
    "location_without_api_prefix": [resource.location_points_at_the_created_client],
    "location_points_elsewhere": [resource.location_points_at_the_created_client],
    "unicode_mangled": [partial(resource.unicode_round_trips, text="Zoë 北京 🚀")],
    "unicode_normalised": [partial(resource.unicode_round_trips, text="e\u0301 ﬁ")],
    # validation edges
    "null_name_ignored_on_update": [BAD_UPDATES],
    "null_tags_mean_empty": [BAD_UPDATES],
    "refused_update_half_applied": [BAD_UPDATES],
    "read_only_fields_ignored": [BAD_CREATES, BAD_UPDATES],
    "unknown_fields_ignored": [BAD_CREATES],
    "long_phone_truncated": [BAD_CREATES],
    "long_name_truncated": [BAD_CREATES],
    "empty_name_replaced": [BAD_CREATES],
    "unknown_status_dropped": [BAD_CREATES],
    "refused_create_stored": [BAD_CREATES],
    "name_255_refused": [edges.values_at_the_edges_are_accepted],
    # search and filters
    "search_ignores_email": [SEARCH],
    "search_is_case_sensitive": [SEARCH],
    "search_folds_ascii_only": [SEARCH],
    "search_matches_notes": [SEARCH],
    "search_prefix_only": [SEARCH],
    "search_ignores_contact_person": [SEARCH],
    "search_folds_one_side_only": [search.search_accepts_lowercasing_or_case_folding],
    "empty_search_matches_nothing": [readonly.empty_search_filters_nothing],
    "status_filter_ignored": [FILTERS],
    "industry_filter_case_sensitive": [FILTERS],
    "filters_combine_with_or": [FILTERS],
    "industry_filter_is_substring": [FILTERS],
    "industry_index_not_updated": [listing.update_moves_a_client_between_filters],
    # paging and order
    "total_counts_the_page": [PAGES],
    "total_ignores_filters": [PAGES],
    "pages_short_by_one": [PAGES, meta(5)],
    "offset_ignored": [PAGES, readonly.small_pages_agree_with_one_big_page],
    "limit_ignored": [PAGES, meta(2)],
    "limit_100_refused": [edges.paging_parameter_edges, meta(100)],
    "limit_above_100_clamped": [edges.paging_parameter_edges],
    "negative_offset_accepted": [edges.paging_parameter_edges],
    "bad_limit_ignored": [edges.paging_parameter_edges],
    "status_filter_any_case": [edges.paging_parameter_edges],
    "past_the_end_total_zero": [edges.offset_past_the_end_keeps_the_true_total],
    "default_page_of_20": [readonly.paging_defaults_to_limit_50_offset_0],
    "oldest_first": [listing.newest_client_comes_first, readonly.newest_first_on_existing_data],
    "ordered_by_updated_at": [listing.newest_client_comes_first],
    "ordered_by_name": [listing.newest_client_comes_first],
    "active_jobs_exceed_jobs": [readonly.job_counts_are_consistent],
    "list_omits_nulls": [readonly.listed_clients_equal_fetched_ones],
    # errors
    "unknown_id_gives_500": [
        errors.unknown_ids_get_404_on_read,
        errors.unknown_ids_get_404_on_update,
    ],
    "not_a_uuid_gives_400": [errors.unknown_ids_get_404_on_read],
    "accepts_missing_token": [NO_TOKEN, errors.writes_without_a_token_get_401_and_change_nothing],
    "basic_auth_accepted": [NO_TOKEN],
    "put_needs_no_token": [errors.writes_without_a_token_get_401_and_change_nothing],
    "no_www_authenticate": [NO_TOKEN],
    "www_authenticate_basic": [NO_TOKEN],
    "unknown_parameter_accepted": [errors.unknown_query_parameter_gets_400],
    "oversized_body_accepted": [errors.body_over_one_mib_gets_413],
    "oversized_update_accepted": [errors.update_over_one_mib_gets_413],
    "any_body_type_accepted": [errors.body_not_sent_as_json_gets_415],
    "update_body_type_ignored": [errors.update_not_sent_as_json_gets_415],
    "malformed_json_gives_500": [errors.malformed_json_gets_400],
    "errors_as_plain_json": [errors.unknown_ids_get_404_on_read],
    "problem_without_title": [errors.unknown_ids_get_404_on_read],
    "no_allow_on_405": [errors.undeclared_methods_get_405_with_allow],
    "undeclared_method_gives_404": [errors.undeclared_methods_get_405_with_allow],
    "unknown_path_gives_html": [errors.unknown_paths_get_404],
}
PAIRS = [(name, check) for name, checks in CATCHES.items() for check in checks]
ALL_CHECKS = list({id(check): check for _, check in PAIRS}.values())
IMPLEMENTATIONS = {
    "mock": lambda: create_app(db=":memory:", validate_responses=True),
    "second_impl": second_impl.create_app,
}


def check_name(check: Check) -> str:
    if isinstance(check, partial):
        shown = ", ".join(f"{k}={v!r}" for k, v in check.keywords.items() if k != "original")
        return f"{check.func.__name__}({shown})"
    return check.__name__


@pytest.fixture(scope="module", params=sorted(IMPLEMENTATIONS))
def implementation(request: pytest.FixtureRequest) -> Any:
    return IMPLEMENTATIONS[request.param]()


@pytest.fixture(scope="module")
def mock() -> Any:
    return IMPLEMENTATIONS["mock"]()


def planted_api(app: Any, defect: Defect, clients: list[TestClient]) -> ClientsApi:
    """A client for `app`, freshly reset, with one defect planted in front of it."""
    client = TestClient(Planted(app, defect), base_url="http://testserver")
    clients.append(client)
    reset = client.post("/__mock/reset", headers={"Authorization": f"Bearer {TOKEN}"})
    assert reset.status_code == 204, f"reset failed: {reset.status_code} {reset.text}"
    return ClientsApi(client, "http://testserver/api/v1", TOKEN)


@pytest.fixture
def api_with(mock: Any) -> Iterator[Callable[[Defect], ClientsApi]]:
    """A client for the freshly reset mock with one defect planted in front of it."""
    clients: list[TestClient] = []
    yield partial(planted_api, mock, clients=clients)
    for client in clients:
        client.close()


@pytest.fixture
def correct_api(implementation: Any) -> Iterator[ClientsApi]:
    """A client for a freshly reset correct implementation (the mock or the second one)."""
    clients: list[TestClient] = []
    yield planted_api(implementation, defects.no_defect, clients)
    for client in clients:
        client.close()


def test_every_defect_has_a_check() -> None:
    assert set(CATCHES) == set(defects.DEFECTS)
    assert len(CATCHES) >= 60


@pytest.mark.parametrize("check", ALL_CHECKS, ids=check_name)
def test_check_passes_on_correct_implementations(correct_api: ClientsApi, check: Check) -> None:
    check(correct_api)


@pytest.mark.parametrize(
    ("defect", "check"), PAIRS, ids=[f"{name}-{check_name(check)}" for name, check in PAIRS]
)
def test_check_fails_on_the_mock_with_the_defect(api_with: Any, defect: str, check: Check) -> None:
    with pytest.raises(ContractViolation):
        check(api_with(defects.DEFECTS[defect]))


@pytest.mark.slow
def test_whole_suite_fails_on_a_broken_mock_and_shows_how_to_replay(
    run_contract_suite: Any,
) -> None:
    result = run_contract_suite(
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
def test_read_only_mode_passes_where_writing_is_forbidden(run_contract_suite: Any) -> None:
    result = run_contract_suite(
        "--app",
        "tests.contract_suite.defects:mock_variant",
        "--read-only",
        "-q",
        env={"CONTRACT_DEFECT": "writes_forbidden"},
    )
    assert result.returncode == 0, result.stdout[-5000:]
    assert " passed" in result.stdout and " deselected" in result.stdout
