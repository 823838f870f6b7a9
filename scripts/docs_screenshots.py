"""Shoot the docs site's screenshots: serve the mock, drive headless Chromium over it.

`python -m scripts.docs_screenshots OUT_DIR` (the docs build runs it, see scripts/docs_hooks.py):
a mock on a free loopback port with an in-memory store seeded from the fixtures, started with
`--token dev` (so the dashboard asks for it, as a shared mock's does), then
`scripts/docs_screenshots.mjs` (playwright-core with Debian's chromium, as the browser tests).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mockserver.testing import served_mock

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "docs_screenshots.mjs"
TOKEN = "dev"


def shoot(out_dir: Path) -> list[str]:
    """The screenshots, written to `out_dir`; the names of the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with served_mock(":memory:", workers=1, token=TOKEN) as mock:
        done = subprocess.run(
            ["node", str(SCRIPT), mock.base_url, TOKEN, str(out_dir)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
        )
    if done.returncode != 0:
        raise RuntimeError(f"screenshots failed: {done.stderr.strip() or done.stdout.strip()}")
    return list(json.loads(done.stdout)["written"])


if __name__ == "__main__":
    print(" ".join(shoot(Path(sys.argv[1]))))
