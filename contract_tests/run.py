"""What one run of the suite uses: the contract, the profile, the seed (set by conftest)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "openapi.yaml"
SCHEMATHESIS_TOML = ROOT / "schemathesis.toml"


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


@dataclass
class Run:
    profile: Profile
    seed: int


# conftest.pytest_configure replaces this before any test module is imported.
RUN = Run(PROFILES["default"], seed=0)


def load_schema() -> OpenApiSchema:
    """The contract, with schemathesis.toml's settings adjusted for this run."""
    data: dict[str, Any] = tomllib.loads(SCHEMATHESIS_TOML.read_text(encoding="utf-8"))
    data["seed"] = RUN.seed
    if RUN.profile.max_examples is not None:
        data.setdefault("generation", {})["max-examples"] = RUN.profile.max_examples
    if RUN.profile.stateful_steps is not None:
        stateful = data.setdefault("phases", {}).setdefault("stateful", {})
        stateful["max-steps"] = RUN.profile.stateful_steps
    config = schemathesis.Config.from_dict(data, base_dir=str(ROOT))
    return schemathesis.openapi.from_path(SPEC, config=config)
