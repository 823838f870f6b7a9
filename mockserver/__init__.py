"""A spec-first mock of the Clients API, its contract tests, validating proxy and contract diff.

Importing the package builds nothing: `mockserver.app.create_app` builds the mock,
`mockserver.proxy.app.create_proxy_app` the proxy; `mockserver.cli` runs either.
"""

from __future__ import annotations

from pathlib import Path

__version__ = "0.2.0"
PACKAGE_DIR = Path(__file__).resolve().parent
# Links to the repository's top-level openapi.yaml and fixtures/ (the wheel carries copies).
SPEC_PATH = PACKAGE_DIR / "openapi.yaml"
FIXTURES_DIR = PACKAGE_DIR / "fixtures"
