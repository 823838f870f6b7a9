"""CI's share of the flake benchmark: a few fresh seeds of the default profile against both
correct implementations; any failure is a false alarm of the suite (bench/flake.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_fresh_seeds_raise_no_false_alarm_on_either_correct_implementation() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.flake", "--seeds", "2", "--jobs", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:]
    assert "| mock | 2 | 0 |" in result.stdout and "| second_impl | 2 | 0 |" in result.stdout
