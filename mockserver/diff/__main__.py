"""`python -m mockserver.diff BASE HEAD [options]`, the same as `mockserver diff`."""

from __future__ import annotations

from mockserver.diff.cli import main

raise SystemExit(main())
