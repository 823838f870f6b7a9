"""`serve --watch`: each edit of the contract (and the files it references) or the fixtures is
served by every worker, sessions keep what they wrote, an edit that cannot be served keeps the
last good version and says why, and an edit storm under load loses no request and leaves no
worker behind."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver import FIXTURES_DIR, SPEC_PATH
from mockserver.app import create_app
from mockserver.reload.files import ReloadError, digest
from mockserver.reload.swap import watched
from mockserver.reload.version import files_of
from mockserver.settings import Settings
from mockserver.testing import ServedMock, served_mock
from tests.yaml_text import parse_yaml, yaml_text

pytestmark = pytest.mark.slow

BROWSER = Path(__file__).resolve().parent / "browser"
RELOAD_TIMEOUT = 15  # seconds: a reload takes about one here, on a loaded machine


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A contract and fixtures of the test's own, to edit."""
    shutil.copy(SPEC_PATH, tmp_path / "openapi.yaml")
    shutil.copytree(FIXTURES_DIR, tmp_path / "fixtures")
    return tmp_path


def watched_mock(files: Path, workers: int = 1) -> Any:
    return served_mock(
        files / "store",
        watch=True,
        workers=workers,
        fixtures=files / "fixtures",
        env={"MOCKSERVER_SPEC": str(files / "openapi.yaml")},
    )


def write_atomically(path: Path, text: str) -> None:
    """As an editor saves: a new file renamed over the old one."""
    fresh = path.with_name(path.name + ".saving")
    fresh.write_text(text, encoding="utf-8")
    os.replace(fresh, path)


def clients_file(files: Path) -> Path:
    return files / "fixtures" / "clients.json"


def keep_clients(files: Path, count: int, rename: str | None = None) -> list[dict[str, Any]]:
    records = json.loads(clients_file(files).read_text())[:count]
    if rename is not None:
        records[0]["name"] = rename
    write_atomically(clients_file(files), json.dumps(records))
    return records


def health(mock: httpx.Client) -> dict[str, Any]:
    answer: dict[str, Any] = mock.get("/__mock/health").json()
    return answer


def wait_for(condition: Callable[[], bool], what: str | Callable[[], str]) -> None:
    deadline = time.monotonic() + RELOAD_TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(
                f"not within {RELOAD_TIMEOUT} s: {what() if callable(what) else what}"
            )
        time.sleep(0.05)


def reload_status(mock: httpx.Client) -> dict[str, Any]:
    status: dict[str, Any] = health(mock)["reload"]
    return status


def client_for(served: ServedMock, session: str | None = None) -> httpx.Client:
    headers = {"Authorization": "Bearer t"}
    if session is not None:
        headers["X-Mock-Session"] = session
    return httpx.Client(base_url=served.base_url, headers=headers, timeout=10)


@pytest.fixture
def one_worker(files: Path) -> Iterator[ServedMock]:
    with watched_mock(files) as served:
        yield served


def test_new_fixtures_reach_the_sessions_that_only_read_and_writes_rules_journal_stay(
    files: Path, one_worker: ServedMock
) -> None:
    mock = client_for(one_worker)
    reader, writer = client_for(one_worker, "reader"), client_for(one_worker, "writer")
    assert reader.get("/api/v1/clients").json()["meta"]["total"] > 3
    created = writer.post("/api/v1/clients", json={"name": "Kept Ltd"}).json()
    rule = mock.post(
        "/__mock/sessions/writer/rules", json={"operation": "getClient", "status": 404}
    ).json()
    assert reader.get("/api/v1/clients").status_code == 200

    records = keep_clients(files, 3, rename="Renamed Corp")
    wait_for(lambda: reload_status(mock)["version"] == 2, "the fixtures reloaded")

    assert reload_status(mock)["error"] is None
    read = reader.get("/api/v1/clients").json()
    assert read["meta"]["total"] == 3
    assert {c["id"] for c in read["data"]} == {r["id"] for r in records}
    assert "Renamed Corp" in {c["name"] for c in read["data"]}
    default = mock.get("/api/v1/clients").json()
    assert default["meta"]["total"] == 3, "the default session only read: new fixtures"
    written = writer.get("/api/v1/clients").json()
    assert written["meta"]["total"] == 4
    assert created["id"] in {c["id"] for c in written["data"]}, "a session's writes are kept"
    assert writer.get(f"/api/v1/clients/{records[1]['id']}").headers["x-mock-rule"] == rule["id"]
    assert writer.post("/api/v1/clients", json={"name": "After"}).status_code == 201
    assert writer.put(f"/api/v1/clients/{created['id']}", json={"name": "Put"}).status_code == 200
    journal = mock.get("/__mock/sessions/writer/requests").json()
    assert any(entry["method"] == "POST" for entry in journal["data"]), "the journal is kept"


def test_an_edit_that_cannot_be_served_keeps_the_last_good_version_and_names_the_fault(
    files: Path, one_worker: ServedMock
) -> None:
    mock = client_for(one_worker)
    contract = files / "openapi.yaml"
    good = contract.read_text()
    total = mock.get("/api/v1/clients").json()["meta"]["total"]
    edits = [
        (contract, good + "\nbroken: [\n", "is not valid YAML"),
        (contract, good.replace("openapi: 3.0.3", "openapi: 3.0.3\nunknown: 1"), "OpenAPI 3.0"),
        (contract, good.replace("operationId: listClients", "operationId: listAll"), "listAll"),
        (clients_file(files), '[{"id": "x", "name": 7}]', "clients.json record 0"),
    ]
    for path, text, named in edits:
        before = reload_status(mock)
        original = path.read_text()
        write_atomically(path, text)
        wait_for(lambda: reload_status(mock)["error"] is not None, f"{named} refused")
        error = reload_status(mock)["error"]
        assert error["file"] == str(path.resolve()) and named in error["message"], error
        assert reload_status(mock)["version"] == before["version"]
        assert mock.get("/api/v1/clients").json()["meta"]["total"] == total, "still serving"
        write_atomically(path, original)
        wait_for(lambda: reload_status(mock)["error"] is None, "the next valid edit served")
    keep_clients(files, 2)
    wait_for(lambda: mock.get("/api/v1/clients").json()["meta"]["total"] == 2, "picked up")


def test_a_file_the_contract_references_is_watched_too(files: Path) -> None:
    contract = files / "openapi.yaml"
    spec = parse_yaml(contract.read_text())
    create = spec["components"]["schemas"].pop("ClientCreate")

    def schemas_file() -> str:  # its references back into the contract name the contract
        text = yaml_text({"ClientCreate": create})
        return text.replace("'#/components/", "'openapi.yaml#/components/")

    (files / "create.yaml").write_text(schemas_file())
    spec["components"]["schemas"]["ClientCreate"] = {"$ref": "create.yaml#/ClientCreate"}
    contract.write_text(yaml_text(spec, sort_keys=False))
    with watched_mock(files) as served:
        mock = client_for(served)
        assert mock.post("/api/v1/clients", json={"name": "x" * 20}).status_code == 201
        create["properties"]["name"]["maxLength"] = 10
        write_atomically(files / "create.yaml", schemas_file())
        wait_for(lambda: reload_status(mock)["version"] == 2, "the referenced file reloaded")
        refused = mock.post("/api/v1/clients", json={"name": "x" * 20})
        assert refused.status_code == 400, refused.text


def test_the_control_document_is_among_the_watched_files(files: Path) -> None:
    from mockserver.control import CONTROL_SPEC

    watched = files_of(Settings.load(spec=str(files / "openapi.yaml"), fixtures=str(files)))
    assert CONTROL_SPEC.resolve() in watched


# The storm: 50 edits in 5 s, one in five refused, at two workers with requests throughout.
STORM_EDITS = 50
STORM_SECONDS = 5.0
LOAD_THREADS = 3


def test_an_edit_storm_under_load_fails_no_request_and_leaves_no_worker_behind(
    files: Path,
) -> None:
    originals = json.loads(clients_file(files).read_text())
    failures: list[str] = []
    served_count = [0]
    stop = threading.Event()

    def load(served: ServedMock, session: str) -> None:
        with client_for(served, session) as client:
            while not stop.is_set():
                try:
                    answer = client.get("/api/v1/clients", params={"limit": 5})
                    if answer.status_code != 200:
                        failures.append(f"{answer.status_code}: {answer.text[:200]}")
                    served_count[0] += 1
                except httpx.HTTPError as error:
                    failures.append(repr(error))

    with watched_mock(files, workers=2) as served:
        threads = [
            threading.Thread(target=load, args=(served, f"load-{n}")) for n in range(LOAD_THREADS)
        ]
        for thread in threads:
            thread.start()
        last_valid: list[dict[str, Any]] = []
        for edit in range(1, STORM_EDITS + 1):
            if edit % 5 == 0:
                write_atomically(clients_file(files), '[{"id": "bad"')  # refused
            else:
                last_valid = originals[: 1 + edit % (len(originals) - 1)]
                write_atomically(clients_file(files), json.dumps(last_valid))
            time.sleep(STORM_SECONDS / STORM_EDITS)
        # The storm ends on a refused edit; then the last valid one is written again, as a
        # developer fixes the typo: every worker must serve it.
        write_atomically(clients_file(files), json.dumps(last_valid))
        expected = digest(files_of_served(files))
        seen: dict[int, dict[str, Any]] = {}

        def every_worker_current() -> bool:
            # A new connection each time: a kept-alive one would always reach the same worker.
            answer = httpx.get(served.base_url + "/__mock/health", timeout=10).json()
            seen[answer["pid"]] = answer
            return len(seen) == 2 and all(
                h["reload"]["digest"] == expected
                and h["reload"]["error"] is None
                and h["clients"] == len(last_valid)
                for h in seen.values()
            )

        wait_for(
            every_worker_current,
            lambda: f"both workers serve {len(last_valid)} clients ({expected}): {seen}",
        )
        stop.set()
        for thread in threads:
            thread.join()
    assert not failures, failures[:5]
    assert served_count[0] > 50, "the load ran throughout"
    assert all(h["reload"]["version"] > 2 for h in seen.values()), "each worker reloaded often"


def files_of_served(files: Path) -> frozenset[Path]:
    return files_of(
        Settings.load(spec=str(files / "openapi.yaml"), fixtures=str(files / "fixtures"))
    )


def test_new_fixtures_in_the_store_leave_both_workers_agreeing_on_every_session(
    tmp_path: Path,
) -> None:
    """Two stores on one file, as two workers: the default session takes new fixtures while it
    only read and keeps its records once written; a session over the seed keeps its writes."""
    from mockserver.contract import load_spec
    from mockserver.store import ClientStore
    from mockserver.store.fixtures import load_clients
    from mockserver.store.model import Filters

    fixtures = load_clients(FIXTURES_DIR, load_spec(str(SPEC_PATH)))
    first, second = (
        ClientStore.open(str(tmp_path / "db.json"), lambda: fixtures, {}) for _ in range(2)
    )

    def names(store: ClientStore, session: str = "default") -> set[str]:
        return {c["name"] for c in store.find(Filters(), 1000, 0, session).items}

    written = second.insert({**fixtures[0], "id": "own", "name": "Own"}, session="writer")
    renamed = [{**fixtures[0], "name": "Renamed"}, *fixtures[1:3]]
    first.replace_seed(renamed, {})
    assert names(second) == {"Renamed", *(c["name"] for c in fixtures[1:3])}, "before reloading"
    second.replace_seed(renamed, {})
    assert names(first, "writer") == names(second, "writer") == {*names(first), written["name"]}
    second.insert({**fixtures[5], "id": "mine", "name": "Mine"})
    for store in (second, first):
        store.replace_seed(fixtures[:2], {})
    assert (
        names(first)
        == names(second)
        == {"Renamed", fixtures[1]["name"], fixtures[2]["name"], "Mine"}
    ), "a written default session keeps its records"
    assert names(first, "writer") == {fixtures[0]["name"], fixtures[1]["name"], "Own"}
    for store in (first, second):
        store.close()


def test_a_worker_started_after_an_edit_catches_up(files: Path) -> None:
    with watched_mock(files, workers=2) as served:
        keep_clients(files, 4)
        expected = digest(files_of_served(files))
        pids = workers_serving(served, expected)
        os.kill(min(pids), 9)  # the supervisor forks a replacement from its first version
        replaced = workers_serving(served, expected, besides=min(pids))
        assert min(pids) not in replaced and len(replaced) == 2


def workers_serving(served: ServedMock, expected: str, besides: int | None = None) -> set[int]:
    """The pids of both workers, once each answers with the files' digest."""
    current: set[int] = set()
    others: dict[int, Any] = {}

    def both() -> bool:
        try:
            answer = httpx.get(served.base_url + "/__mock/health", timeout=10).json()
        except httpx.HTTPError:
            return False  # the killed worker's connection
        if answer["pid"] != besides and answer["reload"]["digest"] == expected:
            current.add(answer["pid"])
        else:
            others[answer["pid"]] = answer["reload"]
        return len(current) == 2

    wait_for(both, lambda: f"two workers on {expected}: {current}; others: {others}")
    return current


def test_the_dashboard_shows_an_edit_that_cannot_be_served_until_it_is_fixed(
    files: Path, one_worker: ServedMock
) -> None:
    good = files / "clients-good.json"
    shutil.copy(clients_file(files), good)
    write_atomically(clients_file(files), '[{"id": "x"}]')
    finished = subprocess.run(
        [
            "node",
            str(BROWSER / "reload-banner.mjs"),
            one_worker.base_url,
            str(clients_file(files)),
            str(good),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=BROWSER.parent.parent,
    )
    assert finished.returncode == 0, finished.stderr
    seen = json.loads(finished.stdout)
    assert "clients.json" in seen["shown"] and "record 0" in seen["shown"], seen
    assert seen["hidden"] is True


@pytest.mark.parametrize("torn_reads", [1, 2])
def test_a_refused_version_is_read_once_more_even_if_no_digest_differs(
    files: Path, torn_reads: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build can catch a file mid-write, and the write that ends it can put back the very
    bytes the digest was taken of (an edit storm): the files are read once more at the next
    quiet spell, and only once, so a file that stays broken is not read again and again."""
    settings = Settings.load(
        spec=str(files / "openapi.yaml"),
        fixtures=str(files / "fixtures"),
        db=str(files / "store" / "clients.json"),
        watch=True,
    )
    reloadable = watched(create_app(settings), settings)
    build = reloadable._build_and_seed
    reads: list[int] = []

    def torn(*args: Any) -> Any:
        reads.append(1)
        if len(reads) <= torn_reads:
            raise ReloadError(clients_file(files), "is not valid JSON (read mid-write)")
        return build(*args)

    monkeypatch.setattr(reloadable, "_build_and_seed", torn)
    version = reloadable.kept.reload.version
    keep_clients(files, 2)
    assert reloadable.changed()
    asyncio.run(reloadable.reload())
    assert reloadable.kept.reload.error is not None
    assert reloadable.changed(), "the same bytes, read once more"
    asyncio.run(reloadable.reload())
    if torn_reads == 1:
        assert reloadable.kept.reload.error is None and not reloadable.changed()
        assert reloadable.kept.reload.version == version + 1
    else:
        assert reloadable.kept.reload.error is not None
        assert not reloadable.changed(), "a file that stays broken is read once more, not again"
    assert len(reads) == 2
    reloadable.kept.store.close()
