"""The docs site's reference pages, written at build time from their sources so they cannot drift.

- the CLI: every command and option, from `mockserver.cli.build_parser()`;
- the settings: every field of `Settings` and `ProxySettings` and its variable;
- the control API and the contract: every operation, parameter, response and schema of
  `mockserver/control/control.yaml` and `openapi.yaml`.

`scripts/docs_hooks.py` adds these pages to the site; nothing here is committed as Markdown.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "openapi.yaml"
CONTROL = ROOT / "mockserver" / "control" / "control.yaml"
METHODS = ("get", "post", "put", "patch", "delete")
# What a schema bounds, as the reference writes it.
CONSTRAINTS = {
    "minLength": "min length",
    "maxLength": "max length",
    "minimum": "min",
    "maximum": "max",
    "maxItems": "max items",
    "pattern": "pattern",
    "default": "default",
}
GENERATED = "<!-- Generated at build time by scripts/docs_reference.py from {source}. -->\n\n"


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


# ---------------------------------------------------------------- OpenAPI documents


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def schema_text(schema: dict[str, Any]) -> str:
    """A short type description: `Client`, `array of string`, `string (date-time)`."""
    if "$ref" in schema:
        name = ref_name(schema["$ref"])
        return f"[`{name}`](#{name.lower()})"
    for combiner in ("allOf", "oneOf", "anyOf"):
        if combiner in schema:
            return f" {combiner} ".join(schema_text(part) for part in schema[combiner])
    kind = str(schema.get("type", "any"))
    if kind == "array":
        return "array of " + schema_text(schema.get("items", {}))
    extras = [f"`{schema['format']}`"] if "format" in schema else []
    if "enum" in schema:
        extras.append("one of " + ", ".join(f"`{value}`" for value in schema["enum"]))
    extras += [
        f"{label} {schema[key]}"
        for key, label in CONSTRAINTS.items()
        if key in schema and not isinstance(schema[key], dict | list)
    ]
    if schema.get("nullable"):
        extras.append("nullable")
    return kind + (f" ({'; '.join(extras)})" if extras else "")


def resolve(document: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """A parameter or response given by `$ref`, looked up in the document."""
    while "$ref" in item:
        node: Any = document
        for part in item["$ref"].lstrip("#/").split("/"):
            node = node[part]
        item = node
    return item


def operation_section(document: dict[str, Any], method: str, path: str, op: dict) -> str:
    base = document.get("servers", [{}])[0].get("url", "")
    title = op.get("operationId", f"{method} {path}")
    parts = [f"\n### {title}\n\n`{method.upper()} {base}{path}`", f": {op.get('summary', '')}\n\n"]
    if op.get("description"):
        parts.append(op["description"].strip() + "\n\n")
    parameters = [resolve(document, p) for p in op.get("parameters", [])]
    if parameters:
        rows = [
            (
                f"`{p['name']}`",
                p["in"],
                schema_text(p.get("schema", {})),
                "yes" if p.get("required") else "",
                p.get("description", ""),
            )
            for p in parameters
        ]
        parts.append(table(("parameter", "in", "type", "required", "description"), rows) + "\n")
    body = op.get("requestBody", {}).get("content", {})
    for media, content in body.items():
        parts.append(f"Request body (`{media}`): {schema_text(content.get('schema', {}))}\n\n")
    rows = []
    for status, response in op.get("responses", {}).items():
        response = resolve(document, response)
        content = response.get("content", {})
        bodies = ", ".join(
            f"`{media}` {schema_text(c.get('schema', {}))}" for media, c in content.items()
        )
        rows.append((f"`{status}`", response.get("description", ""), bodies))
    parts.append(table(("status", "meaning", "body"), rows))
    return "".join(parts)


def schema_section(name: str, schema: dict[str, Any]) -> str:
    parts = [f"\n### {name}\n\n"]
    if schema.get("description"):
        parts.append(schema["description"].strip() + "\n\n")
    properties = schema.get("properties")
    if not properties:
        return "".join([*parts, f"Type: {schema_text(schema)}\n"])
    required = set(schema.get("required", []))
    rows = []
    for prop, spec in properties.items():
        flags = [flag for flag in ("readOnly", "writeOnly") if spec.get(flag)]
        rows.append(
            (
                f"`{prop}`",
                schema_text(spec),
                "yes" if prop in required else "",
                " ".join([*(f"({flag})" for flag in flags), spec.get("description", "")]),
            )
        )
    parts.append(table(("field", "type", "required", "description"), rows))
    return "".join(parts)


def openapi_page(title: str, source: Path, intro: str) -> str:
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    relative = source.relative_to(ROOT)
    info = document["info"]
    parts = [
        f"# {title}\n\n",
        GENERATED.format(source=relative),
        f"{intro} Generated from `{relative}` ({info['title']}, version {info['version']}).\n\n",
        "## Operations\n",
    ]
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                parts.append(operation_section(document, method, path, item[method]))
    parts.append("\n## Schemas\n")
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        parts.append(schema_section(name, schema))
    return "".join(parts)


def contract_page() -> str:
    return openapi_page(
        "The contract: Clients API",
        CONTRACT,
        "The product's API, as every part of this toolkit reads it.",
    )


def control_api_page() -> str:
    return openapi_page(
        "Control API reference",
        CONTROL,
        "The mock's own endpoints under `/__mock` (the guide is [The control API]"
        "(../control-api.md)).",
    )


PAGES = {
    "reference/cli.md": cli_page,
    "reference/settings.md": settings_page,
    "reference/control-api.md": control_api_page,
    "reference/contract.md": contract_page,
}
