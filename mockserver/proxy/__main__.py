from __future__ import annotations

from mockserver.proxy.cli import main

raise SystemExit(main())
