"""The Playwright fixture recipe (tests/recipes/mock-fixtures.mjs) run by @playwright/test in the
system's Chromium: three tests in two workers write the same name, each sees only its own, and
every session is deleted afterwards."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx
import pytest

from mockserver.testing import served_mock

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "tests" / "recipes" / "playwright" / "playwright.config.mjs"
TOKEN = "playwright-recipe"


def test_each_playwright_test_gets_its_own_session_deleted_afterwards(tmp_path: Path) -> None:
    names = tmp_path / "sessions.txt"
    with served_mock(tmp_path, token=TOKEN, workers=1) as mock:
        finished = subprocess.run(
            [str(REPO / "node_modules" / ".bin" / "playwright"), "test", "--config", str(CONFIG)],
            capture_output=True,
            text=True,
            timeout=240,
            cwd=REPO,
            env={
                **os.environ,
                "MOCK_URL": mock.base_url,
                "MOCK_TOKEN": TOKEN,
                "NAMES_FILE": str(names),
            },
        )
        report = json.loads(finished.stdout)
        sessions = httpx.get(
            mock.base_url + "/__mock/sessions", headers={"Authorization": f"Bearer {TOKEN}"}
        ).json()["data"]
    assert report["stats"]["expected"] == 3, finished.stdout[-3000:] + finished.stderr[-2000:]
    assert report["stats"]["unexpected"] == 0
    used = names.read_text().split()
    assert len(set(used)) == 3, "one session per test"
    assert {name.split("-")[1] for name in used} == {"0", "1"}, "both workers ran tests"
    assert [session["name"] for session in sessions] == ["default"], "deleted after each test"
