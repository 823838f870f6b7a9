"""Connexion's `extract_content_type`, replaced (mockserver/http/content_type.py), answers what
Connexion's own answers for every shape of headers it is called with."""

from __future__ import annotations

from typing import Any

import pytest
from connexion import utils

from mockserver.app import flask_app
from mockserver.http import content_type

HEADERS: list[Any] = [
    [(b"host", b"x"), (b"content-type", b"application/json; charset=utf-8")],
    [(b"Content-Type", b"text/plain"), (b"content-type", b"application/json")],  # first wins
    [(b"host", b"x")],
    [],
    [("content-type", "application/problem+json")],
    {"Content-Type": "application/json"},
    {"accept": "*/*"},
    [(b"CONTENT-TYPE", b"caf\xe9/x")],  # latin-1, as Connexion decodes
]


@pytest.mark.parametrize("headers", HEADERS)
def test_the_same_answer_as_connexions(headers: Any) -> None:
    assert content_type.extract_content_type(headers) == content_type.CONNEXIONS(headers)


def test_the_app_puts_it_where_connexion_looks_it_up() -> None:
    flask_app(token=None)
    assert utils.extract_content_type is content_type.extract_content_type
