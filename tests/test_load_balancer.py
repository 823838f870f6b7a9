"""Several instances behind nginx with deploy/nginx-sessions.conf, the config that
docs/mock/scale-out.md shows (it includes the file at build time) (issue 15).

Two mock instances (each its own store) and nginx from apt (scripts/ensure-system-tools.sh
installs it) routing by `X-Mock-Session` with consistent hashing. Sessions must spread over both
instances, each session living on exactly one, reading its own writes and seeing no other's.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockserver.testing import ServedMock, free_port, served_mock, stop
from scripts.docs_examples import snippet

CONFIG_PATH = "deploy/nginx-sessions.conf"
CONFIG = Path(__file__).resolve().parent.parent / CONFIG_PATH
SESSIONS = [f"team-{number}" for number in range(24)]
AUTH = {"Authorization": "Bearer balanced"}
PAGE_INSTANCES = ("127.0.0.1:8081", "127.0.0.1:8082")
PAGE_LISTEN = "listen 127.0.0.1:8080;"

pytestmark = pytest.mark.slow


def nginx_config(folder: Path, port: int, instances: list[ServedMock]) -> Path:
    """The page's config with this run's ports, inside a minimal main config of its own."""
    assert snippet("docs/mock/scale-out.md", "nginx").strip() == f'--8<-- "{CONFIG_PATH}"'
    site = CONFIG.read_text()
    assert PAGE_LISTEN in site and all(address in site for address in PAGE_INSTANCES)
    site = site.replace(PAGE_LISTEN, f"listen 127.0.0.1:{port};")
    for address, instance in zip(PAGE_INSTANCES, instances, strict=True):
        site = site.replace(address, instance.base_url.removeprefix("http://"))
    (folder / "site.conf").write_text(site)
    main = folder / "nginx.conf"
    main.write_text(
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\n"
        "worker_processes 1;\nevents { worker_connections 256; }\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {folder}/body;\n"
        f"  proxy_temp_path {folder}/proxy;\n  include {folder}/site.conf;\n}}\n"
    )
    folder.chmod(0o777)  # nginx's worker may run as nobody when the tests run as root
    return main


@contextlib.contextmanager
def nginx(config: Path, port: int) -> Iterator[str]:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    prefix = str(config.parent)
    process = subprocess.Popen(
        [binary, "-p", prefix, "-c", str(config), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and process.poll() is None:
            with contextlib.suppress(httpx.TransportError):
                httpx.get(f"{url}/__mock/health", timeout=1)
                break
            time.sleep(0.05)
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        yield url
    finally:
        stop(process)  # type: ignore[arg-type]


@pytest.fixture
def balanced(tmp_path: Path) -> Iterator[tuple[str, list[ServedMock]]]:
    with (
        served_mock(tmp_path / "a.json", workers=1) as first,
        served_mock(tmp_path / "b.json", workers=1) as second,
    ):
        port = free_port()
        (tmp_path / "nginx").mkdir()
        config = nginx_config(tmp_path / "nginx", port, [first, second])
        with nginx(config, port) as url:
            yield url + "/api/v1", [first, second]


def session(name: str) -> dict[str, str]:
    return {**AUTH, "X-Mock-Session": name}


def test_sessions_spread_over_instances_each_isolated_and_reading_its_writes(
    balanced: tuple[str, list[ServedMock]],
) -> None:
    api, instances = balanced
    created: dict[str, dict] = {}
    with httpx.Client(timeout=10) as http:
        for name in SESSIONS:
            answer = http.post(f"{api}/clients", json={"name": f"lb {name}"}, headers=session(name))
            assert answer.status_code == 201, answer.text
            created[name] = answer.json()
            # Read-your-writes through the balancer, at once.
            again = http.get(f"{api}/clients/{created[name]['id']}", headers=session(name))
            assert again.status_code == 200 and again.json() == created[name]

        homes: dict[str, int] = {}
        for name, client in created.items():
            holders = [
                number
                for number, instance in enumerate(instances)
                if http.get(
                    f"{instance.api_url}/clients/{client['id']}", headers=session(name)
                ).status_code
                == 200
            ]
            assert len(holders) == 1, f"session {name} lives on instances {holders}"
            homes[name] = holders[0]
        assert set(homes.values()) == {0, 1}, f"every session went to one instance: {homes}"

        for name, client in created.items():
            for other in SESSIONS[:6]:
                if other == name:
                    continue
                seen = http.get(f"{api}/clients/{client['id']}", headers=session(other))
                assert seen.status_code == 404, f"session {other} sees {name}'s client"
            listed = http.get(
                f"{api}/clients", params={"search": "lb team-"}, headers=session(name)
            ).json()["data"]
            assert [each["id"] for each in listed] == [client["id"]], f"{name} sees: {listed}"
