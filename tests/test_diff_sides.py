"""Where the two sides come from (files, git revisions) and how their `$ref`s are followed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mockserver.diff.load import LoadError, load
from mockserver.diff.operations import diff_documents
from tests.yaml_text import yaml_text

ROOT = Path(__file__).resolve().parents[1]


def document(schema: dict[str, Any], **components: Any) -> dict[str, Any]:
    """A one-operation document whose 200 response has this schema."""
    content = {"application/json": {"schema": schema}}
    operation = {
        "operationId": "getThing",
        "responses": {"200": {"description": "ok", "content": content}},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1.0.0"},
        "paths": {"/thing": {"get": operation}},
        "components": {"schemas": components},
    }


def kinds(base: str, head: str, cwd: Path | None = None) -> list[tuple[str, str]]:
    changes = diff_documents(load(base, cwd), load(head, cwd))
    return [(c.kind, c.location) for c in changes]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    spec = tmp_path / "openapi.yaml"
    (tmp_path / "api").mkdir()
    thing = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
    for step, required in enumerate((["id"], [])):
        thing["required"] = required
        spec.write_text(yaml_text(document({"$ref": "#/components/schemas/Thing"}, Thing=thing)))
        (tmp_path / "api" / "main.yaml").write_text(
            yaml_text(document({"$ref": "parts/thing.yaml"}))
        )
        (tmp_path / "api" / "parts").mkdir(exist_ok=True)
        (tmp_path / "api" / "parts" / "thing.yaml").write_text(yaml_text(thing))
        git("add", "-A")
        git("commit", "-q", "-m", f"step {step}")
    return tmp_path


def test_git_revisions_with_the_default_path_and_with_relative_refs(repo: Path) -> None:
    pointer = "/responses/200/content/application~1json/schema/properties/id"
    expected = [("response-property-became-optional", pointer)]
    assert kinds("git:HEAD~1", "git:HEAD", repo) == expected
    assert kinds("git:HEAD~1:api/main.yaml", "git:HEAD:api/main.yaml", repo) == expected
    assert kinds("git:HEAD~1:api/main.yaml", "api/main.yaml", repo) == expected  # working tree
    assert kinds("git:HEAD", "openapi.yaml", repo) == []


@pytest.mark.parametrize("spec", ["git:no-such-rev", "git:HEAD:absent.yaml", "git:"])
def test_an_unknown_revision_or_path_is_a_load_error(repo: Path, spec: str) -> None:
    with pytest.raises(LoadError, match="git"):
        load(spec, repo)


def test_recursive_schemas_end_and_deep_changes_are_found(tmp_path: Path) -> None:
    def node(child_type: str) -> dict[str, Any]:
        children = {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
        props = {"children": children, "value": {"type": child_type}}
        return {"type": "object", "properties": props}

    (tmp_path / "a.yaml").write_text(
        yaml_text(document({"$ref": "#/components/schemas/Node"}, Node=node("integer")))
    )
    (tmp_path / "b.yaml").write_text(
        yaml_text(document({"$ref": "#/components/schemas/Node"}, Node=node("number")))
    )
    [(kind, location)] = kinds("a.yaml", "b.yaml", tmp_path)
    assert kind == "response-type-widened" and location.endswith("/properties/value/type")


def test_all_of_is_merged_before_comparing(tmp_path: Path) -> None:
    named = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
    base = document(
        {
            "allOf": [
                {"$ref": "#/components/schemas/Named"},
                {"properties": {"n": {"type": "integer"}}},
            ]
        },
        Named=named,
    )
    head = document(
        {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}, "n": {"type": "integer"}},
        }
    )
    (tmp_path / "a.yaml").write_text(yaml_text(base))
    (tmp_path / "b.yaml").write_text(yaml_text(head))
    assert kinds("a.yaml", "b.yaml", tmp_path) == []


def test_the_diff_loads_neither_the_mocks_nor_the_proxys_stack() -> None:
    code = (
        "import sys\n"
        "from mockserver.diff.main import execute\n"
        "from mockserver.diff import cli\n"
        "import argparse\n"
        "p = argparse.ArgumentParser(); cli.register(p.add_subparsers())\n"
        "a = p.parse_args(['diff', 'openapi.yaml', 'git:HEAD', '--format', 'json'])\n"
        "status = a.run(a)\n"
        "stacks = {'flask', 'connexion', 'tinydb', 'openapi_core', 'werkzeug'}\n"
        "print(sorted(stacks & sys.modules.keys()), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "[]"
