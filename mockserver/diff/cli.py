"""`mockserver diff BASE HEAD`: the command line only; the work is imported when it runs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

CLEAN, FAILED, UNREADABLE = 0, 1, 2
FORMATS = ("text", "json", "junit", "markdown", "github")


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "diff",
        help="breaking-change check between two versions of the contract",
        description="Every change from BASE to HEAD with a severity (breaking, warning, info). "
        "Each side is a file or git:REF[:PATH] (PATH from the repository root, default "
        "openapi.yaml). Exit status: 0 clean, 1 failed (--fail-on, --check-version), "
        "2 unreadable input.",
    )
    parser.add_argument("base", metavar="BASE", help="the contract clients were built on")
    parser.add_argument("head", metavar="HEAD", help="the new contract")
    parser.add_argument(
        "--fail-on",
        choices=("breaking", "warning"),
        help="exit 1 when a change of this severity (or worse) is found",
    )
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--output", metavar="FILE", help="write the report here, not stdout")
    parser.add_argument(
        "--check-version",
        action="store_true",
        help="fail on a breaking change without a major info.version bump (with one, "
        "--fail-on lets the announced changes through), and on a version bump with no change",
    )
    parser.add_argument(
        "--traffic",
        metavar="FILE",
        action="append",
        default=[],
        help="a HAR file, or a session's request journal saved as JSON "
        "(GET /__mock/sessions/NAME/requests): marks the breaking changes it touches",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from mockserver.diff.main import execute

    return execute(args)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m mockserver.diff BASE HEAD ...`: the same command without the other ones."""
    parser = argparse.ArgumentParser(prog="mockserver")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["diff", *(argv if argv is not None else sys.argv[1:])])
    return int(args.run(args))
