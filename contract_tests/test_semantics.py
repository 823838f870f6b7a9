"""Promises of the contract that its schema cannot state, one test per promise.

Tests marked `writes` create their own records (named `contract-test-...`) and look only at
those; the others only read, whatever data the deployment holds.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from contract_tests.api import ClientsApi
from contract_tests.checks import edges, errors, listing, readonly, resource, search
from contract_tests.run import RUN
from contract_tests.strategies import NON_ASCII_TEXT, client_bodies, client_changes

# The store is reset per test, not per example: every example makes records of its own.
semantic = settings(
    max_examples=RUN.profile.semantic_examples,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FULL_CLIENT = {
    "name": "contract-test-full",
    "email": "Full.Name+jobs@example.com",
    "phone": "+91 98765 43210",
    "address": "1 Road\nCity",
    "contact_person": "Jane Smith",
    "website": "https://full.example.com",
    "industry": "Technology",
    "status": "inactive",
    "tags": ["a", "b"],
    "notes": "notes",
    "metadata": {"x": 1, "y": {"z": [1, 2]}},
}
writes = pytest.mark.writes


@writes
@semantic
@given(body=client_bodies())
@example(body=FULL_CLIENT)
def test_a_created_client_equals_what_was_sent(
    clients_api: ClientsApi, body: dict[str, Any]
) -> None:
    resource.created_client_matches_what_was_sent(clients_api, body)


@writes
def test_a_new_client_is_active_with_empty_defaults(clients_api: ClientsApi) -> None:
    resource.new_client_gets_the_defaults(clients_api)


@writes
def test_location_points_at_the_created_client(clients_api: ClientsApi) -> None:
    resource.location_points_at_the_created_client(clients_api)


@writes
@semantic
@given(original=client_bodies(), changes=client_changes())
@example(original=FULL_CLIENT, changes={})
@example(original=FULL_CLIENT, changes={"phone": None, "tags": ["c"], "metadata": {"w": 0}})
@example(original=FULL_CLIENT, changes={"name": "contract-test-renamed", "status": "active"})
def test_an_update_changes_exactly_the_fields_sent(
    clients_api: ClientsApi, original: dict[str, Any], changes: dict[str, Any]
) -> None:
    resource.update_changes_exactly_the_fields_sent(clients_api, original, changes)


@writes
@semantic
@given(text=NON_ASCII_TEXT)
@example(text="Zoë Ünïcödé 北京 مرحبا 🚀 e\u0301 ﬁ")
def test_unicode_round_trips(clients_api: ClientsApi, text: str) -> None:
    resource.unicode_round_trips(clients_api, text)


@writes
def test_search_matches_name_email_and_contact_person(clients_api: ClientsApi) -> None:
    search.search_matches_name_email_and_contact_person(clients_api)


@writes
def test_search_accepts_lowercasing_or_case_folding(clients_api: ClientsApi) -> None:
    search.search_accepts_lowercasing_or_case_folding(clients_api)


@writes
def test_an_update_moves_a_client_between_filters(clients_api: ClientsApi) -> None:
    listing.update_moves_a_client_between_filters(clients_api)


@writes
def test_invalid_creates_get_400_and_create_nothing(clients_api: ClientsApi) -> None:
    edges.invalid_creates_get_400_and_create_nothing(clients_api)


@writes
def test_invalid_updates_get_400_and_change_nothing(clients_api: ClientsApi) -> None:
    edges.invalid_updates_get_400_and_change_nothing(clients_api)


@writes
def test_values_at_the_edges_are_accepted(clients_api: ClientsApi) -> None:
    edges.values_at_the_edges_are_accepted(clients_api)


@writes
def test_an_update_over_one_mib_gets_413(clients_api: ClientsApi) -> None:
    errors.update_over_one_mib_gets_413(clients_api)


@writes
def test_an_update_not_sent_as_json_gets_415(clients_api: ClientsApi) -> None:
    errors.update_not_sent_as_json_gets_415(clients_api)


@writes
def test_malformed_json_gets_400(clients_api: ClientsApi) -> None:
    errors.malformed_json_gets_400(clients_api)


@writes  # a server that wrongly implements PATCH or DELETE could change data
def test_undeclared_methods_get_405_with_allow(clients_api: ClientsApi) -> None:
    errors.undeclared_methods_get_405_with_allow(clients_api)


def test_unknown_paths_get_404(clients_api: ClientsApi) -> None:
    errors.unknown_paths_get_404(clients_api)


def test_paging_parameter_edges(clients_api: ClientsApi) -> None:
    edges.paging_parameter_edges(clients_api)


def test_an_offset_past_the_end_keeps_the_true_total(clients_api: ClientsApi) -> None:
    edges.offset_past_the_end_keeps_the_true_total(clients_api)


@writes
def test_status_and_industry_filters_select_exactly_and_combine(clients_api: ClientsApi) -> None:
    listing.filters_select_exactly_the_matches_and_combine(clients_api)


@writes
def test_pages_are_disjoint_and_cover_every_match(clients_api: ClientsApi) -> None:
    listing.pages_are_disjoint_and_cover_every_match(clients_api)


@writes
def test_newest_client_comes_first(clients_api: ClientsApi) -> None:
    listing.newest_client_comes_first(clients_api)


@writes
def test_writes_without_a_token_get_401_and_change_nothing(clients_api: ClientsApi) -> None:
    errors.writes_without_a_token_get_401_and_change_nothing(clients_api)


@writes
def test_updating_an_unknown_id_gets_404(clients_api: ClientsApi) -> None:
    errors.unknown_ids_get_404_on_update(clients_api)


@writes
def test_a_body_over_one_mib_gets_413(clients_api: ClientsApi) -> None:
    errors.body_over_one_mib_gets_413(clients_api)


@writes
def test_a_body_not_sent_as_json_gets_415(clients_api: ClientsApi) -> None:
    errors.body_not_sent_as_json_gets_415(clients_api)


def test_reads_without_a_token_get_401(clients_api: ClientsApi) -> None:
    errors.reads_without_a_token_get_401(clients_api)


def test_reading_an_unknown_id_gets_404(clients_api: ClientsApi) -> None:
    errors.unknown_ids_get_404_on_read(clients_api)


def test_an_unknown_query_parameter_gets_400(clients_api: ClientsApi) -> None:
    errors.unknown_query_parameter_gets_400(clients_api)


@semantic
@given(limit=st.integers(1, 100), offset=st.integers(0, 120))
@example(limit=1, offset=0)
@example(limit=100, offset=10_000)
def test_meta_echoes_limit_and_offset(clients_api: ClientsApi, limit: int, offset: int) -> None:
    readonly.meta_echoes_limit_and_offset(clients_api, limit, offset)


def test_paging_defaults_to_limit_50_offset_0(clients_api: ClientsApi) -> None:
    readonly.paging_defaults_to_limit_50_offset_0(clients_api)


def test_an_empty_search_filters_nothing(clients_api: ClientsApi) -> None:
    readonly.empty_search_filters_nothing(clients_api)


def test_small_pages_agree_with_one_big_page(clients_api: ClientsApi) -> None:
    readonly.small_pages_agree_with_one_big_page(clients_api)


def test_existing_clients_are_listed_newest_first(clients_api: ClientsApi) -> None:
    readonly.newest_first_on_existing_data(clients_api)


def test_active_jobs_count_never_exceeds_jobs_count(clients_api: ClientsApi) -> None:
    readonly.job_counts_are_consistent(clients_api)


def test_a_listed_client_equals_the_client_fetched_by_id(clients_api: ClientsApi) -> None:
    readonly.listed_clients_equal_fetched_ones(clients_api)


def test_search_finds_an_existing_client(
    existing_client: dict[str, Any], clients_api: ClientsApi
) -> None:
    readonly.search_finds_an_existing_client(clients_api, existing_client)


def test_filters_keep_only_matches(
    existing_client: dict[str, Any], clients_api: ClientsApi
) -> None:
    readonly.filters_keep_only_matches(clients_api, existing_client)


@pytest.fixture
def existing_client(clients_api: ClientsApi) -> dict[str, Any]:
    """A client already there whose name and industry are ASCII (their case swaps cleanly)."""
    page = clients_api.list(limit=100).json()
    for client in page["data"]:
        if client["name"].isascii() and client["industry"] and client["industry"].isascii():
            return dict(client)
    pytest.skip("the deployment holds no client with an ASCII name and an industry to read")
