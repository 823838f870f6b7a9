"""The docs site's reference pages, written at build time from their sources so they cannot drift.

- the CLI: every command and option, from `mockserver.cli.build_parser()`;
- the settings: every field of `Settings` and `ProxySettings` and its variable;
- the control API and the contract: every operation, parameter, response and schema of
  `mockserver/control/control.yaml` and `openapi.yaml` (docs_openapi.py).

`scripts/docs_hooks.py` adds these pages to the site; nothing here is committed as Markdown.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATED = "<!-- Generated at build time by scripts/docs_hooks.py from {source}. -->\n\n"


def cell(text: object) -> str:
    """Text that stays inside one Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the CLI


def subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def commands(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield from subcommands(parser).choices.items()


def command_helps(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Each command's one-line help, as `mockserver --help` lists it."""
    return {action.dest: action.help or "" for action in subcommands(parser)._choices_actions}


def settings_for(command: str) -> tuple[type, str] | None:
    """The settings dataclass and variable prefix behind a command's options, if it has one."""
    from mockserver import settings
    from mockserver.proxy import settings as proxy_settings

    if command in ("serve", "reset"):
        return settings.Settings, settings.ENV_PREFIX
    if command == "proxy":
        return proxy_settings.ProxySettings, proxy_settings.ENV_PREFIX
    return None


def shown_default(value: object) -> str:
    if value in (None, "", argparse.SUPPRESS):
        return ""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, str) and value.startswith(str(ROOT)):
        return f"`{Path(value).relative_to(ROOT)}` (in the package)"
    return f"`{value}`"


def option_rows(name: str, parser: argparse.ArgumentParser) -> list[tuple[str, ...]]:
    behind = settings_for(name)
    defaults = {f.name: f.default for f in dataclasses.fields(behind[0])} if behind else {}
    rows = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        names = ", ".join(f"`{option}`" for option in action.option_strings) or f"`{action.dest}`"
        if action.nargs == 0:
            value = ""
        elif action.choices:
            value = " or ".join(f"`{choice}`" for choice in action.choices)
        else:
            value = f"`{action.metavar or action.dest.upper()}`"
        default = defaults.get(action.dest, action.default)
        variable = f"`{behind[1]}{action.dest.upper()}`" if action.dest in defaults else ""
        what = action.help or (field_comments(behind[0]).get(action.dest, "") if behind else "")
        rows.append((names, value, shown_default(default), variable, what))
    return rows


def cli_page() -> str:
    from mockserver.cli import build_parser

    parser = build_parser()
    helps = command_helps(parser)
    parts = [
        "# Command line\n\n",
        GENERATED.format(source="mockserver.cli.build_parser()"),
        f"`mockserver <command>`: {parser.description}. "
        "The options of `serve`, `reset` and `proxy` also read a variable "
        "([Settings](settings.md)): an explicit option wins over the variable, the variable "
        "over the default.\n\n",
        table(("command", "what it does"), [(f"[`{n}`](#{n})", h) for n, h in helps.items()]),
    ]
    header = ("option", "value", "default", "variable", "what it does")
    for name, command in commands(parser):
        description = (command.description or helps[name]).strip()
        parts.append(f"\n## {name}\n\n{description}\n\n")
        parts.append(f"```text\n{command.format_usage().strip()}\n```\n\n")
        parts.append(table(header, option_rows(name, command)))
    return "".join(parts)


# ---------------------------------------------------------------- the settings


def field_comments(cls: type) -> dict[str, str]:
    """The comment written after each field in the dataclass's source (`name: T = x  # why`)."""
    comments = {}
    for line in inspect.getsource(cls).splitlines():
        found = re.match(r"\s+(\w+): [^=]+=.*?#\s*(.+)$", line)
        if found:
            comments[found.group(1)] = found.group(2).strip()
    return comments


def option_helps(command: argparse.ArgumentParser) -> dict[str, tuple[str, str]]:
    """Field name -> (the option, its help), for the options of one command."""
    helps = {}
    for action in command._actions:
        if action.option_strings and action.help:
            helps[action.dest] = (action.option_strings[-1], action.help)
    return helps


def settings_rows(
    cls: type, prefix: str, command: argparse.ArgumentParser
) -> list[tuple[str, ...]]:
    comments, helps = field_comments(cls), option_helps(command)
    rows = []
    for field in dataclasses.fields(cls):
        option, help_text = helps.get(field.name, ("", ""))
        shown = shown_default(field.default) or "none"
        what = help_text or comments.get(field.name, "")
        rows.append(
            (f"`{prefix}{field.name.upper()}`", f"`{option}`" if option else "", shown, what)
        )
    return rows


def settings_page() -> str:
    from mockserver import settings
    from mockserver.cli import build_parser
    from mockserver.proxy import settings as proxy_settings

    command = dict(commands(build_parser()))
    header = ("variable", "option", "default", "what it sets")
    return "".join(
        [
            "# Settings\n\n",
            GENERATED.format(source="mockserver/settings.py and mockserver/proxy/settings.py"),
            "Each setting is a field of a dataclass; its value comes from the default, then its "
            "variable, then the command's option (the last one given wins). Booleans read "
            f"`{'`, `'.join(sorted(settings.TRUE))}` as on.\n\n",
            "## The mock: `mockserver serve`, `mockserver reset`\n\n",
            table(header, settings_rows(settings.Settings, settings.ENV_PREFIX, command["serve"])),
            "\n## The validating proxy: `mockserver proxy`\n\n"
            "A prefix of its own, so a mock's `MOCKSERVER_PORT` never moves the proxy.\n\n",
            table(
                header,
                settings_rows(
                    proxy_settings.ProxySettings, proxy_settings.ENV_PREFIX, command["proxy"]
                ),
            ),
        ]
    )
