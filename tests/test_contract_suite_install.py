"""The contract suite ships in the wheel: a backend repo's CI installs this project and runs
`mockserver contract-test`, with no clone of this repository anywhere."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.testing import served_mock

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "install-token"
SHIPPED = ("pyproject.toml", "README.md", "mockserver", "contract_tests")


def build_wheel(tmp_path: Path) -> Path:
    """A wheel built from a copy of the sources (links resolved), not from the checkout."""
    source = tmp_path / "source"
    source.mkdir()
    for name in SHIPPED:
        origin = ROOT / name
        if origin.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".pytest_cache")
            shutil.copytree(origin, source / name, symlinks=False, ignore=ignore)
        else:
            shutil.copy(origin, source / name)
    dist = tmp_path / "dist"
    # As the Makefile installs: the build backend from the lock, no isolated build env.
    build = ("wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(source))
    subprocess.run(
        [sys.executable, "-m", "pip", *build],
        check=True,
        capture_output=True,
    )
    return next(dist.glob("mockserver-*.whl"))


def fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    """A new venv holding the wheel; its dependencies come from this interpreter's
    site-packages by path (a .pth line), so the test needs no index and no network."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "parent_dependencies.pth").write_text(site.getsitepackages()[0] + "\n")
    return venv


@pytest.mark.slow
def test_the_installed_wheel_runs_the_suite_against_a_served_mock(tmp_path: Path) -> None:
    venv = fresh_venv(tmp_path, build_wheel(tmp_path))
    outside = tmp_path / "backend-repo"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTRACT_")}
    env.pop("PYTHONPATH", None)
    where = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import mockserver, contract_tests as c; print(mockserver.__file__, c.__file__)",
        ],
        cwd=outside,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert str(ROOT) not in where and str(venv) in where, where
    report = outside / "contract.xml"
    with served_mock(tmp_path / "db", token=TOKEN) as server:
        result = subprocess.run(
            [
                str(venv / "bin" / "mockserver"),
                "contract-test",
                "--base-url",
                server.api_url,
                "--token",
                TOKEN,
                "--junitxml",
                str(report),
                "-q",
                # Every kind of check (Schemathesis' per operation, the suite's own semantic
                # ones) over HTTP; the stateful workflows add time, not a kind of check.
                "-k",
                "not test_workflows",
            ],
            cwd=outside,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    junit = report.read_text()
    assert 'failures="0"' in junit and 'errors="0"' in junit
    assert "test_operations" in junit and "test_semantics" in junit
    assert "contract coverage" in result.stdout
    assert (outside / "contract-test-records.json").exists()
