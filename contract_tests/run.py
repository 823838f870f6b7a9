"""What one run of the suite uses: the contract, the profile, the seed, the staging options and
the ledger of what it did (set by conftest)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
import yaml
from schemathesis.specs.openapi.schemas import OpenApiSchema

from contract_tests.budget import Budget
from contract_tests.ledger import Ledger, contract_operations

HERE = Path(__file__).resolve().parent
SCHEMATHESIS_TOML = HERE / "schemathesis.toml"


def spec_path() -> Path:
    from mockserver.contract import SPEC_PATH

    return Path(SPEC_PATH)


@dataclass(frozen=True)
class Profile:
    """How hard to try. None keeps the value in schemathesis.toml."""

    name: str
    max_examples: int | None  # Schemathesis examples per operation and phase
    stateful_steps: int | None  # calls per stateful scenario
    scenarios: int  # stateful scenarios
    semantic_examples: int  # Hypothesis examples per semantic property


PROFILES = {
    "default": Profile("default", None, None, scenarios=15, semantic_examples=8),
    "thorough": Profile("thorough", 300, 20, scenarios=200, semantic_examples=100),
}


@dataclass(frozen=True)
class Options:
    """Real-deployment settings (see conftest for the command line and environment)."""

    settle: float = 0.0  # seconds a read after a write may take to show it
    max_rps: float | None = None
    max_retries: int = 5  # 429/503 with Retry-After waited out this many times per request
    timeout: float = 30.0
    headers: tuple[tuple[str, str], ...] = ()
    ca_bundle: str | None = None
    insecure: bool = False
    max_time: float | None = None  # seconds before no new cases are generated


@dataclass
class Run:
    profile: Profile
    seed: int
    options: Options = field(default_factory=Options)
    ledger: Ledger = field(default_factory=lambda: Ledger(contract_operations(load_spec())))
    layers: Any = None  # the target's transport.Layers, for the summary (set by conftest)
    budget: Budget = field(default_factory=Budget)


def load_spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(spec_path().read_text(encoding="utf-8"))
    return loaded


# conftest.pytest_configure replaces this before any test module is imported.
RUN = Run(PROFILES["default"], seed=0)


def load_schema() -> OpenApiSchema:
    """The contract, with schemathesis.toml's settings adjusted for this run."""
    data: dict[str, Any] = tomllib.loads(SCHEMATHESIS_TOML.read_text(encoding="utf-8"))
    data["seed"] = RUN.seed
    data["request-timeout"] = RUN.options.timeout
    if RUN.profile.max_examples is not None:
        data.setdefault("generation", {})["max-examples"] = RUN.profile.max_examples
    if RUN.profile.stateful_steps is not None:
        stateful = data.setdefault("phases", {}).setdefault("stateful", {})
        stateful["max-steps"] = RUN.profile.stateful_steps
    config = schemathesis.Config.from_dict(data, base_dir=str(HERE))
    return schemathesis.openapi.from_path(spec_path(), config=config)
