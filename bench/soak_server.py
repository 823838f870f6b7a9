"""The soak's server, disk and measurements (bench/soak.py): `mockserver serve --workers 2`
that can be killed and started again on the same port, a small tmpfs and a filler for it, and
what each of its processes holds (open descriptors, RSS, PSS)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mockserver.testing import ServedMock, free_port, serve_command, wait_until_healthy


@dataclass
class Sample:
    when: str
    role: str
    pid: int
    descriptors: int
    rss_mb: float
    pss_mb: float


class Server:
    """`mockserver serve --workers 2` on `db`, started again on the same port after a kill."""

    def __init__(self, db: Path, log: Path) -> None:
        self.db, self.log, self.port = db, log, free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                # Compactions every 1,000 lines, so the kills and full disks meet them too.
                serve_command(self.db, self.port, workers=2, compact_after=1000),
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
        with open(self.log, "rb") as log:
            wait_until_healthy(ServedMock(self.base_url, self.process), 60, log)

    def kill(self) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def workers(self) -> list[int]:
        assert self.process is not None
        pid = self.process.pid
        with contextlib.suppress(OSError):
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        return []


def sample(server: Server, when: str) -> list[Sample]:
    assert server.process is not None
    roles = [("supervisor", server.process.pid)] + [("worker", pid) for pid in server.workers()]
    found = []
    for role, pid in roles:
        with contextlib.suppress(OSError):
            descriptors = len(os.listdir(f"/proc/{pid}/fd"))
            sizes = _smaps_rollup(pid)
            found.append(
                Sample(when, role, pid, descriptors, sizes["Rss"] / 1024, sizes["Pss"] / 1024)
            )
    return found


def _smaps_rollup(pid: int) -> dict[str, int]:
    sizes = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        sizes[name] = int(value.split()[0])  # kB
    return sizes


@contextlib.contextmanager
def small_disk(size: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="soak-") as folder:
        disk = Path(folder) / "disk"
        disk.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", disk], check=True)
        try:
            yield disk
        finally:
            subprocess.run(["umount", "-l", disk], check=False)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as file:
        for chunk in (1 << 20, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    file.write(b"\0" * chunk)
    return filler
