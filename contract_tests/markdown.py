"""The run as Markdown (--report-markdown FILE), for where CI shows results: GitHub's
$GITHUB_STEP_SUMMARY, a merge-request note. Totals, the budget, each failure with its check,
its message and how to reproduce it (the curl line, or Schemathesis' reproduction code)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

MESSAGE_LINES = 12
# The replayable request the suite and Schemathesis put in a failure's text.
CURL = re.compile(r"^[\sE|+]*(curl -X .*)$")
# Schemathesis' failures come as an exception group, drawn in a box of | and +.
GROUP = "FailureGroup: "
BOX = re.compile(r"^\s*[|+]\s?")


@dataclass
class Failure:
    test: str  # the check: the test's name and its parameters
    message: str
    reproduce: list[str]


@dataclass
class Outcomes:
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    @classmethod
    def from_stats(cls, stats: dict[str, list[Any]]) -> Outcomes:
        """From pytest's terminal reporter, which sees every report (pytest-xdist's too)."""
        outcomes = cls()
        for reports in stats.values():
            for report in reports:
                if isinstance(report, pytest.TestReport):
                    outcomes.record(report)
        return outcomes

    def record(self, report: pytest.TestReport) -> None:
        """Count as pytest does: the call's outcome, a skip at setup, an error elsewhere."""
        if report.when == "call" or (report.when == "setup" and report.skipped):
            outcome = report.outcome
        elif report.failed:
            outcome = "error"
        else:
            return
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        if report.failed:
            text = report.longreprtext
            self.failures.append(Failure(test_name(report), message_of(text), reproduction(text)))


def test_name(report: pytest.TestReport) -> str:
    """The test with its parameters (Schemathesis' operation shows only in the head line)."""
    path, _, name = report.nodeid.rpartition("::")
    head = report.head_line or name
    return f"{path}::{head}" if "[" in head and "[" not in name else report.nodeid


def message_of(text: str) -> str:
    """What broke: Schemathesis' failure group (each failed check by name, what it got), or
    pytest's `E` lines; up to the reproduction."""
    lines = [BOX.sub("", line).rstrip() for line in text.splitlines()]
    group = next((n for n, line in enumerate(lines) if GROUP in line), None)
    if group is not None:
        lines = [lines[group].split(GROUP, 1)[1], *lines[group + 1 :]]
    else:
        lines = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
        lines = lines or text.strip().splitlines()[-MESSAGE_LINES:]
    shown: list[str] = []
    for line in lines:
        if line.strip().startswith(("Reproduce with", "curl ")):
            break
        if line.strip() or (shown and shown[-1].strip()):
            shown.append(line)
    return "\n".join(shown[:MESSAGE_LINES]).strip()


def reproduction(text: str) -> list[str]:
    """Every curl command in the failure's text, each once, in order."""
    found: list[str] = []
    for line in text.splitlines():
        match = CURL.search(line)
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


def render(
    outcomes: Outcomes, title: str, facts: list[str], budget: list[str], coverage: list[str]
) -> str:
    counts = outcomes.counts
    total = sum(counts.values())
    verdict = "failed" if outcomes.failures else "passed"
    parts = [
        f"# {title}: {verdict}",
        "",
        *[f"- {fact}" for fact in facts],
        "",
        "| total | passed | failed | errors | skipped |",
        "|---|---|---|---|---|",
        f"| {total} | {counts.get('passed', 0)} | {counts.get('failed', 0)} |"
        f" {counts.get('error', 0)} | {counts.get('skipped', 0)} |",
    ]
    if budget:
        parts += ["", "## Time budget", "", *[f"- {line}" for line in budget]]
    for failure in outcomes.failures:
        parts += ["", f"## Failed: `{failure.test}`", "", "```text", failure.message, "```"]
        if failure.reproduce:
            parts += ["", "Reproduce with:", "", "```sh", *failure.reproduce, "```"]
    if coverage:
        parts += ["", "## Coverage", "", *[f"- {line.strip()}" for line in coverage]]
    return "\n".join(parts) + "\n"


def write(path: str, text: str) -> None:
    """Appends: $GITHUB_STEP_SUMMARY may already hold other steps' summaries."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a", encoding="utf-8") as file:
        file.write(text)
