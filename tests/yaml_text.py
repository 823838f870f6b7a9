"""YAML for the tests, parsed by libyaml (PyYAML's C loader) where it is built in.

The pure-Python `yaml.safe_load` took most of the suite's collection (the diff corpus is a
hundred files, and every xdist worker collects every module).
"""

from __future__ import annotations

from typing import Any

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    return yaml.load(text, Loader=SAFE_LOADER)
