"""`python -m bench.soak [--seconds N] [--no-fill]`: the mock under mixed load and faults for a
long while (default 20 min), then the proof: every write it acknowledged is there, and open
descriptors and memory stayed flat. Needs root (it mounts a small tmpfs for the store).

`mockserver serve --workers 2` serves a store on that tmpfs while a few clients create, update,
read, search, use sessions, add and delete rules and read the request journal
(bench/soak_load.py). Meanwhile, a worker is killed (SIGKILL) every `seconds/8` s (at most 30 s),
the whole server twice in the run (then started again on the same store), and, unless --no-fill,
a filler file fills the disk twice for `seconds/12` s and is then removed. At the end the server
is restarted once more (so the check reads what is on disk) and every acknowledged write is read
back. Printed: answers by kind of request, and per process the open descriptors, RSS and PSS at
the start (after a warm-up), the middle and the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.report import markdown_table
from bench.soak_load import READS, Client, check
from bench.soak_server import Sample, Server, fill, sample, small_disk
from mockserver.testing import stop

EXCEPTION = re.compile(r"^[\w.]+(Error|Exception|Interrupt): ")
CLIENTS = 4
CREATES_EACH = 750  # at most, a client (2 a second of the run): spread over 70% of the run
DISK = "48m"


@dataclass
class Report:
    checked: int = 0
    lost: list[str] = field(default_factory=list)
    missing_while_running: list[str] = field(default_factory=list)
    answers: dict[str, Counter[str]] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)
    events: Counter[str] = field(default_factory=Counter)
    errors_logged: Counter[str] = field(default_factory=Counter)  # the server log's exceptions

    @property
    def reads_5xx(self) -> int:
        return sum(
            n for kind in READS for code, n in self.answers.get(kind, {}).items() if code[0] == "5"
        )


def soak(seconds: float, fill_disk: bool = True, seed: int = 22, pace: float = 0.0) -> Report:
    """`pace`: seconds each client waits between its requests (0: none, as fast as answered)."""
    report = Report()
    rng = random.Random(seed)
    with small_disk(DISK) as disk, tempfile.TemporaryDirectory(prefix="soak-log-") as logs:
        server = Server(disk / "clients.json", Path(logs) / "serve.log")
        server.start()
        halt = threading.Event()
        creates = min(CREATES_EACH, int(seconds * 2))
        clients = [Client(n, server.base_url, halt, creates, seconds, pace) for n in range(CLIENTS)]
        for client in clients:
            client.start()
        try:
            _faults(server, disk, seconds, fill_disk, rng, report)
        finally:
            halt.set()
            for client in clients:
                client.join(30)
            server.kill()
        server.start()  # what is on disk, read by a fresh server
        try:
            report.lost, report.checked = check(server.base_url, [c.ledger for c in clients])
        finally:
            stop(server.process)  # type: ignore[arg-type]
        report.errors_logged = _exceptions(server.log)
        for client in clients:
            report.missing_while_running += client.ledger.missing_while_running
            for kind, outcomes in client.ledger.answers.items():
                report.answers.setdefault(kind, Counter()).update(outcomes)
    return report


def _faults(
    server: Server, disk: Path, seconds: float, fill_disk: bool, rng: random.Random, report: Report
) -> None:
    """The run's timeline: worker kills, two server kills, two fills, three samples."""
    began = time.monotonic()
    kill_every = min(30.0, max(5.0, seconds / 8))
    plan = [(seconds * 0.12, "sample start"), (seconds * 0.5, "sample middle")]
    plan += [(seconds * 0.9, "sample end"), (seconds * 0.35, "restart"), (seconds * 0.7, "restart")]
    if fill_disk:
        for at in (0.2, 0.6):
            plan += [(seconds * at, "fill"), (seconds * (at + 1 / 12), "empty")]
    plan += [(at, "kill a worker") for at in _every(kill_every, seconds)]
    filler: Path | None = None
    for at, event in sorted(plan):
        time.sleep(max(0.0, began + at - time.monotonic()))
        report.events[event] += 1
        if event.startswith("sample"):
            report.samples += sample(server, event.split()[1])
        elif event == "restart":
            server.kill()
            server.start()
        elif event == "fill":
            filler = fill(disk)
        elif event == "empty" and filler is not None:
            filler.unlink()
        elif event == "kill a worker" and (workers := server.workers()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(rng.choice(workers), signal.SIGKILL)
    time.sleep(max(0.0, began + seconds - time.monotonic()))


def _exceptions(log: Path) -> Counter[str]:
    """The last line of each traceback in the server's log, counted."""
    found: Counter[str] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        match = EXCEPTION.match(line)
        if match:
            found[line[:160]] += 1
    return found


def _every(step: float, seconds: float) -> list[float]:
    # Not within 2 s of a planned sample: a worker being replaced is not a leak.
    times = [step * n + step / 3 for n in range(int(seconds / step))]
    return [t for t in times if all(abs(t - seconds * s) > 2 for s in (0.12, 0.5, 0.9))]


def print_report(report: Report) -> None:
    print(f"acknowledged writes checked: {report.checked}; lost or wrong: {len(report.lost)}")
    for problem in report.lost[:20]:
        print(f"  LOST {problem}")
    print(
        f"acknowledged clients missing from a read during the run: "
        f"{len(report.missing_while_running)}"
    )
    print(f"reads answered 5xx: {report.reads_5xx}; events: {dict(report.events)}")
    for line, count in report.errors_logged.most_common(8):
        print(f"  logged {count}x: {line}")
    print()
    rows = [
        [
            kind,
            str(sum(outcomes.values())),
            ", ".join(f"{k}: {n}" for k, n in sorted(outcomes.items())),
        ]
        for kind, outcomes in sorted(report.answers.items())
    ]
    print(markdown_table(["request", "sent", "answers"], rows) + "\n")
    rows = [
        [s.when, s.role, str(s.pid), str(s.descriptors), f"{s.rss_mb:.1f}", f"{s.pss_mb:.1f}"]
        for s in report.samples
    ]
    print(markdown_table(["when", "process", "pid", "open fds", "RSS MB", "PSS MB"], rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--seconds", type=float, default=1200, help="length (default 1200)")
    parser.add_argument("--no-fill", action="store_true", help="never fill the disk")
    parser.add_argument(
        "--pace", type=float, default=0.0, help="seconds a client waits between requests (0)"
    )
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("bench.soak mounts a tmpfs: run it as root", file=sys.stderr)
        return 2
    report = soak(args.seconds, fill_disk=not args.no_fill, pace=args.pace)
    print_report(report)
    return 1 if report.lost or report.reads_5xx else 0


if __name__ == "__main__":
    sys.exit(main())
