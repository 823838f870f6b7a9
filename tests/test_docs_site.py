"""The docs site: it builds strictly from a clean tree, every internal link and anchor of the
built HTML resolves, the reference pages follow the code, and the README stays short."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver import settings
from mockserver.cli import build_parser
from mockserver.proxy import settings as proxy_settings
from scripts import docs_openapi, docs_reference
from scripts.docs_examples import examples
from scripts.docs_linkcheck import broken_links
from tests.yaml_text import parse_yaml

ROOT = Path(__file__).resolve().parent.parent
PROPERDOCS = Path(sys.executable).parent / "properdocs"
SWAGGER_SHOTS = ("swagger-ui.png", "swagger-ui-try-it-out.png", "control-ui.png")
DASHBOARD_SHOTS = tuple(
    f"dashboard-{view}.png" for view in ("token", "requests", "sessions", "rules", "requests-phone")
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    shots = tmp_path_factory.mktemp("shots")
    tools = f"{Path(sys.executable).parent}:{ROOT / 'node_modules' / '.bin'}"
    env = {**os.environ, "PATH": f"{tools}:{os.environ['PATH']}", "DOCS_SCREENSHOTS": str(shots)}
    built = subprocess.run(
        [str(PROPERDOCS), "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    assert "WARNING" not in built.stderr, built.stderr
    return out


def test_the_site_has_every_page_of_the_nav_and_the_generated_ones(site: Path) -> None:
    for page in ("reference/cli", "reference/settings", "reference/control-api", "architecture"):
        assert (site / page / "index.html").is_file(), page
    for shot in (*SWAGGER_SHOTS, *DASHBOARD_SHOTS):
        assert (site / "img" / shot).stat().st_size > 10_000, shot
    assert (site / "reference" / "contract" / "index.html").is_file()


def test_no_picture_is_kept_in_the_tree() -> None:
    # The build shoots them (scripts/docs_screenshots.mjs); one kept in docs/ would go stale.
    kept = [p for p in (ROOT / "docs").rglob("*") if p.suffix in (".png", ".jpg", ".gif", ".webp")]
    assert kept == []


def test_every_internal_link_and_anchor_of_the_built_site_resolves(site: Path) -> None:
    assert broken_links(site) == []


def test_the_link_check_finds_a_missing_page_and_a_missing_anchor(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text(
        '<h2 id="here">x</h2><a href="#here">ok</a><a href="a/">ok</a><a href="a/#gone">no</a>'
        '<a href="b/">no</a><img src="img/x.png"><a href="https://example.com/#x">external</a>'
    )
    (tmp_path / "a" / "index.html").write_text('<a href="../#here">ok</a>')
    assert broken_links(tmp_path) == [
        "index.html: a/#gone: no anchor #gone",
        "index.html: b/: no such file",
        "index.html: img/x.png: no such file",
    ]


def test_the_cli_reference_names_every_command_and_option() -> None:
    page = docs_reference.cli_page()
    for name, command in docs_reference.commands(build_parser()):
        assert f"\n## {name}\n" in page
        for action in command._actions:
            if action.dest == "help":
                continue
            assert action.option_strings or f"`{action.dest}`" in page, action.dest
            for option in action.option_strings:
                assert f"`{option}`" in page, option


def test_the_settings_reference_names_every_setting_and_its_variable() -> None:
    page = docs_reference.settings_page()
    for cls, prefix in (
        (settings.Settings, settings.ENV_PREFIX),
        (proxy_settings.ProxySettings, proxy_settings.ENV_PREFIX),
    ):
        for field in dataclasses.fields(cls):
            row = next(
                line for line in page.splitlines() if f"`{prefix}{field.name.upper()}`" in line
            )
            assert row.rstrip(" |").split("|")[-1].strip(), f"{field.name} has no description"


def test_the_api_references_name_every_operation() -> None:
    for page, source in (
        (docs_openapi.contract_page(), docs_openapi.CONTRACT),
        (docs_openapi.control_api_page(), docs_openapi.CONTROL),
    ):
        operation_ids = re.findall(r"operationId: (\w+)", source.read_text())
        assert operation_ids and all(f"\n### {op}\n" in page for op in operation_ids)


def test_the_control_api_guide_links_every_operation_to_the_reference() -> None:
    # The guide lists no answers of its own (they would drift); it names each operation, so a new
    # one in control.yaml is not left out of it. The link check proves the anchors.
    guide = (ROOT / "docs" / "control-api.md").read_text()
    operation_ids = set(re.findall(r"operationId: (\w+)", docs_openapi.CONTROL.read_text()))
    linked = set(re.findall(r"\]\(reference/control-api\.md#(\w+)\)", guide))
    assert operation_ids and {op.lower() for op in operation_ids} == linked


def test_the_readme_is_short_and_its_links_lead_somewhere() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) < 150
    assert "make run" in readme and "make test" in readme
    for target in re.findall(r"\]\(([^)#]+)", readme):
        if "://" not in target:
            assert (ROOT / target).exists(), target


def contract_test_options() -> set[str]:
    command = dict(docs_reference.commands(build_parser()))["contract-test"]
    return {option for action in command._actions for option in action.option_strings}


def test_the_ci_jobs_on_the_contract_tests_page_parse_and_pass_real_options() -> None:
    page = "docs/contract-tests/index.md"
    jobs = [e for e in examples(ROOT / page) if e.language == "yaml"]
    assert len(jobs) == 2  # GitHub Actions and GitLab CI
    known_variables = set(re.findall(r"CONTRACT_[A-Z_]+", contract_sources()))
    options = contract_test_options()
    for job in jobs:
        text = json.dumps(parse_yaml(job.code))  # parses as YAML
        commands = re.findall(r"mockserver contract-test([^\"]*)", text)
        assert commands, f"{job.where} runs no `mockserver contract-test`"
        for command in commands:
            for option in re.findall(r"(?<!\S)(--[a-z-]+)", command):
                assert option in options, f"{job.where}: {option} is no option of contract-test"
        for variable in re.findall(r"CONTRACT_[A-Z_]+", job.code):
            assert variable in known_variables, f"{job.where}: {variable} is read by nothing"


def test_the_contract_tests_option_table_matches_the_command() -> None:
    page = (ROOT / "docs" / "contract-tests" / "index.md").read_text()
    rows = re.findall(r"^\| `(--[a-z-]+)[^|]*\|", page, re.MULTILINE)
    documented = set(rows)
    assert documented == contract_test_options() - {"-h", "--help", "--junitxml"}


def contract_sources() -> str:
    files = [*(ROOT / "contract_tests").glob("*.py"), ROOT / "mockserver" / "contract_test.py"]
    return "".join(path.read_text() for path in files)


def test_every_yaml_example_in_the_docs_parses() -> None:
    for page in (ROOT / "docs").rglob("*.md"):
        for example in examples(page):
            if example.language in ("yaml", "yml") and not example.code.startswith("--8<--"):
                assert parse_yaml(example.code), example.where
