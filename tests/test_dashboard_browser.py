"""The dashboard in Chromium (tests/browser/dashboard.mjs) against a mock with --token and two
workers: the token asked for, the live journal, filters, a request's detail and copy as curl,
sessions (export, import, reset, delete), rules (added from the form and seen answering the
app, removed), requests carrying script shown as text with none of it run, axe-core at desktop
and phone widths, the keyboard. Screenshots go to artifacts/screenshots/ only: the docs site's
pictures are shot by its build (scripts/docs_screenshots.mjs), never into the tree."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver.testing import ServedMock, served_mock
from tests.test_browser import SCREENSHOTS, run_browser_script

pytestmark = pytest.mark.slow

TOKEN = "dashboard-browser-token"
VIEWS = (
    "token",
    "requests",
    "sessions",
    "rules",
    "requests-phone",
    "sessions-phone",
    "rules-phone",
)
SESSION = "dash-live"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    for view in VIEWS:
        (SCREENSHOTS / f"dashboard-{view}.png").unlink(missing_ok=True)
    folder = tmp_path_factory.mktemp("dashboard")
    with served_mock(folder, workers=2, token=TOKEN) as mock:
        yield run_dashboard(mock)


def run_dashboard(mock: ServedMock) -> dict[str, Any]:
    return run_browser_script("dashboard.mjs", mock.base_url, TOKEN, str(SCREENSHOTS))


def test_the_page_asks_for_the_token_and_refuses_a_wrong_one(report: dict[str, Any]) -> None:
    assert report["tokenAsked"] and report["tokenAccepted"]


def test_new_requests_appear_live_whichever_worker_served_them(report: dict[str, Any]) -> None:
    # Each request went on its own connection; the ids name the worker (<pid>.<n>).
    workers = {row["id"].split(".")[0] for row in report["rows"]}
    assert len(workers) == 2, report["rows"]
    assert max(report["latenciesMs"]) < 1000, report["latenciesMs"]
    assert "live" in report["feedState"] and "skipped" not in report["feedState"]


def test_rows_say_what_answered_and_why(report: dict[str, Any]) -> None:
    rows = [row["cells"] for row in report["rows"]]
    # time, method, path, status, ms, why
    assert ["GET", "/api/v1/clients?limit=0", "400"] in [cells[1:4] for cells in rows]
    whys = [(cells[2], cells[5]) for cells in rows]
    assert (
        "/api/v1/clients?limit=0",
        "problem: query parameter 'limit': 0 is less than the minimum of 1",
    ) in whys
    assert (
        "/api/v1/clients",
        "problem: Prefer: listClients does not declare the status 500; it declares 200, 400, 401",
    ) in whys
    assert ("/api/v1/clients", "the mock's handler") in whys


def test_filters_by_operation_status_and_text(report: dict[str, Any]) -> None:
    assert report["filteredByOperation"] == ["POST", "POST"]
    assert report["filteredByStatus"] and set(report["filteredByStatus"]) <= {"400", "404"}
    assert report["filteredByText"] == [
        next(c[2] for c in (r["cells"] for r in report["rows"]) if "live-3-" in c[2])
    ]


def test_a_click_shows_headers_and_body_and_copies_a_curl(report: dict[str, Any]) -> None:
    detail = report["plainDetail"]
    assert detail["heading"] == "POST /api/v1/clients → 201"
    assert '"name": "Dash Created"' in detail["body"]
    assert ["x-mock-session", SESSION] in detail["headers"]
    assert ["authorization", "<redacted>"] in detail["headers"]
    assert report["clipboard"] == detail["curl"]
    assert detail["curl"].startswith("curl -X POST 'http://127.0.0.1:")
    assert '-H "Authorization: Bearer $MOCK_TOKEN"' in detail["curl"]
    assert '--data-raw \'{"name":"Dash Created"}\'' in detail["curl"]


def test_script_in_paths_headers_and_bodies_is_shown_as_text_and_never_runs(
    report: dict[str, Any],
) -> None:
    hostile = report["hostileDetail"]
    assert hostile["heading"].startswith("GET /api/v1/clients/<img src=x onerror=window.__pwned=1>")
    assert ["x-evil", '<script>window.__pwned=2;console.log("pwned")</script>'] in hostile[
        "headers"
    ]
    assert any("onerror" in row["cells"][2] for row in report["rows"])
    assert report["pwned"] is None
    assert report["injectedElements"] == 0
    assert not [line for line in report["console"] if "pwned" in line]


def test_sessions_export_import_reset_and_delete(report: dict[str, Any]) -> None:
    name, clients, requests, *_ = report["sessionRow"]
    assert name == SESSION and int(clients) == 46 and int(requests) >= 1
    assert report["exportedName"] == f"session-{SESSION}.json"
    exported = report["exported"]["clients"]
    assert "Dash Created" in {client["name"] for client in exported}
    assert report["importNotice"] == f"Imported {len(exported)} clients into dash-copy."
    # The copy held the export (seen in its row before the reset); the reset put it back to the
    # fixtures, and the delete forgot it.
    assert '"total":0' in report["afterResetCopy"]["body"]
    assert report["copyDeleted"] == 404


def test_a_rule_added_in_the_form_answers_the_app_and_can_be_removed(
    report: dict[str, Any],
) -> None:
    declared = report["statusOptionsForCreate"]
    assert "201 (declared)" in declared and "400 (declared)" in declared
    # createClient declares 503 (a write that cannot be made durable); a gateway's 502 it does not.
    assert "503 (declared)" in declared and "502 (outside the contract)" in declared
    assert report["faultOptions"] == ["none", "reset", "hang"]
    rule_id, matches, does, left, hits, _ = report["ruleRow"]
    assert matches == "createClient" and does.startswith("answers 503")
    assert (left, hits) == ("1", "0")
    assert (report["ruleAnswer"]["status"], report["ruleAnswer"]["rule"]) == (503, rule_id)
    assert "fault" in report["ruleError"], report["ruleError"]
    assert report["rulesAfterRemove"] == 0
    assert report["ruleWhy"] == f"rule {rule_id}"


def test_no_serious_or_critical_accessibility_violation(report: dict[str, Any]) -> None:
    checked = {run["label"] for run in report["violations"]}
    assert {"token dialog", "requests", "sessions", "rules", "rules (phone)"} <= checked
    serious = [
        (run["label"], violation)
        for run in report["violations"]
        for violation in run["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_usable_by_keyboard_and_at_phone_width(report: dict[str, Any]) -> None:
    keyboard = report["keyboard"]
    reached = " | ".join(keyboard["reached"])
    for control in ("select:Session", "a:Requests", "a:Sessions", "a:Rules", "Clear journal"):
        assert control in reached, reached
    assert "button.link" not in reached  # named by their path instead
    assert any(item.startswith("button:/api/v1/") for item in keyboard["reached"]), reached
    assert keyboard["sessionsShown"] and keyboard["detailShown"]
    assert report["phoneOverflow"] <= 0


def test_clearing_the_journal_from_the_page(report: dict[str, Any]) -> None:
    assert report["afterClear"] == 0


def test_screenshots_of_each_view(report: dict[str, Any]) -> None:
    for view in VIEWS:
        assert (SCREENSHOTS / f"dashboard-{view}.png").stat().st_size > 0
    # The browser logs each refused call (the wrong token's 401s, the refused rule's 400); no
    # other error, and no exception in the page.
    expected = ("401 (Unauthorized)", "400 (Bad Request)")
    errors = [line for line in report["console"] if line.startswith(("error", "pageerror"))]
    assert [line for line in errors if not line.endswith(expected)] == []


def test_the_shipped_files_hold_no_inline_script_and_no_markup_sink() -> None:
    static = Path(__file__).resolve().parent.parent / "mockserver" / "dashboard" / "static"
    html = (static / "index.html").read_text()
    assert "<script>" not in html and " on" not in html.replace(" one", "")
    for script in static.glob("*.js"):
        text = script.read_text()
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text, script.name
