"""The suite's CI machinery on its own: which reads wait under --settle, which requests a token
command renews, what --max-time cuts (served end to end in tests/test_contract_suite_ci.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from contract_tests.budget import Budget
from contract_tests.settling import Exchange, Settling, must_match
from contract_tests.tokens import TokenCommandFailed, TokenSource, send_with_token

API = "http://h/api/v1/clients"
CLIENT = {"id": "a", "name": "Straße Holdings", "status": "active", "industry": "Retail"}


def exchange(method: str, url: str, status: int, body: Any) -> Exchange:
    return Exchange(method, url, status, json.dumps(body).encode())


def page(*clients: dict[str, Any], total: int | None = None) -> dict[str, Any]:
    return {"data": list(clients), "meta": {"total": len(clients) if total is None else total}}


@pytest.fixture
def settling() -> Settling:
    settling = Settling(settle=5)
    settling.note_write(exchange("POST", API, 201, CLIENT))
    return settling


def test_a_read_disagrees_with_a_recent_write_until_it_shows(settling: Settling) -> None:
    updated = {**CLIENT, "status": "inactive"}
    late = [
        exchange("GET", f"{API}/a", 404, {}),
        exchange("GET", f"{API}/a", 200, {**CLIENT, "status": "inactive"}),
        exchange("GET", f"{API}/b", 404, {}),  # not written by the suite
        exchange("GET", API, 200, page()),  # the whole list, without it
        exchange("GET", f"{API}?status=active", 200, page(updated)),  # an older version
        exchange("GET", f"{API}?limit=1&offset=0", 200, page({"id": "z"}, total=1)),  # total
    ]
    agreeing = [
        exchange("GET", f"{API}/a", 200, CLIENT),
        exchange("GET", f"{API}/b", 404, {}),
        exchange("GET", f"{API}?status=inactive", 200, page()),  # it does not match
        exchange("GET", f"{API}?limit=1&offset=0", 200, page({"id": "z"}, total=2)),  # page 2
        exchange("GET", f"{API}/a", 401, {}),  # not an answer about the record
    ]
    assert [settling.disagreeing_write(e) is not None for e in late] == [
        True,
        True,
        False,
        True,
        True,
        True,
    ]
    assert all(settling.disagreeing_write(e) is None for e in agreeing)
    assert Settling(settle=0).disagreeing_write(late[0]) is None


def test_a_list_waits_only_for_what_every_reading_of_case_insensitive_finds() -> None:
    assert must_match(CLIENT, {"search": "STRAßE"})  # lowercasing and folding both find it
    assert not must_match(CLIENT, {"search": "strasse"})  # only folding does
    assert must_match(CLIENT, {"industry": "RETAIL", "status": "active"})
    assert not must_match(CLIENT, {"industry": "Reta"})
    assert not must_match(CLIENT, {"sort": "name"})  # unknown parameter: a 400, not a list


def test_settling_resends_until_the_read_agrees(settling: Settling) -> None:
    answers = iter([(404, {}), (404, {}), (200, CLIENT)])
    sent = []

    def send_once() -> tuple[int, Any]:
        sent.append(1)
        return next(answers)

    status, body = settling.send(send_once, lambda r: exchange("GET", f"{API}/a", *r))
    assert (status, body, len(sent)) == (200, CLIENT, 3)


def test_a_read_that_never_agrees_is_handed_over_when_the_window_ends() -> None:
    settling = Settling(settle=0.3)
    settling.note_write(exchange("POST", API, 201, CLIENT))
    gave_up: list[float] = []
    status, _ = settling.send(
        lambda: (404, {}),
        lambda r: exchange("GET", f"{API}/a", *r),
        lambda response, seconds: gave_up.append(seconds),
    )
    assert status == 404 and len(gave_up) == 1 and gave_up[0] >= 0.3


def counter_command(tmp_path: Path) -> str:
    script = tmp_path / "issue.py"
    script.write_text(
        "import pathlib\n"
        f"counter = pathlib.Path({str(tmp_path / 'n')!r})\n"
        "n = int(counter.read_text()) + 1 if counter.exists() else 1\n"
        "counter.write_text(str(n))\n"
        "print(f'  token-{n}  ')\n"
    )
    return f"{sys.executable} {script}"


def test_a_401_to_our_token_renews_it_once_and_resends(tmp_path: Path) -> None:
    tokens = TokenSource(counter_command(tmp_path))
    assert tokens.token == "token-1"  # stripped
    headers = {"Authorization": "Bearer token-1"}
    answers = iter([401, 200])
    status = send_with_token(
        tokens,
        lambda: (next(answers), headers["Authorization"])[0],
        lambda: headers["Authorization"],
        lambda value: headers.__setitem__("Authorization", value),
        lambda r: r,
        lambda r: None,
    )
    assert status == 200 and headers["Authorization"] == "Bearer token-2"
    assert len(tokens.notices) == 1
    # A second request still carrying the expired token is resent without running it again.
    assert tokens.refreshed_after("token-1", 401) == "token-2" and len(tokens.issued) == 2
    # A wrong token on purpose is nobody's to renew.
    wrong = {"Authorization": "Bearer wrong"}
    status = send_with_token(
        tokens,
        lambda: 401,
        lambda: wrong["Authorization"],
        lambda value: wrong.__setitem__("Authorization", value),
        lambda r: r,
        lambda r: None,
    )
    assert status == 401 and wrong["Authorization"] == "Bearer wrong" and len(tokens.issued) == 2


def test_a_token_command_that_prints_nothing_stops_the_run() -> None:
    with pytest.raises(TokenCommandFailed, match="no token"):
        TokenSource("true")


def test_a_spent_budget_skips_new_cases_but_never_the_shrinking_of_a_failure() -> None:
    budget = Budget(seconds=60)
    budget.next_case("GET /clients")
    budget.next_case("POST /clients")
    with pytest.raises(AssertionError), budget.failing("POST /clients"):
        raise AssertionError("a failing case")
    budget.seconds = 0  # spent
    try:  # Hypothesis replays the failure to shrink it: not cut (a skip would hide it)
        budget.next_case("POST /clients")
    except pytest.skip.Exception:
        pytest.fail("the budget cut the shrinking of a failing case")
    with pytest.raises(pytest.skip.Exception, match="GET /clients stopped after 1 case"):
        budget.next_case("GET /clients")
    with pytest.raises(pytest.skip.Exception, match="stateful phase not reached"):
        budget.next_case("stateful phase")
    assert budget.summary()[1:] == [
        "cut short: GET /clients (1 cases)",
        "not reached: stateful phase",
    ]
    assert Budget().summary() == []
