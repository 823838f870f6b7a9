"""The contract held against real traffic: a validating proxy and an offline HAR check."""

from __future__ import annotations

from mockserver.proxy.validation import ContractChecker
from mockserver.proxy.violations import Violation

__all__ = ["ContractChecker", "Violation"]
