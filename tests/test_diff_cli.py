"""`mockserver diff`: exit status, formats, version discipline, traffic, git sides, $refs."""

from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mockserver.diff import cli
from tests.yaml_text import parse_yaml, yaml_text

CORPUS = Path(__file__).parent / "diff_corpus"
Run = Callable[..., tuple[int, str, str]]


def pair(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    case = parse_yaml((CORPUS / f"{name}.yaml").read_text(encoding="utf-8"))
    return case["base"], case["head"]


@pytest.fixture
def mockserver_diff(capsys: pytest.CaptureFixture[str]) -> Run:
    """`mockserver diff ARGS...` in process; returns (status, stdout, stderr)."""

    def run(*argv: str) -> tuple[int, str, str]:
        parser = argparse.ArgumentParser(prog="mockserver")
        cli.register(parser.add_subparsers(dest="command", required=True))
        args = parser.parse_args(["diff", *argv])
        status = args.run(args)
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, Any], str]:
    def write_document(name: str, document: Any) -> str:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = document if isinstance(document, str) else yaml_text(document)
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write_document


@pytest.mark.parametrize(
    ("case", "options", "status"),
    [
        ("request-property-became-required", [], 0),
        ("request-property-became-required", ["--fail-on", "breaking"], 1),
        ("response-enum-value-added", ["--fail-on", "breaking"], 0),
        ("response-enum-value-added", ["--fail-on", "warning"], 1),
        ("request-optional-property-added", ["--fail-on", "warning"], 0),
    ],
)
def test_the_exit_status_follows_fail_on(
    case: str, options: list[str], status: int, mockserver_diff: Run, write: Any
) -> None:
    base, head = pair(case)
    assert mockserver_diff(write("a.yaml", base), write("b.yaml", head), *options)[0] == status


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (None, "cannot read"),
        ("paths: [unclosed", "not YAML or JSON"),
        ("just: a mapping\npaths: {}\n", "not an OpenAPI 3 document"),
        (
            {"openapi": "3.0.3", "paths": {"/a": {"$ref": "other.yaml#/nothing"}}},
            "cannot read",
        ),
        ({"openapi": "3.0.3", "paths": {"/a": {"$ref": "#/missing"}}}, "unresolvable"),
    ],
    ids=["missing", "not-yaml", "not-openapi", "missing-ref-file", "bad-pointer"],
)
def test_unreadable_input_exits_2_with_one_line(
    document: Any, message: str, mockserver_diff: Run, write: Any, tmp_path: Path
) -> None:
    base = write("base.yaml", pair("deprecated")[0])
    head = str(tmp_path / "absent.yaml") if document is None else write("head.yaml", document)
    status, out, err = mockserver_diff(base, head)
    assert status == 2
    assert out == ""
    assert err.startswith("mockserver diff: error: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_a_document_of_the_wrong_shape_is_unreadable_not_a_crash(
    mockserver_diff: Run, write: Any
) -> None:
    base, head = pair("deprecated")
    head["components"]["schemas"]["Pet"]["required"] = 5
    head["components"]["schemas"]["PetCreate"]["properties"]["name"]["maxLength"] = "fifty"
    status, out, err = mockserver_diff(write("a.yaml", base), b := write("b.yaml", head))
    assert (status, out) == (2, "")
    assert err.startswith(f"mockserver diff: error: {b}: not a valid OpenAPI 3 document (")


def test_text_names_operation_location_and_before_after(mockserver_diff: Run, write: Any) -> None:
    base, head = pair("request-maximum-lowered")
    _, out, _ = mockserver_diff(write("a.yaml", base), write("b.yaml", head))
    first, summary = out.splitlines()
    assert first.split() == [
        *("breaking", "request-max-decreased", "listPets", "GET", "/pets"),
        *("/parameters/query/limit/schema/maximum:", "100", "→", "50"),
    ]
    assert summary.endswith("1 breaking, 0 warning, 0 info")


def test_junit_fails_exactly_the_changes_over_the_threshold(
    mockserver_diff: Run, write: Any, tmp_path: Path
) -> None:
    base, _ = pair("deprecated")
    head = parse_yaml(yaml_text(base))
    head["paths"].pop("/pets/{id}/adopt")  # breaking
    head["components"]["schemas"]["Pet"]["properties"]["status"]["enum"].append("gone")  # warning
    report = tmp_path / "out" / "diff.xml"
    argv = [write("a.yaml", base), write("b.yaml", head), "--format", "junit"]
    status, _, err = mockserver_diff(*argv, "--fail-on", "breaking", "--output", str(report))
    assert status == 1 and "1 breaking" in err
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    failed = [c for c in cases if c.find("failure") is not None]
    assert suite.get("tests") == str(len(cases)) and suite.get("failures") == "1"
    assert [c.get("name", "").split()[0] for c in failed] == ["path-removed"]
    assert len(cases) == 1 + 4  # Pet.status is read by listPets, createPet, getPet, updatePet


def test_markdown_and_github_formats(mockserver_diff: Run, write: Any) -> None:
    base, head = pair("response-enum-value-added")
    a, b = write("a.yaml", base), write("b.yaml", head)
    _, markdown, _ = mockserver_diff(a, b, "--format", "markdown")
    rows = [line for line in markdown.splitlines() if line.startswith("| warning")]
    assert len(rows) == 4 and "`/responses/200/content/application~1json" in rows[0]
    _, github, _ = mockserver_diff(a, b, "--format", "github")
    annotations = [line for line in github.splitlines() if line.startswith("::")]
    assert len(annotations) == 4
    assert all(line.startswith(f"::warning file={b},line=") for line in annotations)
    assert all("title=warning change%3A response-enum-value-added::" in a for a in annotations)
    assert "(none) → pending" in annotations[0]
    # The line is the enum's, in Pet's definition (the $ref from each operation followed).
    lines = Path(b).read_text(encoding="utf-8").splitlines()
    numbers = {int(a.split("line=")[1].split(",")[0]) for a in annotations}
    assert len(numbers) == 1 and lines[numbers.pop() - 1].strip().startswith("enum:")


def test_json_report(mockserver_diff: Run, write: Any) -> None:
    base, head = pair("operation-id-changed")
    _, out, _ = mockserver_diff(write("a.yaml", base), write("b.yaml", head), "--format", "json")
    report = json.loads(out)
    assert report["summary"] == {"breaking": 1, "warning": 0, "info": 0, "failed": False}
    [change] = report["changes"]
    assert change | {"title": ""} == {
        **{"severity": "breaking", "kind": "operation-id-changed", "title": ""},
        **{"operation": "createPet POST /pets", "location": "/operationId"},
        **{"before": "createPet", "after": "addPet"},
    }


@pytest.mark.parametrize(
    ("case", "versions", "status", "message"),
    [
        ("parameter-removed", ("1.0.0", "1.0.0"), 1, "without a major version bump"),
        ("parameter-removed", ("1.4.2", "1.5.0"), 1, "expected at least 2.0.0"),
        ("parameter-removed", ("1.4.2", "2.0.0"), 0, ""),
        ("parameter-removed", ("0.3.1", "0.4.0"), 0, ""),  # under 1.0.0 a minor bump is major
        ("optional-parameter-added", ("1.0.0", "1.0.0"), 0, ""),
        ("optional-parameter-added", ("1.0.0", "1.1.0"), 0, ""),
        ("ref-inlined", ("1.0.0", "1.0.1"), 1, "but the contract did not"),
        ("optional-parameter-added", ("1.1.0", "1.0.0"), 1, "went down"),
        ("optional-parameter-added", ("1.0", "1.1"), 1, "not a semantic version"),
    ],
)
def test_check_version(
    case: str,
    versions: tuple[str, str],
    status: int,
    message: str,
    mockserver_diff: Run,
    write: Any,
) -> None:
    base, head = pair(case)
    base["info"]["version"], head["info"]["version"] = versions
    got, out, _ = mockserver_diff(write("a.yaml", base), write("b.yaml", head), "--check-version")
    assert got == status
    problems = [line for line in out.splitlines() if line.startswith("version ")]
    assert bool(problems) == bool(status) and message in "".join(problems)


def har_entry(method: str, url: str, body: Any = None, status: int = 200) -> dict[str, Any]:
    request: dict[str, Any] = {"method": method, "url": url, "headers": []}
    if body is not None:
        request["postData"] = {"mimeType": "application/json", "text": json.dumps(body)}
    return {"request": request, "response": {"status": status, "headers": [], "content": {}}}


OWN = Path(__file__).parent.parent / "openapi.yaml"


def test_traffic_marks_the_breaking_changes_it_touches(
    mockserver_diff: Run, write: Any, tmp_path: Path
) -> None:
    head = parse_yaml(OWN.read_text(encoding="utf-8"))
    head["paths"]["/clients"]["get"]["parameters"].remove(
        {"$ref": "#/components/parameters/IndustryFilter"}
    )
    head["components"]["schemas"]["ClientCreate"]["required"].append("email")
    head["paths"]["/clients/{id}"].pop("put")
    api = "http://127.0.0.1:8080/api/v1/clients"
    entries = [
        har_entry("GET", f"{api}?industry=Tech&limit=5"),
        har_entry("GET", f"{api}?search=acme"),
        har_entry("POST", api, {"name": "No email"}, 201),
        har_entry("POST", api, {"name": "Mail", "email": "a@b.co"}, 201),
        har_entry("POST", api, {"name": "No email either"}, 201),
        har_entry("GET", "http://127.0.0.1:8080/assets/app.js"),
    ]
    har = write("session.har", json.dumps({"log": {"entries": entries}}))
    status, out, _ = mockserver_diff(str(OWN), write("head.yaml", head), "--traffic", har)
    assert status == 0  # no --fail-on
    breaking = {line.split()[1]: line for line in out.splitlines() if line.startswith("breaking")}
    assert breaking["parameter-removed"].endswith("[hit by 1 recorded request(s)]")
    assert breaking["request-property-became-required"].endswith("[hit by 2 recorded request(s)]")
    assert breaking["operation-removed"].endswith("[unused]")
    journal = {
        "data": [
            {"method": "GET", "path": "/api/v1/clients", "query": {"industry": "x"}},
            {"method": "GET", "path": "/assets/clients", "query": "industry=x"},  # not the API
            {"method": "PUT", "path": "/clients/7", "operation": "updateClient", "status": 200},
            {"method": "POST", "path": "/clients", "status": 201},  # body not recorded: may hit
            {"method": "POST", "path": "/clients", "body": {"name": "n", "email": "e@x.io"}},
        ],
        "meta": {"total": 2},
    }
    argv = [
        str(OWN),
        write("head.yaml", head),
        "--traffic",
        write("requests.json", json.dumps(journal)),
    ]
    _, out, _ = mockserver_diff(*argv, "--format", "json")
    hits = {c["kind"]: c.get("traffic_requests") for c in json.loads(out)["changes"]}
    assert hits["parameter-removed"] == 1 and hits["operation-removed"] == 1
    assert hits["request-property-became-required"] == 1


def test_unreadable_traffic_exits_2(mockserver_diff: Run, write: Any) -> None:
    status, _, err = mockserver_diff(str(OWN), str(OWN), "--traffic", write("x.har", "{oops"))
    assert status == 2 and "not a HAR file or a request journal" in err


def test_a_major_bump_announces_breaking_changes_to_fail_on(
    mockserver_diff: Run, write: Any
) -> None:
    base, head = pair("parameter-removed")
    head["info"]["version"] = "2.0.0"
    a, b = write("a.yaml", base), write("b.yaml", head)
    assert mockserver_diff(a, b, "--fail-on", "breaking")[0] == 1  # no version discipline asked
    status, out, _ = mockserver_diff(a, b, "--fail-on", "breaking", "--check-version")
    assert status == 0 and "announced by the major bump 1.0.0 → 2.0.0" in out
