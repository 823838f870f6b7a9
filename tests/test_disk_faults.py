"""Every file operation the store performs fails in turn, as in SQLite's I/O error tests.

Under a scripted workload (tests/faults/workload.py: creates, updates, reads, a session opened
by a read, an import, compactions), the Nth call of one kind (open, write, flush, rename,
truncate, lock: store/disk.py) fails with ENOSPC, EIO or a short write, at both durability
levels, in process and at two served workers. After each: no acknowledged write lost after a
restart, no refused write kept, no traceback in any answer, our problem document for each
refused write, every read answered, the next write succeeds without a restart.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from faults import workload
from starlette.testclient import TestClient

from mockserver.api.clients import STORE_KEY
from mockserver.app import create_app, open_store
from mockserver.settings import FIXTURES_DIR, Settings
from mockserver.store import ClientStore, disk, wal
from mockserver.testing import free_port, serve_command, stop, wait_until_healthy

SEEDED = 4
COMPACT_AFTER = 6  # lines: the workload compacts a few times
TOKEN = "faults"
LAUNCHER = Path(__file__).parent / "faults" / "launch.py"
ERRORS = {"write": ("ENOSPC", "EIO", "short")}  # other kinds: an errno only
POSITIONS = 3  # about how many calls of each kind fail in turn, spread over the workload


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seed of a few clients, so the compaction threshold is the WAL's, not records / 2."""
    folder = tmp_path_factory.mktemp("fixtures")
    clients = json.loads((Path(FIXTURES_DIR) / "clients.json").read_text())[:SEEDED]
    (folder / "clients.json").write_text(json.dumps(clients))
    (folder / "jobs.json").write_text("[]")
    return folder


def in_process(app: Any) -> Iterator[workload.Send]:
    with TestClient(app, raise_server_exceptions=False) as client:

        def send(method: str, path: str, body: Any, session: str) -> tuple[int, Any, str]:
            headers = {"Authorization": f"Bearer {TOKEN}"}
            if session:
                headers["X-Mock-Session"] = session
            answer = client.request(method, path, json=body, headers=headers)
            return answer.status_code, answer.headers, answer.text

        yield send


@pytest.fixture(scope="module")
def apps(fixtures: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One app a durability level (building one costs ~0.7 s); each case swaps in its store."""
    folder = tmp_path_factory.mktemp("apps")
    built = {
        level: create_app(
            db=str(folder / f"{level}.json"), fixtures=str(fixtures), durability=level
        )
        for level in ("os", "disk")
    }
    yield built
    for app in built.values():
        app.app.extensions[STORE_KEY].close()


def open_store_of(app: Any, db: Path, fixtures: Path, durability: str) -> ClientStore:
    """Start (or restart) `app` on the store at `db`."""
    settings = Settings.load(db=str(db), fixtures=str(fixtures), durability=durability)
    store = open_store(settings)
    app.app.extensions[STORE_KEY] = store
    return store


def run_case(
    app: Any, tmp_path: Path, fixtures: Path, durability: str, faults: list[disk.Fault]
) -> tuple[bool, int]:
    """Whether a fault struck, and how many calls of the first fault's kind the run made."""
    db = tmp_path / "clients.json"
    ledger = workload.Ledger()
    failed_parts: set[str] = set()
    store = open_store_of(app, db, fixtures, durability)
    store.report_to(Spy(failed_parts))
    plan = disk.Plan(faults)
    try:
        for send in in_process(app):
            disk.install(plan)
            workload.run(send, ledger)
            disk.install(None)
            workload.create(send, ledger, 99)  # the disk is back: no restart needed
            assert not ledger.problems, "\n".join(ledger.problems)
            assert ledger.creates and list(ledger.acked.values())[-1]["name"] == "client 99"
    finally:
        disk.install(None)
        store.close()
    reopened = open_store_of(app, db, fixtures, durability)
    try:
        for send in in_process(app):
            workload.check_after_restart(send, ledger, SEEDED)
    finally:
        reopened.close()
    # A call in a compaction's child is counted there: the parent hears of it as a failure.
    return bool(plan.struck or failed_parts), plan.calls[faults[0].kind]


class Spy:
    """Which parts reported a failure (a Degraded forgets them once they recover)."""

    def __init__(self, parts: set[str]) -> None:
        self.parts = parts

    def failed(self, part: str, error: BaseException | str, dropped: int = 1) -> None:
        self.parts.add(part)

    def recovered(self, part: str) -> None:
        pass


def calls_made(app: Any, tmp_path: Path, fixtures: Path, durability: str) -> dict[str, int]:
    """How many calls of each kind the workload makes (in this process) when nothing fails."""
    plan = disk.Plan([])
    store = open_store_of(app, tmp_path / "dry.json", fixtures, durability)
    try:
        for send in in_process(app):
            disk.install(plan)
            workload.run(send, workload.Ledger())
    finally:
        disk.install(None)
        store.close()
    return dict(plan.calls)


@pytest.mark.parametrize("durability", ["os", "disk"])
@pytest.mark.parametrize("kind", disk.KINDS)
def test_each_call_of_a_kind_fails_in_turn(
    apps: dict[str, Any],
    tmp_path: Path,
    fixtures: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    durability: str,
) -> None:
    monkeypatch.setattr(wal, "COMPACT_AFTER_LINES", COMPACT_AFTER)
    app = apps[durability]
    # Calls made only in a compaction's child (at durability os, every flush) count from the
    # parent's count at the fork: there the first calls are the ones to fail.
    made = max(2, calls_made(app, tmp_path, fixtures, durability).get(kind, 0))
    step = max(1, made // POSITIONS)
    errors = ERRORS.get(kind, ("ENOSPC", "EIO"))
    # Each position fails with one of the errors in turn (the store treats every errno alike;
    # a short write differs), so every error meets every kind, in a bounded time.

    def strike(error: str, call: int, name: str) -> tuple[bool, int]:
        """The workload with call `call` of the kind failing: (whether it did, calls made)."""
        folder = case_folder(tmp_path, name)
        return run_case(app, folder, fixtures, durability, faults_at(kind, error, call))

    for number, first in enumerate(range(1, made + 1, step)):
        error = errors[number % len(errors)]
        struck, calls = strike(error, first, f"{error}-{first}")
        if not struck and 0 < calls < first:
            # This run made fewer calls of the kind than the counting one (a lock's tries and a
            # compaction's timing vary): its last call is the one that fails instead.
            struck, _ = strike(error, calls, f"{error}-{first}-as-{calls}")
        assert struck, f"the workload never made call {first} of {kind}"


def faults_at(kind: str, error: str, first: int) -> list[disk.Fault]:
    # Two calls in a row: the failure, and the first attempt to put it right.
    faults = [disk.Fault(kind, error, first, times=2)]
    if kind == "truncate":  # only a torn line is cut: tear one, then fail to cut it
        faults.append(disk.Fault("write", "short", first=3 + first))
    return faults


def case_folder(tmp_path: Path, name: str) -> Path:
    case = tmp_path / name
    case.mkdir()
    return case


def test_a_short_write_on_a_full_disk_is_never_acknowledged(tmp_path: Path) -> None:
    """The user's report: the kernel wrote part of the line, the 201 went out, the line was
    lost at the next start."""
    seed = [json.loads((Path(FIXTURES_DIR) / "clients.json").read_text())[0]]
    store = ClientStore.open(str(tmp_path / "db.json"), lambda: seed, {})
    disk.install(disk.Plan([disk.Fault("write", "short")]))
    try:
        with pytest.raises(Exception, match="cannot make this write durable"):
            store.insert({**seed[0], "id": "lost"})
    finally:
        disk.install(None)
    store.insert({**seed[0], "id": "kept"})  # and the journal was cut back to its last line
    store.close()
    reopened = ClientStore.open(str(tmp_path / "db.json"), lambda: [], {})
    assert reopened.get("kept")["id"] == "kept"
    assert len(reopened) == 2
    reopened.close()


# Two served workers: the plan is installed by a launcher before the workers are forked, so
# each counts its own calls; a smaller matrix, one position each.
SERVED_CASES = [
    ("os", disk.Fault("write", "short", first=12, times=3)),
    ("os", disk.Fault("lock", "EIO", first=8, times=2)),
    ("disk", disk.Fault("flush", "EIO", first=6, times=2)),
    ("disk", disk.Fault("rename", "ENOSPC", first=1, times=2)),
]


def served(db: Path, fixtures: Path, durability: str, faults: list[disk.Fault]) -> Any:
    port = free_port()
    command = serve_command(
        db, port, fixtures=fixtures, durability=durability, workers=2, token=TOKEN
    )
    command[1:3] = [str(LAUNCHER)]  # instead of -m mockserver
    env = {
        **os.environ,
        "DISK_FAULT_PLAN": json.dumps([fault.__dict__ for fault in faults]),
        "DISK_FAULT_COMPACT_AFTER": str(COMPACT_AFTER),
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True
    )
    return port, process, errors


@pytest.mark.parametrize(("durability", "fault"), SERVED_CASES, ids=str)
def test_two_workers_survive_a_failing_call(
    apps: dict[str, Any], tmp_path: Path, fixtures: Path, durability: str, fault: disk.Fault
) -> None:
    ledger = workload.Ledger()
    db = tmp_path / "clients.json"
    # The store exists before the faulty start: a start that cannot create it is refused
    # with a message (tests/test_startup_faults.py), which is not what is tested here.
    open_store(Settings.load(db=str(db), fixtures=str(fixtures))).close()
    port, process, errors = served(db, fixtures, durability, [fault])
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=20) as http:
            wait_until_healthy(_Served(base, process), 30, errors)

            def send(method: str, path: str, body: Any, session: str) -> tuple[int, Any, str]:
                headers = {"Authorization": f"Bearer {TOKEN}"}
                if session:
                    headers["X-Mock-Session"] = session
                answer = http.request(method, path, json=body, headers=headers)
                return answer.status_code, answer.headers, answer.text

            workload.run(send, ledger)
            noticed = ledger.refusals or any(
                json.loads(send("GET", "/__mock/health", None, "")[2])["status"] == "degraded"
                for _ in range(6)  # either worker may answer
            )
            for number in range(4):  # the fault is over: each worker writes again
                workload.create(send, ledger, 100 + number)
    finally:
        stop(process)
        errors.close()
    assert not ledger.problems, "\n".join(ledger.problems)
    assert noticed, f"{fault}: no write refused, no worker degraded"
    recovered = [client["name"] for client in ledger.acked.values()][-4:]
    assert recovered == [f"client {100 + n}" for n in range(4)], "a worker did not recover"
    restarted = open_store_of(apps[durability], db, fixtures, durability)  # a restart
    try:
        for send in in_process(apps[durability]):
            workload.check_after_restart(send, ledger, SEEDED)
    finally:
        restarted.close()


class _Served:
    def __init__(self, base_url: str, process: subprocess.Popen[bytes]) -> None:
        self.base_url, self.process = base_url, process
