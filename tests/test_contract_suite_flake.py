"""CI's share of the flake benchmark: one fresh seed of the default profile against each of
both correct implementations; any failure is a false alarm of the suite (bench/flake.py). The
rate (100 seeds each by default) is the benchmark's figure, `python -m bench.flake`; CI's part is
that every run meets seeds nobody has tried, one suite at a time as every lane of suites runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_fresh_seeds_raise_no_false_alarm_on_either_correct_implementation() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.flake", "--seeds", "1", "--jobs", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:]
    assert "| mock | 1 | 0 |" in result.stdout and "| second_impl | 1 | 0 |" in result.stdout
