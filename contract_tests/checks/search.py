"""Search: a case-insensitive substring match on name, email and contact_person.

Case-insensitive means lowercasing both sides or full case folding (the API decisions accept
either: SQL ILIKE and search analyzers differ); 'ß' tells them apart, and both are accepted.
"""

from __future__ import annotations

from collections.abc import Callable

from contract_tests.api import RECORD_PREFIX, ClientsApi, unique_marker
from contract_tests.checks.common import create_ok, list_ok, matches_search
from contract_tests.expect import expect

Fold = Callable[[str], str]
FOLDS: dict[str, Fold] = {"lowercasing": str.lower, "full case folding": str.casefold}


def search_matches_name_email_and_contact_person(api: ClientsApi) -> None:
    """Search is a case-insensitive substring match on name, email and contact_person only."""
    marker = unique_marker()
    letters = marker[len(RECORD_PREFIX) :]
    by_name = create_ok(api, {"name": f"{marker} Zoë Ærø Holdings"})
    by_email = create_ok(
        api, {"name": f"{RECORD_PREFIX}email", "email": f"jobs+{letters}@example.com"}
    )
    by_contact = create_ok(
        api, {"name": f"{RECORD_PREFIX}contact", "contact_person": f"Asha {marker}"}
    )
    elsewhere = create_ok(
        api,
        {
            "name": f"{RECORD_PREFIX}elsewhere",
            "address": marker,
            "industry": marker,
            "notes": marker,
            "tags": [marker],
            "metadata": {"marker": marker},
        },
    )
    # An inner part of the marker, in upper case: a substring that differs in case.
    term = letters[2:-2].upper()

    page, response = list_ok(api, "GET /clients?search=...", search=term)
    found = {client["id"] for client in page["data"]}
    for client, field in (
        (by_name, "name"),
        (by_email, "email"),
        (by_contact, "contact_person"),
    ):
        expect(
            client["id"] in found,
            f"search={term!r} missed a client whose {field} contains it"
            f" ({client[field]!r}); search matches {field}, case-insensitively",
            response,
        )
    expect(
        elsewhere["id"] not in found,
        f"search={term!r} returned a client that has it only outside name, email and"
        " contact_person",
        response,
    )
    for client in page["data"]:
        expect(matches_search(client, term), f"search hit does not match: {client!r}", response)
    expect(
        page["meta"]["total"] == 3,
        f"search={term!r} has 3 matches; total says {page['meta']['total']}",
        response,
    )
    # Case-insensitive beyond ASCII too (letters with a one-to-one upper case).
    accented = f"{marker[-4:]} Zoë Ærø".upper()

    page, response = list_ok(api, "GET /clients?search=...", search=accented)
    hits = [client["id"] for client in page["data"]]
    expect(hits == [by_name["id"]], f"search={accented!r} must find {by_name['name']!r}", response)
    # A plus-addressed email is found by its plus part, the '+' sent encoded as %2B.
    plus = f"+{letters[:-4]}"

    page, response = list_ok(api, "GET /clients?search=...", search=plus)
    hits = [client["id"] for client in page["data"]]
    expect(hits == [by_email["id"]], f"search={plus!r} must find {by_email['email']!r}", response)


def search_accepts_lowercasing_or_case_folding(api: ClientsApi) -> None:
    """'ß' lowercases to itself but folds to 'ss': each search must agree with one of the two
    readings of case-insensitive (the same one for every search)."""
    marker = unique_marker()
    letters = marker[len(RECORD_PREFIX) :]
    sharp = create_ok(api, {"name": f"{marker} Straße"})
    double = create_ok(api, {"name": f"{marker} STRASSE"})
    clients = (sharp, double)
    terms = (f"{letters} STRASSE", f"{letters} straße", f"{letters} Strasse")

    answers = {}
    for term in terms:
        page, response = list_ok(api, "GET /clients?search=...", search=term)
        answers[term] = ({client["id"] for client in page["data"]}, response)
    readings = [
        name
        for name, fold in FOLDS.items()
        if all(found == expected_hits(clients, term, fold) for term, (found, _) in answers.items())
    ]
    found_names = {
        term: sorted(c["name"] for c in clients if c["id"] in found)
        for term, (found, _) in answers.items()
    }
    expect(
        readings,
        "search must be case-insensitive by lowercasing both sides or by full case folding;"
        f" these hits fit neither: {found_names}",
        *(response for _, response in answers.values()),
    )


def expected_hits(clients: tuple[dict[str, str], ...], term: str, fold: Fold) -> set[str]:
    return {client["id"] for client in clients if fold(term) in fold(client["name"])}
