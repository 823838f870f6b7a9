"""docs/benchmarks.md's results, written by a full `make bench` run between two markers.

What the page says by hand (how to run, how each figure is made, the analysis) stays; the
tables, the run's header and the targets come from one run only, never from pieces of several.
"""

from __future__ import annotations

from pathlib import Path

from bench.peers import REPO

PAGE = REPO / "docs" / "benchmarks.md"
BEGIN = "<!-- results: written by a full `make bench` run (bench/docs_page.py); do not edit -->"
END = "<!-- end of the results written by `make bench` -->"
TITLE = "## The latest full run"


class PageError(RuntimeError):
    """The page lacks its markers: writing anyway would lose what it says by hand."""


def as_section(run_text: str) -> str:
    """The run's Markdown, its title replaced and every heading one level down."""
    lines = run_text.strip().splitlines()
    if lines and lines[0].startswith("# "):
        lines = [TITLE, *lines[1:]]
    return "\n".join(
        "#" + line if line.startswith("#") and line != TITLE else line for line in lines
    )


def write_results(run_text: str, page: Path = PAGE) -> None:
    """Replace what lies between the markers with this run's results."""
    text = page.read_text()
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise PageError(f"{page} has no results markers ({BEGIN!r} ... {END!r})")
    head, tail = text[: start + len(BEGIN)], text[end:]
    page.write_text(f"{head}\n{as_section(run_text)}\n{tail}")
