"""Every shell and Python example of the docs and the README runs, against a served mock, and
prints what the page shows (conventions: scripts/docs_examples.py). An example that cannot run
says why in the page; `test_example_not_run_says_why` lists each one."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.testing import ServedMock, free_port, served_mock
from scripts.docs_examples import (
    MOCK_URL,
    MUST_SAY,
    PROXY_PORT,
    ROOT,
    RUN,
    Example,
    examples,
    output_matches,
)
from scripts.docs_examples import pages as doc_pages

ALL = [example for page in doc_pages() for example in examples(page)]
RUNNABLE_PAGES = sorted({e.page for e in ALL if e.runnable})
NOT_RUN = [e for e in ALL if e.note and (e.language in RUN or e.language in MUST_SAY)]
# Records every HTTP status curl received, so an example that quietly got an error fails.
CURL_PRELUDE = 'curl() { command curl -D "$(mktemp -p "$DOCS_STATUS_DIR")" "$@"; }\n'


@pytest.fixture
def mock(tmp_path: Path) -> Iterator[ServedMock]:
    with served_mock(":memory:", workers=1) as served:
        yield served


def checkout_view(folder: Path) -> None:
    """The repository's files, linked into a folder of the test's own: an example reads
    `openapi.yaml` or `tests/data/...` as in a clone, and what it writes stays in the folder."""
    for entry in ROOT.iterdir():
        if entry.name not in (".git", "build") and not (folder / entry.name).exists():
            (folder / entry.name).symlink_to(entry)


def run(example: Example, mock: ServedMock, cwd: Path) -> subprocess.CompletedProcess[str]:
    checkout_view(cwd)
    code = PROXY_PORT.sub(str(free_port()), example.code.replace(MOCK_URL, mock.base_url))
    tools = f"{Path(sys.executable).parent}:{ROOT / 'node_modules' / '.bin'}"
    env = {**os.environ, "PATH": f"{tools}:{os.environ['PATH']}", "DOCS_STATUS_DIR": str(cwd)}
    command = (
        ["bash", "-e", "-o", "pipefail", "-c", CURL_PRELUDE + code]
        if RUN[example.language] == "sh"
        else [sys.executable, "-c", code]
    )
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def statuses(folder: Path) -> list[int]:
    found = []
    for headers in folder.glob("tmp*"):  # what mktemp names the CURL_PRELUDE's files
        lines = re.findall(r"^HTTP/\S+ (\d{3})", headers.read_text(errors="replace"), re.M)
        found += [int(status) for status in lines[-1:]]
        headers.unlink()
    return found


def check_statuses(example: Example, seen: list[int]) -> None:
    """An error answer (4xx, 5xx) only where the example or its shown output names that status:
    an injected 503 is the point of an example, an unnamed 400 or 500 a broken one."""
    told = example.code + (example.output.code if example.output else "")
    for status in seen:
        if status >= 400:
            assert str(status) in told, f"{example.where}: the mock answered {status}"


@pytest.mark.parametrize("page", RUNNABLE_PAGES)
def test_page_examples_run_and_print_what_the_page_shows(
    page: str, mock: ServedMock, tmp_path: Path
) -> None:
    for example in (e for e in ALL if e.page == page and e.runnable):
        done = run(example, mock, tmp_path)
        assert done.returncode == 0, f"{example.where} failed:\n{done.stdout}\n{done.stderr}"
        check_statuses(example, statuses(tmp_path))
        if example.output is not None:
            assert output_matches(example.output, done.stdout), (
                f"{example.where} printed:\n{done.stdout}\nbut {example.output.where} shows:\n"
                f"{example.output.code}"
            )


@pytest.mark.parametrize("example", NOT_RUN, ids=[e.where for e in NOT_RUN])
def test_example_not_run_says_why(example: Example) -> None:
    kind, reason = example.note or ("", "")
    assert reason, f"{example.where}: say why the example is not run"
    if kind == "run by":
        test_file = ROOT / reason.split()[0]
        assert test_file.is_file(), f"{example.where}: {test_file} does not exist"
        assert example.page in test_file.read_text(), f"{test_file} does not read {example.page}"


def test_every_example_is_run_or_says_why() -> None:
    silent = [e.where for e in ALL if e.language in MUST_SAY and e.note is None]
    assert not silent, f"examples neither run nor marked <!-- not run: why -->: {silent}"
    assert len([e for e in ALL if e.runnable]) >= 10


def test_output_patterns_match_only_what_they_show() -> None:
    shown = Example("page.md", 1, "json", '{"data": [{"id": "...", "name": "Acme"}], "total": 1}')
    assert output_matches(shown, '{"data":[{"id":"7c9e","name":"Acme"}],"total":1}\n')
    assert not output_matches(shown, '{"data":[{"id":"7c9e","name":"Acme"}],"total":2}')
    text = Example("page.md", 1, "text", "HTTP/1.1 201 Created\n...\n{...}")
    assert output_matches(text, "HTTP/1.1 201 Created\r\nlocation: /x\r\n\r\n{}")
    assert not output_matches(text, "HTTP/1.1 400 Bad Request\r\n\r\n{}")
