"""The code examples of the docs and the README, as tests/test_docs_examples.py runs them.

The conventions, for whoever writes a page:

- a ```sh (or bash, shell) or ```python (or py) fence is run against a served mock, in page
  order (one mock per page, so a page can build on its earlier examples);
  `http://127.0.0.1:8080` is the mock, and port 8081 (the proxy's) becomes a free port;
- a ```json or ```text fence right after it (blank lines between at most) is the output it
  must print; `...` stands for any text. JSON is compared with the spaces after `:` and `,`
  ignored, so the page can show it readable;
- an example that cannot run says why in an HTML comment right before its fence:
  `<!-- not run: starts a long-lived server -->`; one that another test runs as written names it:
  `<!-- run by tests/test_x.py -->` (that test must read this page);
- every other fence of a language we could run (yaml, ts, js, nginx, ini, console, pycon...)
  needs one of the two comments as well, so nothing looks tested that is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN = {"sh": "sh", "bash": "sh", "shell": "sh", "python": "python", "py": "python"}
OUTPUT = {"json", "text"}
# Languages we could run but do not: a fence of one is marked, so none looks tested that is not.
MUST_SAY = {"yaml", "yml", "ts", "js", "mjs", "nginx", "ini", "toml", "dockerfile"}
MUST_SAY |= {"console", "zsh", "pycon", "python3", "javascript", "typescript"}
NOTE = re.compile(r"<!--\s*(not run|run by)\s*:?\s*(.*?)\s*-->", re.DOTALL)
FENCE = re.compile(r"^(?P<indent> *)(?P<ticks>```+)(?P<lang>[\w+-]*)[^\n]*$")
MOCK_URL = "http://127.0.0.1:8080"
PROXY_PORT = re.compile(r"\b8081\b")


@dataclass
class Example:
    page: str  # relative to the repository root
    line: int  # of the opening fence, 1-based
    language: str
    code: str
    note: tuple[str, str] | None = None  # ("not run" | "run by", the reason or test)
    output: Example | None = None  # the fence that shows what it prints

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def runnable(self) -> bool:
        return self.language in RUN and self.note is None


def fences(text: str) -> list[tuple[int, str, str, str]]:
    """(line, language, code, text before the fence since the previous one) of each fence."""
    lines = text.split("\n")
    found, index, last_end = [], 0, 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        ticks, indent = opening["ticks"], len(opening["indent"])
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith(ticks):
            end += 1
        code = "\n".join(line[indent:] for line in lines[index + 1 : end])
        between = "\n".join(lines[last_end:index])
        found.append((index + 1, opening["lang"].lower(), code + "\n", between))
        index = last_end = end + 1
    return found


def examples(page: Path) -> list[Example]:
    relative = str(page.relative_to(ROOT))
    result: list[Example] = []
    for line, language, code, between in fences(page.read_text(encoding="utf-8")):
        previous = result[-1] if result else None
        if (
            language in OUTPUT
            and previous is not None
            and previous.language in RUN
            and previous.output is None
            and not between.strip()
        ):
            previous.output = Example(relative, line, language, code)
            continue
        notes = NOTE.findall(between.strip().split("\n")[-1]) if between.strip() else []
        note = (notes[-1][0], notes[-1][1]) if notes else None
        result.append(Example(relative, line, language, code, note))
    return result


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def snippet(page: str, language: str, index: int = 0) -> str:
    """The `index`-th fence of `language` on `page` (for tests that run a recipe as written)."""
    found = [e.code for e in examples(ROOT / page) if e.language == language]
    return found[index]


def normalise_json(text: str) -> str:
    return re.sub(r"\s*([{}\[\],:])\s*", r"\1", text.strip())


def output_matches(expected: Example, printed: str) -> bool:
    """Whether `printed` is what the page shows; `...` in the page matches any text."""
    want = normalise_json(expected.code)
    got = normalise_json(printed.replace("\r\n", "\n"))
    pattern = ".*?".join(re.escape(part) for part in want.split("..."))
    return re.fullmatch(pattern, got, re.DOTALL) is not None
