"""Collect violations with the exchanges behind them; write them as JSON and JUnit XML."""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mockserver.proxy.exchange import Exchange
from mockserver.proxy.validation import Checked

# The counts stay exact; only the stored examples are capped, so a long session cannot
# exhaust memory.
MAX_RECORDS = 1000


class ViolationLog:
    """Every checked exchange is counted; every violation is kept with its exchange."""

    def __init__(self, max_records: int = MAX_RECORDS) -> None:
        self._lock = threading.Lock()
        self._max_records = max_records
        self._records: list[dict[str, Any]] = []
        self._exchanges: Counter[tuple[str, str]] = Counter()
        self._failures: dict[tuple[str, str], Counter[str]] = {}
        self.total = 0

    def add(self, exchange: Exchange, checked: Checked) -> None:
        recorded_at = datetime.now(UTC).isoformat(timespec="milliseconds")
        with self._lock:
            self._exchanges[(checked.operation, "request")] += 1
            if checked.response_checked:
                self._exchanges[(checked.operation, "response")] += 1
            for violation in checked.violations:
                self.total += 1
                key = (violation.operation, violation.side)
                self._failures.setdefault(key, Counter())[violation.line] += 1
                if len(self._records) < self._max_records:
                    record = violation.to_json()
                    record.update(time=recorded_at, exchange=exchange.to_json())
                    self._records.append(record)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self._exchanges.clear()
            self._failures.clear()
            self.total = 0

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            exchanges = sum(n for (_, side), n in self._exchanges.items() if side == "request")
            return {
                "total": self.total,
                "exchanges": exchanges,
                "kept": len(self._records),
                "violations": list(self._records),
                "operations": [
                    {
                        "operation": operation,
                        "side": side,
                        "exchanges": count,
                        "violations": sum(self._failures.get((operation, side), {}).values()),
                    }
                    for (operation, side), count in sorted(self._exchanges.items())
                ],
            }

    def to_junit(self) -> ET.ElementTree:
        """One testcase per operation and side; one failure per distinct violation."""
        with self._lock:
            cases = sorted(self._exchanges.items())
            failures = {key: Counter(lines) for key, lines in self._failures.items()}
        suite = ET.Element("testsuite", name="contract", tests=str(len(cases)))
        failed = 0
        for (operation, side), count in cases:
            case = ET.SubElement(suite, "testcase", classname=operation, name=side)
            ET.SubElement(case, "system-out").text = f"{count} exchange(s) checked"
            for line, times in failures.get((operation, side), Counter()).items():
                failure = ET.SubElement(case, "failure", message=line, type="ContractViolation")
                failure.text = f"{line}\nseen in {times} exchange(s)"
            failed += (operation, side) in failures
        suite.set("failures", str(failed))
        root = ET.Element("testsuites", name="contract", tests=str(len(cases)))
        root.set("failures", str(failed))
        root.append(suite)
        ET.indent(root)
        return ET.ElementTree(root)


def report_paths(base: str | Path) -> tuple[Path, Path]:
    """`--report out/contract` (or out/contract.json) -> out/contract.json, out/contract.xml."""
    base = Path(base)
    if base.suffix in {".json", ".xml"}:
        base = base.with_suffix("")
    return base.with_name(base.name + ".json"), base.with_name(base.name + ".xml")


def write_report(log: ViolationLog, base: str | Path) -> tuple[Path, Path]:
    json_path, xml_path = report_paths(base)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(log.to_json(), indent=2) + "\n", encoding="utf-8")
    log.to_junit().write(xml_path, encoding="utf-8", xml_declaration=True)
    return json_path, xml_path
