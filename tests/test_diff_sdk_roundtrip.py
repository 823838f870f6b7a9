"""Round trip through a generated SDK: the tool's verdict is what TypeScript finds.

For each corpus pair labelled `typescript:`, openapi-typescript generates the types of BASE and
of HEAD, and a probe written against BASE's types is compiled against HEAD's: every operation of
BASE must still exist under its path, method and operationId; BASE's parameters and request
bodies must be accepted by HEAD's (with no field HEAD does not know), and HEAD's responses must
be readable as BASE's. `tsc` must fail exactly where the diff says breaking, and compile where it
says compatible. One node process generates every type file and one `tsc` run compiles every
probe, so the whole check costs two tool start-ups.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mockserver.diff.load import load
from mockserver.diff.model import Severity
from mockserver.diff.operations import METHODS, diff_documents
from tests.yaml_text import parse_yaml, yaml_text

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).parent / "diff_corpus"
NODE_BIN = ROOT / "node_modules" / ".bin"
# Only the files that mention it are parsed: every xdist worker runs this at collection.
CASES = {
    path.stem: case
    for path in sorted(CORPUS.glob("*.yaml"))
    if "typescript" in (text := path.read_text(encoding="utf-8"))
    and "typescript" in (case := parse_yaml(text))
}
GENERATE = """
const [generator, jobs] = process.argv.slice(1);
const { default: openapiTS, astToString } = await import(generator);
const { readFileSync, writeFileSync } = await import("node:fs");
const { pathToFileURL } = await import("node:url");
for (const [input, output] of JSON.parse(readFileSync(jobs, "utf8"))) {
  writeFileSync(output, astToString(await openapiTS(pathToFileURL(input))));
}
"""
NON_WORD = re.compile(r"\W")
PRELUDE = """\
import type { paths as BP, operations as BO } from "./base";
import type { paths as HP, operations as HO } from "./head";
declare function take<T>(value: T): void;
declare function value<T>(): T;
declare function exact<T extends true>(): void;
type NoUnknownKeys<B, H> = [Exclude<keyof B, keyof H>] extends [never] ? true : false;
// A call without a body (BASE allows it) must still type-check against HEAD.
type OptionalStays<B, H> = undefined extends B ? (undefined extends H ? true : false) : true;
export type Ids = [keyof BO, keyof HO];
"""


def probe(base: dict[str, Any]) -> str:
    """TypeScript that uses every operation of BASE through HEAD's types."""
    lines = [PRELUDE]
    for path, item in base["paths"].items():
        for index, method in enumerate(m for m in METHODS if m in item):
            operation, name = item[method], NON_WORD.sub("_", path) + f"_{index}"
            lines.append(f'type B{name} = BP["{path}"]["{method}"];')
            lines.append(f'type H{name} = HP["{path}"]["{method}"];')
            lines.append(f'export type Id{name} = HO["{operation["operationId"]}"];')
            places = {
                p["in"] for p in [*item.get("parameters", []), *operation.get("parameters", [])]
            }
            for place in sorted(places):
                b, h = f'B{name}["parameters"]["{place}"]', f'H{name}["parameters"]["{place}"]'
                lines.append(f"take<{h}>(value<{b}>());")
                lines.append(f"exact<NoUnknownKeys<NonNullable<{b}>, NonNullable<{h}>>>();")
            body = f'B{name}["requestBody"]', f'H{name}["requestBody"]'
            lines.append(f"exact<OptionalStays<{body[0]}, {body[1]}>>();")
            for media in operation.get("requestBody", {}).get("content", {}):
                b = f'NonNullable<B{name}["requestBody"]>["content"]["{media}"]'
                h = f'NonNullable<H{name}["requestBody"]>["content"]["{media}"]'
                lines.append(f"take<{h}>(value<{b}>());")
                lines.append(f"exact<NoUnknownKeys<{b}, {h}>>();")
            for status, response in operation["responses"].items():
                key = status if status.isdigit() else f'"{status}"'
                lines.append(f'export type R{name}_{status} = H{name}["responses"][{key}];')
                for media in response.get("content", {}):
                    at = f'["responses"][{key}]["content"]["{media}"]'
                    lines.append(f"take<B{name}{at}>(value<H{name}{at}>());")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def tsc_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The tsc errors of each case's probe (an empty list: it compiled)."""
    work = tmp_path_factory.mktemp("sdk-roundtrip")
    jobs = []
    for name, case in CASES.items():
        folder = work / name
        folder.mkdir()
        for side in ("base", "head"):
            (folder / f"{side}.yaml").write_text(yaml_text(case[side]), encoding="utf-8")
            jobs.append([str(folder / f"{side}.yaml"), str(folder / f"{side}.d.ts")])
        (folder / "probe.ts").write_text(probe(case["base"]), encoding="utf-8")
    (work / "jobs.json").write_text(json.dumps(jobs), encoding="utf-8")
    generator = ROOT / "node_modules" / "openapi-typescript" / "dist" / "index.mjs"
    command = [
        "node",
        "--input-type=module",
        "-e",
        GENERATE,
        generator.as_uri(),
        str(work / "jobs.json"),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    config = {
        "compilerOptions": {
            "strict": True,
            "noEmit": True,
            "skipLibCheck": True,
            "target": "ES2022",
        }
        | {"module": "ESNext", "moduleResolution": "bundler", "types": []},
        "include": ["*/probe.ts"],
    }
    (work / "tsconfig.json").write_text(json.dumps(config), encoding="utf-8")
    env = {**os.environ, "PATH": f"{NODE_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [str(NODE_BIN / "tsc"), "-p", "tsconfig.json"],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    errors: dict[str, list[str]] = {name: [] for name in CASES}
    for line in done.stdout.splitlines():
        if match := re.match(r"([^/]+)/probe\.ts\(\d+,\d+\): error", line):
            errors[match.group(1)].append(line)
    assert done.returncode == (2 if any(errors.values()) else 0), done.stdout[-3000:]
    return errors


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_tsc_fails_exactly_where_the_diff_says_breaking(
    name: str, tsc_errors: dict[str, list[str]], tmp_path: Path
) -> None:
    case = CASES[name]
    for side in ("base", "head"):
        (tmp_path / f"{side}.yaml").write_text(yaml_text(case[side]), encoding="utf-8")
    changes = diff_documents(load(str(tmp_path / "base.yaml")), load(str(tmp_path / "head.yaml")))
    breaking = any(change.severity is Severity.BREAKING for change in changes)
    assert bool(tsc_errors[name]) == breaking, tsc_errors[name] or "compiled"
    assert case["typescript"] == ("fails" if breaking else "compiles")


def test_the_sample_holds_both_verdicts() -> None:
    verdicts = [case["typescript"] for case in CASES.values()]
    assert verdicts.count("fails") >= 15 and verdicts.count("compiles") >= 15
