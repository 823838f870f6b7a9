"""Hypothesis strategies for request bodies every correct implementation must round-trip.

Bodies are valid by construction and kept to values any JSON stack stores exactly: no floats,
integers well inside 2**53, emails and URLs of a plain shape. The contract's edge cases are the
Schemathesis tests' job; these feed the semantic properties.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.api import RECORD_PREFIX

# Surrogates cannot be encoded, control characters are a separate topic, unassigned ones are noise.
CHARACTERS = st.characters(exclude_categories=("Cs", "Cc", "Cn"))
TEXT = st.text(CHARACTERS, max_size=30)
NON_ASCII_TEXT = st.text(
    st.characters(min_codepoint=0x80, exclude_categories=("Cs", "Cc", "Cn")),
    min_size=1,
    max_size=20,
)
NAMES = TEXT.map(lambda text: RECORD_PREFIX + text)
EMAILS = st.from_regex(r"[a-z0-9]{1,12}(\.[a-z0-9]{1,8})?@example\.(com|org)", fullmatch=True)
WEBSITES = st.from_regex(r"https://[a-z]{1,12}\.example\.com(/[a-z0-9-]{1,10})?", fullmatch=True)
PHONES = st.from_regex(r"\+[0-9]{1,3}( [0-9]{2,5}){1,4}", fullmatch=True)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=8,
)

OPTIONAL_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "email": st.none() | EMAILS,
    "phone": st.none() | PHONES,
    "address": st.none() | TEXT,
    "contact_person": st.none() | TEXT,
    "website": st.none() | WEBSITES,
    "industry": st.none() | TEXT,
    "status": st.sampled_from(["active", "inactive"]),
    "tags": st.lists(TEXT, max_size=4, unique=True),
    "notes": st.none() | TEXT,
    "metadata": st.dictionaries(TEXT, JSON_VALUES, max_size=4),
}


def client_bodies() -> st.SearchStrategy[dict[str, Any]]:
    """Valid createClient bodies: a name, and any subset of the optional fields."""
    return st.fixed_dictionaries({"name": NAMES}, optional=OPTIONAL_FIELDS)


def client_changes() -> st.SearchStrategy[dict[str, Any]]:
    """Valid updateClient bodies: any subset of the fields, the empty object included."""
    return st.fixed_dictionaries({}, optional={"name": NAMES, **OPTIONAL_FIELDS})
