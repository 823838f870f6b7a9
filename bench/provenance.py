"""The header of a bench run: when, where, under what load, with which versions of what."""

from __future__ import annotations

import hashlib
import os
import platform
import shlex
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

from bench.peers import NODE_BIN, REPO


def tool_version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "missing"
    return ((done.stdout or done.stderr).strip().splitlines() or ["?"])[0]


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "missing"


def mock_revision() -> str:
    """The commit plus a digest of mockserver/ as it is on disk (it may hold uncommitted work)."""
    commit = tool_version(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    digest = hashlib.sha256()
    for path in sorted((REPO / "mockserver").rglob("*.py")):
        digest.update(path.read_bytes())
    return f"commit {commit}, mockserver/*.py sha256 {digest.hexdigest()[:12]}"


def header(argv: list[str], load_at_start: float) -> str:
    python_packages = ", ".join(
        f"{name} {package_version(name)}" for name in ("connexion", "flask", "uvicorn", "tinydb")
    )
    lines = [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- command: `{shlex.join(['python', '-m', 'bench.run', *argv])}`",
        f"- mock: {mock_revision()}",
        f"- machine: {os.cpu_count()} cores, {platform.platform()} (shared: figures are noisy)",
        f"- load: {load_at_start:.1f} (1-min average at the start; at the end: under the targets)",
        f"- Python {platform.python_version()}: {python_packages}",
        f"- node {tool_version(['node', '--version'])}, json-server "
        f"{tool_version([str(NODE_BIN / 'json-server'), '--version'])}, prism "
        f"{tool_version([str(NODE_BIN / 'prism'), '--version'])}, "
        f"{tool_version(['wrk', '--version']).split(' Copyright')[0]}",
    ]
    return "\n".join(lines)
