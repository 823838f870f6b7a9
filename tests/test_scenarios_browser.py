"""The Playwright recipes of docs/mock/unhappy-paths.md, run in headless Chromium against a demo
frontend (tests/browser/clients-app.html) on its own origin and a served mock."""

from __future__ import annotations

import json
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mockserver.testing import served_mock

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
BROWSER_SCRIPTS = REPO / "tests" / "browser"
SCREENSHOTS = REPO / "artifacts" / "screenshots"
TOKEN = "recipe-token"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Silent: a line per page request would bury the output of a failure."""


@pytest.fixture(scope="module")
def recipes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    handler = partial(QuietHandler, directory=str(BROWSER_SCRIPTS))
    pages = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=pages.serve_forever, daemon=True)
    thread.start()
    try:
        with served_mock(tmp_path_factory.mktemp("recipes"), token=TOKEN) as mock:
            app_page = f"http://127.0.0.1:{pages.server_port}/clients-app.html"
            command = ["node", str(BROWSER_SCRIPTS / "scenarios.mjs")]
            finished = subprocess.run(
                [*command, mock.base_url, TOKEN, str(SCREENSHOTS), app_page],
                capture_output=True,
                text=True,
                timeout=180,
                cwd=REPO,
            )
    finally:
        pages.shutdown()
        pages.server_close()
    assert finished.returncode == 0, finished.stderr
    result: dict[str, Any] = json.loads(finished.stdout)
    return result


def test_failed_create_shows_the_banner_and_the_retry_succeeds(recipes: dict[str, Any]) -> None:
    seen = recipes["failed_create"]
    assert "could not be created: the server answered 503" in seen["banner"]
    assert seen["heading"] == "Initech"


def test_slow_list_shows_the_spinner_for_the_delay(recipes: dict[str, Any]) -> None:
    seen = recipes["slow_list"]
    assert seen["spinner"] == "Loading clients..."
    assert seen["waited_ms"] >= 1500
    assert seen["spinner_after"] == 0


def test_dropped_connection_shows_a_network_error_and_retry_recovers(
    recipes: dict[str, Any],
) -> None:
    seen = recipes["dropped_connection"]
    assert seen["alert"].startswith("Network error")
    assert seen["items"] == 10


def test_404_page(recipes: dict[str, Any]) -> None:
    assert recipes["not_found_page"]["heading"] == "Client not found"


def test_the_journal_verifies_the_call_the_page_made(recipes: dict[str, Any]) -> None:
    seen = recipes["verify_call"]
    assert (seen["total"], seen["status"]) == (1, 201)
    assert seen["body"] == {"name": "Initech"}
