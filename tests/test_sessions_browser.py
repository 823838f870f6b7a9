"""A real browser: two pages, each in its own session through Playwright's extra HTTP headers
(the recipe in docs/mock/sessions.md), see different data on one served mock; the default
session sees neither.

Chromium is driven by tests/browser/sessions.mjs; screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import json
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.testing import served_mock

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
BROWSER_SCRIPTS = REPO / "tests" / "browser"
SCREENSHOTS = REPO / "artifacts" / "screenshots"
TOKEN = "browser-sessions"


class QuietPageHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Silent: a line per page request would bury the output of a failure."""


def test_two_pages_in_two_sessions_see_different_data(tmp_path: Path) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(QuietPageHandler, directory=str(BROWSER_SCRIPTS))
    )
    threading.Thread(target=pages.serve_forever, daemon=True).start()
    page_url = f"http://127.0.0.1:{pages.server_port}/sessions.html"
    try:
        with served_mock(tmp_path, token=TOKEN) as mock:
            finished = subprocess.run(
                [
                    "node",
                    str(BROWSER_SCRIPTS / "sessions.mjs"),
                    mock.api_url,
                    TOKEN,
                    str(SCREENSHOTS),
                    page_url,
                    "alice",
                    "bob",
                ],
                capture_output=True,
                text=True,
                timeout=180,
                cwd=REPO,
            )
            assert finished.returncode == 0, finished.stderr
            default = httpx.get(
                f"{mock.api_url}/clients",
                params={"search": "Browser session client"},
                headers={"Authorization": f"Bearer {TOKEN}"},
            ).json()
    finally:
        pages.shutdown()
        pages.server_close()
    report = {page["session"]: page for page in json.loads(finished.stdout)["pages"]}
    for session in ("alice", "bob"):
        page = report[session]
        assert page["created"] == 201, page
        assert page["names"] == [f"Browser session client {session}"], page
        assert page["total"] == 1
    assert default["meta"]["total"] == 0, "the default session saw a session's client"
