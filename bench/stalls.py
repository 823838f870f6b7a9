"""No stalls: get by id at 10,000 clients while writes and searches run at the same time.

Three wrk processes at once against one mock in the default configuration, seeded with 10,000
clients: the measured one gets random clients by id (-t1 -c8); a write-heavy one updates random
clients (-t1 -c16), which folds the journal into a snapshot every 10,000 writes (the WAL compacts
after max(10,000, records/2) lines); one lists with a new search term on every request (-t1 -c4).
Before the run, updates fill the journal to within PREFILL_GAP lines of a compaction, so the
measured window holds one whatever the machine's speed. The journal's inode is watched
meanwhile: each new inode is a compaction that happened during the run. Target: get's p99 under
5x its p50.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.peers import OURS, serve
from bench.report import markdown_table
from bench.scaling import write_fixtures
from bench.wrk import WORKLOADS_DIR, WrkResult, parse_wrk_output
from mockserver.store.wal import lines_between_snapshots

CLIENTS = 10_000
COMPACTS_AT = lines_between_snapshots(CLIENTS)
PREFILL_GAP = 1_000


@dataclass(frozen=True)
class StallFigures:
    get: WrkResult
    update: WrkResult
    search: WrkResult
    compactions: int

    def markdown(self) -> str:
        rows = [
            [name, f"{run.requests_per_s:,.0f}", f"{run.p50_ms:.2f}", f"{run.p99_ms:.2f}",
             f"{run.p99_ms / run.p50_ms:.1f}x" if run.p50_ms else "n/a", f"{run.failed_share:.1%}"]
            for name, run in (("get by id (measured)", self.get), ("update (load)", self.update),
                              ("list, new search term (load)", self.search))
        ]  # fmt: skip
        headers = ["requests", "req/s", "p50 ms", "p99 ms", "p99/p50", "failed"]
        table = markdown_table(headers, rows)
        return f"{table}\n\nCompactions during the run: {self.compactions}."


def wrk(url: str, script: str, seconds: int, connections: int, *args: str) -> list[str]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["-s", str(WORKLOADS_DIR / script), url]
    return [*command, "--", *args] if args else command


def measure(seconds: int, workers: int | None = None) -> StallFigures:
    with tempfile.TemporaryDirectory(prefix="bench-stalls-") as temp:
        folder = Path(temp)
        ids = write_fixtures(folder, CLIENTS)
        (folder / "ids.txt").write_text("\n".join(ids) + "\n")
        store = folder / "store"
        store.mkdir()
        with serve(OURS, fixtures=folder, workers=workers, workdir=store) as server:
            url = server.api_url + "/clients"
            ids_file = str(folder / "ids.txt")
            journal = store / "clients.json.journal"
            prefill(journal, wrk(url, "random_id.lua", 120, 16, ids_file, "PUT"))
            # Started after the prefill, so they run through the whole measured window (started
            # before it, they ended partway through it once the prefill took 13 s or more).
            loads = [
                subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
                for command in (
                    wrk(url, "random_id.lua", seconds + 2, 16, ids_file, "PUT"),
                    wrk(url, "search.lua", seconds + 2, 4),
                )
            ]
            watcher = JournalWatcher(journal)
            watcher.start()
            time.sleep(1)
            measured = subprocess.run(
                wrk(url, "random_id.lua", seconds, 8, ids_file),
                capture_output=True,
                text=True,
                timeout=seconds + 30,
                check=True,
            )
            outputs = [load.communicate(timeout=seconds + 30)[0] for load in loads]
            watcher.stop()
    update, search = (parse_wrk_output(text) for text in outputs)
    return StallFigures(parse_wrk_output(measured.stdout), update, search, watcher.changes)


def prefill(journal: Path, load: list[str]) -> None:
    """Run `load` until the journal is PREFILL_GAP lines short of a compaction."""
    writer = subprocess.Popen(load, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 110
        while _lines(journal) < COMPACTS_AT - PREFILL_GAP and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        writer.terminate()
        writer.wait(10)


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


class JournalWatcher(threading.Thread):
    """Counts how often the journal got a new inode (a compaction), polling every 20 ms."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.changes = 0
        self._stopped = threading.Event()

    def run(self) -> None:
        last = self._inode()
        while not self._stopped.wait(0.02):
            current = self._inode()
            if current is not None and current != last:
                self.changes += last is not None
                last = current

    def stop(self) -> None:
        self._stopped.set()
        self.join(5)

    def _inode(self) -> int | None:
        try:
            return os.stat(self.path).st_ino
        except FileNotFoundError:
            return None
