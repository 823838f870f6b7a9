"""Installs are reproducible: the locks pin what pyproject.toml asks for, with hashes, and npm ci
is warning-free on the Node that package.json names."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# The target the locks are made for: the image's and CI's Python on Linux.
TARGET = {"python_version": "3.11", "python_full_version": "3.11.7", "sys_platform": "linux"}
TARGET |= {"platform_system": "Linux", "platform_python_implementation": "CPython"}
PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)(?:\s*;\s*(?P<marker>[^\\]+?))?\s*\\?$"
)


def pins(lock: str) -> dict[str, tuple[Version, list[str]]]:
    """name -> (version, hashes) of each requirement of `lock` that applies to the target."""
    found: dict[str, tuple[Version, list[str]]] = {}
    current: list[str] | None = None
    for line in (ROOT / lock).read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("--hash="):
            assert current is not None, f"{lock}: a hash before any requirement"
            current.append(stripped.removeprefix("--hash=").rstrip(" \\"))
            continue
        current = None
        if not stripped or stripped.startswith("#"):
            continue
        match = PIN.match(stripped)
        assert match, f"{lock}: not an exact pin: {stripped}"
        current = []
        marker = match["marker"]
        if not marker or Marker(marker).evaluate(TARGET):
            found[canonicalize_name(match["name"])] = (Version(match["version"]), current)
    return found


def requested(*extras: str) -> list[Requirement]:
    project = PYPROJECT["project"]
    texts = [*PYPROJECT["build-system"]["requires"], *project["dependencies"]]
    requirements = [Requirement(text) for text in texts]
    for extra in extras:
        for requirement in map(Requirement, project["optional-dependencies"][extra]):
            if requirement.name == project["name"]:  # one extra naming another: `pkg[other]`
                requirements += requested(*requirement.extras)
            else:
                requirements.append(requirement)
    return requirements


@pytest.mark.parametrize(
    ("lock", "extras"), [("requirements.lock", ()), ("requirements-test.lock", ("test",))]
)
def test_the_lock_pins_everything_pyproject_asks_for(lock: str, extras: tuple[str, ...]) -> None:
    pinned = pins(lock)
    stale = [
        f"{requirement} (locked: {pinned.get(canonicalize_name(requirement.name), ('none',))[0]})"
        for requirement in requested(*extras)
        if canonicalize_name(requirement.name) not in pinned
        or pinned[canonicalize_name(requirement.name)][0] not in requirement.specifier
    ]
    assert not stale, f"{lock} is stale, run `make lock`: {stale}"
    unhashed = [name for name, (_, hashes) in pinned.items() if not hashes]
    assert not unhashed, f"{lock}: pins without a hash: {unhashed}"


def test_ci_and_the_image_install_the_same_versions() -> None:
    runtime, test = pins("requirements.lock"), pins("requirements-test.lock")
    differing = {
        name: (str(version), str(test[name][0]) if name in test else None)
        for name, (version, _) in runtime.items()
        if name not in test or test[name][0] != version
    }
    assert not differing, f"the test lock moves runtime pins: {differing}"


def test_npm_ci_prints_no_warning(tmp_path: Path) -> None:
    npm = shutil.which("npm")
    assert npm, "npm is not installed"
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True)
    wanted = json.loads((ROOT / "package.json").read_text())["engines"]["node"]
    lowest_major = re.search(r"\d+", wanted)
    assert lowest_major and node.stdout.lstrip("v").startswith(lowest_major[0] + "."), (
        f"this check must run on the Node package.json names ({wanted}), not {node.stdout}"
    )
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(ROOT / name, tmp_path / name)
    # A copy, so the check leaves node_modules alone; --dry-run reads only the lock.
    installed = subprocess.run(
        [npm, "ci", "--dry-run", "--no-audit", "--no-fund"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert installed.returncode == 0, installed.stderr
    output = installed.stdout + installed.stderr
    assert "npm warn" not in output.lower(), output
