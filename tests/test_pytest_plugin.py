"""The pytest plugin (mockserver/pytest_plugin.py), as a team's test suite uses it: generated
test files run by pytester in a subprocess, where the plugin loads through its entry point."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockserver.testing import ServedMock, served_mock

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.slow

TOKEN = "plugin-token"

USES_EVERY_FIXTURE = """
import httpx

def test_the_fixtures_serve_a_session_with_rules_and_verification(
    mock_server, mock_session, mock_client
):
    assert isinstance(mock_client, httpx.Client)
    assert mock_client.headers["X-Mock-Session"] == mock_session.name
    created = mock_client.post("/clients", json={"name": "Plugin Ltd"})
    assert created.status_code == 201
    mock_session.add_rule(operation="getClient", status=404, times=1)
    assert mock_client.get("/clients/" + created.json()["id"]).status_code == 404
    mock_session.verify(operation="createClient", body={"name": "Plugin Ltd"}, times=1)
    assert [r["method"] for r in mock_session.requests()] == ["POST", "GET"]
    default = httpx.get(mock_server.api_url + "/clients", params={"search": "Plugin Ltd"},
                        headers={"Authorization": "Bearer " + mock_server.token})
    assert default.json()["meta"]["total"] == 0, "the write stayed in the test's session"
"""

ISOLATED = """
import pytest

@pytest.mark.parametrize("number", range({count}))
def test_each_test_sees_the_fixtures_and_its_own_write(mock_client, mock_session, number):
    before = mock_client.get("/clients").json()["meta"]["total"]
    mock_client.post("/clients", json={{"name": f"Test {{number}}"}})
    listed = mock_client.get("/clients", params={{"search": "Test "}}).json()
    assert [c["name"] for c in listed["data"]] == [f"Test {{number}}"]
    assert mock_client.get("/clients").json()["meta"]["total"] == before + 1
    with open({names!r}, "a") as names:
        names.write(mock_session.name + "\\n")
"""


@pytest.fixture(scope="module")
def running_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedMock]:
    with served_mock(tmp_path_factory.mktemp("plugin"), token=TOKEN, workers=1) as served:
        yield served


def control(served: ServedMock) -> httpx.Client:
    return httpx.Client(
        base_url=served.base_url + "/__mock", headers={"Authorization": f"Bearer {TOKEN}"}
    )


def test_a_generated_test_using_the_fixtures_passes_on_a_mock_served_for_the_run(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(USES_EVERY_FIXTURE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_with_mock_url_the_tests_use_that_mock_and_delete_their_sessions(
    pytester: pytest.Pytester, running_mock: ServedMock, tmp_path: Path
) -> None:
    names = tmp_path / "sessions.txt"
    pytester.makepyfile(ISOLATED.format(count=3, names=str(names)))
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--mock-url", running_mock.api_url, "--mock-token", TOKEN
    )
    result.assert_outcomes(passed=3)
    used = names.read_text().split()
    assert len(set(used)) == 3, "one session per test"
    with control(running_mock) as mock:
        journal = [mock.get(f"/sessions/{name}") for name in used]
        assert [answer.status_code for answer in journal] == [404] * 3, "deleted afterwards"
        listed = mock.get("/sessions").json()["data"]
        assert [session["name"] for session in listed] == ["default"]


def test_without_the_token_a_mock_started_with_one_refuses_the_session(
    pytester: pytest.Pytester, running_mock: ServedMock, tmp_path: Path
) -> None:
    pytester.makepyfile(ISOLATED.format(count=1, names=str(tmp_path / "names.txt")))
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--mock-url", running_mock.base_url
    )
    result.assert_outcomes(failed=1, errors=1)


def test_under_xdist_each_test_gets_its_own_session_whichever_worker(
    pytester: pytest.Pytester, running_mock: ServedMock, tmp_path: Path
) -> None:
    names = tmp_path / "sessions.txt"
    pytester.makepyfile(ISOLATED.format(count=6, names=str(names)))
    result = pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        "-n",
        "2",
        "--mock-url",
        running_mock.base_url,
        "--mock-token",
        TOKEN,
    )
    result.assert_outcomes(passed=6)
    used = names.read_text().split()
    assert len(set(used)) == 6
    assert {name.split("-")[1] for name in used} == {"gw0", "gw1"}, "both workers ran tests"


def test_the_plugin_imports_nothing_heavy_until_a_fixture_is_used() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, mockserver.pytest_plugin; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for heavy in ("httpx", "connexion", "flask", "mockserver.testing", "tinydb"):
        assert f"'{heavy}'" not in loaded, heavy
