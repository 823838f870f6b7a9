"""A real browser against a served mock: Swagger UI renders the contract, and a page on another
origin creates and reads a client through CORS (preflight for Authorization + JSON included).

Chromium is driven by the Node scripts in tests/browser/; each prints one JSON document that the
tests here judge. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.testing import ServedMock, served_mock
from tests.yaml_text import parse_yaml

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
BROWSER_SCRIPTS = REPO / "tests" / "browser"
SCREENSHOTS = REPO / "artifacts" / "screenshots"
TOKEN = "browser-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
NODE_TIMEOUT_SECONDS = 180


class QuietPageHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Silent: a line per page request would bury the output of a failure."""


@contextmanager
def page_origin() -> Iterator[str]:
    """Serves tests/browser/ on its own loopback port: an origin other than the mock's."""
    handler = partial(QuietPageHandler, directory=str(BROWSER_SCRIPTS))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def run_browser_script(script: str, *arguments: str) -> dict[str, Any]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    finished = subprocess.run(
        ["node", str(BROWSER_SCRIPTS / script), *arguments],
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_SECONDS,
        cwd=REPO,
    )
    assert finished.returncode == 0, f"{script} failed: {finished.stderr.strip()}"
    result: dict[str, Any] = json.loads(finished.stdout)
    return result


def visit_cors_pages(api_url: str, **pages: str) -> dict[str, dict[str, Any]]:
    for label in pages:
        (SCREENSHOTS / f"cors-{label}.png").unlink(missing_ok=True)
    labelled = [f"{label}={origin}/cors.html" for label, origin in pages.items()]
    report = run_browser_script("cors.mjs", api_url, TOKEN, str(SCREENSHOTS), *labelled)
    return {page["label"]: page for page in report["pages"]}


def contract_operations() -> set[tuple[str, str, str, str]]:
    spec = parse_yaml((REPO / "openapi.yaml").read_text())
    return {
        (method.upper(), path, operation["summary"], operation["operationId"])
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def preflight_for(page: dict[str, Any], method: str) -> dict[str, Any]:
    sent = [
        preflight
        for preflight in page["preflights"]
        if preflight.get("request_headers", {}).get("access-control-request-method") == method
    ]
    assert sent, (
        f"Chromium sent no preflight for {method} from {page['origin']}: {page['preflights']}"
    )
    return sent[0]


def clients_named(api_url: str, name: str) -> int:
    found = httpx.get(f"{api_url}/clients", params={"search": name}, headers=AUTH, timeout=10)
    assert found.status_code == 200, found.text
    total: int = found.json()["meta"]["total"]
    return total


def assert_created_and_read_back(page: dict[str, Any]) -> None:
    result = page["result"]
    assert result["ok"], f"the page at {page['origin']} failed: {result}"
    created, read = result["create"], result["read"]
    assert created["status"] == 201
    assert created["body"]["name"] == page["name"]
    assert created["location"] == f"/api/v1/clients/{created['body']['id']}"
    assert read["status"] == 200
    assert read["body"] == created["body"]


@pytest.fixture(scope="module")
def open_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedMock]:
    """One mock with the default CORS policy (every origin), shared to save a startup."""
    with served_mock(tmp_path_factory.mktemp("open-mock")) as mock:
        yield mock


def test_swagger_ui_shows_every_operation_of_the_contract(open_mock: ServedMock) -> None:
    screenshot = SCREENSHOTS / "swagger-ui.png"
    screenshot.unlink(missing_ok=True)
    ui_url = f"{open_mock.base_url}/api/v1/ui/"
    report = run_browser_script("swagger-ui.mjs", ui_url, TOKEN, "listClients", str(screenshot))
    executed = report["executed"]
    same_request = httpx.get(executed["request_url"], headers=AUTH, timeout=10)
    shown = {
        (op["method"], op["path"], op["summary"], op["element_id"].rsplit("-", 1)[-1])
        for op in report["operations"]
    }
    expected = contract_operations()
    assert {operation_id for *_, operation_id in expected} == {
        "listClients",
        "createClient",
        "getClient",
        "updateClient",
    }
    assert shown == expected
    assert report["title"].startswith("Clients API")
    # Authorize + Try it out + Execute reached the mock through the document's server URL.
    assert executed["request_url"].startswith(f"{open_mock.api_url}/clients")
    assert executed["status"] == 200
    assert json.loads(executed["body"]) == same_request.json()
    assert screenshot.stat().st_size > 0


def test_page_on_another_origin_creates_and_reads_a_client(open_mock: ServedMock) -> None:
    with page_origin() as origin:
        page = visit_cors_pages(open_mock.api_url, open=origin)["open"]
    assert_created_and_read_back(page)
    assert clients_named(open_mock.api_url, page["name"]) == 1
    preflight = preflight_for(page, "POST")
    asked = preflight["request_headers"]["access-control-request-headers"].split(",")
    assert {"authorization", "content-type"} <= set(asked)
    assert 200 <= preflight["status"] < 300
    assert preflight["response_headers"]["access-control-allow-origin"] in {origin, "*"}
    assert (SCREENSHOTS / "cors-open.png").stat().st_size > 0


def test_restricted_cors_lets_the_listed_origin_in_and_blocks_a_third(tmp_path: Path) -> None:
    with (
        page_origin() as allowed,
        page_origin() as third,
        served_mock(tmp_path, cors_origins=allowed) as mock,
    ):
        pages = visit_cors_pages(mock.api_url, allowed=allowed, third=third)
        assert_created_and_read_back(pages["allowed"])
        assert clients_named(mock.api_url, pages["allowed"]["name"]) == 1
        # The browser stops at the failed preflight, so the POST never reaches the mock.
        assert clients_named(mock.api_url, pages["third"]["name"]) == 0
    blocked = pages["third"]
    assert blocked["result"] == {"ok": False, "error": "TypeError: Failed to fetch"}
    assert any("blocked by CORS policy" in error for error in blocked["console_errors"])
    assert "access-control-allow-origin" not in preflight_for(blocked, "POST")["response_headers"]
    assert (SCREENSHOTS / "cors-third.png").stat().st_size > 0
