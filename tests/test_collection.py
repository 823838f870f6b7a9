"""Every collected test has an id of its own: pytest-xdist schedules by id, so tests sharing one
would silently not run (Schemathesis 4.32 on pytest 9.2 gives all operations of a test one id;
tests/conftest.py mends it)."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCHEMATHESIS_TESTS = ["tests/test_control_api_contract.py", "contract_tests/test_operations.py"]


def test_every_schemathesis_operation_has_an_id_of_its_own() -> None:
    collected = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            *SCHEMATHESIS_TESTS,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    ids = [line for line in collected.stdout.splitlines() if "::" in line]
    assert len(ids) > 20, collected.stdout  # one per operation of both documents, and more
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert "tests/test_control_api_contract.py::test_control_operation[GET /health]" in ids
