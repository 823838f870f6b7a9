"""The contract suite in parallel on one served mock: each xdist worker in its own session."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from contract_tests.options import records_path, with_worker_session
from mockserver.testing import served_mock

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
TOKEN = "parallel-suite"


def test_two_workers_pass_on_one_mock_each_in_its_own_session(tmp_path: Path) -> None:
    """Two, not four: each worker collects the whole suite (~3 s of CPU), and two already share
    the mock; a third or fourth would show nothing new."""
    with served_mock(tmp_path / "store") as mock:
        command = [
            *(sys.executable, "-m", "pytest", "contract_tests", "-n", "2", "-q"),
            *("-p", "no:cacheprovider", "--base-url", mock.api_url, "--token", TOKEN),
            *("--records-file", str(tmp_path / "records.json")),
            # Schemathesis' requests and the suite's own, all with the worker's session; the
            # stateful workflows send theirs the same way and only add time.
            *("-k", "not test_workflows"),
        ]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=280)
        assert done.returncode == 0, done.stdout[-4000:]
        request = urllib.request.Request(
            mock.base_url + "/__mock/sessions", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        with urllib.request.urlopen(request) as answer:
            sessions = json.load(answer)["data"]
    workers = {s["name"].rsplit("-", 1)[-1] for s in sessions if s["name"].startswith("contract-")}
    assert workers == {"gw0", "gw1"}
    default = next(s for s in sessions if s["name"] == "default")
    assert default["requests"] == 0  # nothing reached the shared default session
    assert sorted(p.name for p in tmp_path.glob("records.gw*.json")) == [
        f"records.gw{n}.json" for n in range(2)
    ]


def test_a_session_given_with_header_wins_and_no_worker_means_no_session() -> None:
    worker = {"PYTEST_XDIST_WORKER": "gw1", "PYTEST_XDIST_TESTRUNUID": "abcdef0123456789"}
    assert with_worker_session((), worker) == (("X-Mock-Session", "contract-abcdef012345-gw1"),)
    given = (("x-mock-session", "mine"),)
    assert with_worker_session(given, worker) == given
    assert with_worker_session((("X-Tenant", "t"),), {}) == (("X-Tenant", "t"),)


def test_each_worker_writes_its_own_records_file() -> None:
    class Option:
        records_file = "out/created.json"
        base_url = "http://staging.example/api/v1"

    assert records_path(Option(), {"PYTEST_XDIST_WORKER": "gw2"}) == "out/created.gw2.json"
    assert records_path(Option(), {}) == "out/created.json"
