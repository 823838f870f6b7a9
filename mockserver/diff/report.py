"""The changes as text, JSON, JUnit XML, Markdown or GitHub annotations."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from typing import Any

from mockserver.diff.lines import line_finder
from mockserver.diff.model import Change, Severity

FORMATS = ("text", "json", "junit", "markdown", "github")


@dataclass(frozen=True)
class Outcome:
    base: str
    head: str
    changes: list[Change]
    version_problems: list[str]
    fail_on: Severity | None
    versions: tuple[str | None, str | None] = (None, None)
    acknowledged: bool = False  # --check-version and a major bump: the breaks are announced

    @property
    def failing(self) -> list[Change]:
        threshold = self.fail_on
        if threshold is None or self.acknowledged:
            return []
        return [c for c in self.changes if c.severity >= threshold]

    @property
    def failed(self) -> bool:
        return bool(self.failing or self.version_problems)

    def summary(self) -> str:
        counts = Counter(c.severity for c in self.changes)
        parts = ", ".join(f"{counts[s]} {s}" for s in sorted(Severity, reverse=True))
        return f"{len(self.changes)} change(s) from {self.base} to {self.head}: {parts}"


def render(outcome: Outcome, fmt: str) -> str:
    return {"text": _text, "json": _json, "junit": _junit, "markdown": _markdown}.get(fmt, _github)(
        outcome
    )


def line(change: Change) -> str:
    text = f"{change.severity!s:8} {change.kind}  {change.operation}  {change.location}: "
    return text + change.describe() + _traffic(change)


def _traffic(change: Change) -> str:
    if change.touched is None:
        return ""
    return f"  [hit by {change.touched} recorded request(s)]" if change.touched else "  [unused]"


def _text(outcome: Outcome) -> str:
    lines = [line(c) for c in outcome.changes]
    lines += [f"version  {problem}" for problem in outcome.version_problems]
    if outcome.acknowledged and outcome.fail_on is not None:
        before, after = outcome.versions
        lines.append(f"version  the changes are announced by the major bump {before} → {after}")
    return "\n".join([*lines, outcome.summary()]) + "\n"


def _json(outcome: Outcome) -> str:
    counts = Counter(str(c.severity) for c in outcome.changes)
    document: dict[str, Any] = {"base": outcome.base, "head": outcome.head}
    document["versions"] = {"base": outcome.versions[0], "head": outcome.versions[1]}
    document["summary"] = {str(s): counts[str(s)] for s in Severity} | {"failed": outcome.failed}
    document["changes"] = [c.to_json() for c in outcome.changes]
    document["version_problems"] = outcome.version_problems
    document["acknowledged_by_major_bump"] = outcome.acknowledged
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


def _junit(outcome: Outcome) -> str:
    failing = set(map(id, outcome.failing))
    suite = ET.Element("testsuite", name="contract-diff", tests="0", failures="0")
    for change in outcome.changes:
        case = ET.SubElement(suite, "testcase", classname=change.operation, name=change.location)
        case.set("name", f"{change.kind} {change.location}")
        if id(change) in failing:
            ET.SubElement(case, "failure", message=line(change), type=str(change.severity))
        else:
            ET.SubElement(case, "system-out").text = line(change)
    for problem in outcome.version_problems:
        case = ET.SubElement(suite, "testcase", classname="info.version", name="version discipline")
        ET.SubElement(case, "failure", message=problem, type="version")
    if not len(suite):
        ET.SubElement(suite, "testcase", classname="contract", name="no change")
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(len(suite.findall("testcase/failure"))))
    root = ET.Element("testsuites")
    root.append(suite)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _markdown(outcome: Outcome) -> str:
    rows = ["## Contract changes", "", outcome.summary(), ""]
    for problem in outcome.version_problems:
        rows.append(f"- **version**: {_cell(problem)}")
    if outcome.changes:
        rows += [
            "| severity | kind | operation | location | before → after |",
            "|---|---|---|---|---|",
        ]
        for c in outcome.changes:
            cells = [f"**{c.severity}**" if c.severity is Severity.BREAKING else str(c.severity)]
            cells += [c.kind, c.operation, f"`{c.location}`", c.describe() + _traffic(c)]
            rows.append("| " + " | ".join(_cell(x) for x in cells) + " |")
    return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _github(outcome: Outcome) -> str:
    command = {Severity.BREAKING: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    head_file = None if outcome.head.startswith("git:") else outcome.head
    file = f"file={_property(head_file)}," if head_file else ""
    line_of = line_finder(head_file)
    lines = []
    for c in outcome.changes:
        where = file + (f"line={line}," if file and (line := line_of(c)) else "")
        title = _property(f"{c.severity} change: {c.kind}")
        message = f"{c.operation} {c.location}: {c.title}: {c.describe()}{_traffic(c)}"
        lines.append(f"::{command[c.severity]} {where}title={title}::{_data(message)}")
    for problem in outcome.version_problems:
        lines.append(f"::error {file}title=info.version::{_data(problem)}")
    lines.append(outcome.summary())
    return "\n".join(lines) + "\n"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
