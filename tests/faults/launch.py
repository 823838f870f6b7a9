"""Run `mockserver` with a fault plan installed in its store's disk seam (store/disk.py).

    DISK_FAULT_PLAN='[{"kind": "write", "error": "short", "first": 3, "times": 2}]' \
        python tests/faults/launch.py serve --db ... --workers 2

Workers forked from the loaded process inherit the plan, and count their own calls from there.
DISK_FAULT_COMPACT_AFTER sets the WAL's compaction threshold, so a short run compacts.
Test code only: the package has no fault path beyond the seam.
"""

from __future__ import annotations

import json
import os
import sys

from mockserver.cli import main
from mockserver.store import disk, wal


def install_from_environment() -> None:
    faults = json.loads(os.environ.get("DISK_FAULT_PLAN", "[]"))
    disk.install(disk.Plan([disk.Fault(**fault) for fault in faults]))
    if "DISK_FAULT_COMPACT_AFTER" in os.environ:
        wal.COMPACT_AFTER_LINES = int(os.environ["DISK_FAULT_COMPACT_AFTER"])


if __name__ == "__main__":
    install_from_environment()
    raise SystemExit(main(sys.argv[1:]))
