"""`mockserver diff`: load both sides, compare, mark traffic, check the version, report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mockserver.diff.cli import CLEAN, FAILED, UNREADABLE
from mockserver.diff.load import Document, LoadError, load
from mockserver.diff.model import Change, Severity
from mockserver.diff.operations import diff_documents
from mockserver.diff.report import Outcome, render
from mockserver.diff.traffic import TrafficError, mark, read_traffic
from mockserver.diff.version import acknowledged, version_problems


def execute(args: argparse.Namespace) -> int:
    try:
        base, head = load(args.base), load(args.head)
        calls = [call for path in args.traffic for call in read_traffic(path)]
        # $refs are followed while comparing: a broken one surfaces here.
        changes = sorted(compare(base, head), key=lambda c: -c.severity)
    except (LoadError, TrafficError) as error:
        print(f"mockserver diff: error: {error}", file=sys.stderr)
        return UNREADABLE
    if args.traffic:
        changes = mark(changes, calls, base)
    problems = version_problems(base.version, head.version, changes) if args.check_version else []
    announced = args.check_version and acknowledged(base.version, head.version)
    fail_on = Severity[args.fail_on.upper()] if args.fail_on else None
    versions = base.version, head.version
    outcome = Outcome(args.base, args.head, changes, problems, fail_on, versions, announced)
    report = render(outcome, args.format)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(report, encoding="utf-8")
        print(outcome.summary(), file=sys.stderr)
    else:
        sys.stdout.write(report)
    return FAILED if outcome.failed else CLEAN


def compare(base: Document, head: Document) -> list[Change]:
    """The changes; a document whose shape is not OpenAPI's is unreadable input, not a crash."""
    try:
        return diff_documents(base, head)
    except LoadError:
        raise
    except (TypeError, AttributeError, ValueError, KeyError) as error:
        broken = [side.name for side in (base, head) if not _self_consistent(side)]
        culprit = " and ".join(broken) or f"{base.name} or {head.name}"
        why = f"{type(error).__name__}: {error}"
        raise LoadError(f"{culprit}: not a valid OpenAPI 3 document ({why})") from None


def _self_consistent(document: Document) -> bool:
    """A malformed part usually trips the comparison of the document with itself too."""
    try:
        diff_documents(document, document)
    except (TypeError, AttributeError, ValueError, KeyError):
        return False
    return True
