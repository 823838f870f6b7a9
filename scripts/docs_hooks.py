"""ProperDocs hooks (properdocs.yml `hooks:`): the pages the site builds from other sources.

- the reference pages, generated from the code (docs_reference.py) and the OpenAPI documents
  (docs_openapi.py);
- `architecture.md`: the top-level ARCHITECTURE.md (it stays there, the team's rule), its links
  into docs/ made relative to the site;
- the screenshots, shot from a served mock (docs_screenshots.py) into DOCS_SCREENSHOTS
  (default build/docs-screenshots) when that folder holds none; `make docs` empties it first.

Nothing here is written into docs/: the pages exist only in the build.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

from properdocs.structure.files import File, Files

# ProperDocs loads this file by path; the repository root makes `scripts` importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts import docs_openapi, docs_reference, docs_screenshots

ROOT = docs_reference.ROOT
REFERENCE_PAGES = {
    "reference/cli.md": docs_reference.cli_page,
    "reference/settings.md": docs_reference.settings_page,
    "reference/control-api.md": docs_openapi.control_api_page,
    "reference/contract.md": docs_openapi.contract_page,
}
SCREENSHOTS = Path(os.environ.get("DOCS_SCREENSHOTS", ROOT / "build" / "docs-screenshots"))


def architecture_page() -> str:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    text = re.sub(r"\]\(docs/", "](", text)
    header = "<!-- Included at build time from ARCHITECTURE.md by scripts/docs_hooks.py. -->\n\n"
    return header + text


def screenshots() -> list[Path]:
    shots = sorted(SCREENSHOTS.glob("*.png"))
    if not shots:
        docs_screenshots.shoot(SCREENSHOTS)
        shots = sorted(SCREENSHOTS.glob("*.png"))
    return shots


def on_files(files: Files, config: Any) -> Files:
    pages = {name: make() for name, make in REFERENCE_PAGES.items()}
    pages["architecture.md"] = architecture_page()
    for name, content in pages.items():
        files.append(File.generated(config, name, content=content))
    for shot in screenshots():
        files.append(File.generated(config, f"img/{shot.name}", abs_src_path=str(shot)))
    return files


def on_serve(server: Any, config: Any, builder: Any) -> Any:
    """`make docs-serve` rebuilds when a source of a generated page changes too."""
    for source in ("ARCHITECTURE.md", "openapi.yaml", "mockserver"):
        server.watch(str(ROOT / source))
    return server
