"""A spec-first mock of the Clients API: Connexion routes openapi.yaml to plain handlers."""

from __future__ import annotations

import warnings

# Connexion imports Starlette's test client at import time, which warns about httpx on every
# start; the mock never uses that client, so the warning would only confuse people.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from mockserver.app import create_app  # noqa: E402

__all__ = ["create_app"]
