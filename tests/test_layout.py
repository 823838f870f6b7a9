"""The architecture holds: light imports per command, one-way dependencies, no outside links."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "mockserver"
MOCK_STACK = {"flask", "connexion", "tinydb"}
PROXY_STACK = {"openapi_core"}


def loaded_after(code: str, watched: set[str]) -> set[str]:
    """Which of `watched` a fresh interpreter has imported after running `code`."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({sorted(watched)!r} & sys.modules.keys())))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_the_command_line_loads_no_stack_until_a_command_runs() -> None:
    code = "from mockserver import cli; cli.build_parser()"
    assert loaded_after(code, MOCK_STACK | PROXY_STACK) == set()


def test_the_mock_does_not_load_the_proxys_stack() -> None:
    code = "from mockserver.app import create_app; create_app(db=':memory:')"
    assert loaded_after(code, MOCK_STACK | PROXY_STACK) == MOCK_STACK


def test_a_start_on_fixtures_checked_before_loads_no_python_schema_validator() -> None:
    """openapi-schema-validator (with pydantic-settings, ~0.1 s of CPU) is for a fixtures
    check and for the errors of an import; most starts need neither."""
    code = "from mockserver.app import create_app; create_app(db=':memory:')"
    loaded_after(code, set())  # the first start checks the fixtures, and marks them checked
    assert loaded_after(code, {"openapi_schema_validator"}) == set()


def test_the_proxy_does_not_load_the_mocks_stack() -> None:
    code = (
        "from mockserver.proxy.app import create_proxy_app\n"
        "from mockserver.proxy.settings import ProxySettings\n"
        "create_proxy_app(ProxySettings.load(environ={}, upstream='http://127.0.0.1:9'))"
    )
    assert loaded_after(code, MOCK_STACK | PROXY_STACK) == PROXY_STACK


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def top_level_imports(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)}


def test_only_the_store_imports_tinydb() -> None:
    outside_store = [p for p in PACKAGE.rglob("*.py") if not p.is_relative_to(PACKAGE / "store")]
    offenders = [
        str(p.relative_to(ROOT)) for p in outside_store if "tinydb" in top_level_imports(p)
    ]
    assert offenders == []


def test_nothing_below_a_handler_knows_about_http() -> None:
    web = {"flask", "connexion", "starlette", "uvicorn"}
    offenders = {
        str(path.relative_to(ROOT)): web & top_level_imports(path)
        for path in (PACKAGE / "store").rglob("*.py")
        if web & top_level_imports(path)
    }
    assert offenders == {}


def test_the_repository_points_nowhere_outside_itself() -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout.split()
    outside = "../" + "shared"
    offenders = [
        name
        for name in tracked
        if name != "package-lock.json"
        and (ROOT / name).is_file()
        and outside in (ROOT / name).read_text(encoding="utf-8", errors="replace")
    ]
    assert offenders == []
