"""scripts/contract-diff.sh (CI, `make contract-diff`): what it compares, and its verdict."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.yaml_text import parse_yaml, yaml_text

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "contract-diff.sh"
CORPUS = Path(__file__).parent / "diff_corpus"


def documents(case: str) -> tuple[dict[str, Any], dict[str, Any]]:
    loaded = parse_yaml((CORPUS / f"{case}.yaml").read_text(encoding="utf-8"))
    return loaded["base"], loaded["head"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    for key, value in (("user.email", "t@example.com"), ("user.name", "t")):
        subprocess.run(["git", "config", key, value], cwd=tmp_path, check=True)
    return tmp_path


@pytest.fixture
def commit(repo: Path) -> Callable[[dict[str, Any], str], None]:
    def save(document: dict[str, Any], version: str, message: str = "contract") -> None:
        document = {**document, "info": {**document["info"], "version": version}}
        (repo / "openapi.yaml").write_text(yaml_text(document), encoding="utf-8")
        subprocess.run(["git", "add", "openapi.yaml"], cwd=repo, check=True)
        subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, check=True)

    return save


def contract_diff(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHON": sys.executable, "HOME": str(repo)}
    return subprocess.run(
        ["sh", str(SCRIPT), *args], cwd=repo, env=env, capture_output=True, text=True, timeout=60
    )


def test_a_contract_with_no_earlier_version_is_not_checked_and_says_so(
    repo: Path, commit: Any
) -> None:
    commit(documents("parameter-removed")[0], "1.0.0")
    (repo / "README").write_text("later commits that leave the contract alone\n")
    subprocess.run(["git", "add", "README"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "docs"], cwd=repo, check=True)
    done = contract_diff(repo)
    assert done.returncode == 0
    assert "no earlier version of openapi.yaml" in done.stderr and "NOT CHECKED" in done.stderr


@pytest.mark.parametrize(
    ("case", "version", "status"),
    [
        ("parameter-removed", "1.0.0", 1),  # breaking, no bump
        ("parameter-removed", "1.1.0", 1),  # breaking, minor bump
        ("parameter-removed", "2.0.0", 0),  # breaking, major bump
        ("optional-parameter-added", "1.1.0", 0),
        ("response-enum-value-added", "1.0.1", 0),  # a warning does not fail
    ],
)
def test_the_last_change_of_the_contract_is_checked(
    repo: Path, commit: Any, case: str, version: str, status: int
) -> None:
    base, head = documents(case)
    commit(base, "1.0.0")
    commit(head, version)
    done = contract_diff(repo)
    assert done.returncode == status, done.stdout + done.stderr
    assert "against" in done.stderr and "HEAD^" not in done.stdout


def test_uncommitted_edits_are_checked_against_head_and_base_can_be_given(
    repo: Path, commit: Any
) -> None:
    base, head = documents("operation-removed")
    commit(base, "1.0.0", "first")
    commit(base, "1.1.0", "a bump with no change")
    (repo / "openapi.yaml").write_text(yaml_text(head), encoding="utf-8")
    done = contract_diff(repo)
    assert done.returncode == 1
    assert "(HEAD)" in done.stderr and "operation-removed" in done.stdout
    subprocess.run(["git", "checkout", "-q", "openapi.yaml"], cwd=repo, check=True)
    done = contract_diff(repo, "HEAD~1", "--format", "json")
    assert done.returncode == 1 and "but the contract did not" in done.stdout


def test_outside_a_git_work_tree_nothing_is_checked_and_it_says_so(tmp_path: Path) -> None:
    done = contract_diff(tmp_path)
    assert done.returncode == 0 and "not inside a git work tree" in done.stderr
