"""YAML for the tests, parsed and written by libyaml (PyYAML's C loader) where it is built in.

The pure-Python `yaml.safe_load` took most of the suite's collection (the diff corpus is a
hundred files, and every xdist worker collects every module).
"""

from __future__ import annotations

from typing import Any

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def parse_yaml(text: str) -> Any:
    return yaml.load(text, Loader=SAFE_LOADER)


def yaml_text(document: Any, **options: Any) -> str:
    """`yaml.safe_dump`, by libyaml where it is built in."""
    return yaml.dump(document, Dumper=SAFE_DUMPER, **options)
